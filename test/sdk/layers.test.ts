import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  EmptyUploadException,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  InvalidLayerException,
  InvalidLayerPartException,
  LayerAlreadyExistsException,
  LayerPartTooSmallException,
  LayersNotFoundException,
  UploadLayerPartCommand,
  UploadNotFoundException,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { sha256 } from '../fixtures.js'
import { useFakeEcr } from './harness.js'

let clock = Date.parse('2026-01-01T00:00:00Z')
const { ecr, client, download } = useFakeEcr({ now: () => clock })

const MiB = 1024 * 1024

function bytes(size: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) % 256)
}

async function upload(repositoryName: string, parts: Uint8Array[]) {
  const ecrClient = client()
  const { uploadId } = await ecrClient.send(new InitiateLayerUploadCommand({ repositoryName }))
  let first = 0
  for (const part of parts) {
    const { lastByteReceived } = await ecrClient.send(
      new UploadLayerPartCommand({
        repositoryName,
        uploadId,
        partFirstByte: first,
        partLastByte: first + part.byteLength - 1,
        layerPartBlob: part,
      }),
    )
    expect(lastByteReceived).toBe(first + part.byteLength - 1)
    first += part.byteLength
  }
  return uploadId!
}

async function repository(name = 'app') {
  await client().send(new CreateRepositoryCommand({ repositoryName: name }))
  return name
}

describe('layer uploads', () => {
  it('assembles parts, verifies the digest and makes the layer available', async () => {
    await repository()
    const parts = [bytes(5 * MiB, 1), bytes(123_456, 2)]
    const whole = Buffer.concat(parts)
    const { uploadId, partSize } = await client().send(new InitiateLayerUploadCommand({ repositoryName: 'app' }))
    expect(uploadId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(partSize).toBe(10 * MiB)
    const id = await upload('app', parts)
    const completed = await client().send(
      new CompleteLayerUploadCommand({ repositoryName: 'app', uploadId: id, layerDigests: [sha256(whole)] }),
    )
    expect(completed).toMatchObject({ registryId: '123456789012', repositoryName: 'app', uploadId: id, layerDigest: sha256(whole) })
    const { layers } = await client().send(
      new BatchCheckLayerAvailabilityCommand({ repositoryName: 'app', layerDigests: [sha256(whole)] }),
    )
    expect(layers).toEqual([{ layerDigest: sha256(whole), layerAvailability: 'AVAILABLE', layerSize: whole.byteLength }])
  })

  it('refuses a part that does not continue the upload, saying where it stopped', async () => {
    await repository()
    const id = await upload('app', [bytes(100)])
    const error = await client()
      .send(new UploadLayerPartCommand({ repositoryName: 'app', uploadId: id, partFirstByte: 150, partLastByte: 159, layerPartBlob: bytes(10) }))
      .catch((e) => e)
    expect(error).toBeInstanceOf(InvalidLayerPartException)
    expect(error).toMatchObject({ lastValidByteReceived: 99, uploadId: id, repositoryName: 'app', registryId: '123456789012' })
    // A part whose byte range does not match its length is refused too.
    await expect(
      client().send(new UploadLayerPartCommand({ repositoryName: 'app', uploadId: id, partFirstByte: 100, partLastByte: 199, layerPartBlob: bytes(10) })),
    ).rejects.toThrow(InvalidLayerPartException)
    // The upload is intact: the right continuation still works.
    await client().send(new UploadLayerPartCommand({ repositoryName: 'app', uploadId: id, partFirstByte: 100, partLastByte: 109, layerPartBlob: bytes(10) }))
  })

  it('verifies the digest on completion and keeps the upload after a mismatch', async () => {
    await repository()
    const content = bytes(1000)
    const id = await upload('app', [content])
    const error = await client()
      .send(new CompleteLayerUploadCommand({ repositoryName: 'app', uploadId: id, layerDigests: [sha256('other')] }))
      .catch((e) => e)
    expect(error).toBeInstanceOf(InvalidLayerException)
    expect(error.message).toContain(sha256(content))
    // Digest algorithms are looked up safely: names like `constructor` are just unknown algorithms.
    const hex = Buffer.from(content).toString('hex')
    for (const digest of [`constructor:${hex}`, 'toString:ab', `__proto__:${hex}`]) {
      await expect(
        client().send(new CompleteLayerUploadCommand({ repositoryName: 'app', uploadId: id, layerDigests: [digest] })),
      ).rejects.toThrow(InvalidLayerException)
    }
    const done = await client().send(
      new CompleteLayerUploadCommand({ repositoryName: 'app', uploadId: id, layerDigests: [sha256('other'), sha256(content)] }),
    )
    expect(done.layerDigest).toBe(sha256(content))
  })

  it('reports empty uploads, unknown uploads, small parts and layers that already exist', async () => {
    await repository()
    const { uploadId } = await client().send(new InitiateLayerUploadCommand({ repositoryName: 'app' }))
    await expect(
      client().send(new CompleteLayerUploadCommand({ repositoryName: 'app', uploadId, layerDigests: [sha256('')] })),
    ).rejects.toThrow(EmptyUploadException)

    const unknown = '0f0f0f0f-0000-4000-8000-000000000000'
    await expect(
      client().send(new UploadLayerPartCommand({ repositoryName: 'app', uploadId: unknown, partFirstByte: 0, partLastByte: 0, layerPartBlob: bytes(1) })),
    ).rejects.toThrow(UploadNotFoundException)
    await expect(
      client().send(new CompleteLayerUploadCommand({ repositoryName: 'app', uploadId: unknown, layerDigests: [sha256('x')] })),
    ).rejects.toThrow(UploadNotFoundException)

    const small = [bytes(1000, 1), bytes(1000, 2)]
    const smallId = await upload('app', small)
    const tooSmall = await client()
      .send(new CompleteLayerUploadCommand({ repositoryName: 'app', uploadId: smallId, layerDigests: [sha256(Buffer.concat(small))] }))
      .catch((e) => e)
    expect(tooSmall).toBeInstanceOf(LayerPartTooSmallException)
    expect(tooSmall.message).toBe('All layer parts except the last part should be at least 5MB')

    const content = bytes(64)
    for (const expected of [undefined, LayerAlreadyExistsException]) {
      const id = await upload('app', [content])
      const result = client().send(new CompleteLayerUploadCommand({ repositoryName: 'app', uploadId: id, layerDigests: [sha256(content)] }))
      if (expected === undefined) await result
      else await expect(result).rejects.toThrow(expected)
    }
  })
})

describe('BatchCheckLayerAvailability', () => {
  it('reports available, unavailable, missing and invalid digests', async () => {
    await repository()
    const digest = await ecr.seed.blob('app', bytes(10), { region: 'eu-west-1' })
    const { layers, failures } = await client().send(
      new BatchCheckLayerAvailabilityCommand({ repositoryName: 'app', layerDigests: [digest, sha256('absent'), '', 'not a digest'] }),
    )
    expect(layers).toEqual([
      { layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: 10 },
      { layerDigest: sha256('absent'), layerAvailability: 'UNAVAILABLE' },
    ])
    expect(failures?.map((failure) => [failure.layerDigest, failure.failureCode])).toEqual([
      ['', 'MissingLayerDigest'],
      ['not a digest', 'InvalidLayerDigest'],
    ])
  })

  it('reports the media type of a layer an image references', async () => {
    const image = await ecr.seed.image('app', { tag: 'v1', context: { region: 'eu-west-1' } })
    const config = JSON.parse(image.imageManifest).config
    const { layers } = await client().send(new BatchCheckLayerAvailabilityCommand({ repositoryName: 'app', layerDigests: [config.digest] }))
    expect(layers?.[0]).toEqual({ layerDigest: config.digest, layerAvailability: 'AVAILABLE', layerSize: config.size, mediaType: config.mediaType })
  })
})

describe('GetDownloadUrlForLayer', () => {
  it('returns an https URL that serves the layer bytes for an hour', async () => {
    const image = await ecr.seed.image('app', { tag: 'v1', layers: [4096], context: { region: 'eu-west-1' } })
    const layer = JSON.parse(image.imageManifest).layers[0]
    const { downloadUrl, layerDigest } = await client().send(
      new GetDownloadUrlForLayerCommand({ repositoryName: 'app', layerDigest: layer.digest }),
    )
    expect(layerDigest).toBe(layer.digest)
    expect(downloadUrl).toMatch(/^https?:\/\//)
    const response = await download(downloadUrl!)
    expect(response.status).toBe(200)
    const body = new Uint8Array(await response.arrayBuffer())
    expect(body.byteLength).toBe(4096)
    expect(sha256(body)).toBe(layer.digest)

    clock += 3601 * 1000
    const expired = await download(downloadUrl!)
    expect(expired.status).toBe(403)
    expect(await expired.text()).toContain('Request has expired')
  })

  it('carries the parameters of a presigned S3 URL, and refuses one changed, with S3’s XML error', async () => {
    const image = await ecr.seed.image('app', { tag: 'v1', layers: [64], context: { region: 'eu-west-1' } })
    const layer = JSON.parse(image.imageManifest).layers[0]
    const { downloadUrl } = await client().send(new GetDownloadUrlForLayerCommand({ repositoryName: 'app', layerDigest: layer.digest }))
    const url = new URL(downloadUrl!)
    expect([...url.searchParams.keys()]).toEqual(['X-Amz-Algorithm', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires', 'X-Amz-Credential', 'X-Amz-Signature'])
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^AKIA[0-9A-F]{16}/${url.searchParams.get('X-Amz-Date')!.slice(0, 8)}/eu-west-1/s3/aws4_request$`))
    for (const [name, value] of [
      ['X-Amz-Expires', '604800'],
      ['X-Amz-Date', '20991231T000000Z'],
      ['X-Amz-Signature', '0'.repeat(64)],
    ]) {
      const changed = new URL(url)
      changed.searchParams.set(name!, value!)
      const response = await download(changed)
      expect(response.status).toBe(403)
      expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>')
    }
    expect((await download(url)).status).toBe(200)
  })

  it('refuses a layer that no image references', async () => {
    await repository()
    const digest = await ecr.seed.blob('app', bytes(10), { region: 'eu-west-1' })
    const error = await client().send(new GetDownloadUrlForLayerCommand({ repositoryName: 'app', layerDigest: digest })).catch((e) => e)
    expect(error).toBeInstanceOf(LayersNotFoundException)
    expect(error.message).toBe(
      `The layer with digest '${digest}' does not exist within the repository with name 'app' in the registry with id '123456789012'`,
    )
  })
})
