import type { ImageFailure, ImageIdentifier, ImageStatus, ImageStatusFilter } from '@aws-sdk/client-ecr'
import { EcrError } from '../errors.js'
import type { OperationContext } from '../operations/context.js'
import { describeImageId } from '../operations/image-ids.js'
import { changedRecord } from '../state/changed-record.js'
import type { ImageRecord } from '../state/kinds.js'
import type { RepositoryContents } from '../state/registry-state.js'
import { startImageReplication } from './replication.js'
import { repositoryAt, type FoundRepository } from './repositories.js'
import { scanOnPush } from './scans.js'

// ECR's archive storage class (decisions/archival.md): an archived image keeps its tags, its
// layers and its place in listings but cannot be pulled or scanned; a restore takes a while
// (ACTIVATING), a push of the same image restores it at once.

/** What a pull of an archived image answers (ECR's words, seen through `docker pull`). */
const INACCESSIBLE = 'The requested image is in an inaccessible state. Please restore if needed'

export function imageStatus(image: ImageRecord): ImageStatus {
  return image.status ?? 'ACTIVE'
}

/** Whether an image can be pulled and scanned: not archived, and not still being restored. */
export function isActive(image: ImageRecord): boolean {
  return image.status === undefined
}

export function matchesImageStatus(image: ImageRecord, filter: ImageStatusFilter): boolean {
  return filter === 'ANY' || imageStatus(image) === filter
}

/**
 * Moves an image to the archive now, unless a manifest list that is not archived lists it (ECR
 * archives a child only after its manifest list): then it returns the digests of those lists and
 * changes nothing.
 */
export function archiveImage(ctx: OperationContext, { contents }: FoundRepository, image: ImageRecord): { archived: true } | { listedBy: string[] } {
  const listedBy = [...(contents.referencedBy.get(image.digest) ?? [])].filter((parent) => contents.images.get(parent)?.status !== 'ARCHIVED')
  if (listedBy.length > 0) return { listedBy }
  contents.images.set(ctx.tx, image.digest, changedRecord(image, { status: 'ARCHIVED', lastArchivedAt: ctx.now }))
  return { archived: true }
}

/** Starts restoring an archived image: ACTIVATING until the engine's clock passes `imageRestoreDurationMs`. */
export function startRestore(ctx: OperationContext, { contents }: FoundRepository, image: ImageRecord): void {
  contents.images.set(ctx.tx, image.digest, changedRecord(image, { status: 'ACTIVATING' }))
  contents.tables['image-restore'].set(ctx.tx, image.digest, { completesAt: ctx.now + ctx.settings.imageRestoreDurationMs })
}

/** The clock effect of a restore whose time has come: the image is ACTIVE again. */
export function completeRestore(ctx: OperationContext, scope: readonly string[], digest: string): void {
  const found = repositoryAt(ctx, scope)
  found.contents.tables['image-restore'].delete(ctx.tx, digest)
  const image = found.contents.images.get(digest)
  // Since the restore began the image may have been deleted, or pushed again (restored at once).
  if (image?.status === 'ACTIVATING') activate(ctx, found, image)
}

/** A push of an archived (or activating) image restores it at once, as ECR does; `false` for an active image. */
export function restoreByPush(ctx: OperationContext, found: FoundRepository, image: ImageRecord): boolean {
  if (isActive(image)) return false
  found.contents.tables['image-restore'].delete(ctx.tx, image.digest)
  activate(ctx, found, image)
  return true
}

/**
 * Back in the standard storage class, the image is treated as newly pushed: its scan from before
 * the archive is gone, it is scanned again if the repository scans on push, and it replicates
 * (with all its tags) to the destinations the registry's replication rules select.
 */
function activate(ctx: OperationContext, found: FoundRepository, image: ImageRecord): void {
  const { status: _status, scan: _scan, ...active } = image
  found.contents.images.set(ctx.tx, image.digest, scanOnPush(ctx, found, changedRecord<ImageRecord>(active, { lastActivatedAt: ctx.now })))
  startImageReplication(ctx, found, image.digest, found.contents.tagsOf(image.digest))
}

/** BatchGetImage's failure for an image that cannot be pulled now, if it cannot. */
export function inaccessible(imageId: ImageIdentifier, image: ImageRecord): ImageFailure | undefined {
  if (isActive(image)) return undefined
  return { imageId: { ...imageId }, failureCode: 'ImageInaccessible', failureReason: INACCESSIBLE }
}

/** StartImageScan refuses an archived image (and one still being restored). */
export function refuseArchivedScan({ registry, record }: FoundRepository, image: ImageRecord, imageId: ImageIdentifier): void {
  if (isActive(image)) return
  throw new EcrError(
    'ImageArchivedException',
    `The image with imageId ${describeImageId(imageId)} in the repository with name '${record.name}' in the registry with id '${registry.accountId}' is archived and cannot be scanned`,
  )
}

/** Whether a layer the repository holds is referenced only by archived images (ARCHIVED, not downloadable). */
export function layerArchived(contents: RepositoryContents, digest: string): boolean {
  const usage = contents.blobUsage.get(digest)
  return usage !== undefined && usage.archived === usage.images
}

/** GetDownloadUrlForLayer refuses a layer only archived images reference. */
export function refuseArchivedLayer({ registry, record, contents }: FoundRepository, digest: string): void {
  if (!layerArchived(contents, digest)) return
  throw new EcrError(
    'LayerInaccessibleException',
    `The layer with digest '${digest}' in the repository with name '${record.name}' in the registry with id '${registry.accountId}' is in an inaccessible state. Please restore if needed`,
  )
}
