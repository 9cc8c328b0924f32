import { describe, expect, it } from 'vitest'
import { sha256 } from '../fixtures.js'
import { createEcr, memoryKeyValueStore, memoryStorage, MediaTypes, type Ecr, type KeyValueStore } from '../../src/index.js'

const MiB = 1024 * 1024
const DAY = 24 * 60 * 60 * 1000

/** A key-value store that counts the bytes written to it, over one in memory. */
function countingStore() {
  const store = memoryKeyValueStore()
  let written = 0
  const counting: KeyValueStore = {
    ...store,
    async write(batch) {
      for (const { value } of batch) written += value?.byteLength ?? 0
      await store.write(batch)
    },
  }
  const chunks = () => [...store.entries].filter(([key]) => key.startsWith('chunk/')).map(([, bytes]) => bytes)
  return {
    counting,
    get written() {
      return written
    },
    /** Bytes stored as blob chunks right now. */
    chunkBytes: () => chunks().reduce((total, bytes) => total + bytes.byteLength, 0),
    chunkCount: () => chunks().length,
  }
}

function bytesOf(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff
  return bytes
}

/** Pushes an image of one layer and one config through the API (the blobs uploaded if the repository lacks them). */
async function pushImage(ecr: Ecr, repositoryName: string, layer: Uint8Array, config: Uint8Array, imageTag: string) {
  await ecr.seed.repository(repositoryName)
  for (const blob of [layer, config]) await ecr.seed.blob(repositoryName, blob)
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: sha256(config), size: config.byteLength },
    layers: [{ mediaType: MediaTypes.ociLayer, digest: sha256(layer), size: layer.byteLength }],
  })
  await ecr.call('PutImage', { repositoryName, imageManifest: manifest, imageTag })
}

describe('blob store', () => {
  it('writes each uploaded part once: six 5 MiB parts write 30 MiB', async () => {
    const store = countingStore()
    const ecr = createEcr({ storage: memoryStorage(store.counting) })
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    const { uploadId } = await ecr.call('InitiateLayerUpload', { repositoryName: 'app' })
    const parts = Array.from({ length: 6 }, (_, index) => bytesOf(5 * MiB, index))
    const before = store.written
    for (const [index, part] of parts.entries()) {
      const first = index * 5 * MiB
      await ecr.call('UploadLayerPart', { repositoryName: 'app', uploadId, partFirstByte: first, partLastByte: first + part.byteLength - 1, layerPartBlob: part })
    }
    const uploaded = store.written - before
    expect(uploaded).toBeGreaterThanOrEqual(30 * MiB)
    expect(uploaded).toBeLessThan(30 * MiB + 64 * 1024)

    const whole = new Uint8Array(30 * MiB)
    parts.forEach((part, index) => whole.set(part, index * 5 * MiB))
    const { layerDigest } = await ecr.call('CompleteLayerUpload', { repositoryName: 'app', uploadId, layerDigests: [sha256(whole)] })
    // Completing names the parts as the blob's content: no byte is written again.
    expect(store.written - before - uploaded).toBeLessThan(64 * 1024)
    expect(store.chunkBytes()).toBe(30 * MiB)
    expect(layerDigest).toBe(sha256(whole))
  })

  it("keeps a copy of a caller's part, which may change after the call, and the bytes it decoded from base64 as they are", async () => {
    const ecr = createEcr()
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    const upload = async (layerPartBlob: Uint8Array | string, afterwards = () => {}) => {
      const { uploadId } = await ecr.call('InitiateLayerUpload', { repositoryName: 'app' })
      await ecr.call('UploadLayerPart', { repositoryName: 'app', uploadId, partFirstByte: 0, partLastByte: 999, layerPartBlob: layerPartBlob as Uint8Array })
      afterwards()
      return ecr.call('CompleteLayerUpload', { repositoryName: 'app', uploadId, layerDigests: [sha256(original)] })
    }
    const original = bytesOf(1000, 5)
    const part = original.slice()
    expect((await upload(part, () => part.fill(0))).layerDigest).toBe(sha256(original))
    await ecr.call('DeleteRepository', { repositoryName: 'app', force: true })
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    // Base64 text, as the wire sends it: nobody else holds the bytes it decodes to.
    expect((await upload(btoa(String.fromCharCode(...original)))).layerDigest).toBe(sha256(original))
  })

  it('hashes parts as they arrive: an undone part is not in the digest, a wrong digest can be retried, a restart reads the parts back', async () => {
    const store = memoryKeyValueStore()
    let failWrites = false
    const failing: KeyValueStore = {
      ...store,
      async write(batch) {
        if (failWrites) throw new Error('disk full')
        await store.write(batch)
      },
    }
    const limits = { minLayerPartBytes: 1 }
    const ecr = createEcr({ storage: memoryStorage(failing), limits, onStorageError: () => undefined })
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    const { uploadId } = await ecr.call('InitiateLayerUpload', { repositoryName: 'app' })
    const part = (index: number, bytes: Uint8Array) =>
      ecr.call('UploadLayerPart', { repositoryName: 'app', uploadId: uploadId!, partFirstByte: index * 100, partLastByte: index * 100 + 99, layerPartBlob: bytes })
    const [first, undone, second, third] = [bytesOf(100, 1), bytesOf(100, 2), bytesOf(100, 3), bytesOf(100, 4)]
    await part(0, first)
    failWrites = true
    await expect(part(1, undone)).rejects.toMatchObject({ code: 'ServerException' })
    failWrites = false
    await part(1, second)
    const whole = new Uint8Array(200)
    whole.set(first)
    whole.set(second, 100)
    const complete = (engine: Ecr, digest: string) => engine.call('CompleteLayerUpload', { repositoryName: 'app', uploadId: uploadId!, layerDigests: [digest] })
    await expect(complete(ecr, sha256(undone))).rejects.toMatchObject({ code: 'InvalidLayerException' })
    expect((await complete(ecr, sha256(whole))).layerDigest).toBe(sha256(whole))

    // An upload left open, then the engine started again on the same storage: no hash kept in memory.
    const { uploadId: again } = await ecr.call('InitiateLayerUpload', { repositoryName: 'app' })
    await ecr.call('UploadLayerPart', { repositoryName: 'app', uploadId: again!, partFirstByte: 0, partLastByte: 99, layerPartBlob: third })
    const restarted = createEcr({ storage: memoryStorage(store), limits })
    const { layerDigest } = await restarted.call('CompleteLayerUpload', { repositoryName: 'app', uploadId: again!, layerDigests: [sha256(third)] })
    expect(layerDigest).toBe(sha256(third))
  })

  it('stores a layer pushed to ten repositories once', async () => {
    const store = countingStore()
    const ecr = createEcr({ storage: memoryStorage(store.counting) })
    const layer = bytesOf(MiB, 1)
    const config = bytesOf(300, 2)
    for (let i = 0; i < 10; i++) await pushImage(ecr, `app-${i}`, layer, config, 'v1')
    expect(store.chunkCount()).toBe(2)
    expect(store.chunkBytes()).toBe(MiB + 300)
    // Each repository serves it.
    const { downloadUrl } = await ecr.call('GetDownloadUrlForLayer', { repositoryName: 'app-7', layerDigest: sha256(layer) })
    const download = await ecr.openDownload(downloadUrl!)
    expect(download?.status === 'ok' && sha256(await download.read())).toBe(sha256(layer))
  })

  it('frees the bytes of a blob a day after the last image that uses it is deleted, unless an image uses it again', async () => {
    let now = Date.UTC(2025, 0, 15, 12)
    const store = countingStore()
    const ecr = createEcr({ storage: memoryStorage(store.counting), now: () => now })
    const layer = bytesOf(64 * 1024, 3)
    const config = bytesOf(200, 4)
    await pushImage(ecr, 'web', layer, config, 'v1')
    await pushImage(ecr, 'api', layer, config, 'v1')
    const availability = async (repositoryName: string) =>
      (await ecr.call('BatchCheckLayerAvailability', { repositoryName, layerDigests: [sha256(layer)] })).layers![0]!.layerAvailability

    await ecr.call('BatchDeleteImage', { repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] })
    // Still there for a day: a client that checked availability can still push an image using it.
    now += DAY - 1
    expect(await availability('web')).toBe('AVAILABLE')
    now += 1
    expect(await availability('web')).toBe('UNAVAILABLE')
    // Another repository still holds the bytes.
    expect(store.chunkBytes()).toBe(layer.byteLength + config.byteLength)

    await ecr.call('BatchDeleteImage', { repositoryName: 'api', imageIds: [{ imageTag: 'v1' }] })
    now += DAY / 2
    await pushImage(ecr, 'api', layer, config, 'v2')
    now += DAY
    expect(await availability('api')).toBe('AVAILABLE')
    await ecr.call('BatchDeleteImage', { repositoryName: 'api', imageIds: [{ imageTag: 'v2' }] })
    now += DAY
    await ecr.catchUp()
    expect(await availability('api')).toBe('UNAVAILABLE')
    expect(store.chunkCount()).toBe(0)
    expect(ecr.snapshot().filter((record) => record.kind === 'content')).toEqual([])
  })

  it('serves byte ranges of a blob stored in several parts, reading only what is asked for', async () => {
    const ecr = createEcr({ limits: { minLayerPartBytes: 10 } })
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    const parts = [bytesOf(10, 1), bytesOf(10, 2), bytesOf(5, 3)]
    const whole = new Uint8Array([...parts[0]!, ...parts[1]!, ...parts[2]!])
    const { uploadId } = await ecr.call('InitiateLayerUpload', { repositoryName: 'app' })
    let first = 0
    for (const part of parts) {
      await ecr.call('UploadLayerPart', { repositoryName: 'app', uploadId, partFirstByte: first, partLastByte: first + part.byteLength - 1, layerPartBlob: part })
      first += part.byteLength
    }
    const digest = sha256(whole)
    await ecr.call('CompleteLayerUpload', { repositoryName: 'app', uploadId, layerDigests: [digest] })
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest, size: whole.byteLength },
      layers: [],
    })
    await ecr.call('PutImage', { repositoryName: 'app', imageManifest: manifest })
    const { downloadUrl } = await ecr.call('GetDownloadUrlForLayer', { repositoryName: 'app', layerDigest: digest })
    const download = await ecr.openDownload(downloadUrl!)
    if (download?.status !== 'ok') throw new Error('no download')
    expect(await download.read(7, 22)).toEqual(whole.slice(7, 22))
    const streamed: number[] = []
    for await (const piece of download.stream(3)) streamed.push(...piece)
    expect(new Uint8Array(streamed)).toEqual(whole.slice(3))
    await expect(download.read(0, 26)).rejects.toThrow(RangeError)
  })
})
