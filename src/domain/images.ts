import { sha256Digest } from '../digest.js'
import { EcrError } from '../errors.js'
import { checkManifestSize, tooManyImages } from '../limits.js'
import { parseManifest, referencesOf, type ParsedManifest } from '../manifest.js'
import type { OperationContext } from '../operations/context.js'
import { changedRecord } from '../state/changed-record.js'
import type { ImageRecord } from '../state/kinds.js'
import { restoreByPush } from './archival.js'
import { releaseBlobs, useBlobs } from './blobs.js'
import { forgetInspection } from './enhanced-scans.js'
import { recordsPullTime } from './pull-time-exclusions.js'
import { startImageReplication } from './replication.js'
import { tagIsMutable, type FoundRepository } from './repositories.js'
import { scanOnPush } from './scans.js'
import { forgetSigning, signOnPush } from './signing.js'

/** A manifest to push: its text, its media type if the client names one, and the tag and digest it is pushed by. */
export interface ManifestPush {
  manifest: string
  mediaType?: string
  tag?: string
  /** The digest the client expects the manifest to have. */
  digest?: string
}

/**
 * Pushes a manifest into a repository, as PutImage does (and a registry API manifest PUT will):
 * checks it (size, digest, schema, referenced blobs or child manifests, immutable tags, quotas),
 * records the image if it is new (scanning it if the repository scans on push), points the tag
 * at it and starts replicating it where the registry's replication rules say. Moving a tag leaves
 * its previous image in place, untagged if that was its last tag.
 */
export function pushManifest(ctx: OperationContext, found: FoundRepository, push: ManifestPush): { digest: string; mediaType: string } {
  const { registry, record, contents } = found
  const { tag } = push
  const { limits } = ctx.settings
  checkManifestSize(push.manifest, limits.manifestBytes)
  const digest = sha256Digest(push.manifest)
  if (push.digest !== undefined && push.digest !== digest) {
    throw new EcrError(
      'ImageDigestDoesNotMatchException',
      `The image with digest '${push.digest}' in repository '${record.name}' and registry ID '${registry.accountId}' does not match the image digest that Amazon ECR has calculated.`,
    )
  }
  const manifest = parseManifest(push.manifest, push.mediaType)
  if (ctx.settings.verifyReferences) checkReferences(found, manifest)

  const existing = contents.images.get(digest)
  const previousDigest = tag === undefined ? undefined : contents.tags.get(tag)?.digest
  // Pushing an archived image again restores it at once.
  const restored = existing !== undefined && restoreByPush(ctx, found, existing)
  if (existing !== undefined && !restored && (tag === undefined || previousDigest === digest)) {
    throw new EcrError(
      'ImageAlreadyExistsException',
      `Image with digest '${digest}' and tag '${tag ?? 'null'}' already exists in the repository with name '${record.name}' in registry with id '${registry.accountId}'`,
    )
  }
  if (tag !== undefined && previousDigest !== undefined && !tagIsMutable(record, tag)) {
    throw new EcrError(
      'ImageTagAlreadyExistsException',
      `The image tag '${tag}' already exists in the '${record.name}' repository and cannot be overwritten because the repository is immutable.`,
    )
  }
  if (tag !== undefined && existing !== undefined && contents.tagsOf(digest).length >= limits.tagsPerImage) {
    throw new EcrError(
      'LimitExceededException',
      `Adding tag '${tag}' to an image in the repository with name '${record.name}' in registry with id '${registry.accountId}' exceeds the maximum allowed number of tags per image which is '${limits.tagsPerImage}'`,
    )
  }
  if (existing === undefined && contents.images.size >= limits.imagesPerRepository) {
    throw tooManyImages(record.name, registry.accountId, limits.imagesPerRepository)
  }

  if (tag !== undefined) contents.tags.set(ctx.tx, tag, { digest })
  if (existing === undefined) {
    const artifactType = manifest.artifactType ?? manifest.config?.mediaType
    const image: ImageRecord = {
      seq: ctx.nextSeq(),
      digest,
      manifest: push.manifest,
      mediaType: manifest.mediaType,
      ...(artifactType !== undefined && { artifactMediaType: artifactType }),
      sizeInBytes: imageSize(found, manifest),
      pushedAt: ctx.now,
      references: manifest.isIndex ? referencesOf(manifest) : referencesOf(manifest).map((reference) => contents.sharedReference(reference)),
      isIndex: manifest.isIndex,
      ...(manifest.subject && { subjectDigest: manifest.subject.digest }),
    }
    // Tagged first, so a scan started on push sees the image's tags.
    contents.images.set(ctx.tx, digest, scanOnPush(ctx, found, image))
    if (!manifest.isIndex) useBlobs(ctx, found, image.references)
    signOnPush(ctx, found, image)
  }
  startImageReplication(ctx, found, digest, tag === undefined ? [] : [tag])
  return { digest, mediaType: manifest.mediaType }
}

/**
 * Records that images were pulled now (DescribeImages reports it as lastRecordedPullTime), unless
 * the registry excludes the caller's pulls.
 */
export function recordPull(ctx: OperationContext, { registry, contents }: FoundRepository, digests: Iterable<string>): void {
  if (!recordsPullTime(ctx, registry)) return
  for (const digest of digests) {
    const image = contents.images.get(digest)
    if (image !== undefined) contents.images.set(ctx.tx, digest, changedRecord(image, { lastPulledAt: ctx.now }))
  }
}

/**
 * Deletes an image, every tag naming it and its replication status, unless a manifest list or
 * index still lists it: then it returns the digests of those indexes and changes nothing. The
 * image's layers and config that no other image in the repository references start to count as
 * unused: they are collected a day later unless an image references them again
 * (decisions/blob-store.md).
 */
export function deleteImage(ctx: OperationContext, found: FoundRepository, image: ImageRecord): { removedTags: string[] } | { referencedBy: string[] } {
  const { contents } = found
  const parents = contents.referencedBy.get(image.digest)
  if (parents !== undefined) return { referencedBy: [...parents] }
  const removedTags = contents.tagsOf(image.digest)
  for (const tag of removedTags) contents.tags.delete(ctx.tx, tag)
  contents.images.delete(ctx.tx, image.digest)
  forgetSigning(ctx, found, image.digest)
  contents.tables['image-replication'].delete(ctx.tx, image.digest)
  forgetInspection(ctx, found, image.digest)
  if (!image.isIndex) releaseBlobs(ctx, found, image.references)
  return { removedTags }
}

/** Removes a tag; the image stays (untagged, if that was its last tag). */
export function untag(ctx: OperationContext, { contents }: FoundRepository, tag: string): void {
  contents.tags.delete(ctx.tx, tag)
}

/** Refuses a manifest whose blobs (image) or child manifests (index) are not in the repository. */
function checkReferences({ registry, record, contents }: FoundRepository, manifest: ParsedManifest): void {
  const where = `required for pushing image into repository with name '${record.name}' in the registry with id '${registry.accountId}' do not exist`
  const stored = manifest.isIndex ? contents.images : contents.blobs
  const missing = referencesOf(manifest)
    .map(({ digest }) => digest)
    .filter((digest) => !stored.has(digest))
  if (missing.length === 0) return
  throw manifest.isIndex
    ? new EcrError('ReferencedImagesNotFoundException', `Images with digests '[${missing.join(', ')}]' ${where}`)
    : new EcrError('LayersNotFoundException', `Layers with digests '[${missing.join(', ')}]' ${where}`)
}

/**
 * imageSizeInBytes as ECR reports it: config plus layers for an image (AWS's own examples add up
 * to the byte); for a manifest list or index, the largest of its child images
 * (decisions/image-size.md).
 */
function imageSize({ contents }: FoundRepository, manifest: ParsedManifest): number {
  if (!manifest.isIndex) {
    return (manifest.config?.size ?? 0) + manifest.layers.reduce((total, layer) => total + layer.size, 0)
  }
  return manifest.manifests.reduce((largest, child) => {
    const size = contents.images.get(child.digest)?.sizeInBytes ?? child.size
    return Math.max(largest, size)
  }, 0)
}
