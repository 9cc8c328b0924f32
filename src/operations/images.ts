import type { Image, ImageDetail, ImageFailure, ImageIdentifier, TagStatus } from '@aws-sdk/client-ecr'
import { sha256Digest } from '../digest.js'
import { EcrError, invalidParameter } from '../errors.js'
import { checkManifestSize, tooManyImages } from '../limits.js'
import { parseManifest, referencesOf, type ParsedManifest } from '../manifest.js'
import { DEFAULT_PAGE_SIZE, position, takePage } from '../pagination.js'
import type { ImageRecord } from '../state/records.js'
import { findRepository, type FoundRepository, type OperationContext } from './context.js'
import { IMAGE_TAG, requireImage, resolveImageId } from './image-ids.js'
import type { Implementations } from './operation.js'
import { tagIsMutable } from './repositories.js'
import { scanDetails, scanOnPush } from './scanning.js'

/** PutImage, BatchGetImage, BatchDeleteImage, DescribeImages and ListImages. */
export const imageOperations = {
  PutImage(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const { registry, record, contents } = found
    const tag = input.imageTag
    if (tag !== undefined && !IMAGE_TAG.test(tag)) {
      throw invalidParameter('imageTag', "must satisfy regular expression '[a-zA-Z0-9-_.]+'")
    }
    const { limits } = ctx.settings
    checkManifestSize(input.imageManifest, limits.manifestBytes)
    const digest = sha256Digest(input.imageManifest)
    if (input.imageDigest !== undefined && input.imageDigest !== digest) {
      throw new EcrError(
        'ImageDigestDoesNotMatchException',
        `The image with digest '${input.imageDigest}' in repository '${record.name}' and registry ID '${registry.accountId}' does not match the image digest that Amazon ECR has calculated.`,
      )
    }
    const manifest = parseManifest(input.imageManifest, input.imageManifestMediaType)
    if (ctx.settings.verifyReferences) checkReferences(found, manifest)

    const existing = contents.images.get(digest)
    const previousDigest = tag === undefined ? undefined : contents.tags.get(tag)?.digest
    if (existing !== undefined && (tag === undefined || previousDigest === digest)) {
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

    // Moving a tag leaves its previous image in place, untagged if that was its last tag.
    if (tag !== undefined) contents.tags.set(ctx.tx, tag, { digest })
    if (existing === undefined) {
      const image: ImageRecord = {
        seq: ctx.nextSeq(),
        digest,
        manifest: input.imageManifest,
        mediaType: manifest.mediaType,
        ...(artifactMediaType(manifest) !== undefined && { artifactMediaType: artifactMediaType(manifest) }),
        sizeInBytes: imageSize(found, manifest),
        pushedAt: ctx.now,
        references: referencesOf(manifest),
        isIndex: manifest.isIndex,
        ...(manifest.subject && { subjectDigest: manifest.subject.digest }),
      }
      // Tagged first, so a scan started on push sees the image's tags.
      contents.images.set(ctx.tx, digest, scanOnPush(ctx, found, image))
    }

    return {
      image: {
        registryId: registry.accountId,
        repositoryName: record.name,
        imageId: { imageDigest: digest, ...(tag !== undefined && { imageTag: tag }) },
        imageManifest: input.imageManifest,
        imageManifestMediaType: manifest.mediaType,
      },
    }
  },

  BatchGetImage(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const images: Image[] = []
    const failures: ImageFailure[] = []
    const pulled = new Set<string>()
    for (const { imageId, image } of resolveEach(found, input.imageIds, failures)) {
      // Stored manifests are returned as pushed; ECR converts formats only for some by-tag pulls
      // (see decisions/manifests.md).
      images.push({
        registryId: found.registry.accountId,
        repositoryName: found.record.name,
        imageId: { imageDigest: image.digest, ...(imageId.imageTag !== undefined && { imageTag: imageId.imageTag }) },
        imageManifest: image.manifest,
        imageManifestMediaType: image.mediaType,
      })
      pulled.add(image.digest)
    }
    for (const digest of pulled) {
      found.contents.images.set(ctx.tx, digest, { ...found.contents.images.get(digest)!, lastPulledAt: ctx.now })
    }
    return { images, failures }
  },

  BatchDeleteImage(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const { contents } = found
    const imageIds: ImageIdentifier[] = []
    const failures: ImageFailure[] = []
    for (const { imageId, image } of resolveEach(found, input.imageIds, failures)) {
      const tags = contents.tagsOf(image.digest)
      const deletesImage = imageId.imageTag === undefined || tags.length === 1
      const parents = contents.referencedBy.get(image.digest)
      if (deletesImage && parents !== undefined) {
        failures.push({
          imageId: { ...imageId },
          failureCode: 'ImageReferencedByManifestList',
          failureReason: `Requested image referenced by manifest list: [${[...parents].join(', ')}]`,
        })
        continue
      }
      if (!deletesImage) {
        contents.tags.delete(ctx.tx, imageId.imageTag!)
        imageIds.push({ imageDigest: image.digest, imageTag: imageId.imageTag! })
        continue
      }
      for (const tag of tags) contents.tags.delete(ctx.tx, tag)
      contents.images.delete(ctx.tx, image.digest)
      imageIds.push(
        ...(tags.length === 0 ? [{ imageDigest: image.digest }] : tags.map((tag) => ({ imageDigest: image.digest, imageTag: tag }))),
      )
    }
    return { imageIds, failures }
  },

  DescribeImages(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    if (input.imageIds !== undefined) {
      if (input.maxResults !== undefined || input.nextToken !== undefined) {
        throw invalidParameter('maxResults', 'maxResults and nextToken cannot be used when you specify imageIds')
      }
      const details = new Map<string, ImageDetail>()
      for (const imageId of input.imageIds) {
        const image = requireImage(found, imageId)
        if (!details.has(image.digest)) details.set(image.digest, imageDetail(ctx, found, image))
      }
      return { imageDetails: [...details.values()] }
    }
    const tagStatus = input.filter?.tagStatus ?? 'ANY'
    const imageStatus = input.filter?.imageStatus ?? 'ANY'
    const listing = listingOf('DescribeImages', found, `${tagStatus}/${imageStatus}`)
    const after = input.nextToken === undefined ? undefined : position(ctx.tokens.decode(listing, input.nextToken))
    const page = takePage(
      (function* () {
        if (imageStatus !== 'ANY' && imageStatus !== 'ACTIVE') return
        for (const { seq, id } of found.contents.imageOrder.after(after)) {
          if (!matchesTagStatus(found, id, tagStatus)) continue
          yield { item: imageDetail(ctx, found, found.contents.images.get(id)!), cursor: { seq, id } }
        }
      })(),
      input.maxResults ?? DEFAULT_PAGE_SIZE,
      ctx.tokens,
      listing,
    )
    return { imageDetails: page.items, ...(page.nextToken !== undefined && { nextToken: page.nextToken }) }
  },

  ListImages(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const tagStatus = input.filter?.tagStatus ?? 'ANY'
    const imageStatus = input.filter?.imageStatus ?? 'ANY'
    const listing = listingOf('ListImages', found, `${tagStatus}/${imageStatus}`)
    const start = input.nextToken === undefined ? undefined : ctx.tokens.decode(listing, input.nextToken)
    const page = takePage(
      (function* () {
        if (imageStatus !== 'ANY' && imageStatus !== 'ACTIVE') return
        // The image the previous page stopped in may have tags left to list.
        const current = start === undefined ? undefined : position(start)
        const resumes =
          current !== undefined && found.contents.imageOrder.has(current) && matchesTagStatus(found, current.id, tagStatus)
        if (resumes && start?.sub !== undefined) {
          for (const tag of found.contents.tagsOf(current!.id)) {
            if (tag > start.sub) yield { item: { imageDigest: current.id, imageTag: tag }, cursor: { ...current, sub: tag } }
          }
        }
        for (const { seq, id } of found.contents.imageOrder.after(current)) {
          if (!matchesTagStatus(found, id, tagStatus)) continue
          const tags = found.contents.tagsOf(id)
          if (tags.length === 0) yield { item: { imageDigest: id } as ImageIdentifier, cursor: { seq, id } }
          for (const tag of tags) yield { item: { imageDigest: id, imageTag: tag }, cursor: { seq, id, sub: tag } }
        }
      })(),
      input.maxResults ?? DEFAULT_PAGE_SIZE,
      ctx.tokens,
      listing,
    )
    return { imageIds: page.items, ...(page.nextToken !== undefined && { nextToken: page.nextToken }) }
  },
} satisfies Implementations

/** The ImageDetail DescribeImages reports for an image. */
function imageDetail(ctx: OperationContext, { registry, record, contents }: FoundRepository, image: ImageRecord): ImageDetail {
  const tags = contents.tagsOf(image.digest)
  return {
    registryId: registry.accountId,
    repositoryName: record.name,
    imageDigest: image.digest,
    ...(tags.length > 0 && { imageTags: tags }),
    imageSizeInBytes: image.sizeInBytes,
    imagePushedAt: new Date(image.pushedAt),
    ...scanDetails(ctx, image),
    imageManifestMediaType: image.mediaType,
    ...(image.artifactMediaType !== undefined && { artifactMediaType: image.artifactMediaType }),
    ...(image.lastPulledAt !== undefined && { lastRecordedPullTime: new Date(image.lastPulledAt) }),
    ...(image.subjectDigest !== undefined && { subjectManifestDigest: image.subjectDigest }),
    imageStatus: 'ACTIVE',
  }
}

/** A page token is bound to its listing: operation, registry, region, repository and filter. */
function listingOf(operation: string, { registry, record }: FoundRepository, filter: string): string {
  return [operation, registry.accountId, registry.region, record.name, filter].join('\u0000')
}

function matchesTagStatus({ contents }: FoundRepository, digest: string, tagStatus: TagStatus): boolean {
  if (tagStatus === 'ANY') return true
  return contents.tagsByDigest.has(digest) === (tagStatus === 'TAGGED')
}

/**
 * Resolves the image ids of a batch call in order (the same id asked for twice is answered once),
 * adding those that do not resolve to `failures`.
 */
function* resolveEach(
  found: FoundRepository,
  imageIds: ImageIdentifier[],
  failures: ImageFailure[],
): Generator<{ imageId: ImageIdentifier; image: ImageRecord }> {
  const seen = new Set<string>()
  for (const imageId of imageIds) {
    const key = `${imageId.imageDigest ?? ''}\u0000${imageId.imageTag ?? ''}`
    if (seen.has(key)) continue
    seen.add(key)
    const resolved = resolveImageId(found, imageId)
    if ('failure' in resolved) failures.push(resolved.failure)
    else yield { imageId, image: resolved.image }
  }
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

/** The config media type (or OCI artifactType) is what DescribeImages reports as artifactMediaType. */
function artifactMediaType(manifest: ParsedManifest): string | undefined {
  return manifest.artifactType ?? manifest.config?.mediaType
}
