import type { OperationContext } from '../operations/context.js'
import { changedRecord } from '../state/changed-record.js'
import type { ImageRecord, ScanRecord } from '../state/kinds.js'
import { inspectPushedImage, scannedImage } from './enhanced-scans.js'
import type { FoundRepository } from './repositories.js'
import { registryScanning, repositoryScanning } from './scanning-configuration.js'

/** A basic scan can start once per image per 24 hours, scan-on-push included. */
const SCAN_QUOTA_MS = 24 * 60 * 60 * 1000

/**
 * The image record to store after a push: with a basic scan started when scan-on-push applies
 * (the repository's own flag under BASIC, or a matching registry rule). Under ENHANCED, Amazon
 * Inspector scans it instead, if a registry rule selects its repository. Indexes are never
 * basic-scanned.
 */
export function scanOnPush(ctx: OperationContext, found: FoundRepository, image: ImageRecord): ImageRecord {
  const scanning = registryScanning(found.registry)
  if (scanning.scanType === 'ENHANCED') {
    inspectPushedImage(ctx, found, image)
    return image
  }
  if (image.isIndex || scanQuotaUsed(ctx, image.scan)) return image
  if (repositoryScanning(scanning, found.record).scanFrequency === 'MANUAL') return image
  return changedRecord(image, { scan: startScan(ctx, found, image) })
}

/**
 * A new scan of an image. Its findings are fixed now and reported once it completes, which is
 * at once by default and otherwise when the engine's clock reaches `completesAt` (a clock effect,
 * {@link completeScan}).
 */
export function startScan(ctx: OperationContext, found: FoundRepository, image: ImageRecord): ScanRecord {
  const findings = ctx.settings.scanFindings(scannedImage(found, image))
  const completesAt = ctx.now + ctx.settings.scanDurationMs
  return {
    startedAt: ctx.now,
    completesAt,
    status: completesAt <= ctx.now ? 'COMPLETE' : 'IN_PROGRESS',
    // The source is the caller's code: keep a copy, so nothing it does later can reach engine state.
    findings: structuredClone(findings),
  }
}

/** The clock effect of a scan in progress whose time has come: it completes. */
export function completeScan(ctx: OperationContext, scope: readonly string[], digest: string): void {
  const [accountId = '', region = '', repositoryName = ''] = scope
  const contents = ctx.state.find(accountId, region)?.contentsOf(repositoryName)
  const image = contents?.images.get(digest)
  if (contents === undefined || image?.scan === undefined) return
  contents.images.set(ctx.tx, digest, changedRecord(image, { scan: changedRecord(image.scan, { status: 'COMPLETE' }) }))
}

/** Whether an image's last scan started less than 24 hours ago (no new one may start). */
export function scanQuotaUsed(ctx: OperationContext, scan: ScanRecord | undefined): boolean {
  return scan !== undefined && ctx.now < scan.startedAt + SCAN_QUOTA_MS
}
