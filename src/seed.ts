import { sha256Digest } from './digest.js'
import { EcrError } from './errors.js'
import type { CallContext, Ecr, Platform, SeededImage, Seeder } from './glossary.js'
import { MediaTypes } from './manifest.js'

const DEFAULT_LAYERS = [2048, 8192, 32768]
const LINUX_AMD64: Platform = { os: 'linux', architecture: 'amd64' }

/** `newId` is the engine's id generator: seeded content is as deterministic as the engine's ids. */
export function createSeeder(call: Ecr['call'], newId: () => string): Seeder {

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
    const { context } = options
    await repository(repositoryName, {}, context)
    // Every seeded image gets distinct content, so seeding never collides with an earlier image
    // (even one an earlier engine left in shared storage).
    const id = newId()
    const oci = options.format === 'oci'
    const layers: Array<{ mediaType: string; digest: string; size: number }> = []
    for (const [index, size] of (options.layers ?? DEFAULT_LAYERS).entries()) {
      const bytes = generatedBytes(size, `${repositoryName}:${id}:${index}`)
      layers.push({
        mediaType: oci ? MediaTypes.ociLayer : MediaTypes.dockerLayer,
        digest: await blob(repositoryName, bytes, context),
        size,
      })
    }
    const platform = options.platform ?? LINUX_AMD64
    const config = new TextEncoder().encode(
      JSON.stringify({
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant !== undefined && { variant: platform.variant }),
        config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
        rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) },
        history: layers.map((_, index) => ({ created_by: `fake-ecr seed ${id} layer ${index}` })),
      }),
    )
    const configDescriptor = {
      mediaType: oci ? MediaTypes.ociConfig : MediaTypes.dockerConfig,
      digest: await blob(repositoryName, config, context),
      size: config.byteLength,
    }
    const mediaType = oci ? MediaTypes.ociManifest : MediaTypes.dockerManifest
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType, config: configDescriptor, layers }, null, 3)
    const size = configDescriptor.size + layers.reduce((total, layer) => total + layer.size, 0)
    return push(repositoryName, manifest, mediaType, size, options)
  }

  const multiPlatformImage: Seeder['multiPlatformImage'] = async (repositoryName, options = {}) => {
    const { context } = options
    const oci = options.format === 'oci'
    const platforms = options.platforms ?? [LINUX_AMD64, { os: 'linux', architecture: 'arm64', variant: 'v8' }]
    const children: SeededImage[] = []
    for (const platform of platforms) {
      children.push(await image(repositoryName, { platform, format: oci ? 'oci' : 'docker', ...(context && { context }) }))
    }
    const mediaType = oci ? MediaTypes.ociIndex : MediaTypes.dockerManifestList
    const manifest = JSON.stringify(
      {
        schemaVersion: 2,
        mediaType,
        manifests: children.map((child, index) => ({
          mediaType: child.imageManifestMediaType,
          digest: child.imageDigest,
          size: new TextEncoder().encode(child.imageManifest).byteLength,
          platform: platforms[index],
        })),
      },
      null,
      3,
    )
    const size = Math.max(...children.map((child) => child.imageSizeInBytes))
    return { ...(await push(repositoryName, manifest, mediaType, size, options)), children }
  }

  /** Pushes a manifest whose blobs or children are in place, and describes the seeded image. */
  const push = async (
    repositoryName: string,
    manifest: string,
    mediaType: string,
    imageSizeInBytes: number,
    { tag, context }: { tag?: string; context?: CallContext },
  ): Promise<SeededImage> => {
    const { image } = await call(
      'PutImage',
      { repositoryName, imageManifest: manifest, ...(tag !== undefined && { imageTag: tag }) },
      context,
    )
    return {
      repositoryName,
      imageDigest: image!.imageId!.imageDigest!,
      ...(tag !== undefined && { imageTag: tag }),
      imageManifest: manifest,
      imageManifestMediaType: mediaType,
      imageSizeInBytes,
    }
  }

  return { repository, blob, image, multiPlatformImage }
}

/** Deterministic filler bytes (xorshift32 seeded from a label): blob content without randomness. */
function generatedBytes(size: number, label: string): Uint8Array {
  let state = 0x811c9dc5
  for (let i = 0; i < label.length; i++) state = Math.imul(state ^ label.charCodeAt(i), 0x01000193) >>> 0
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    bytes[i] = state & 0xff
  }
  return bytes
}
