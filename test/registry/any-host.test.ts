import { describe, expect, it } from 'vitest'
import { digestOf, pushImage, useRegistry } from './harness.js'

const SERVER = 'http://localhost:4566'
const { v2, ecr, login } = useRegistry({}, { registryOnAnyHost: true })

describe('the registry API on any host (registryOnAnyHost), as the standalone server serves it', () => {
  it('acts in the registry of the token, and redirects blob reads to the same origin', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' }, { region: 'us-west-2' })
    const authorization = await login('us-west-2')
    const at = (path: string, init: RequestInit = {}) => v2(path, { ...init, authorization, registry: SERVER })
    const { layer, digest } = await pushImage(at, 'web', 'v1')
    const { imageIds } = await ecr.call('ListImages', { repositoryName: 'web' }, { region: 'us-west-2' })
    expect(imageIds).toEqual([{ imageDigest: digest, imageTag: 'v1' }])
    const redirect = await at(`/v2/web/blobs/${digestOf(layer)}`, { redirect: 'manual' })
    expect(redirect.headers.get('location')).toMatch(new RegExp(`^${SERVER}/layers/123456789012/us-west-2/web/`))
    expect(new Uint8Array(await (await at(`/v2/web/blobs/${digestOf(layer)}`)).arrayBuffer())).toEqual(layer)
  })

  it('challenges with a realm at the server itself', async () => {
    const response = await v2('/v2/', { authorization: null, registry: SERVER })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Basic realm="${SERVER}/",service="ecr.amazonaws.com"`)
  })

  it('lists the registry’s repositories (/v2/_catalog), paged like tags', async () => {
    for (const repositoryName of ['web', 'api', 'team/db']) await ecr.call('CreateRepository', { repositoryName })
    const first = await v2('/v2/_catalog?n=2', { registry: SERVER })
    expect(await first.json()).toEqual({ repositories: ['api', 'team/db'] })
    expect(first.headers.get('link')).toBe('</v2/_catalog?n=2&last=team%2Fdb>; rel="next"')
    expect(await (await v2('/v2/_catalog?n=2&last=team%2Fdb', { registry: SERVER })).json()).toEqual({ repositories: ['web'] })
  })
})
