import type { ImageFailureCode, ImageIdentifier, ImageTagMutability } from '@aws-sdk/client-ecr'
import { manifests, type PoolManifest } from './content.js'

/**
 * The reference model the property and concurrency tests hold the engine to: one registry as
 * plain Maps, and for each command what ECR should answer and how the registry changes. It is
 * written from ECR's documented rules, not from the engine's code, and knows only the pool's
 * content (test/property/content.ts).
 */

export interface ImageModel {
  digest: string
  isIndex: boolean
  /** Blob digests (image) or child manifest digests (index). */
  references: string[]
  /** imageSizeInBytes: config plus layers; an index reports its largest child. */
  size: number
  /** Scanned on push (the repository scanned on push and the image is not an index). */
  scanned: boolean
}

export interface RepositoryModel {
  mutability: ImageTagMutability
  exclusionFilters: string[]
  scanOnPush: boolean
  /** digest → image, in push order. */
  images: Map<string, ImageModel>
  /** tag → digest. */
  tags: Map<string, string>
  /** blob digest → size. */
  blobs: Map<string, number>
  /** upload id → parts received so far. */
  uploads: Map<string, Uint8Array[]>
  policy?: string
  lifecyclePolicy?: string
  resourceTags: Map<string, string>
}

export interface RegistryModel {
  repositories: Map<string, RepositoryModel>
}

/** What a call should answer: its output, or the AWS error code it should fail with. */
export type Outcome<Output = undefined> = { ok: true; output: Output } | { ok: false; code: string }

const ok = <Output>(output: Output): Outcome<Output> => ({ ok: true, output })
const fail = (code: string): Outcome<never> => ({ ok: false, code })

export function emptyRegistry(): RegistryModel {
  return { repositories: new Map() }
}

export function emptyRepository(settings: Pick<RepositoryModel, 'mutability' | 'exclusionFilters' | 'scanOnPush'>): RepositoryModel {
  return { ...settings, images: new Map(), tags: new Map(), blobs: new Map(), uploads: new Map(), resourceTags: new Map() }
}

/** Tags naming an image, sorted. */
export function tagsOf(repository: RepositoryModel, digest: string): string[] {
  return [...repository.tags].filter(([, tagged]) => tagged === digest).map(([tag]) => tag).sort()
}

/** Indexes in the repository that list `digest` as a child. */
export function parentsOf(repository: RepositoryModel, digest: string): string[] {
  return [...repository.images.values()].filter((image) => image.isIndex && image.references.includes(digest)).map((image) => image.digest)
}

/** Whether a tag that already names an image may move (ECR's tag mutability settings). */
export function tagMayMove(repository: RepositoryModel, tag: string): boolean {
  const wildcard = (filter: string) => new RegExp(`^${filter.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)
  const excluded = repository.exclusionFilters.some((filter) => wildcard(filter).test(tag))
  switch (repository.mutability) {
    case 'MUTABLE':
      return true
    case 'IMMUTABLE':
      return false
    case 'IMMUTABLE_WITH_EXCLUSION':
      return excluded
    case 'MUTABLE_WITH_EXCLUSION':
      return !excluded
    default:
      throw new Error(`unknown mutability ${String(repository.mutability)}`)
  }
}

export function createRepository(
  model: RegistryModel,
  name: string,
  settings: Pick<RepositoryModel, 'mutability' | 'exclusionFilters' | 'scanOnPush'>,
): Outcome {
  if (model.repositories.has(name)) return fail('RepositoryAlreadyExistsException')
  model.repositories.set(name, emptyRepository(settings))
  return ok(undefined)
}

export function deleteRepository(model: RegistryModel, name: string, force: boolean): Outcome {
  const repository = model.repositories.get(name)
  if (repository === undefined) return fail('RepositoryNotFoundException')
  if (repository.images.size > 0 && !force) return fail('RepositoryNotEmptyException')
  model.repositories.delete(name)
  return ok(undefined)
}

export function initiateUpload(model: RegistryModel, name: string, uploadId: () => string): Outcome<string> {
  const repository = model.repositories.get(name)
  if (repository === undefined) return fail('RepositoryNotFoundException')
  const id = uploadId()
  repository.uploads.set(id, [])
  return ok(id)
}

export function uploadPart(model: RegistryModel, name: string, uploadId: string, firstByte: number, bytes: Uint8Array): Outcome {
  const repository = model.repositories.get(name)
  if (repository === undefined) return fail('RepositoryNotFoundException')
  const parts = repository.uploads.get(uploadId)
  if (parts === undefined) return fail('UploadNotFoundException')
  if (firstByte !== uploadedSize(parts)) return fail('InvalidLayerPartException')
  repository.uploads.set(uploadId, [...parts, bytes])
  return ok(undefined)
}

export function uploadedSize(parts: readonly Uint8Array[]): number {
  return parts.reduce((total, part) => total + part.byteLength, 0)
}

/** Every part of an upload but the last must be at least 5 MiB (ECR's multipart rule). */
const MIN_PART_SIZE = 5 * 1024 * 1024

/** Completes an upload, claiming `digest`; `actual` is the digest of the bytes received. */
export function completeUpload(model: RegistryModel, name: string, uploadId: string, digest: string, actual: string): Outcome {
  const repository = model.repositories.get(name)
  if (repository === undefined) return fail('RepositoryNotFoundException')
  const parts = repository.uploads.get(uploadId)
  if (parts === undefined) return fail('UploadNotFoundException')
  if (parts.length === 0) return fail('EmptyUploadException')
  if (parts.slice(0, -1).some((part) => part.byteLength < MIN_PART_SIZE)) return fail('LayerPartTooSmallException')
  if (digest !== actual) return fail('InvalidLayerException')
  if (repository.blobs.has(digest)) return fail('LayerAlreadyExistsException')
  repository.blobs.set(digest, uploadedSize(parts))
  repository.uploads.delete(uploadId)
  return ok(undefined)
}

/** The pool entry with this digest (the model only ever pushes pool content). */
export function poolManifest(digest: string): PoolManifest {
  const found = manifests.find((entry) => entry.digest === digest)
  if (found === undefined) throw new Error(`${digest} is not pool content`)
  return found
}

/** PutImage of pool content, optionally tagged, optionally stating a digest. */
export function putImage(model: RegistryModel, name: string, content: PoolManifest, tag: string | undefined, statedDigest?: string): Outcome {
  const repository = model.repositories.get(name)
  if (repository === undefined) return fail('RepositoryNotFoundException')
  if (statedDigest !== undefined && statedDigest !== content.digest) return fail('ImageDigestDoesNotMatchException')
  const store = content.isIndex ? repository.images : repository.blobs
  if (content.references.some((digest) => !store.has(digest))) {
    return fail(content.isIndex ? 'ReferencedImagesNotFoundException' : 'LayersNotFoundException')
  }
  const existing = repository.images.get(content.digest)
  const previous = tag === undefined ? undefined : repository.tags.get(tag)
  if (existing !== undefined && (tag === undefined || previous === content.digest)) return fail('ImageAlreadyExistsException')
  if (tag !== undefined && previous !== undefined && !tagMayMove(repository, tag)) return fail('ImageTagAlreadyExistsException')
  if (tag !== undefined) repository.tags.set(tag, content.digest)
  if (existing === undefined) {
    const size = content.isIndex
      ? Math.max(...content.references.map((child) => repository.images.get(child)!.size))
      : content.references.reduce((total, digest) => total + repository.blobs.get(digest)!, 0)
    repository.images.set(content.digest, {
      digest: content.digest,
      isIndex: content.isIndex,
      references: content.references,
      size,
      scanned: repository.scanOnPush && !content.isIndex,
    })
  }
  return ok(undefined)
}

export interface BatchDeleteResult {
  imageIds: ImageIdentifier[]
  failures: Array<{ imageId: ImageIdentifier; failureCode: ImageFailureCode }>
}

/**
 * BatchDeleteImage, id by id in request order (an id repeated is answered once). By digest, or by
 * an image's last tag, deletes the image with all its tags, unless an index still lists it; by
 * one of several tags removes only that tag.
 */
export function batchDeleteImage(model: RegistryModel, name: string, imageIds: readonly ImageIdentifier[]): Outcome<BatchDeleteResult> {
  const repository = model.repositories.get(name)
  if (repository === undefined) return fail('RepositoryNotFoundException')
  const result: BatchDeleteResult = { imageIds: [], failures: [] }
  const seen = new Set<string>()
  for (const imageId of imageIds) {
    const key = `${imageId.imageDigest ?? ''}\u0000${imageId.imageTag ?? ''}`
    if (seen.has(key)) continue
    seen.add(key)
    const failure = (failureCode: ImageFailureCode) => result.failures.push({ imageId: { ...imageId }, failureCode })
    let digest = imageId.imageDigest
    if (imageId.imageTag !== undefined) {
      const tagged = repository.tags.get(imageId.imageTag)
      if (tagged === undefined) {
        failure('ImageNotFound')
        continue
      }
      if (digest !== undefined && digest !== tagged) {
        failure('ImageTagDoesNotMatchDigest')
        continue
      }
      digest = tagged
    }
    if (digest === undefined || !repository.images.has(digest)) {
      failure('ImageNotFound')
      continue
    }
    const tags = tagsOf(repository, digest)
    const deletesImage = imageId.imageTag === undefined || tags.length === 1
    if (deletesImage && parentsOf(repository, digest).length > 0) {
      failure('ImageReferencedByManifestList')
      continue
    }
    if (!deletesImage) {
      repository.tags.delete(imageId.imageTag!)
      result.imageIds.push({ imageDigest: digest, imageTag: imageId.imageTag! })
      continue
    }
    for (const tag of tags) repository.tags.delete(tag)
    repository.images.delete(digest)
    result.imageIds.push(...(tags.length === 0 ? [{ imageDigest: digest }] : tags.map((tag) => ({ imageDigest: digest, imageTag: tag }))))
  }
  return ok(result)
}

export function setRepositoryPolicy(model: RegistryModel, name: string, policy: string, valid: boolean): Outcome {
  const repository = model.repositories.get(name)
  if (repository === undefined) return fail('RepositoryNotFoundException')
  if (!valid) return fail('InvalidParameterException')
  repository.policy = policy
  return ok(undefined)
}

export function deleteRepositoryPolicy(model: RegistryModel, name: string): Outcome<string> {
  const repository = model.repositories.get(name)
  if (repository === undefined) return fail('RepositoryNotFoundException')
  const { policy } = repository
  if (policy === undefined) return fail('RepositoryPolicyNotFoundException')
  delete repository.policy
  return ok(policy)
}

export function putLifecyclePolicy(model: RegistryModel, name: string, policy: string, valid: boolean): Outcome {
  const repository = model.repositories.get(name)
  if (repository === undefined) return fail('RepositoryNotFoundException')
  if (!valid) return fail('InvalidParameterException')
  repository.lifecyclePolicy = policy
  return ok(undefined)
}

export function tagResource(
  model: RegistryModel,
  name: string,
  tags: ReadonlyArray<{ key: string; value: string }>,
  reserved: readonly string[],
): Outcome {
  const repository = model.repositories.get(name)
  if (repository === undefined) return fail('RepositoryNotFoundException')
  if (tags.some(({ key }) => reserved.includes(key))) return fail('InvalidTagParameterException')
  for (const { key, value } of tags) repository.resourceTags.set(key, value)
  return ok(undefined)
}

export function untagResource(model: RegistryModel, name: string, keys: readonly string[], reserved: readonly string[]): Outcome {
  const repository = model.repositories.get(name)
  if (repository === undefined) return fail('RepositoryNotFoundException')
  // Tags with the reserved `aws:` prefix are AWS's own: users can neither set nor remove them.
  if (keys.some((key) => reserved.includes(key))) return fail('InvalidTagParameterException')
  for (const key of keys) repository.resourceTags.delete(key)
  return ok(undefined)
}
