import { describe, expect, it } from 'vitest'
import { createEcr, RegistryError } from '../../src/index.js'
import { sha256Digest } from '../../src/digest.js'

const host = { accountId: '123456789012', region: 'us-east-1' }

/** A login as docker makes it: the `Authorization` header built from GetAuthorizationToken. */
async function login(ecr = createEcr()) {
  const { authorizationData } = await ecr.call('GetAuthorizationToken', {})
  return { ecr, authorization: `Basic ${authorizationData?.[0]?.authorizationToken}` }
}

describe('ecr.registry (the engine without HTTP)', () => {
  it('pushes a blob and a manifest that the ECR API then describes, and pulls it back by tag', async () => {
    const { ecr, authorization } = await login()
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const place = await ecr.registry.authenticate(authorization, host)

    const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}')
    const digest = sha256Digest(config)
    const upload = await ecr.registry.startUpload(place, 'web')
    if (!('uploadId' in upload)) throw new Error('expected an upload, not a mount')
    await ecr.registry.appendUpload(place, 'web', upload.uploadId, config, 0)
    expect(await ecr.registry.finishUpload(place, 'web', upload.uploadId, digest)).toEqual({ digest, size: config.length })

    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: config.length },
      layers: [],
    })
    const pushed = await ecr.registry.putManifest(place, 'web', 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json')

    const { imageDetails } = await ecr.call('DescribeImages', { repositoryName: 'web' })
    expect(imageDetails?.map(({ imageDigest, imageTags }) => ({ imageDigest, imageTags }))).toEqual([{ imageDigest: pushed.digest, imageTags: ['v1'] }])
    expect(await ecr.registry.getManifest(place, 'web', 'v1')).toMatchObject({ digest: pushed.digest, manifest })
    expect(await ecr.registry.listTags(place, 'web')).toEqual({ name: 'web', tags: ['v1'] })
  })

  it('fails with RegistryErrors carrying the OCI code and HTTP status ECR answers with', async () => {
    const { ecr, authorization } = await login()
    const refused = await ecr.registry.authenticate('Basic QVdTOm5vdC1hLXRva2Vu', host).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(RegistryError)
    expect(refused).toMatchObject({ code: 'UNAUTHORIZED', status: 401 })
    expect((refused as RegistryError).headers['WWW-Authenticate']).toMatch(/^Basic realm="https:\/\/123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/"/)

    const place = await ecr.registry.authenticate(authorization, host)
    const missing = await ecr.registry.getManifest(place, 'nothing-here', 'latest').catch((error: unknown) => error)
    expect(missing).toBeInstanceOf(RegistryError)
    expect(missing).toMatchObject({ code: 'NAME_UNKNOWN', status: 404 })
  })
})
