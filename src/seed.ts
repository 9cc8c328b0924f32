import { sha256Digest } from './digest.js'
import { EcrError } from './errors.js'
import { generateImage, generateIndex, type GeneratedImage, type GeneratedImageOptions } from './generated-image.js'
import type { CallContext, Ecr, SeededImage, Seeder } from './glossary.js'
import type { UpstreamCatalog } from './upstream-catalog.js'

/**
 * `newId` is the engine's id generator: seeded content is as deterministic as the engine's ids.
 * `upstreams` is what the engine's pull through cache rules pull from.
 */
export function createSeeder(call: Ecr['call'], newId: () => string, upstreams: UpstreamCatalog): Seeder {

  const repository: Seeder['repository'] = async (name, settings = {}, context) => {
    try {
      const { repository: created } = await call('CreateRepository', { ...settings, repositoryName: name }, context)
      return created!
    } catch (error) {
      if (!(error instanceof EcrError) || error.code !== 'RepositoryAlreadyExistsException') throw error
      const { repositories } = await call('DescribeRepositories', { repositoryNames: [name] }, context)
      return repositories![0]!
    }
  }

  const blob: Seeder['blob'] = async (repositoryName, bytes, context) => {
    const digest = sha256Digest(bytes)
    const { layers } = await call('BatchCheckLayerAvailability', { repositoryName, layerDigests: [digest] }, context)
    if (layers?.[0]?.layerAvailability === 'AVAILABLE') return digest
    const { uploadId, partSize = bytes.byteLength } = await call('InitiateLayerUpload', { repositoryName }, context)
    // In parts of the size ECR recommends, as docker does: blobs of any size fit.
    for (let first = 0; first < bytes.byteLength; first += partSize) {
      const part = bytes.subarray(first, Math.min(first + partSize, bytes.byteLength))
      await call(
        'UploadLayerPart',
        { repositoryName, uploadId, partFirstByte: first, partLastByte: first + part.byteLength - 1, layerPartBlob: part },
        context,
      )
    }
    await call('CompleteLayerUpload', { repositoryName, uploadId, layerDigests: [digest] }, context)
    return digest
  }

  const image: Seeder['image'] = async (repositoryName, options = {}) => {
    await repository(repositoryName, {}, options.context)
    return push(repositoryName, newContent(repositoryName, options), options)
  }

  const multiPlatformImage: Seeder['multiPlatformImage'] = async (repositoryName, options = {}) => {
    const { context } = options
    await repository(repositoryName, {}, context)
    const index = generateIndex(options, (platform) => newContent(repositoryName, { platform, ...(options.format && { format: options.format }) }))
    const children: SeededImage[] = []
    for (const child of index.children) children.push(await push(repositoryName, child, { ...(context && { context }) }))
    return { ...(await push(repositoryName, index, options)), children }
  }

  /**
   * A new image's content. Every seeded image gets distinct content, so seeding never collides
   * with an earlier image (even one an earlier engine left in shared storage).
   */
  const newContent = (repositoryName: string, options: GeneratedImageOptions): GeneratedImage => {
    const id = newId()
    return generateImage(`${repositoryName}:${id}`, `seed ${id}`, options)
  }

  /** Uploads an image's blobs, pushes its manifest and describes the seeded image. */
  const push = async (
    repositoryName: string,
    generated: GeneratedImage,
    { tag, context }: { tag?: string; context?: CallContext },
  ): Promise<SeededImage> => {
    for (const { bytes } of generated.blobs) await blob(repositoryName, bytes, context)
    await call('PutImage', { repositoryName, imageManifest: generated.manifest, ...(tag !== undefined && { imageTag: tag }) }, context)
    return seededImage(repositoryName, generated, tag)
  }

  const upstream: Seeder['upstream'] = async (registryUrl, repositoryName, seed = {}) => {
    const image = upstreams.add(registryUrl, repositoryName, seed)
    return {
      ...seededImage(repositoryName, image, image.tags[0]),
      ...(image.children.length > 0 && { children: image.children.map((child) => seededImage(repositoryName, child)) }),
    }
  }

  return { repository, blob, image, multiPlatformImage, upstream }
}

/** How a seeding helper describes an image it made. */
function seededImage(repositoryName: string, generated: GeneratedImage, tag?: string): SeededImage {
  return {
    repositoryName,
    imageDigest: generated.digest,
    ...(tag !== undefined && { imageTag: tag }),
    imageManifest: generated.manifest,
    imageManifestMediaType: generated.mediaType,
    imageSizeInBytes: generated.sizeInBytes,
  }
}
