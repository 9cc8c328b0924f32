import type {
  FindingSeverity,
  ImageIdentifier,
  ImageScanFinding,
  ImageScanFindingsSummary,
  ImageScanStatus,
  RepositoryScanningConfiguration,
  RepositoryScanningConfigurationFailure,
} from '@aws-sdk/client-ecr'
import { refuseArchivedScan } from '../domain/archival.js'
import { findRepository } from '../domain/repositories.js'
import { registryScanning, repositoryScanning, scanQuotaUsed, startScan } from '../domain/scans.js'
import { EcrError, invalidParameter } from '../errors.js'
import { DEFAULT_PAGE_SIZE, takePage } from '../pagination.js'
import { repositoryArn } from '../partitions.js'
import { SINGLETON, type ImageRecord, type ScanRecord } from '../state/kinds.js'
import { describeImageId, requireImage } from './image-ids.js'
import type { Implementations } from './operation.js'

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
    if (scanQuotaUsed(ctx, image.scan)) {
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
    if (scan.status === 'IN_PROGRESS') return { ...described, imageScanStatus: IN_PROGRESS, imageScanFindings: { findings: [] } }
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

/** What DescribeImages reports of an image's latest scan (nothing if it was never scanned). */
export function scanDetails(image: ImageRecord): { imageScanStatus?: ImageScanStatus; imageScanFindingsSummary?: ImageScanFindingsSummary } {
  const scan = image.scan
  if (scan === undefined) return {}
  if (scan.status === 'IN_PROGRESS') return { imageScanStatus: IN_PROGRESS }
  return { imageScanStatus: COMPLETE, imageScanFindingsSummary: findingsSummary(scan) }
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
export function reportedImageId(image: ImageRecord, { imageTag }: ImageIdentifier): ImageIdentifier {
  return { imageDigest: image.digest, ...(imageTag !== undefined && { imageTag }) }
}
