import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
  type ECRClient,
  type Image,
} from '@aws-sdk/client-ecr'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
// Uncompressed layers: their digests are also the config's diff_ids.
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar'
const KiB = 1024

/**
 * Pushes a generated single-platform image the way `docker push` does, through the SDK: each
 * blob is checked, uploaded (InitiateLayerUpload → UploadLayerPart → CompleteLayerUpload) unless
 * the repository has it, then the manifest goes up with PutImage. Content is random, so every
 * push is a new image with its own digest and size.
 *
 * @example
 * const image = await pushGeneratedImage(client, 'web', 'v1')
 * image.imageId?.imageDigest // 'sha256:…'
 */
export async function pushGeneratedImage(client: ECRClient, repositoryName: string, imageTag?: string): Promise<Image> {
  const layers = [randomBytes(16 * KiB + randomInt(96 * KiB)), randomBytes(KiB + randomInt(8 * KiB))]
  const layerDescriptors = []
  for (const bytes of layers) {
    layerDescriptors.push({ mediaType: OCI_LAYER, digest: await uploadBlob(client, repositoryName, bytes), size: bytes.byteLength })
  }
  const config = new TextEncoder().encode(
    JSON.stringify({
      created: new Date().toISOString(),
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sh'], Labels: { 'org.opencontainers.image.title': `${repositoryName}:${imageTag ?? ''}` } },
      rootfs: { type: 'layers', diff_ids: layerDescriptors.map((layer) => layer.digest) },
    }),
  )
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: await uploadBlob(client, repositoryName, config), size: config.byteLength },
    layers: layerDescriptors,
  })
  const { image } = await client.send(
    new PutImageCommand({ repositoryName, imageManifest: manifest, imageManifestMediaType: OCI_MANIFEST, imageTag: imageTag || undefined }),
  )
  return image!
}

/** Uploads one blob in one part (they are far below ECR's 5 MiB minimum part size); returns its digest. */
async function uploadBlob(client: ECRClient, repositoryName: string, bytes: Uint8Array): Promise<string> {
  const digest = await sha256(bytes)
  const { layers } = await client.send(new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: [digest] }))
  if (layers?.[0]?.layerAvailability === 'AVAILABLE') return digest
  const { uploadId } = await client.send(new InitiateLayerUploadCommand({ repositoryName }))
  await client.send(
    new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: 0, partLastByte: bytes.byteLength - 1, layerPartBlob: bytes }),
  )
  await client.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [digest] }))
  return digest
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
  return `sha256:${Array.from(hash, (byte) => byte.toString(16).padStart(2, '0')).join('')}`
}

function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size)
  // getRandomValues fills at most 64 KiB per call.
  for (let offset = 0; offset < size; offset += 65_536) crypto.getRandomValues(bytes.subarray(offset, offset + 65_536))
  return bytes
}

function randomInt(below: number): number {
  return Math.floor(Math.random() * below)
}
