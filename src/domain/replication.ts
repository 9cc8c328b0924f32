import type { OperationContext } from '../operations/context.js'
import { partitionOf, repositoryArn } from '../partitions.js'
import { evaluatePolicy } from '../policy-evaluation.js'
import type { ImageRecord, ValueOf } from '../state/kinds.js'
import type { RegistryState } from '../state/registry-state.js'
import { useBlobs } from './blobs.js'
import { createRepositoryFromTemplate } from './creation-templates.js'
import { tagIsMutable, type FoundRepository } from './repositories.js'
import { scanOnPush } from './scans.js'

// Private image replication (decisions/replication.md): a push into a repository that the registry's
// replication rules select copies the image, its tags, its layers and (for an index) its child
// images into the same-named repository of every destination, after `replicationDurationMs`.

/** Where a rule replicates to: a region and a registry (account). */
export type Destination = ValueOf<'replication-configuration'>['rules'][number]['destinations'][number]
type DestinationStatus = ValueOf<'image-replication'>['destinations'][number]

/**
 * Why a replication failed, as `failureCode` reports it. ECR documents the field but not its
 * values; these are the fake's own (decisions/replication.md).
 */
export const REPLICATION_FAILURES = {
  /** Another account's registry policy does not allow the source account `ecr:ReplicateImage`. */
  accessDenied: 'AccessDenied',
  /** The repository is not in the destination and its registry policy does not allow the source account `ecr:CreateRepository`. */
  repositoryNotFound: 'RepositoryNotFound',
  /** The destination registry holds as many repositories, or the repository as many images, as it may. */
  limitExceeded: 'LimitExceeded',
  /** The image left the source repository before its replication (a backfill's plan is older than the image's deletion). */
  imageNotFound: 'ImageNotFound',
  /** The destination is in another AWS partition, where ECR does not replicate. */
  unsupportedDestination: 'UnsupportedDestination',
} as const

/** How one image's replication to one destination ended: `failureCode` unset means it is there. */
export interface ReplicationOutcome {
  failureCode?: string
  /** For a manifest list or index: the distinct failure codes of its child images. */
  subImageFailureCodes?: string[]
}

/**
 * The destinations the registry's replication rules give a repository: every destination of each
 * rule without filters, or with a filter the name starts with (PREFIX_MATCH), each once, in the
 * order the configuration lists them.
 */
export function destinationsOf(registry: RegistryState, repositoryName: string): Destination[] {
  const seen = new Set<string>()
  const destinations: Destination[] = []
  for (const rule of registry.setting('replication-configuration')?.rules ?? []) {
    const filters = rule.repositoryFilters ?? []
    if (filters.length > 0 && !filters.some(({ filter }) => repositoryName.startsWith(filter))) continue
    for (const destination of rule.destinations) {
      const key = destinationKey(destination)
      if (seen.has(key)) continue
      seen.add(key)
      destinations.push({ region: destination.region, registryId: destination.registryId })
    }
  }
  return destinations
}

/**
 * Starts replicating an image with tags (the tag it was pushed with; for an image restored from
 * the archive, its tags) to the destinations the rules select, as ECR does once per push or
 * restore: the copies made in the destinations are not pushes, so they replicate no further. It
 * completes at once when replication takes no time, otherwise when the clock reaches
 * `completesAt` ({@link completeImageReplication}). An action still under way for the image takes
 * the new tags along.
 */
export function startImageReplication(ctx: OperationContext, found: FoundRepository, digest: string, tags: readonly string[]): void {
  const destinations = destinationsOf(found.registry, found.record.name)
  if (destinations.length === 0) return
  const table = found.contents.tables['image-replication']
  const previous = table.get(digest)
  const pending = previous?.destinations.some((destination) => destination.status === 'IN_PROGRESS') ?? false
  const keys = new Set(destinations.map(destinationKey))
  table.set(ctx.tx, digest, {
    completesAt: ctx.now + ctx.settings.replicationDurationMs,
    tags: [...new Set([...(pending ? previous!.tags : []), ...tags])],
    destinations: [
      ...destinations.map((destination): DestinationStatus => ({ ...destination, status: 'IN_PROGRESS' })),
      ...(previous?.destinations ?? []).filter((destination) => !keys.has(destinationKey(destination))),
    ],
  })
  if (ctx.settings.replicationDurationMs <= 0) finishImageReplication(ctx, found, digest)
}

/** The clock effect of an image replication under way: it completes in each destination, or fails there. */
export function completeImageReplication(ctx: OperationContext, scope: readonly string[], digest: string): void {
  const [accountId = '', region = '', repositoryName = ''] = scope
  const registry = ctx.state.find(accountId, region)
  const record = registry?.repositories.get(repositoryName)
  if (registry === undefined || record === undefined) return
  finishImageReplication(ctx, { registry, record, contents: registry.contentsOf(repositoryName) }, digest)
}

/**
 * Records the outcome of a replication to one destination that was not a push's (a backfill's),
 * so DescribeImageReplicationStatus reports it, unless a push's replication there is under way
 * (its outcome will be the status).
 */
export function recordReplication(ctx: OperationContext, found: FoundRepository, digest: string, destination: Destination, outcome: ReplicationOutcome): void {
  const table = found.contents.tables['image-replication']
  const key = destinationKey(destination)
  const previous = table.get(digest) ?? { completesAt: ctx.now, tags: [], destinations: [] }
  const status = statusOf(destination, outcome)
  const index = previous.destinations.findIndex((candidate) => destinationKey(candidate) === key)
  if (previous.destinations[index]?.status === 'IN_PROGRESS') return
  const destinations = index < 0 ? [...previous.destinations, status] : previous.destinations.with(index, status)
  table.set(ctx.tx, digest, { ...previous, destinations })
}

/**
 * Replicates an image of a source repository to a destination with the given tags, as ECR's
 * replication service does: across accounts only as the destination's registry policy allows,
 * into the same-named repository (created if it does not exist). A tag the destination cannot
 * take (it is immutable there and names another image, or the image has all the tags it may) is
 * left out and the image replicated without it, as ECR documents for immutable tags.
 */
export function replicateImage(
  ctx: OperationContext,
  source: FoundRepository,
  digest: string,
  tags: readonly string[],
  destination: Destination,
): ReplicationOutcome {
  const image = source.contents.images.get(digest)
  if (image === undefined) return { failureCode: REPLICATION_FAILURES.imageNotFound }
  if (partitionOf(destination.region).name !== partitionOf(source.registry.region).name) {
    return { failureCode: REPLICATION_FAILURES.unsupportedDestination }
  }
  const at = ctx.at({ accountId: destination.registryId, region: destination.region })
  const name = source.record.name
  const allowed = (action: string) => crossAccountAllows(at, source.registry, name, action)
  if (!allowed('ecr:ReplicateImage')) return { failureCode: REPLICATION_FAILURES.accessDenied }
  const registry = at.registry()
  let target: FoundRepository
  const existing = registry.repositories.get(name)
  if (existing !== undefined) {
    target = { registry, record: existing, contents: registry.contentsOf(name) }
  } else {
    if (!allowed('ecr:CreateRepository')) return { failureCode: REPLICATION_FAILURES.repositoryNotFound }
    if (registry.repositories.size >= ctx.settings.limits.repositoriesPerRegistry) return { failureCode: REPLICATION_FAILURES.limitExceeded }
    // Repository settings are not replicated: a creation template applied for REPLICATION sets them.
    target = createRepositoryFromTemplate(at, name, 'REPLICATION')
  }
  return copyImage(at, source, target, image, tags)
}

function finishImageReplication(ctx: OperationContext, found: FoundRepository, digest: string): void {
  const table = found.contents.tables['image-replication']
  const replication = table.get(digest)
  if (replication === undefined) return
  table.set(ctx.tx, digest, {
    ...replication,
    tags: [],
    destinations: replication.destinations.map((destination) =>
      destination.status === 'IN_PROGRESS' ? statusOf(destination, replicateImage(ctx, found, digest, replication.tags, destination)) : destination,
    ),
  })
}

/**
 * Copies an image with tags into a repository: for an index its child images first (each once; a
 * child the source lacks is left out, as a push without reference checks allows), then the tags,
 * then, unless it is there, its record and the blobs it references, which the destination holds
 * from now on (their bytes are stored once, whichever repositories hold them). The copy counts as
 * pushed now, and is scanned if the destination scans on push.
 */
function copyImage(ctx: OperationContext, source: FoundRepository, target: FoundRepository, image: ImageRecord, tags: readonly string[]): ReplicationOutcome {
  const subImageFailureCodes = new Set<string>()
  if (image.isIndex) {
    for (const { digest } of image.references) {
      const child = source.contents.images.get(digest)
      const failure = child === undefined ? undefined : copyImage(ctx, source, target, child, []).failureCode
      if (failure !== undefined) subImageFailureCodes.add(failure)
    }
  }
  const children = image.isIndex ? { subImageFailureCodes: [...subImageFailureCodes] } : {}
  const [firstFailure] = subImageFailureCodes
  if (firstFailure !== undefined) return { failureCode: firstFailure, ...children }
  const exists = target.contents.images.has(image.digest)
  if (!exists && target.contents.images.size >= ctx.settings.limits.imagesPerRepository) {
    return { failureCode: REPLICATION_FAILURES.limitExceeded, ...children }
  }
  // Tagged first, so a scan started on push sees the image's tags.
  copyTags(ctx, target, image.digest, tags)
  if (exists) return children
  const { lastPulledAt: _pulled, scan: _scan, ...copied } = image
  target.contents.images.set(ctx.tx, image.digest, scanOnPush(ctx, target, { ...copied, seq: ctx.nextSeq(), pushedAt: ctx.now }))
  if (!image.isIndex) {
    for (const { digest } of image.references) {
      if (target.contents.blobs.has(digest)) continue
      const size = source.contents.blobs.get(digest)?.size ?? ctx.state.content.get(digest)?.size
      if (size !== undefined) target.contents.blobs.set(ctx.tx, digest, { digest, size, createdAt: ctx.now })
    }
    useBlobs(ctx, target, image.references)
  }
  return children
}

function copyTags(ctx: OperationContext, target: FoundRepository, digest: string, tags: readonly string[]): void {
  const { contents, record } = target
  for (const tag of tags) {
    const current = contents.tags.get(tag)?.digest
    if (current === digest) continue
    if (current !== undefined && !tagIsMutable(record, tag)) continue
    if (contents.tagsOf(digest).length >= ctx.settings.limits.tagsPerImage) continue
    contents.tags.set(ctx.tx, tag, { digest })
  }
}

/**
 * Whether a destination registry (`ctx` acts there) lets the source registry's account take an
 * action on the repository of `repositoryName`. Within one account replication needs no policy;
 * across accounts the destination's registry policy must allow it (decisions/replication.md).
 */
function crossAccountAllows(ctx: OperationContext, source: RegistryState, repositoryName: string, action: string): boolean {
  if (ctx.accountId === source.accountId) return true
  const policy = ctx.registry().setting('registry-policy')?.text
  if (policy === undefined) return false
  return (
    evaluatePolicy(policy, {
      action,
      resource: repositoryArn(ctx.accountId, ctx.region, repositoryName),
      principal: { accountId: source.accountId, partition: partitionOf(source.region).name },
    }) === 'allow'
  )
}

function statusOf({ region, registryId }: Destination, { failureCode }: ReplicationOutcome): DestinationStatus {
  return failureCode === undefined ? { region, registryId, status: 'COMPLETE' } : { region, registryId, status: 'FAILED', failureCode }
}

/** A destination as a key (region and registry). */
export function destinationKey({ region, registryId }: Destination): string {
  return `${region}\u0000${registryId}`
}
