import { describe, expect, it } from 'vitest'
import { createEcr, memoryKeyValueStore, memoryStorage, type StoredRecord } from '../../src/index.js'

describe('storage seam', () => {
  it('a new engine on the same storage starts where the previous one stopped', async () => {
    const storage = memoryStorage()
    const first = createEcr({ storage })
    const image = await first.seed.image('app', { tag: 'v1' })
    await first.seed.image('app', { tag: 'v2' })
    await first.call('PutLifecyclePolicy', {
      repositoryName: 'app',
      lifecyclePolicyText: JSON.stringify({
        rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } }],
      }),
    })
    const { uploadId } = await first.call('InitiateLayerUpload', { repositoryName: 'app' })

    const second = createEcr({ storage })
    const listed = await second.call('ListImages', { repositoryName: 'app' })
    expect(listed).toEqual(await first.call('ListImages', { repositoryName: 'app' }))
    const { images } = await second.call('BatchGetImage', { repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] })
    expect(images?.[0]?.imageManifest).toBe(image.imageManifest)
    const layer = JSON.parse(image.imageManifest).layers[0]
    const { downloadUrl } = await second.call('GetDownloadUrlForLayer', { repositoryName: 'app', layerDigest: layer.digest })
    expect(await second.openDownload(downloadUrl!)).toMatchObject({ status: 'ok', digest: layer.digest, size: layer.size })
    await expect(second.call('GetLifecyclePolicy', { repositoryName: 'app' })).resolves.toMatchObject({ repositoryName: 'app' })
    await expect(
      second.call('UploadLayerPart', { repositoryName: 'app', uploadId, partFirstByte: 0, partLastByte: 0, layerPartBlob: new Uint8Array([1]) }),
    ).resolves.toMatchObject({ lastByteReceived: 0 })
    // New items keep coming after the loaded ones.
    const later = await second.seed.image('app', { tag: 'v3' })
    const { imageIds } = await second.call('ListImages', { repositoryName: 'app' })
    expect(imageIds?.at(-1)).toEqual({ imageDigest: later.imageDigest, imageTag: 'v3' })
  })

  it('sees only the records a call changed, and nothing for a failed call', async () => {
    const writes: StoredRecord[][] = []
    const storage = { ...memoryStorage(), write: (changes: readonly StoredRecord[]) => void writes.push([...changes]) }
    const ecr = createEcr({ storage })
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    await ecr.call('CreateRepository', { repositoryName: 'app' }).catch(() => undefined)
    await ecr.call('DescribeRepositories', {})
    expect(writes).toHaveLength(1)
    expect(writes[0]).toEqual([expect.objectContaining({ kind: 'repository', scope: ['123456789012', 'us-east-1'], id: 'app' })])
    await ecr.call('DeleteRepository', { repositoryName: 'app' })
    expect(writes[1]).toEqual([{ kind: 'repository', scope: ['123456789012', 'us-east-1'], id: 'app', value: undefined }])
  })

  it('deleting a repository deletes what was stored under it, bytes included', async () => {
    const store = memoryKeyValueStore()
    const ecr = createEcr({ storage: memoryStorage(store) })
    await ecr.seed.image('app', { tag: 'v1' })
    await ecr.seed.repository('kept')
    const chunks = () => [...store.entries.keys()].filter((key) => key.startsWith('chunk/'))
    expect(chunks()).toHaveLength(4)
    await ecr.call('DeleteRepository', { repositoryName: 'app', force: true })
    expect(chunks()).toEqual([])
    expect(createEcr({ storage: memoryStorage(store) }).snapshot()).toEqual([])
    const reloaded = createEcr({ storage: memoryStorage(store) })
    await reloaded.ready
    expect(reloaded.snapshot().map((record) => `${record.kind} ${record.id}`)).toEqual(['repository kept'])
    await ecr.reset()
    expect([...store.entries.keys()].sort()).toEqual(['format', 'head', 'signing-key'])
  })

  it('fails a call whose changes the adapter could not store, reports it, and undoes the call', async () => {
    const problems: unknown[] = []
    let failing = true
    const storage = memoryStorage()
    const ecr = createEcr({
      storage: { ...storage, write: (records, chunks) => (failing ? Promise.reject(new Error('quota exceeded')) : storage.write(records, chunks)) },
      onStorageError: (error) => problems.push(error),
    })
    await expect(ecr.call('CreateRepository', { repositoryName: 'app' })).rejects.toMatchObject({
      code: 'ServerException',
      status: 500,
      message: 'Failed to save fake-ecr state to memory storage: Error: quota exceeded',
    })
    expect(problems).toEqual([expect.objectContaining({ name: 'StorageError', cause: new Error('quota exceeded') })])
    expect(ecr.snapshot()).toEqual([])
    failing = false
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    expect((await ecr.call('DescribeRepositories', {})).repositories).toHaveLength(1)
  })
})

describe('stored state that does not hold together', () => {
  it('answers as ECR would for a tag left on a missing image, never a TypeError', async () => {
    const scope = ['123456789012', 'us-east-1']
    const stored: StoredRecord[] = [
      {
        kind: 'repository',
        scope,
        id: 'web',
        value: { seq: 1, name: 'web', createdAt: 0, imageTagMutability: 'MUTABLE', scanOnPush: false, encryption: { encryptionType: 'AES256' }, tags: [] },
      },
      { kind: 'tag', scope: [...scope, 'web'], id: 'latest', value: { digest: `sha256:${'a'.repeat(64)}` } },
    ]
    const ecr = createEcr({ storage: { read: () => stored, write: () => undefined, clear: () => undefined } })
    await expect(ecr.call('DescribeImages', { repositoryName: 'web', imageIds: [{ imageTag: 'latest' }] })).rejects.toMatchObject({
      code: 'ImageNotFoundException',
    })
    expect((await ecr.call('BatchGetImage', { repositoryName: 'web', imageIds: [{ imageTag: 'latest' }] })).failures).toEqual([
      { imageId: { imageTag: 'latest' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
    ])
    expect((await ecr.call('ListImages', { repositoryName: 'web' })).imageIds).toEqual([])
  })
})
