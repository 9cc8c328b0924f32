import { ECRServiceException } from '@aws-sdk/client-ecr'
import { createHash } from 'node:crypto'
import type { Ecr } from '../src/index.js'

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
}

/** The error a call rejects with, for assertions on its class, name and message. */
export async function rejection(promise: Promise<unknown>): Promise<ECRServiceException> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!(error instanceof ECRServiceException)) throw new Error(`expected an ECR error, got ${String(error)}`)
  return error
}

/** `sha256:<hex>` computed independently of the engine (node:crypto). */
export function sha256(content: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`
}

/** Uploads a config blob and layer blobs of the given sizes through the engine; returns their descriptors. */
export async function uploadBlobs(
  ecr: Ecr,
  repositoryName: string,
  layerSizes: number[] = [100, 200],
  region = 'eu-west-1',
): Promise<{ config: Descriptor; layers: Descriptor[] }> {
  const unique = `${Math.random()}`
  const config = new TextEncoder().encode(JSON.stringify({ architecture: 'amd64', os: 'linux', unique }))
  const context = { region }
  const layers: Descriptor[] = []
  for (const [index, size] of layerSizes.entries()) {
    const bytes = new Uint8Array(size).fill((index * 37 + unique.length) % 251)
    bytes.set(new TextEncoder().encode(unique).subarray(0, size))
    layers.push({
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
      digest: await ecr.seed.blob(repositoryName, bytes, context),
      size,
    })
  }
  return {
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      digest: await ecr.seed.blob(repositoryName, config, context),
      size: config.byteLength,
    },
    layers,
  }
}

/** A Docker v2 schema 2 manifest text. */
export function dockerManifest({ config, layers }: { config: Descriptor; layers: Descriptor[] }): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config, layers }, null, 2)
}

/** A manifest list / OCI index text over child manifests. */
export function indexManifest(children: Array<{ digest: string; manifest: string }>, mediaType = DOCKER_LIST): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType,
    manifests: children.map(({ digest, manifest }, index) => ({
      mediaType: mediaType === DOCKER_LIST ? DOCKER_MANIFEST : OCI_MANIFEST,
      digest,
      size: Buffer.byteLength(manifest),
      platform: { os: 'linux', architecture: index === 0 ? 'amd64' : 'arm64' },
    })),
  })
}
