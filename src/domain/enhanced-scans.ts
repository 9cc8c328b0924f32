import type { EnhancedImageScanFinding, ImageScanStatus } from '@aws-sdk/client-ecr'
import { sha256Digest } from '../digest.js'
import type { EnhancedScanningOptions, InspectedImage, RescanDuration, ScannedImage } from '../glossary.js'
import type { OperationContext } from '../operations/context.js'
import { partitionOf, repositoryArn } from '../partitions.js'
import { isDate } from '../realms.js'
import { digestHex } from '../scan-findings.js'
import type { EnhancedScanRecord, ImageRecord, StoredEnhancedFinding } from '../state/kinds.js'
import { MediaTypes } from '../manifest.js'
import { repositoryAt, type FoundRepository } from './repositories.js'
import { inspectorFrequency, type InspectorFrequency } from './scanning-configuration.js'

// Amazon Inspector's side of ENHANCED scanning (decisions/enhanced-scanning.md): scans on push or
// continuously, findings that open, close and reopen, scan eligibility that runs out.

const DAY_MS = 24 * 60 * 60 * 1000
/** Inspector deletes the findings it closed because an image left its scope 3 days later… */
const DELETE_AFTER_EXPIRY_MS = 3 * DAY_MS
/** …and any other closed finding 30 days later. */
const DELETE_AFTER_CLOSE_MS = 30 * DAY_MS
/** A closed finding seen again within 7 days is reopened rather than found anew. */
const REOPEN_WITHIN_MS = 7 * DAY_MS

const DURATION_DAYS: Record<Exclude<RescanDuration, 'LIFETIME'>, number> = {
  DAYS_14: 14,
  DAYS_30: 30,
  DAYS_60: 60,
  DAYS_90: 90,
  DAYS_180: 180,
}

/** Inspector's settings after defaults are applied (`undefined` durations: LIFETIME). */
export interface EnhancedScanningSettings {
  rescanIntervalMs: number
  rescanDurationMs: number | undefined
  pullDateRescanDurationMs: number
}

/** Applies the defaults to the `enhancedScanning` option, refusing values that cannot work. */
export function resolveEnhancedScanning(options: EnhancedScanningOptions = {}): EnhancedScanningSettings {
  const { rescanIntervalMs = DAY_MS, rescanDuration = 'DAYS_14', pullDateRescanDuration = 'DAYS_14' } = options
  if (!Number.isSafeInteger(rescanIntervalMs) || rescanIntervalMs <= 0) {
    throw new RangeError(`fake-ecr: enhancedScanning.rescanIntervalMs must be a whole number above 0, got ${String(rescanIntervalMs)}.`)
  }
  const durationMs = (name: string, duration: string, choices: string[]): number => {
    const days = Object.hasOwn(DURATION_DAYS, duration) ? DURATION_DAYS[duration as keyof typeof DURATION_DAYS] : undefined
    if (days === undefined) {
      throw new RangeError(`fake-ecr: enhancedScanning.${name} must be one of ${choices.join(', ')}, got ${String(duration)}.`)
    }
    return days * DAY_MS
  }
  const durations = Object.keys(DURATION_DAYS)
  return {
    rescanIntervalMs,
    rescanDurationMs: rescanDuration === 'LIFETIME' ? undefined : durationMs('rescanDuration', rescanDuration, [...durations, 'LIFETIME']),
    pullDateRescanDurationMs: durationMs('pullDateRescanDuration', pullDateRescanDuration, durations),
  }
}

/** Starts Inspector's scan of a newly pushed image, in a repository whose registry rules select it. */
export function inspectPushedImage(ctx: OperationContext, found: FoundRepository, image: ImageRecord): void {
  const frequency = inspectorFrequency(found.registry, found.record)
  if (frequency !== undefined) startInspection(ctx, found, image, frequency)
}

/**
 * Inspector's scan of an image, as DescribeImageScanFindings reports it: `undefined` where
 * Inspector does not scan (the repository's frequency is MANUAL) or never scanned the image. An
 * image already in a repository when continuous scanning came to cover it is picked up now, and
 * one whose rescans stopped (its repository left continuous scanning) resumes.
 */
export function inspectionOf(ctx: OperationContext, found: FoundRepository, image: ImageRecord): EnhancedScanRecord | undefined {
  const frequency = inspectorFrequency(found.registry, found.record)
  if (frequency === undefined) return undefined
  const existing = found.contents.tables['enhanced-scan'].get(image.digest)
  if (frequency === 'CONTINUOUS_SCAN') {
    if (existing === undefined) startInspection(ctx, found, image, frequency)
    else if (existing.nextScanAt === undefined && existing.outcome !== 'SCAN_ELIGIBILITY_EXPIRED' && inspectable(image)) {
      store(ctx, found, image.digest, eligible(ctx, image) ? rescan(ctx, found, image, existing) : expire(existing, ctx.now))
    }
  }
  return found.contents.tables['enhanced-scan'].get(image.digest)
}

/** Forgets Inspector's scan of an image that is deleted. */
export function forgetInspection(ctx: OperationContext, found: FoundRepository, digest: string): void {
  if (found.contents.tables['enhanced-scan'].has(digest)) found.contents.tables['enhanced-scan'].delete(ctx.tx, digest)
}

/**
 * The clock effect of an enhanced scan: whatever fell due by `ctx.now` happens. Closed findings
 * past their retention are deleted; an image whose eligibility ran out (not pushed or pulled
 * within the re-scan durations) expires; the initial scan completes, and a continuous rescan
 * runs while the repository is still under continuous scanning.
 */
export function advanceInspection(ctx: OperationContext, scope: readonly string[], digest: string): void {
  const found = repositoryAt(ctx, scope)
  const scan = found.contents.tables['enhanced-scan'].get(digest)
  const image = found.contents.images.get(digest)
  if (scan === undefined || image === undefined) return
  const kept = scan.findings.filter((finding) => finding.deleteAt === undefined || finding.deleteAt > ctx.now)
  let next: EnhancedScanRecord = { ...scan, findings: kept }
  if (next.eligibleUntil !== undefined && next.eligibleUntil <= ctx.now) {
    // A pull since may have extended the image's eligibility.
    const until = eligibleUntil(ctx, image)
    next = eligible(ctx, image) ? { ...next, ...(until !== undefined && { eligibleUntil: until }) } : expire(next, ctx.now)
  }
  if (next.nextScanAt !== undefined && next.nextScanAt <= ctx.now) {
    const continuous = inspectorFrequency(found.registry, found.record) === 'CONTINUOUS_SCAN'
    if (next.scannedAt === undefined || continuous) next = rescan(ctx, found, image, next)
    else next = withoutSchedule(next)
  }
  store(ctx, found, digest, next)
}

/** The `imageScanStatus` of an enhanced scan. */
export function inspectionStatus(scan: EnhancedScanRecord, frequency: InspectorFrequency): ImageScanStatus {
  if (scan.outcome !== undefined) return { status: scan.outcome, description: scan.description ?? OUTCOME_DESCRIPTIONS[scan.outcome] }
  return frequency === 'CONTINUOUS_SCAN'
    ? { status: 'ACTIVE', description: 'Continuous scan is selected for image.' }
    : { status: 'COMPLETE', description: 'The scan was completed successfully.' }
}

const OUTCOME_DESCRIPTIONS: Record<NonNullable<EnhancedScanRecord['outcome']>, string> = {
  UNSUPPORTED_IMAGE: 'The ECR image has an unsupported media type.',
  FINDINGS_UNAVAILABLE: 'Findings are unavailable for the image.',
  SCAN_ELIGIBILITY_EXPIRED: 'The scan eligibility of the image has expired.',
}

/** A stored finding as DescribeImageScanFindings reports it. */
export function reportedFinding(finding: StoredEnhancedFinding): EnhancedImageScanFinding {
  return {
    ...(revive(finding.detail) as EnhancedImageScanFinding),
    status: finding.status,
    firstObservedAt: new Date(finding.firstObservedAt),
    lastObservedAt: new Date(finding.lastObservedAt),
    updatedAt: new Date(finding.updatedAt),
  }
}

function startInspection(ctx: OperationContext, found: FoundRepository, image: ImageRecord, frequency: InspectorFrequency): void {
  const scan: EnhancedScanRecord = { startedAt: ctx.now, revision: 0, findings: [] }
  const completesAt = ctx.now + ctx.settings.scanDurationMs
  if (!inspectable(image)) store(ctx, found, image.digest, { ...scan, outcome: 'UNSUPPORTED_IMAGE' })
  // Only images pushed or pulled within the re-scan durations are scanned continuously.
  else if (frequency === 'CONTINUOUS_SCAN' && !eligible(ctx, image)) store(ctx, found, image.digest, expire(scan, ctx.now))
  else store(ctx, found, image.digest, completesAt > ctx.now ? { ...scan, nextScanAt: completesAt } : rescan(ctx, found, image, scan))
}

/** Scans the image now: the findings source says what Inspector finds, merged into what it found before. */
function rescan(ctx: OperationContext, found: FoundRepository, image: ImageRecord, scan: EnhancedScanRecord): EnhancedScanRecord {
  const inspected = inspectedImage(found, image, ctx.now)
  // The source is the caller's code: keep a copy, so nothing it does later can reach engine state.
  const result = structuredClone(ctx.settings.enhancedScanFindings(inspected))
  const { outcome: _outcome, description: _description, ...rest } = scan
  const scanned: EnhancedScanRecord = Array.isArray(result)
    ? { ...rest, scannedAt: ctx.now, findings: observe(ctx, found, inspected, scan.findings, result) }
    : { ...rest, outcome: result.status, ...(result.description !== undefined && { description: result.description }) }
  if (inspectorFrequency(found.registry, found.record) !== 'CONTINUOUS_SCAN') return withoutSchedule(scanned)
  const until = eligibleUntil(ctx, image)
  return {
    ...scanned,
    nextScanAt: ctx.now + ctx.settings.enhancedScanning.rescanIntervalMs,
    ...(until !== undefined && { eligibleUntil: until }),
  }
}

/**
 * Merges what a scan observed into the image's findings: seen again, a finding stays (or, closed
 * less than 7 days ago, reopens) with its first observation kept; not seen, an active finding closes.
 */
function observe(
  ctx: OperationContext,
  found: FoundRepository,
  image: InspectedImage,
  previous: readonly StoredEnhancedFinding[],
  observed: readonly EnhancedImageScanFinding[],
): StoredEnhancedFinding[] {
  const now = ctx.now
  const seen = new Map<string, EnhancedImageScanFinding>()
  for (const finding of observed) {
    const key = findingKey(finding)
    if (!seen.has(key)) seen.set(key, finding)
  }
  const observedFinding = (key: string, finding: EnhancedImageScanFinding, firstObservedAt: number): StoredEnhancedFinding => ({
    key,
    status: 'ACTIVE',
    firstObservedAt,
    lastObservedAt: now,
    updatedAt: now,
    detail: freeze(completeFinding(found, image, key, finding, firstObservedAt)),
  })
  const findings = previous.map((finding): StoredEnhancedFinding => {
    const again = seen.get(finding.key)
    seen.delete(finding.key)
    if (again !== undefined) {
      const continues = finding.status === 'ACTIVE' || now - finding.updatedAt <= REOPEN_WITHIN_MS
      return observedFinding(finding.key, again, continues ? finding.firstObservedAt : now)
    }
    if (finding.status === 'CLOSED') return finding
    return { ...finding, status: 'CLOSED', updatedAt: now, deleteAt: now + DELETE_AFTER_CLOSE_MS }
  })
  for (const [key, finding] of seen) findings.push(observedFinding(key, finding, now))
  return findings
}

/** The image's scan eligibility ran out: rescans stop and its findings close, to be deleted 3 days later. */
function expire(scan: EnhancedScanRecord, now: number): EnhancedScanRecord {
  const deleteAt = now + DELETE_AFTER_EXPIRY_MS
  return {
    ...withoutSchedule(scan),
    outcome: 'SCAN_ELIGIBILITY_EXPIRED',
    findings: scan.findings.map((finding) =>
      finding.status === 'ACTIVE'
        ? { ...finding, status: 'CLOSED', updatedAt: now, deleteAt }
        : { ...finding, deleteAt: Math.min(finding.deleteAt ?? deleteAt, deleteAt) },
    ),
  }
}

function withoutSchedule({ nextScanAt: _next, eligibleUntil: _until, ...scan }: EnhancedScanRecord): EnhancedScanRecord {
  return scan
}

/** Stores a scan, counting the change (page tokens are bound to the revision they paged). */
function store(ctx: OperationContext, found: FoundRepository, digest: string, scan: EnhancedScanRecord): void {
  const previous = found.contents.tables['enhanced-scan'].get(digest)
  found.contents.tables['enhanced-scan'].set(ctx.tx, digest, { ...scan, revision: (previous?.revision ?? -1) + 1 })
}

/**
 * Until when continuous scanning covers the image: its push plus the push-date duration, or its
 * last pull plus the pull-date duration, whichever is later (`undefined`: for its lifetime).
 */
function eligibleUntil(ctx: OperationContext, image: ImageRecord): number | undefined {
  const { rescanDurationMs, pullDateRescanDurationMs } = ctx.settings.enhancedScanning
  if (rescanDurationMs === undefined) return undefined
  const byPush = image.pushedAt + rescanDurationMs
  return image.lastPulledAt === undefined ? byPush : Math.max(byPush, image.lastPulledAt + pullDateRescanDurationMs)
}

function eligible(ctx: OperationContext, image: ImageRecord): boolean {
  const until = eligibleUntil(ctx, image)
  return until === undefined || ctx.now < until
}

/** Inspector scans container images: not manifest lists or indexes, nor artifacts such as signatures. */
function inspectable(image: ImageRecord): boolean {
  return !image.isIndex && (image.artifactMediaType === undefined || IMAGE_CONFIGS.has(image.artifactMediaType))
}

const IMAGE_CONFIGS = new Set<string>([MediaTypes.dockerConfig, MediaTypes.ociConfig])

/** An image as a findings source sees it (basic scans and Inspector's alike). */
export function scannedImage({ registry, record, contents }: FoundRepository, image: ImageRecord): ScannedImage {
  return {
    registryId: registry.accountId,
    region: registry.region,
    repositoryName: record.name,
    imageDigest: image.digest,
    imageTags: contents.tagsOf(image.digest),
    manifest: image.manifest,
  }
}

function inspectedImage(found: FoundRepository, image: ImageRecord, now: number): InspectedImage {
  return {
    ...scannedImage(found, image),
    pushedAt: new Date(image.pushedAt),
    ...(image.lastPulledAt !== undefined && { lastPulledAt: new Date(image.lastPulledAt) }),
    scannedAt: new Date(now),
  }
}

/** What identifies a finding from one scan to the next: its ARN if the source gives one, else the vulnerability and the packages. */
function findingKey(finding: EnhancedImageScanFinding): string {
  if (finding.findingArn !== undefined) return finding.findingArn
  const details = finding.packageVulnerabilityDetails
  const packages = (details?.vulnerablePackages ?? []).map((p) => `${p.name}@${p.epoch ?? 0}:${p.version}-${p.release}`).sort()
  return [details?.vulnerabilityId ?? finding.title ?? '', ...packages].join(' ')
}

/**
 * The finding as Inspector reports it, less what the engine keeps itself (status and
 * observation times): the source's fields, with what Inspector always fills in when missing.
 */
function completeFinding(
  { registry, record }: FoundRepository,
  image: InspectedImage,
  key: string,
  finding: EnhancedImageScanFinding,
  firstObservedAt: number,
): EnhancedImageScanFinding {
  const { status: _status, firstObservedAt: _first, lastObservedAt: _last, updatedAt: _updated, ...described } = finding
  const { accountId, region } = registry
  const details = finding.packageVulnerabilityDetails
  const packages = [...new Set((details?.vulnerablePackages ?? []).map((p) => p.name))].join(', ')
  const id = details?.vulnerabilityId
  // Inspector's finding ids are 32 hex digits; a reopened finding keeps its id.
  const arnId = digestHex(sha256Digest([accountId, region, record.name, image.imageDigest, key, firstObservedAt].join('\u0000'))).slice(0, 32)
  return {
    awsAccountId: accountId,
    findingArn: `arn:${partitionOf(region).name}:inspector2:${region}:${accountId}:finding/${arnId}`,
    type: 'PACKAGE_VULNERABILITY',
    ...(id !== undefined && { title: packages === '' ? id : `${id} - ${packages}` }),
    resources: [
      {
        type: 'AWS_ECR_CONTAINER_IMAGE',
        id: `${repositoryArn(accountId, region, record.name)}/${image.imageDigest}`,
        tags: {},
        details: {
          awsEcrContainerImage: {
            registry: accountId,
            repositoryName: record.name,
            imageHash: image.imageDigest,
            imageTags: image.imageTags,
            pushedAt: image.pushedAt,
          },
        },
      },
    ],
    ...described,
  }
}

/** Records are JSON: dates are kept as `{ $date: epochMs }`. */
function freeze(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value, function (this: Record<string, unknown>, key, raw: unknown) {
    const original = this[key]
    return isDate(original) ? { $date: original.getTime() } : raw
  })) as Record<string, unknown>
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive)
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  if (entries.length === 1 && entries[0]![0] === '$date' && typeof entries[0]![1] === 'number') return new Date(entries[0]![1])
  return Object.fromEntries(entries.map(([key, inner]) => [key, revive(inner)]))
}
