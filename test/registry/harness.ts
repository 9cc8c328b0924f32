import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { ecrHandlers, type EcrHandlersOptions } from '../../handlers/index.js'
import { createEcr, type EcrOptions } from '../../src/index.js'
import { sha256Digest } from '../../src/digest.js'
import { credentials } from '../sdk/harness.js'

export const ACCOUNT = '123456789012'
export const REGION = 'eu-west-1'
/** The registry host of the engine's account and region, as docker names it. */
export const REGISTRY = `https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'

/**
 * An engine behind MSW (ECR API, downloads and registry API), reset after each test; `client()`
 * is a real SDK client, `login()` the `Authorization` header docker would send after
 * `docker login` with GetAuthorizationToken's token, and `v2(path, init)` a fetch of the
 * registry API with it.
 */
export function useRegistry(options: EcrOptions = {}, handlerOptions: EcrHandlersOptions = {}) {
  const ecr = createEcr({ accountId: ACCOUNT, region: REGION, ...options })
  const server = setupServer(...ecrHandlers(ecr, handlerOptions))
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => ecr.reset())
  afterAll(() => server.close())
  const client = (region = REGION) => new ECRClient({ region, credentials, maxAttempts: 1 })
  const login = async (region = REGION): Promise<string> => {
    const { authorizationData } = await client(region).send(new GetAuthorizationTokenCommand({}))
    return `Basic ${authorizationData![0]!.authorizationToken!}`
  }
  const v2 = async (path: string, init: RequestInit & { authorization?: string | null; registry?: string } = {}) => {
    const { authorization, registry = REGISTRY, headers, ...rest } = init
    const auth = authorization === undefined ? await login() : authorization
    return fetch(`${registry}${path}`, {
      ...rest,
      headers: { ...(auth !== null && { authorization: auth }), ...(headers as Record<string, string> | undefined) },
    })
  }
  return { ecr, server, client, login, v2 }
}

/** Bytes of `size` that differ with `seed`. */
export function bytesOf(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size)
  for (let at = 0; at < size; at++) bytes[at] = (at * 31 + seed * 7) % 251
  return bytes
}

/** The sha256 digest of bytes. */
export function digestOf(bytes: Uint8Array): string {
  return sha256Digest(bytes)
}

/** An OCI image manifest for a config and layers (bytes), with its text and digest. */
export function imageManifest(config: Uint8Array, layers: Uint8Array[], extra: Record<string, unknown> = {}) {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: digestOf(config), size: config.byteLength },
    layers: layers.map((layer) => ({ mediaType: OCI_LAYER, digest: digestOf(layer), size: layer.byteLength })),
    ...extra,
  })
  return { manifest, digest: sha256Digest(manifest) }
}

type V2 = ReturnType<typeof useRegistry>['v2']

/** Uploads a blob monolithically (POST then PUT ?digest=), as docker and crane do for small blobs; returns the response of the PUT. */
export async function uploadBlob(v2: V2, name: string, bytes: Uint8Array<ArrayBuffer>): Promise<Response> {
  const started = await v2(`/v2/${name}/blobs/uploads/`, { method: 'POST' })
  const location = started.headers.get('location')!
  return v2(`${location}?digest=${encodeURIComponent(digestOf(bytes))}`, {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': 'application/octet-stream' },
  })
}

/** Pushes an image (config, one layer, manifest under `reference`) through the registry API. */
export async function pushImage(v2: V2, name: string, reference: string, seed = 1) {
  const config = new TextEncoder().encode(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }))
  const layer = bytesOf(1000 + seed, seed)
  for (const blob of [config, layer]) {
    const response = await uploadBlob(v2, name, blob)
    if (response.status !== 201) throw new Error(`upload failed: ${response.status} ${await response.text()}`)
  }
  const { manifest, digest } = imageManifest(config, [layer])
  const put = await v2(`/v2/${name}/manifests/${reference}`, { method: 'PUT', body: manifest, headers: { 'content-type': OCI_MANIFEST } })
  if (put.status !== 201) throw new Error(`manifest put failed: ${put.status} ${await put.text()}`)
  return { config, layer, manifest, digest }
}
