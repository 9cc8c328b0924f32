import { describe, expect, it } from 'vitest'
import { sha256Digest } from '../../src/digest.js'
import { MediaTypes } from '../../src/index.js'
import { bytesOf, digestOf, OCI_MANIFEST, pushImage, uploadBlob, useRegistry } from './harness.js'

const { v2, ecr } = useRegistry()

/** Pushes a Docker schema 2 image under `v1`. */
async function pushDockerImage() {
  await ecr.call('CreateRepository', { repositoryName: 'web' })
  const config = bytesOf(40, 1)
  const layer = bytesOf(400, 2)
  for (const blob of [config, layer]) await uploadBlob(v2, 'web', blob)
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.dockerManifest,
    config: { mediaType: MediaTypes.dockerConfig, size: config.byteLength, digest: digestOf(config) },
    layers: [{ mediaType: MediaTypes.dockerLayer, size: layer.byteLength, digest: digestOf(layer) }],
  })
  const put = await v2('/v2/web/manifests/v1', { method: 'PUT', body: manifest, headers: { 'content-type': MediaTypes.dockerManifest } })
  expect(put.status).toBe(201)
  return { manifest, digest: sha256Digest(manifest), config, layer }
}

describe('content negotiation of manifest pulls', () => {
  it('answers the stored manifest when the client accepts its type, or names none', async () => {
    const { manifest, digest } = await pushDockerImage()
    for (const accept of [undefined, `${MediaTypes.dockerManifest}, ${OCI_MANIFEST}`, '*/*']) {
      const response = await v2('/v2/web/manifests/v1', accept === undefined ? {} : { headers: { accept } })
      expect(response.headers.get('content-type')).toBe(MediaTypes.dockerManifest)
      expect(response.headers.get('docker-content-digest')).toBe(digest)
      expect(await response.text()).toBe(manifest)
    }
  })

  it('converts a Docker schema 2 image to OCI for a client that accepts only OCI, by tag (ECR’s documented conversion)', async () => {
    const { config, layer } = await pushDockerImage()
    const response = await v2('/v2/web/manifests/v1', { headers: { accept: OCI_MANIFEST } })
    expect(response.headers.get('content-type')).toBe(OCI_MANIFEST)
    const text = await response.text()
    expect(response.headers.get('docker-content-digest')).toBe(sha256Digest(text))
    expect(JSON.parse(text)).toEqual({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: MediaTypes.ociConfig, size: config.byteLength, digest: digestOf(config) },
      layers: [{ mediaType: MediaTypes.ociLayer, size: layer.byteLength, digest: digestOf(layer) }],
    })
  })

  it('converts an OCI image to Docker schema 2 for a client that accepts only that', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const oci = await pushImage(v2, 'web', 'oci')
    const converted = await v2('/v2/web/manifests/oci', { headers: { accept: MediaTypes.dockerManifest } })
    expect(converted.headers.get('content-type')).toBe(MediaTypes.dockerManifest)
    expect(JSON.parse(await converted.text()).config.mediaType).toBe(MediaTypes.dockerConfig)
    expect(converted.headers.get('docker-content-digest')).not.toBe(oci.digest)
  })

  it('never converts a pull by digest, nor an OCI manifest Docker schema 2 cannot express', async () => {
    const { manifest, digest } = await pushDockerImage()
    const byDigest = await v2(`/v2/web/manifests/${digest}`, { headers: { accept: OCI_MANIFEST } })
    expect(await byDigest.text()).toBe(manifest)
    const config = bytesOf(8, 8)
    await uploadBlob(v2, 'web', config)
    const artifact = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example+json',
      config: { mediaType: MediaTypes.ociConfig, size: config.byteLength, digest: digestOf(config) },
      layers: [],
    })
    await v2('/v2/web/manifests/artifact', { method: 'PUT', body: artifact, headers: { 'content-type': OCI_MANIFEST } })
    const answered = await v2('/v2/web/manifests/artifact', { headers: { accept: MediaTypes.dockerManifest } })
    expect(answered.headers.get('content-type')).toBe(OCI_MANIFEST)
    expect(await answered.text()).toBe(artifact)
  })
})
