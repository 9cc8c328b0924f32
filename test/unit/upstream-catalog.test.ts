import { describe, expect, it } from 'vitest'
import { UpstreamCatalog } from '../../src/upstream-catalog.js'

const HUB = 'registry-1.docker.io'

describe('the upstream catalog', () => {
  it('gives the same content for the same place in every catalog, and different content elsewhere', () => {
    const one = new UpstreamCatalog([{ registryUrl: HUB, repositories: [{ name: 'library/nginx', images: [{ tag: '1' }] }] }])
    const two = new UpstreamCatalog()
    const added = two.add('REGISTRY-1.docker.io', 'library/nginx', { tag: '1' })
    expect(one.find(HUB, 'library/nginx', { tag: '1' })?.digest).toBe(added.digest)
    expect(two.add(HUB, 'library/redis', { tag: '1' }).digest).not.toBe(added.digest)
  })

  it('moves a tag to the image added last with it, and finds images and children by digest', () => {
    const catalog = new UpstreamCatalog()
    const first = catalog.add(HUB, 'app', { tags: ['v1', 'latest'] })
    const second = catalog.add(HUB, 'app', { tag: 'latest', platforms: [{ os: 'linux', architecture: 'arm64' }] })
    expect(catalog.find(HUB, 'app', { tag: 'latest' })?.digest).toBe(second.digest)
    expect(catalog.find(HUB, 'app', { tag: 'v1' })?.digest).toBe(first.digest)
    expect(catalog.find(HUB, 'app', { tag: 'v1', digest: second.digest })).toBeUndefined()
    expect(catalog.find(HUB, 'app', { digest: second.children[0]!.digest })?.mediaType).toBe(second.children[0]!.mediaType)
    expect(catalog.imageHolding(HUB, 'app', first.blobs[1]!.digest)?.digest).toBe(first.digest)
    expect(catalog.find(HUB, 'other', { tag: 'v1' })).toBeUndefined()
  })

  it('goes back to what it was created with on reset, and refuses a tag no registry would take', () => {
    const catalog = new UpstreamCatalog([{ registryUrl: HUB, credentialArn: 'arn:secret', repositories: [{ name: 'app', images: [{ tag: 'v1' }] }] }])
    catalog.add(HUB, 'app', { tag: 'v2' })
    catalog.reset()
    expect(catalog.find(HUB, 'app', { tag: 'v2' })).toBeUndefined()
    expect(catalog.find(HUB, 'app', { tag: 'v1' })).toBeDefined()
    expect(catalog.credentialArn(HUB)).toBe('arn:secret')
    expect(() => catalog.add(HUB, 'app', { tag: 'not a tag' })).toThrow(RangeError)
  })
})
