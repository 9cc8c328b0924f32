import type { ImageFailure, ImageFailureCode, ImageIdentifier } from '@aws-sdk/client-ecr'
import { EcrError, invalidParameter } from '../errors.js'
import type { ImageRecord } from '../state/kinds.js'
import type { FoundRepository } from '../domain/repositories.js'

/** ECR's rule for image tags (it quotes this regex when refusing one). */
export const IMAGE_TAG = /^[a-zA-Z0-9-_.]+$/
/** ECR's rule for image digests in image ids (the model's LayerDigest pattern). */
export const IMAGE_DIGEST = /^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/

export type ResolvedImage = { image: ImageRecord } | { failure: ImageFailure }

/**
 * Resolves an image id (digest and/or tag) in a repository the way the batch operations do,
 * reporting problems as ECR's per-image failures rather than exceptions.
 */
export function resolveImageId({ contents }: FoundRepository, imageId: ImageIdentifier): ResolvedImage {
  const { imageDigest, imageTag } = imageId
  const fail = (failureCode: ImageFailureCode, failureReason: string): ResolvedImage => ({
    failure: { imageId: { ...imageId }, failureCode, failureReason },
  })
  if (imageDigest === undefined && imageTag === undefined) {
    return fail('MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null')
  }
  if (imageDigest !== undefined && !IMAGE_DIGEST.test(imageDigest)) {
    return fail(
      'InvalidImageDigest',
      "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
    )
  }
  if (imageTag !== undefined && !IMAGE_TAG.test(imageTag)) {
    return fail('InvalidImageTag', "Invalid request parameters: image tag should satisfy the regex '[a-zA-Z0-9-_.]+'")
  }
  if (imageTag !== undefined) {
    const tagged = contents.tags.get(imageTag)
    if (tagged === undefined) return fail('ImageNotFound', 'Requested image not found')
    if (imageDigest !== undefined && imageDigest !== tagged.digest) {
      return fail('ImageTagDoesNotMatchDigest', 'Invalid request parameters: given tag does not map to the given digest')
    }
    // A tag left on a missing image (stored state damaged from outside) names no image.
    const image = contents.images.get(tagged.digest)
    return image === undefined ? fail('ImageNotFound', 'Requested image not found') : { image }
  }
  const image = contents.images.get(imageDigest!)
  return image === undefined ? fail('ImageNotFound', 'Requested image not found') : { image }
}

/**
 * Resolves an image id for the single-image operations (DescribeImages with ids,
 * StartImageScan, DescribeImageScanFindings…), which throw instead of reporting failures.
 */
export function requireImage(found: FoundRepository, imageId: ImageIdentifier): ImageRecord {
  const resolved = resolveImageId(found, imageId)
  if ('image' in resolved) return resolved.image
  const { failureCode, failureReason } = resolved.failure
  if (failureCode !== 'ImageNotFound' && failureCode !== 'ImageTagDoesNotMatchDigest') {
    throw new EcrError('InvalidParameterException', failureReason!)
  }
  throw imageNotFound(found, imageId)
}

/** ImageNotFoundException, worded as ECR words it (ids printed Java-style, absent parts as 'null'). */
export function imageNotFound({ registry, record }: FoundRepository, imageId: ImageIdentifier): EcrError {
  return new EcrError(
    'ImageNotFoundException',
    `The image with imageId ${describeImageId(imageId)} does not exist within the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
  )
}

/** `{imageDigest:'sha256:…', imageTag:'null'}`: how ECR prints an image id in messages. */
export function describeImageId({ imageDigest, imageTag }: ImageIdentifier): string {
  return `{imageDigest:'${imageDigest ?? 'null'}', imageTag:'${imageTag ?? 'null'}'}`
}

/** `maxResults` and `nextToken` cannot go with `imageIds` (model docs of DescribeImages and GetLifecyclePolicyPreview). */
export function refuseIdsWithPaging({ maxResults, nextToken }: { maxResults?: number; nextToken?: string }): void {
  if (maxResults !== undefined || nextToken !== undefined) {
    throw invalidParameter('maxResults', 'maxResults and nextToken cannot be used when you specify imageIds')
  }
}

/** The imageId to report: the image's digest, plus the tag when the caller gave one. */
export function reportedImageId(image: ImageRecord, { imageTag }: ImageIdentifier): ImageIdentifier {
  return { imageDigest: image.digest, ...(imageTag !== undefined && { imageTag }) }
}
