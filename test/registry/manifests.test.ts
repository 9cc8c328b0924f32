import { describe, expect, it } from 'vitest'
import { bytesOf, digestOf, imageManifest, OCI_MANIFEST, pushImage, uploadBlob, useRegistry } from './harness.js'

const { v2, ecr } = useRegistry({
  upstreams: [{ registryUrl: 'public.ecr.aws', repositories: [{ name: 'docker/library/alpine', images: [{ tags: ['3.20'] }] }] }],
})

type Errors = { errors: Array<{ code: string; message: string }> }
async function errorOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
  return { status: response.status, ...((await response.json()) as Errors).errors[0]! }
}

describe('manifests through the registry API', () => {
  it('answers NAME_UNKNOWN for a repository that does not exist, in ECR’s words', async () => {
    expect(await errorOf(await v2('/v2/missing/manifests/latest'))).toEqual({
      status: 404,
      code: 'NAME_UNKNOWN',
      message: "The repository with name 'missing' does not exist in the registry with id '123456789012'",
    })
  })

  it('answers NAME_INVALID for a name ECR does not allow, before anything else', async () => {
    const { status, code } = await errorOf(await v2('/v2/Upper/manifests/latest'))
    expect([status, code]).toEqual([400, 'NAME_INVALID'])
  })

  it('answers MANIFEST_UNKNOWN, Requested image not found, for a tag or digest the repository lacks', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    for (const reference of ['latest', `sha256:${'a'.repeat(64)}`]) {
      expect(await errorOf(await v2(`/v2/web/manifests/${reference}`))).toEqual({ status: 404, code: 'MANIFEST_UNKNOWN', message: 'Requested image not found' })
    }
    expect((await errorOf(await v2('/v2/web/manifests/bad%20tag'))).code).toBe('TAG_INVALID')
  })

  it('pushes by digest (201, Location, Docker-Content-Digest) and again under a tag', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const { digest, manifest } = await pushImage(v2, 'web', 'v1')
    const byDigest = await v2(`/v2/web/manifests/${digest}`, { method: 'PUT', body: manifest, headers: { 'content-type': OCI_MANIFEST } })
    expect(byDigest.status).toBe(201)
    expect(byDigest.headers.get('location')).toBe(`/v2/web/manifests/${digest}`)
    expect(byDigest.headers.get('docker-content-digest')).toBe(digest)
    const tagged = await v2('/v2/web/manifests/v2', { method: 'PUT', body: manifest, headers: { 'content-type': OCI_MANIFEST } })
    expect(tagged.status).toBe(201)
    const { imageIds } = await ecr.call('ListImages', { repositoryName: 'web' })
    expect(imageIds).toHaveLength(2)
  })

  it('refuses a manifest whose digest is not the one in the URL, and one whose blobs were never pushed', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const { manifest } = imageManifest(bytesOf(10), [bytesOf(20)])
    const before = ecr.snapshot()
    const wrong = await errorOf(await v2(`/v2/web/manifests/sha256:${'b'.repeat(64)}`, { method: 'PUT', body: manifest, headers: { 'content-type': OCI_MANIFEST } }))
    expect([wrong.status, wrong.code]).toEqual([400, 'MANIFEST_INVALID'])
    const missing = await errorOf(await v2('/v2/web/manifests/v1', { method: 'PUT', body: manifest, headers: { 'content-type': OCI_MANIFEST } }))
    expect(missing.code).toBe('MANIFEST_BLOB_UNKNOWN')
    expect(missing.message).toContain(`Layers with digests '[${digestOf(bytesOf(10))}, ${digestOf(bytesOf(20))}]'`)
    const put = (body: string) => v2('/v2/web/manifests/v1', { method: 'PUT', body, headers: { 'content-type': OCI_MANIFEST } })
    const message = "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"
    // What ECR cannot classify is UNSUPPORTED (observed); what is not JSON at all, MANIFEST_INVALID.
    expect(await errorOf(await put('{"nope":1}'))).toEqual({ status: 405, code: 'UNSUPPORTED', message })
    expect(await errorOf(await put('not json'))).toEqual({ status: 400, code: 'MANIFEST_INVALID', message })
    expect(ecr.snapshot()).toEqual(before)
  })

  it('refuses to move a tag of an immutable repository with TAG_INVALID', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web', imageTagMutability: 'IMMUTABLE' })
    await pushImage(v2, 'web', 'v1', 1)
    const again = await pushImage(v2, 'web', 'v1', 2).catch((error: Error) => error.message)
    expect(again).toContain('TAG_INVALID')
    expect(again).toContain("The image tag 'v1' already exists in the 'web' repository and cannot be overwritten because the repository is immutable.")
  })

  it('creates the repository on push where a CREATE_ON_PUSH template matches', async () => {
    await ecr.call('CreateRepositoryCreationTemplate', { prefix: 'team', appliedFor: ['CREATE_ON_PUSH'], imageTagMutability: 'IMMUTABLE' })
    await pushImage(v2, 'team/app', 'v1')
    const { repositories } = await ecr.call('DescribeRepositories', { repositoryNames: ['team/app'] })
    expect(repositories![0]!.imageTagMutability).toBe('IMMUTABLE')
  })

  it('pulls through a pull through cache rule on first pull', async () => {
    await ecr.call('CreatePullThroughCacheRule', { ecrRepositoryPrefix: 'ecr-public', upstreamRegistryUrl: 'public.ecr.aws' })
    const response = await v2('/v2/ecr-public/docker/library/alpine/manifests/3.20')
    expect(response.status).toBe(200)
    const { layers, config } = (await response.json()) as { layers: Array<{ digest: string }>; config: { digest: string } }
    for (const { digest } of [config, ...layers]) expect((await v2(`/v2/ecr-public/docker/library/alpine/blobs/${digest}`)).status).toBe(200)
    expect((await errorOf(await v2('/v2/ecr-public/docker/library/alpine/manifests/9.99'))).code).toBe('MANIFEST_UNKNOWN')
  })

  it('records a pull on GET, not on HEAD', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    await pushImage(v2, 'web', 'v1')
    await v2('/v2/web/manifests/v1', { method: 'HEAD' })
    const headed = await ecr.call('DescribeImages', { repositoryName: 'web' })
    expect(headed.imageDetails![0]!.lastRecordedPullTime).toBeUndefined()
    await v2('/v2/web/manifests/v1')
    const pulled = await ecr.call('DescribeImages', { repositoryName: 'web' })
    expect(pulled.imageDetails![0]!.lastRecordedPullTime).toBeInstanceOf(Date)
  })

  it('deletes by digest (202) and refuses deletes by tag (405 UNSUPPORTED)', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const { digest } = await pushImage(v2, 'web', 'v1')
    expect(await errorOf(await v2('/v2/web/manifests/v1', { method: 'DELETE' }))).toEqual({ status: 405, code: 'UNSUPPORTED', message: 'The operation is unsupported.' })
    expect((await v2(`/v2/web/manifests/${digest}`, { method: 'DELETE' })).status).toBe(202)
    expect((await ecr.call('ListImages', { repositoryName: 'web' })).imageIds).toEqual([])
    expect((await errorOf(await v2(`/v2/web/manifests/${digest}`, { method: 'DELETE' }))).code).toBe('MANIFEST_UNKNOWN')
  })

  it('serves an image pushed with the ECR API’s layer operations', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const layer = bytesOf(300, 5)
    const config = bytesOf(30, 6)
    for (const blob of [layer, config]) {
      const { uploadId } = await ecr.call('InitiateLayerUpload', { repositoryName: 'web' })
      await ecr.call('UploadLayerPart', { repositoryName: 'web', uploadId: uploadId!, partFirstByte: 0, partLastByte: blob.byteLength - 1, layerPartBlob: blob })
      await ecr.call('CompleteLayerUpload', { repositoryName: 'web', uploadId: uploadId!, layerDigests: [digestOf(blob)] })
    }
    const { manifest } = imageManifest(config, [layer])
    await ecr.call('PutImage', { repositoryName: 'web', imageManifest: manifest, imageTag: 'v1' })
    expect(await (await v2('/v2/web/manifests/v1')).text()).toBe(manifest)
    expect(new Uint8Array(await (await v2(`/v2/web/blobs/${digestOf(layer)}`)).arrayBuffer())).toEqual(layer)
    // And a blob the registry API uploaded is one the ECR API sees.
    await uploadBlob(v2, 'web', bytesOf(77, 7))
    const { layers } = await ecr.call('BatchCheckLayerAvailability', { repositoryName: 'web', layerDigests: [digestOf(bytesOf(77, 7))] })
    expect(layers![0]!.layerAvailability).toBe('AVAILABLE')
  })
})
