import type { Image, ImageDetail, ImageFailure, ImageIdentifier, TagStatus } from '@aws-sdk/client-ecr'
import { listOfRecipes, type ItemRecipe } from '../answer-recipes.js'
import { builtFresh } from '../caller-copy.js'
import { imageStatus, inaccessible, matchesImageStatus } from '../domain/archival.js'
import { repositoryForPush } from '../domain/creation-templates.js'
import { deleteImage, pushManifest, recordPull, untag } from '../domain/images.js'
import { pullThroughImages } from '../domain/pull-through-cache.js'
import { findRepository, type FoundRepository } from '../domain/repositories.js'
import { invalidParameter } from '../errors.js'
import { DEFAULT_PAGE_SIZE, position, takeListed, takePage } from '../pagination.js'
import type { ImageRecord } from '../state/kinds.js'
import { sortedTags, type ImageEntry } from '../state/registry-state.js'
import { IMAGE_TAG, refuseIdsWithPaging, requireImage, resolveImageId } from './image-ids.js'
import type { Implementations } from './operation.js'
import { basicScanDetails, showsBasicScans } from './scanning.js'

/** PutImage, BatchGetImage, BatchDeleteImage, DescribeImages and ListImages. */
export const imageOperations = {
  PutImage(input, ctx) {
    const found = repositoryForPush(ctx, input.repositoryName, input.registryId)
    const tag = input.imageTag
    if (tag !== undefined && !IMAGE_TAG.test(tag)) {
      throw invalidParameter('imageTag', "must satisfy regular expression '[a-zA-Z0-9-_.]+'")
    }
    const { digest, mediaType } = pushManifest(ctx, found, {
      manifest: input.imageManifest,
      ...(input.imageManifestMediaType !== undefined && { mediaType: input.imageManifestMediaType }),
      ...(tag !== undefined && { tag }),
      ...(input.imageDigest !== undefined && { digest: input.imageDigest }),
    })
    return {
      image: {
        registryId: found.registry.accountId,
        repositoryName: found.record.name,
        imageId: { imageDigest: digest, ...(tag !== undefined && { imageTag: tag }) },
        imageManifest: input.imageManifest,
        imageManifestMediaType: mediaType,
      },
    }
  },

  BatchGetImage(input, ctx) {
    const found = pullThroughImages(ctx, input.repositoryName, input.imageIds, input.registryId)
    const images: Image[] = []
    const failures: ImageFailure[] = []
    const pulled = new Set<string>()
    for (const { imageId, image } of resolveEach(found, input.imageIds, failures)) {
      const archived = inaccessible(imageId, image)
      if (archived !== undefined) {
        failures.push(archived)
        continue
      }
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
    recordPull(ctx, found, pulled)
    return { images, failures }
  },

  BatchDeleteImage(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const { contents } = found
    const imageIds: ImageIdentifier[] = []
    const failures: ImageFailure[] = []
    for (const { imageId, image } of resolveEach(found, input.imageIds, failures)) {
      // A tag of an image that has others is only untagged; otherwise the image goes.
      if (imageId.imageTag !== undefined && contents.tagsOf(image.digest).length > 1) {
        untag(ctx, found, imageId.imageTag)
        imageIds.push({ imageDigest: image.digest, imageTag: imageId.imageTag })
        continue
      }
      const deleted = deleteImage(ctx, found, image)
      if ('referencedBy' in deleted) {
        failures.push({
          imageId: { ...imageId },
          failureCode: 'ImageReferencedByManifestList',
          failureReason: `Requested image referenced by manifest list: [${deleted.referencedBy.join(', ')}]`,
        })
        continue
      }
      const { removedTags } = deleted
      imageIds.push(
        ...(removedTags.length === 0 ? [{ imageDigest: image.digest }] : removedTags.map((tag) => ({ imageDigest: image.digest, imageTag: tag }))),
      )
    }
    return { imageIds, failures }
  },

  DescribeImages(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    if (input.imageIds !== undefined) {
      refuseIdsWithPaging(input)
      const details = new Map<string, DetailRecipe>()
      for (const imageId of input.imageIds) {
        const image = requireImage(found, imageId)
        if (!details.has(image.digest)) details.set(image.digest, detailRecipe(found, image, found.contents.tagsByDigest.get(image.digest)))
      }
      return builtFresh({ imageDetails: listOfRecipes([...details.values()]) })
    }
    const tagStatus = input.filter?.tagStatus ?? 'ANY'
    // Archived images are listed only when asked for (model docs of DescribeImagesFilter).
    const imageStatus = input.filter?.imageStatus ?? 'ACTIVE'
    const listing = listingOf('DescribeImages', found, `${tagStatus}/${imageStatus}`)
    const after = input.nextToken === undefined ? undefined : position(ctx.tokens.decode(listing, input.nextToken))
    const showScans = showsBasicScans(found.registry)
    const page = takeListed(
      found.contents.imageOrder.after(after),
      (entry) => matchesTagStatus(entry, tagStatus) && matchesImageStatus(entry.image, imageStatus),
      (entry) => detailRecipe(found, entry.image, entry.tags, showScans),
      input.maxResults ?? DEFAULT_PAGE_SIZE,
      ctx.tokens,
      listing,
    )
    const imageDetails = listOfRecipes(page.items)
    return builtFresh({ imageDetails, ...(page.nextToken !== undefined && { nextToken: page.nextToken }) })
  },

  ListImages(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const tagStatus = input.filter?.tagStatus ?? 'ANY'
    // Archived images are listed only when asked for (model docs of ListImagesFilter).
    const imageStatus = input.filter?.imageStatus ?? 'ACTIVE'
    const listing = listingOf('ListImages', found, `${tagStatus}/${imageStatus}`)
    const start = input.nextToken === undefined ? undefined : ctx.tokens.decode(listing, input.nextToken)
    const listed = (entry: ImageEntry) => matchesTagStatus(entry, tagStatus) && matchesImageStatus(entry.image, imageStatus)
    const page = takePage(
      (function* () {
        // The image the previous page stopped in may have tags left to list.
        const current = start === undefined ? undefined : position(start)
        const stoppedIn = current === undefined ? undefined : found.contents.imageOrder.find(current)
        if (stoppedIn !== undefined && listed(stoppedIn) && start?.sub !== undefined) {
          for (const tag of sortedTags(stoppedIn.tags)) {
            if (tag > start.sub) yield { item: { imageDigest: current!.id, imageTag: tag }, cursor: { ...current!, sub: tag } }
          }
        }
        for (const entry of found.contents.imageOrder.after(current)) {
          if (!listed(entry)) continue
          const { seq, id } = entry
          const tags = sortedTags(entry.tags)
          if (tags.length === 0) yield { item: { imageDigest: id } as ImageIdentifier, cursor: { seq, id } }
          for (const tag of tags) yield { item: { imageDigest: id, imageTag: tag }, cursor: { seq, id, sub: tag } }
        }
      })(),
      input.maxResults ?? DEFAULT_PAGE_SIZE,
      ctx.tokens,
      listing,
    )
    return builtFresh({ imageIds: page.items, ...(page.nextToken !== undefined && { nextToken: page.nextToken }) })
  },
} satisfies Implementations

/**
 * The ImageDetail DescribeImages reports for an image, as a recipe (src/answer-recipes.ts): what
 * the detail is made of besides the image's record (records are replaced, never changed) is where
 * the image is, its tags and whether its basic scan shows (not under enhanced scanning), all
 * captured when the recipe is made. The tags are the recipe's own; each detail gets a copy.
 */
class DetailRecipe implements ItemRecipe<ImageDetail> {
  constructor(
    readonly registryId: string,
    readonly repositoryName: string,
    readonly image: ImageRecord,
    readonly tags: readonly string[],
    readonly showScan: boolean,
  ) {}

  /** The detail, built member by member in the order ECR writes them: object spreads cost several times as much. */
  make(): ImageDetail {
    const { image, tags } = this
    const detail: ImageDetail = { registryId: this.registryId, repositoryName: this.repositoryName, imageDigest: image.digest }
    if (tags.length > 0) detail.imageTags = tags.slice()
    detail.imageSizeInBytes = image.sizeInBytes
    detail.imagePushedAt = new Date(image.pushedAt)
    if (this.showScan && image.scan !== undefined) {
      const { imageScanStatus, imageScanFindingsSummary } = basicScanDetails(image.scan)
      detail.imageScanStatus = imageScanStatus
      if (imageScanFindingsSummary !== undefined) detail.imageScanFindingsSummary = imageScanFindingsSummary
    }
    detail.imageManifestMediaType = image.mediaType
    if (image.artifactMediaType !== undefined) detail.artifactMediaType = image.artifactMediaType
    if (image.lastPulledAt !== undefined) detail.lastRecordedPullTime = new Date(image.lastPulledAt)
    if (image.subjectDigest !== undefined) detail.subjectManifestDigest = image.subjectDigest
    detail.imageStatus = imageStatus(image)
    if (image.lastArchivedAt !== undefined) detail.lastArchivedAt = new Date(image.lastArchivedAt)
    if (image.lastActivatedAt !== undefined) detail.lastActivatedAt = new Date(image.lastActivatedAt)
    return detail
  }
}

/** The last recipe made for each image record: reused while it still makes the same detail. */
const detailRecipes = new WeakMap<ImageRecord, DetailRecipe>()

/** The recipe of `image`'s detail in `found`, with its live tag set `tags` (sorted into the recipe's own array when it is new). */
function detailRecipe(
  found: FoundRepository,
  image: ImageRecord,
  tags: ReadonlySet<string> | undefined,
  showScans = showsBasicScans(found.registry),
): DetailRecipe {
  const registryId = found.registry.accountId
  const repositoryName = found.record.name
  const showScan = showScans && image.scan !== undefined
  const known = detailRecipes.get(image)
  if (
    known !== undefined &&
    known.registryId === registryId &&
    known.repositoryName === repositoryName &&
    known.showScan === showScan &&
    sameTags(known.tags, tags)
  ) {
    return known
  }
  const recipe = new DetailRecipe(registryId, repositoryName, image, sortedTags(tags), showScan)
  detailRecipes.set(image, recipe)
  return recipe
}

/** Whether a recipe's tags are the tag set's (a set holds no tag twice: same size and all in it). */
function sameTags(recipeTags: readonly string[], tags: ReadonlySet<string> | undefined): boolean {
  if (recipeTags.length !== (tags?.size ?? 0)) return false
  for (const tag of recipeTags) if (!tags!.has(tag)) return false
  return true
}

/** A page token is bound to its listing: operation, registry, region, repository and filter. */
function listingOf(operation: string, { registry, record }: FoundRepository, filter: string): string {
  return [operation, registry.accountId, registry.region, record.name, filter].join('\u0000')
}

function matchesTagStatus({ tags }: ImageEntry, tagStatus: TagStatus): boolean {
  if (tagStatus === 'ANY') return true
  return (tags !== undefined) === (tagStatus === 'TAGGED')
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
