import type {
  FindingSeverity,
  ImageIdentifier,
  ImageScanFinding,
  ImageScanFindingsSummary,
  ImageScanStatus,
  RepositoryScanningConfiguration,
  RepositoryScanningConfigurationFailure,
  ScanFrequency,
  ScanningRepositoryFilter,
} from '@aws-sdk/client-ecr'
import { EcrError, invalidParameter } from '../errors.js'
import { DEFAULT_PAGE_SIZE, takePage } from '../pagination.js'
import { repositoryArn } from '../partitions.js'
import type { ImageRecord, RegistryRecord, RepositoryRecord, ScanRecord } from '../state/records.js'
import { findRepository, type FoundRepository, type OperationContext } from './context.js'
import { describeImageId, requireImage } from './image-ids.js'
import type { Implementations } from './operation.js'
import { wildcard } from './repositories.js'

/** A basic scan can start once per image per 24 hours, scan-on-push included. */
const SCAN_QUOTA_MS = 24 * 60 * 60 * 1000
const HOUR_MS = 60 * 60 * 1000
const IN_PROGRESS: ImageScanStatus = { status: 'IN_PROGRESS' }
const COMPLETE: ImageScanStatus = { status: 'COMPLETE', description: 'The scan was completed successfully.' }

/**
 * Registry and repository scanning settings, StartImageScan and DescribeImageScanFindings.
 * Every scan is a basic scan; ENHANCED is stored and steers scan-on-push (decisions/scanning.md).
 */
export const scanningOperations = {
  PutRegistryScanningConfiguration(input, ctx) {
    const scanType = input.scanType ?? 'BASIC'
    const rules = input.rules ?? []
    // Continuous scanning is Amazon Inspector's: BASIC only scans on push (model docs of RegistryScanningRule).
    if (scanType === 'BASIC' && rules.some((rule) => rule.scanFrequency === 'CONTINUOUS_SCAN')) {
      throw invalidParameter('rules', 'Scan frequency CONTINUOUS_SCAN is not supported for scan type BASIC')
    }
    const scanning = { scanType, rules }
    ctx.registry().updateSettings(ctx.tx, (settings) => ({ ...settings, scanning }))
    return { registryScanningConfiguration: scanning }
  },

  GetRegistryScanningConfiguration(_input, ctx) {
    const registry = ctx.registry()
    return { registryId: registry.accountId, scanningConfiguration: registry.settings.scanning }
  },

  BatchGetRepositoryScanningConfiguration(input, ctx) {
    const registry = ctx.registry()
    const scanningConfigurations: RepositoryScanningConfiguration[] = []
    const failures: RepositoryScanningConfigurationFailure[] = []
    for (const name of new Set(input.repositoryNames)) {
      const record = registry.repositories.get(name)
      if (record === undefined) {
        failures.push({
          repositoryName: name,
          failureCode: 'REPOSITORY_NOT_FOUND',
          failureReason: `The repository with name '${name}' does not exist in the registry with id '${registry.accountId}'`,
        })
        continue
      }
      scanningConfigurations.push({
        repositoryArn: repositoryArn(registry.accountId, registry.region, name),
        repositoryName: name,
        scanOnPush: record.scanOnPush,
        ...repositoryScanning(registry.settings, record),
      })
    }
    return { scanningConfigurations, failures }
  },

  StartImageScan(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const image = requireImage(found, input.imageId)
    if (image.isIndex) {
      throw new EcrError('UnsupportedImageTypeException', `An artifact with media type '${image.mediaType}' cannot be scanned.`)
    }
    if (withinQuota(ctx, image.scan)) {
      throw new EcrError('LimitExceededException', 'The scan quota per image has been exceeded. Wait and try again.')
    }
    found.contents.images.set(ctx.tx, image.digest, { ...image, scan: startScan(ctx, found, image) })
    return {
      registryId: found.registry.accountId,
      repositoryName: found.record.name,
      imageId: reportedImageId(image, input.imageId),
      imageScanStatus: IN_PROGRESS,
    }
  },

  DescribeImageScanFindings(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const image = requireImage(found, input.imageId)
    const scan = image.scan
    if (scan === undefined) {
      throw new EcrError(
        'ScanNotFoundException',
        `Image scan does not exist for the image with '${describeImageId(input.imageId)}' in the repository with name '${found.record.name}' in the registry with id '${found.registry.accountId}'`,
      )
    }
    const described = {
      registryId: found.registry.accountId,
      repositoryName: found.record.name,
      imageId: reportedImageId(image, input.imageId),
    }
    // Findings appear only once the scan completes; until then the list is empty.
    if (ctx.now < scan.completesAt) return { ...described, imageScanStatus: IN_PROGRESS, imageScanFindings: { findings: [] } }
    // A new scan replaces the findings, so a token is only good for the scan it came from.
    const listing = [
      'DescribeImageScanFindings',
      found.registry.accountId,
      found.registry.region,
      found.record.name,
      image.digest,
      scan.startedAt,
    ].join('\u0000')
    const start = input.nextToken === undefined ? 0 : ctx.tokens.decode(listing, input.nextToken).seq
    const page = takePage(
      (function* () {
        for (let index = start; index < scan.findings.length; index++) {
          yield { item: scan.findings[index]!, cursor: { seq: index + 1 } }
        }
      })(),
      input.maxResults ?? DEFAULT_PAGE_SIZE,
      ctx.tokens,
      listing,
    )
    return {
      ...described,
      imageScanStatus: COMPLETE,
      imageScanFindings: { ...findingsSummary(scan), findings: page.items },
      ...(page.nextToken !== undefined && { nextToken: page.nextToken }),
    }
  },
} satisfies Implementations

/**
 * The image record to store after a push: with a scan started when scan-on-push applies (the
 * repository's own flag under BASIC, or a matching registry rule). Indexes are never scanned.
 */
export function scanOnPush(ctx: OperationContext, found: FoundRepository, image: ImageRecord): ImageRecord {
  if (image.isIndex || withinQuota(ctx, image.scan)) return image
  if (repositoryScanning(found.registry.settings, found.record).scanFrequency === 'MANUAL') return image
  return { ...image, scan: startScan(ctx, found, image) }
}

/** What DescribeImages reports of an image's latest scan (nothing if it was never scanned). */
export function scanDetails(
  ctx: OperationContext,
  image: ImageRecord,
): { imageScanStatus?: ImageScanStatus; imageScanFindingsSummary?: ImageScanFindingsSummary } {
  const scan = image.scan
  if (scan === undefined) return {}
  if (ctx.now < scan.completesAt) return { imageScanStatus: IN_PROGRESS }
  return { imageScanStatus: COMPLETE, imageScanFindingsSummary: findingsSummary(scan) }
}

/**
 * How a repository is scanned under the registry's configuration. A matching CONTINUOUS_SCAN rule
 * (ENHANCED only) wins over SCAN_ON_PUSH. AWS reports the one filter that matched, not the rule's
 * whole list. The repository's own scanOnPush flag only counts under BASIC: with ENHANCED,
 * Amazon Inspector scans what the registry rules select.
 */
function repositoryScanning(
  settings: RegistryRecord,
  repository: RepositoryRecord,
): { scanFrequency: ScanFrequency; appliedScanFilters: ScanningRepositoryFilter[] } {
  const { scanType, rules } = settings.scanning
  const matching = (frequency: ScanFrequency) =>
    rules
      .filter((rule) => rule.scanFrequency === frequency)
      .flatMap((rule) => rule.repositoryFilters ?? [])
      .find((filter) => scanFilterMatches(filter.filter ?? '', repository.name))
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

function withinQuota(ctx: OperationContext, scan: ScanRecord | undefined): boolean {
  return scan !== undefined && ctx.now < scan.startedAt + SCAN_QUOTA_MS
}

function startScan(ctx: OperationContext, found: FoundRepository, image: ImageRecord): ScanRecord {
  const findings = ctx.settings.scanFindings({
    registryId: found.registry.accountId,
    region: found.registry.region,
    repositoryName: found.record.name,
    imageDigest: image.digest,
    imageTags: found.contents.tagsOf(image.digest),
    manifest: image.manifest,
  })
  // The source is the caller's code: keep a copy, so nothing it does later can reach engine state.
  return { startedAt: ctx.now, completesAt: ctx.now + ctx.settings.scanDurationMs, findings: structuredClone(findings) }
}

function findingsSummary(scan: ScanRecord) {
  return {
    imageScanCompletedAt: new Date(scan.completesAt),
    // The vulnerability database a scan uses is refreshed hourly: the last refresh before the scan.
    vulnerabilitySourceUpdatedAt: new Date(Math.floor(scan.startedAt / HOUR_MS) * HOUR_MS),
    findingSeverityCounts: severityCounts(scan.findings),
  }
}

/** Counts per severity, listing only the severities that occur (as ECR does). */
function severityCounts(findings: readonly ImageScanFinding[]): Partial<Record<FindingSeverity, number>> {
  const counts = new Map<FindingSeverity, number>()
  for (const { severity } of findings) {
    if (severity !== undefined) counts.set(severity, (counts.get(severity) ?? 0) + 1)
  }
  return Object.fromEntries(counts)
}

/** The imageId to report: the image's digest, plus the tag when the caller gave one. */
function reportedImageId(image: ImageRecord, { imageTag }: ImageIdentifier): ImageIdentifier {
  return { imageDigest: image.digest, ...(imageTag !== undefined && { imageTag }) }
}
