import {
  BatchDeleteImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  InitiateLayerUploadCommand,
  InvalidLayerPartException,
  InvalidParameterException,
  LayerPartTooSmallException,
  LimitExceededException,
  PutImageCommand,
  UploadLayerPartCommand,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { rejection as failure } from '../fixtures.js'
import { createEcr, DEFAULT_LIMITS } from '../../src/index.js'
import { sha256 } from '../fixtures.js'
import { useFakeEcr } from '../sdk/harness.js'

// Small limits, so reaching one takes a handful of calls. Manifests are recorded without blobs.
const { ecr, client } = useFakeEcr({
  verifyReferences: false,
  limits: {
    repositoriesPerRegistry: 2,
    imagesPerRepository: 2,
    tagsPerImage: 2,
    minLayerPartBytes: 4,
    maxLayerPartBytes: 8,
    layerPartsPerUpload: 3,
    layerBytes: 20,
    manifestBytes: 400,
  },
})

/** A distinct OCI image manifest for each `n`. */
function manifest(n: number, annotation = ''): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 2 },
    layers: [],
    annotations: { n: String(n), annotation },
  })
}

describe('repositories per registry', () => {
  it('refuses one repository too many with LimitExceededException, changing nothing, until one is deleted', async () => {
    await client().send(new CreateRepositoryCommand({ repositoryName: 'one' }))
    await client().send(new CreateRepositoryCommand({ repositoryName: 'two' }))
    const before = ecr.snapshot()
    const error = await failure(client().send(new CreateRepositoryCommand({ repositoryName: 'three' })))
    expect(error).toBeInstanceOf(LimitExceededException)
    expect(error.message).toBe("The registry with id '123456789012' already has the maximum allowed number of repositories which is '2'")
    expect(ecr.snapshot()).toEqual(before)

    // The limit is per account and region.
    await client({ region: 'us-west-2' }).send(new CreateRepositoryCommand({ repositoryName: 'three' }))
    await client().send(new DeleteRepositoryCommand({ repositoryName: 'one' }))
    await client().send(new CreateRepositoryCommand({ repositoryName: 'three' }))
  })
})

describe('images per repository', () => {
  it('refuses a new image in a full repository, but still moves tags between its images', async () => {
    await client().send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    const push = (n: number, imageTag?: string) =>
      client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest(n), ...(imageTag && { imageTag }) }))
    await push(1, 'v1')
    await push(2, 'v2')
    const before = ecr.snapshot()
    const error = await failure(push(3, 'v3'))
    expect(error).toBeInstanceOf(LimitExceededException)
    expect(error.message).toBe(
      "The repository with name 'app' in registry with id '123456789012' already has the maximum allowed number of images which is '2'",
    )
    expect(ecr.snapshot()).toEqual(before)

    await push(1, 'latest')
    await client().send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v2' }] }))
    await push(3, 'v3')
  })
})

describe('tags per image', () => {
  it('refuses a tag beyond the configured number with the number in ECR’s message', async () => {
    await client().send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    for (const tag of ['a', 'b']) {
      await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest(1), imageTag: tag }))
    }
    const error = await failure(client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest(1), imageTag: 'c' })))
    expect(error).toBeInstanceOf(LimitExceededException)
    expect(error.message).toMatch(/exceeds the maximum allowed number of tags per image which is '2'$/)
  })
})

describe('layer uploads', () => {
  const upload = async () => {
    await client().send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    const { uploadId } = await client().send(new InitiateLayerUploadCommand({ repositoryName: 'app' }))
    let next = 0
    const part = (size: number) => {
      const first = next
      return client()
        .send(
          new UploadLayerPartCommand({
            repositoryName: 'app',
            uploadId,
            partFirstByte: first,
            partLastByte: first + size - 1,
            layerPartBlob: new Uint8Array(size).fill(size),
          }),
        )
        .then(() => void (next += size))
    }
    const complete = (bytes: Uint8Array) =>
      client().send(new CompleteLayerUploadCommand({ repositoryName: 'app', uploadId, layerDigests: [sha256(bytes)] }))
    return { uploadId: uploadId!, part, complete }
  }

  it('refuses a part over the part size with InvalidLayerPartException, and the same bytes in smaller parts work', async () => {
    const { uploadId, part } = await upload()
    await part(8)
    const error = await failure(part(9))
    expect(error).toBeInstanceOf(InvalidLayerPartException)
    expect(error).toMatchObject({ uploadId, lastValidByteReceived: 7 })
    expect(error.message).toBe('The layer part size 9 bytes exceeds the maximum layer part size of 8 bytes')
    await part(4)
  })

  it('refuses parts beyond the parts per upload and bytes beyond the layer size with LimitExceededException', async () => {
    const { part } = await upload()
    await part(8)
    await part(8)
    const tooBig = await failure(part(5))
    expect(tooBig).toBeInstanceOf(LimitExceededException)
    expect(tooBig.message).toMatch(/would exceed the maximum layer size of 20 bytes$/)
    await part(4)
    const tooMany = await failure(part(1))
    expect(tooMany).toBeInstanceOf(LimitExceededException)
    expect(tooMany.message).toMatch(/already has the maximum allowed number of layer parts which is '3'$/)
  })

  it('checks the smallest part against the configured minimum when the upload completes', async () => {
    const small = await upload()
    await small.part(3)
    await small.part(1)
    const error = await failure(small.complete(Buffer.concat([new Uint8Array(3).fill(3), new Uint8Array(1).fill(1)])))
    expect(error).toBeInstanceOf(LayerPartTooSmallException)
    expect(error.message).toBe('All layer parts except the last part should be at least 4 bytes')

    const { uploadId } = await client().send(new InitiateLayerUploadCommand({ repositoryName: 'app' }))
    const bytes = Uint8Array.from([4, 4, 4, 4, 1])
    for (const [first, last] of [
      [0, 3],
      [4, 4],
    ] as const) {
      await client().send(
        new UploadLayerPartCommand({ repositoryName: 'app', uploadId, partFirstByte: first, partLastByte: last, layerPartBlob: bytes.slice(first, last + 1) }),
      )
    }
    const { layerDigest } = await client().send(
      new CompleteLayerUploadCommand({ repositoryName: 'app', uploadId, layerDigests: [sha256(bytes)] }),
    )
    expect(layerDigest).toBe(sha256(bytes))
  })
})

describe('manifest size', () => {
  it('refuses a manifest over the configured size with InvalidParameterException', async () => {
    await client().send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest(1) }))
    const big = manifest(2, 'x'.repeat(400))
    const error = await failure(client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: big })))
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe(
      `Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Image manifest size ${Buffer.byteLength(big)} bytes exceeds the maximum of 400 bytes'`,
    )
  })

  it('counts UTF-8 bytes, not characters: 1.5 million euro signs are 4.5 MB, over the default 4 MiB', async () => {
    const defaults = createEcr({ verifyReferences: false })
    await defaults.call('CreateRepository', { repositoryName: 'app' })
    const euros = manifest(1, '€'.repeat(1_500_000))
    expect(euros.length).toBeLessThan(DEFAULT_LIMITS.manifestBytes)
    await expect(defaults.call('PutImage', { repositoryName: 'app', imageManifest: euros })).rejects.toMatchObject({
      code: 'InvalidParameterException',
      message: expect.stringMatching(/'Image manifest size 45\d{5} bytes exceeds the maximum of 4194304 bytes'$/),
    })
    // A third of the signs fits.
    await defaults.call('PutImage', { repositoryName: 'app', imageManifest: manifest(1, '€'.repeat(500_000)) })
  })
})

describe('limits option', () => {
  it('documents AWS’s quotas as defaults and refuses limits that are not whole numbers', () => {
    expect(DEFAULT_LIMITS).toEqual({
      repositoriesPerRegistry: 100_000,
      imagesPerRepository: 100_000,
      tagsPerImage: 1000,
      manifestBytes: 4 * 1024 * 1024,
      minLayerPartBytes: 5 * 1024 * 1024,
      maxLayerPartBytes: 20 * 1024 * 1024,
      layerPartsPerUpload: 4200,
      layerBytes: 52_000 * 1024 * 1024,
      pullThroughCacheRulesPerRegistry: 50,
    })
    expect(() => createEcr({ limits: { imagesPerRepository: -1 } })).toThrow(RangeError)
    expect(() => createEcr({ limits: { tagsPerImage: 1.5 } })).toThrow(/limits.tagsPerImage must be a whole number/)
  })
})
