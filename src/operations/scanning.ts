import type {
  FindingSeverity,
  ImageIdentifier,
  ImageScanFindings,
  ImageScanFindingsSummary,
  ImageScanStatus,
  RepositoryScanningConfiguration,
  RepositoryScanningConfigurationFailure,
} from '@aws-sdk/client-ecr'
import { refuseArchivedScan } from '../domain/archival.js'
import { inspectionOf, inspectionStatus, reportedFinding } from '../domain/enhanced-scans.js'
import { findRepository, type FoundRepository } from '../domain/repositories.js'
import { inspectorFrequency, registryScanning, repositoryScanning } from '../domain/scanning-configuration.js'
import { scanQuotaUsed, startScan } from '../domain/scans.js'
import { EcrError, invalidParameter } from '../errors.js'
import { DEFAULT_PAGE_SIZE, takePage } from '../pagination.js'
import { repositoryArn } from '../partitions.js'
import { changedRecord } from '../state/changed-record.js'
import { SINGLETON, type EnhancedScanRecord, type ImageRecord, type ScanRecord, type ValueOf } from '../state/kinds.js'
import type { RegistryState } from '../state/registry-state.js'
import { describeImageId, reportedImageId, requireImage } from './image-ids.js'
import type { OperationContext } from './context.js'
import type { Implementations } from './operation.js'

const HOUR_MS = 60 * 60 * 1000
// Functions, not shared objects: DescribeImages hands its details to the caller uncopied (src/caller-copy.ts).
const inProgress = (): ImageScanStatus => ({ status: 'IN_PROGRESS' })
const complete = (): ImageScanStatus => ({ status: 'COMPLETE', description: 'The scan was completed successfully.' })

/**
 * Registry and repository scanning settings, StartImageScan and DescribeImageScanFindings: basic
 * scans (decisions/scanning.md), or Amazon Inspector's under ENHANCED (decisions/enhanced-scanning.md).
 */
export const scanningOperations = {
  PutRegistryScanningConfiguration(input, ctx) {
    const scanType = input.scanType ?? 'BASIC'
    // With ENHANCED and no rules, ECR scans every repository continuously (user guide, "Enhanced scanning").
    const rules = input.rules ?? (scanType === 'ENHANCED' ? [CONTINUOUS_SCAN_ALL] : [])
    // Continuous scanning is Amazon Inspector's: BASIC only scans on push (model docs of RegistryScanningRule).
    if (scanType === 'BASIC' && rules.some((rule) => rule.scanFrequency === 'CONTINUOUS_SCAN')) {
      throw invalidParameter('rules', 'Scan frequency CONTINUOUS_SCAN is not supported for scan type BASIC')
    }
    const scanning = { scanType, rules }
    ctx.openRegistry().tables['registry-scanning'].set(ctx.tx, SINGLETON, scanning)
    return { registryScanningConfiguration: scanning }
  },

  GetRegistryScanningConfiguration(_input, ctx) {
    const registry = ctx.registry()
    return { registryId: registry.accountId, scanningConfiguration: registryScanning(registry) }
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
        ...repositoryScanning(registryScanning(registry), record),
      })
    }
    return { scanningConfigurations, failures }
  },

  StartImageScan(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const image = requireImage(found, input.imageId)
    refuseArchivedScan(found, image, input.imageId)
    if (image.isIndex) {
      throw new EcrError('UnsupportedImageTypeException', `An artifact with media type '${image.mediaType}' cannot be scanned.`)
    }
    // Amazon Inspector does the scanning under ENHANCED, and it takes no manual scans.
    if (registryScanning(found.registry).scanType === 'ENHANCED') throw new EcrError('ValidationException', 'This feature is disabled.')
    if (scanQuotaUsed(ctx, image.scan)) {
      throw new EcrError('LimitExceededException', 'The scan quota per image has been exceeded. Wait and try again.')
    }
    found.contents.images.set(ctx.tx, image.digest, changedRecord(image, { scan: startScan(ctx, found, image) }))
    return {
      registryId: found.registry.accountId,
      repositoryName: found.record.name,
      imageId: reportedImageId(image, input.imageId),
      imageScanStatus: inProgress(),
    }
  },

  DescribeImageScanFindings(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const image = requireImage(found, input.imageId)
    const described = {
      registryId: found.registry.accountId,
      repositoryName: found.record.name,
      imageId: reportedImageId(image, input.imageId),
    }
    const page = { maxResults: input.maxResults ?? DEFAULT_PAGE_SIZE, nextToken: input.nextToken }
    const frequency = inspectorFrequency(found.registry, found.record)
    if (registryScanning(found.registry).scanType === 'ENHANCED') {
      const inspection = frequency === undefined ? undefined : inspectionOf(ctx, found, image)
      if (frequency === undefined || inspection === undefined) throw scanNotFound(found, input.imageId)
      const imageScanStatus = inspectionStatus(inspection, frequency)
      return { ...described, imageScanStatus, ...enhancedFindings(ctx, found, image, inspection, page) }
    }
    const scan = image.scan
    if (scan === undefined) throw scanNotFound(found, input.imageId)
    // Findings appear only once the scan completes; until then the list is empty.
    if (scan.status === 'IN_PROGRESS') return { ...described, imageScanStatus: inProgress(), imageScanFindings: { findings: [] } }
    // A new scan replaces the findings, so a token is only good for the scan it came from.
    const { items, nextToken } = pageOf(ctx, listingOf(found, image, 'BASIC', scan.startedAt), scan.findings, page)
    return {
      ...described,
      imageScanStatus: complete(),
      imageScanFindings: { ...findingsSummary(scan), findings: items },
      ...(nextToken !== undefined && { nextToken }),
    }
  },
} satisfies Implementations

/** Whether DescribeImages shows images' basic scans: not under ENHANCED, whose Amazon Inspector scans it does not show. */
export function showsBasicScans(registry: RegistryState): boolean {
  return registryScanning(registry).scanType !== 'ENHANCED'
}

/** What DescribeImages reports of an image's latest basic scan. */
export function basicScanDetails(scan: ScanRecord): { imageScanStatus: ImageScanStatus; imageScanFindingsSummary?: ImageScanFindingsSummary } {
  if (scan.status === 'IN_PROGRESS') return { imageScanStatus: inProgress() }
  return { imageScanStatus: complete(), imageScanFindingsSummary: findingsSummary(scan) }
}

function findingsSummary(scan: ScanRecord) {
  return {
    imageScanCompletedAt: new Date(scan.completesAt),
    // The vulnerability database a scan uses is refreshed hourly: the last refresh before the scan.
    vulnerabilitySourceUpdatedAt: new Date(Math.floor(scan.startedAt / HOUR_MS) * HOUR_MS),
    findingSeverityCounts: severityCounts(scan.findings.map((finding) => finding.severity)),
  }
}

/**
 * Counts per severity, listing only the severities that occur (as ECR does), in the order they
 * first occur. A plain object counted in place: DescribeImages makes one per scanned image.
 */
function severityCounts(severities: Iterable<string | undefined>): Partial<Record<FindingSeverity, number>> {
  const counts: Partial<Record<FindingSeverity, number>> = {}
  for (const severity of severities) {
    if (severity === undefined) continue
    // ECR's counts have no UNTRIAGED (Inspector's severity for a vulnerability its source did not rate).
    const counted = SEVERITIES.has(severity) ? (severity as FindingSeverity) : 'UNDEFINED'
    counts[counted] = (counts[counted] ?? 0) + 1
  }
  return counts
}

const SEVERITIES = new Set<string>(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'UNDEFINED'])

/**
 * The `imageScanFindings` of an enhanced scan, with a page of its findings: the active ones and
 * those closed but not yet deleted. Until the initial scan completes the list is empty, in the
 * basic shape, as ECR answers.
 */
function enhancedFindings(
  ctx: OperationContext,
  found: FoundRepository,
  image: ImageRecord,
  inspection: EnhancedScanRecord,
  page: PageRequest,
): { imageScanFindings: ImageScanFindings; nextToken?: string } {
  const { scannedAt } = inspection
  if (scannedAt === undefined) return { imageScanFindings: { findings: [] } }
  const { items, nextToken } = pageOf(ctx, listingOf(found, image, 'ENHANCED', inspection.revision), inspection.findings, page)
  return {
    imageScanFindings: {
      // Inspector's database and the image's findings are as fresh as its last scan.
      imageScanCompletedAt: new Date(scannedAt),
      vulnerabilitySourceUpdatedAt: new Date(scannedAt),
      findingSeverityCounts: severityCounts(
        inspection.findings.filter((finding) => finding.status === 'ACTIVE').map((finding) => reportedFinding(finding).severity),
      ),
      enhancedFindings: items.map(reportedFinding),
    },
    ...(nextToken !== undefined && { nextToken }),
  }
}

interface PageRequest {
  maxResults: number
  nextToken: string | undefined
}

/** A page of a scan's findings, from where the token stopped. */
function pageOf<Finding>(ctx: OperationContext, listing: string, findings: readonly Finding[], { maxResults, nextToken }: PageRequest) {
  const start = nextToken === undefined ? 0 : ctx.tokens.decode(listing, nextToken).seq
  return takePage(
    (function* () {
      for (let index = start; index < findings.length; index++) yield { item: findings[index]!, cursor: { seq: index + 1 } }
    })(),
    maxResults,
    ctx.tokens,
    listing,
  )
}

/** A page token is bound to the image's scan it pages: a new scan (a new enhanced revision) refuses it. */
function listingOf({ registry, record }: FoundRepository, image: ImageRecord, scanType: string, scan: number): string {
  return ['DescribeImageScanFindings', registry.accountId, registry.region, record.name, image.digest, scanType, scan].join('\u0000')
}

function scanNotFound({ registry, record }: FoundRepository, imageId: ImageIdentifier): EcrError {
  return new EcrError(
    'ScanNotFoundException',
    `Image scan does not exist for the image with '${describeImageId(imageId)}' in the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
  )
}

const CONTINUOUS_SCAN_ALL: ValueOf<'registry-scanning'>['rules'][number] = {
  scanFrequency: 'CONTINUOUS_SCAN',
  repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }],
}
