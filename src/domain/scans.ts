import type { ScanFrequency, ScanningRepositoryFilter } from '@aws-sdk/client-ecr'
import type { OperationContext } from '../operations/context.js'
import type { ImageRecord, RepositoryRecord, ScanRecord, ValueOf } from '../state/kinds.js'
import type { RegistryState } from '../state/registry-state.js'
import { wildcard } from '../wildcard.js'
import type { FoundRepository } from './repositories.js'

/** A basic scan can start once per image per 24 hours, scan-on-push included. */
const SCAN_QUOTA_MS = 24 * 60 * 60 * 1000

/** The registry's scanning configuration (BASIC with no rules until one is put). */
export function registryScanning(registry: RegistryState): ValueOf<'registry-scanning'> {
  return registry.setting('registry-scanning') ?? DEFAULT_SCANNING
}

const DEFAULT_SCANNING: ValueOf<'registry-scanning'> = { scanType: 'BASIC', rules: [] }

/**
 * The image record to store after a push: with a scan started when scan-on-push applies (the
 * repository's own flag under BASIC, or a matching registry rule). Indexes are never scanned.
 */
export function scanOnPush(ctx: OperationContext, found: FoundRepository, image: ImageRecord): ImageRecord {
  if (image.isIndex || scanQuotaUsed(ctx, image.scan)) return image
  if (repositoryScanning(registryScanning(found.registry), found.record).scanFrequency === 'MANUAL') return image
  return { ...image, scan: startScan(ctx, found, image) }
}

/**
 * A new scan of an image. Its findings are fixed now and reported once it completes, which is
 * at once by default and otherwise when the engine's clock reaches `completesAt` (a clock effect,
 * {@link completeScan}).
 */
export function startScan(ctx: OperationContext, found: FoundRepository, image: ImageRecord): ScanRecord {
  const findings = ctx.settings.scanFindings({
    registryId: found.registry.accountId,
    region: found.registry.region,
    repositoryName: found.record.name,
    imageDigest: image.digest,
    imageTags: found.contents.tagsOf(image.digest),
    manifest: image.manifest,
  })
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
  contents.images.set(ctx.tx, digest, { ...image, scan: { ...image.scan, status: 'COMPLETE' } })
}

/** Whether an image's last scan started less than 24 hours ago (no new one may start). */
export function scanQuotaUsed(ctx: OperationContext, scan: ScanRecord | undefined): boolean {
  return scan !== undefined && ctx.now < scan.startedAt + SCAN_QUOTA_MS
}

/**
 * How a repository is scanned under the registry's configuration. A matching CONTINUOUS_SCAN rule
 * (ENHANCED only) wins over SCAN_ON_PUSH. AWS reports the one filter that matched, not the rule's
 * whole list. The repository's own scanOnPush flag only counts under BASIC: with ENHANCED,
 * Amazon Inspector scans what the registry rules select.
 */
export function repositoryScanning(
  scanning: ValueOf<'registry-scanning'>,
  repository: RepositoryRecord,
): { scanFrequency: ScanFrequency; appliedScanFilters: ScanningRepositoryFilter[] } {
  const { scanType, rules } = scanning
  const matching = (frequency: ScanFrequency) =>
    rules
      .filter((rule) => rule.scanFrequency === frequency)
      .flatMap((rule) => rule.repositoryFilters)
      .find((filter) => scanFilterMatches(filter.filter, repository.name))
  const continuous = scanType === 'ENHANCED' ? matching('CONTINUOUS_SCAN') : undefined
  if (continuous !== undefined) return { scanFrequency: 'CONTINUOUS_SCAN', appliedScanFilters: [continuous] }
  const onPush = matching('SCAN_ON_PUSH')
  if (onPush !== undefined) return { scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [onPush] }
  if (scanType === 'BASIC' && repository.scanOnPush) return { scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [] }
  return { scanFrequency: 'MANUAL', appliedScanFilters: [] }
}

/** ECR's scan filters: without `*` a filter matches names containing it; with `*` it is a full glob. */
function scanFilterMatches(filter: string, repositoryName: string): boolean {
  return filter.includes('*') ? wildcard(filter).test(repositoryName) : repositoryName.includes(filter)
}
