import { CreateRepositoryCommand, DescribeImagesCommand, PutImageCommand } from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { bytesOf, digestOf, imageManifest, OCI_MANIFEST, pushImage, uploadBlob, useRegistry } from './harness.js'

const { client, v2, ecr } = useRegistry()

describe('push and pull through the registry API', () => {
  it('answers the version check with the registry API version', async () => {
    const response = await v2('/v2/')
    expect(response.status).toBe(200)
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
  })

  it('leaves /v2 requests to hosts that are no ECR registry alone (unless registryOnAnyHost)', async () => {
    // MSW refuses requests no handler answers (onUnhandledRequest: 'error').
    await expect(fetch('http://localhost:4566/v2/')).rejects.toThrow()
  })

  it('pushes an image that DescribeImages then reports, and pulls it back byte for byte', async () => {
    await client().send(new CreateRepositoryCommand({ repositoryName: 'web' }))
    const { manifest, digest, layer } = await pushImage(v2, 'web', 'v1')

    const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName: 'web' }))
    expect(imageDetails).toMatchObject([{ imageDigest: digest, imageTags: ['v1'], imageManifestMediaType: OCI_MANIFEST }])

    const pulled = await v2('/v2/web/manifests/v1', { headers: { accept: OCI_MANIFEST } })
    expect(pulled.status).toBe(200)
    expect(pulled.headers.get('docker-content-digest')).toBe(digest)
    expect(pulled.headers.get('content-type')).toBe(OCI_MANIFEST)
    expect(await pulled.text()).toBe(manifest)

    const blob = await v2(`/v2/web/blobs/${digestOf(layer)}`)
    expect(blob.status).toBe(200)
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(layer)
  })

  it('pulls an image that PutImage put', async () => {
    await client().send(new CreateRepositoryCommand({ repositoryName: 'api' }))
    const config = bytesOf(50, 3)
    const layer = bytesOf(400, 4)
    for (const blob of [config, layer]) expect((await uploadBlob(v2, 'api', blob)).status).toBe(201)
    const { manifest, digest } = imageManifest(config, [layer])
    await client().send(new PutImageCommand({ repositoryName: 'api', imageManifest: manifest, imageTag: 'stable' }))

    const head = await v2('/v2/api/manifests/stable', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('docker-content-digest')).toBe(digest)
    expect(head.headers.get('content-length')).toBe(String(new TextEncoder().encode(manifest).byteLength))
    expect(await (await v2(`/v2/api/manifests/${digest}`)).text()).toBe(manifest)
    expect(ecr.snapshot().length).toBeGreaterThan(0)
  })
})
