import { describe, expect, it } from 'vitest'
import { createEcr } from '../../src/index.js'
import { sha256 } from '../fixtures.js'

describe('seeding helpers', () => {
  it('uploads blobs larger than one part in parts of the recommended size', async () => {
    const ecr = createEcr()
    await ecr.seed.repository('big')
    const bytes = new Uint8Array(25 * 1024 * 1024).map((_, i) => i % 251)
    const digest = await ecr.seed.blob('big', bytes)
    expect(digest).toBe(sha256(bytes))
    const { layers } = await ecr.call('BatchCheckLayerAvailability', { repositoryName: 'big', layerDigests: [digest] })
    expect(layers).toEqual([{ layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: bytes.byteLength }])
  })

  it('pushes single- and multi-platform images that describe themselves as DescribeImages does', async () => {
    const ecr = createEcr()
    const single = await ecr.seed.image('web', { tag: 'v1', layers: [10, 20], format: 'oci' })
    const multi = await ecr.seed.multiPlatformImage('web', { tag: 'latest' })
    const { imageDetails } = await ecr.call('DescribeImages', {
      repositoryName: 'web',
      imageIds: [{ imageTag: 'v1' }, { imageTag: 'latest' }],
    })
    expect(imageDetails?.map((detail) => [detail.imageDigest, detail.imageSizeInBytes, detail.imageManifestMediaType])).toEqual([
      [single.imageDigest, single.imageSizeInBytes, single.imageManifestMediaType],
      [multi.imageDigest, multi.imageSizeInBytes, multi.imageManifestMediaType],
    ])
    expect(multi.children).toHaveLength(2)
    // Seeding an existing repository reuses it.
    const repository = await ecr.seed.repository('web')
    expect(repository.repositoryName).toBe('web')
  })
})
