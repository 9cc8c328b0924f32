import { EcrError, invalidParameter } from './errors.js'

const MiB = 1024 * 1024

/**
 * ECR's service quotas that the engine enforces (see decisions/limits.md for the evidence behind
 * each default). Counts are per account and region (repositories) or per repository (images).
 */
export interface EcrLimits {
  /** Repositories per registry, i.e. per account and region ("Registered repositories"). */
  repositoriesPerRegistry: number
  /** Images (distinct manifests, tagged or not) per repository. */
  imagesPerRepository: number
  /** Tags one image may carry. */
  tagsPerImage: number
  /** Size of an image manifest in UTF-8 bytes. */
  manifestBytes: number
  /** Smallest layer part but the last, in bytes (checked by CompleteLayerUpload). */
  minLayerPartBytes: number
  /** Largest layer part one UploadLayerPart call may carry, in bytes. */
  maxLayerPartBytes: number
  /** Parts one layer upload may have. */
  layerPartsPerUpload: number
  /** Size of one layer (the sum of its parts), in bytes. */
  layerBytes: number
  /** Pull through cache rules per registry. */
  pullThroughCacheRulesPerRegistry: number
}

/** The limits AWS documents, which the engine applies unless told otherwise. */
export const DEFAULT_LIMITS: Readonly<EcrLimits> = Object.freeze({
  repositoriesPerRegistry: 100_000,
  imagesPerRepository: 100_000,
  tagsPerImage: 1000,
  manifestBytes: 4 * MiB,
  minLayerPartBytes: 5 * MiB,
  maxLayerPartBytes: 20 * MiB,
  layerPartsPerUpload: 4200,
  layerBytes: 52_000 * MiB,
  pullThroughCacheRulesPerRegistry: 50,
})

/**
 * The documented limits with the given ones in their place.
 *
 * @example
 * resolveLimits({ repositoriesPerRegistry: 3 }).imagesPerRepository // 100000
 */
export function resolveLimits(overrides: Partial<EcrLimits> = {}): Readonly<EcrLimits> {
  const limits = { ...DEFAULT_LIMITS }
  for (const name of Object.keys(DEFAULT_LIMITS) as Array<keyof EcrLimits>) {
    const value = overrides[name]
    if (value === undefined) continue
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`fake-ecr: limits.${name} must be a whole number of 0 or more, got ${String(value)}.`)
    }
    limits[name] = value
  }
  return Object.freeze(limits)
}

/** CreateRepository in a registry that holds as many repositories as it may. */
export function tooManyRepositories(registryId: string, limit: number): EcrError {
  return new EcrError(
    'LimitExceededException',
    `The registry with id '${registryId}' already has the maximum allowed number of repositories which is '${limit}'`,
  )
}

/** PutImage of a new image into a repository that holds as many images as it may. */
export function tooManyImages(repositoryName: string, registryId: string, limit: number): EcrError {
  return new EcrError(
    'LimitExceededException',
    `The repository with name '${repositoryName}' in registry with id '${registryId}' already has the maximum allowed number of images which is '${limit}'`,
  )
}

/** Refuses a manifest whose UTF-8 encoding is larger than `limit` bytes. */
export function checkManifestSize(manifest: string, limit: number): void {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes, so most manifests need no encoding to pass.
  if (manifest.length * 3 <= limit) return
  const bytes = new TextEncoder().encode(manifest).byteLength
  if (bytes > limit) {
    throw invalidParameter('ImageManifest', `Image manifest size ${bytes} bytes exceeds the maximum of ${limit} bytes`)
  }
}

/** UploadLayerPart of a part larger than the part size limit (the model's "layer part size is not valid"). */
export function layerPartTooLarge(
  details: { registryId: string; repositoryName: string; uploadId: string; lastValidByteReceived?: number },
  bytes: number,
  limit: number,
): EcrError {
  return new EcrError(
    'InvalidLayerPartException',
    `The layer part size ${bytes} bytes exceeds the maximum layer part size of ${limit} bytes`,
    details,
  )
}

/** UploadLayerPart beyond the parts an upload may have, or beyond the layer size limit. */
export function layerUploadTooLarge(uploadId: string, what: 'parts' | 'bytes', limit: number): EcrError {
  return new EcrError(
    'LimitExceededException',
    what === 'parts'
      ? `The upload with id '${uploadId}' already has the maximum allowed number of layer parts which is '${limit}'`
      : `The layer of the upload with id '${uploadId}' would exceed the maximum layer size of ${limit} bytes`,
  )
}
