import { describe, expect, it, vi } from 'vitest'
import { createEcr, EcrError, memoryStorage, type ExternalChange, type StorageAdapter, type StoredRecord } from '../../src/index.js'

describe('snapshot', () => {
  it('lists every record in a stable order and is unchanged by a failed call', async () => {
    const ecr = createEcr()
    await ecr.seed.image('app', { tag: 'v1' })
    await ecr.call('CreateRepository', { repositoryName: 'other' }, { region: 'eu-west-1' })
    const before = ecr.snapshot()
    expect(before.map((record) => record.kind)).toContain('image')
    expect(before.filter((record) => record.kind === 'repository').map((record) => record.id)).toEqual(['other', 'app'])
    await expect(ecr.call('CreateRepository', { repositoryName: 'app' })).rejects.toThrow(EcrError)
    expect(ecr.snapshot()).toEqual(before)
  })
})

describe('beforeWrite', () => {
  it('a failure at any write of a multi-step call leaves the state as it was', async () => {
    let failAt = -1
    let writes = 0
    const ecr = createEcr({
      beforeWrite: () => {
        if (writes++ === failAt) throw new Error('injected')
      },
    })
    const image = await ecr.seed.image('app', { tag: 'v1' })
    await ecr.call('PutImage', { repositoryName: 'app', imageManifest: image.imageManifest, imageTag: 'v2' })
    const before = ecr.snapshot()
    // Deleting an image with two tags writes three records (two tags, the image): fail at each.
    const deleteImage = () => ecr.call('BatchDeleteImage', { repositoryName: 'app', imageIds: [{ imageDigest: image.imageDigest }] })
    for (failAt = 0; failAt < 3; failAt++) {
      writes = 0
      await expect(deleteImage()).rejects.toMatchObject({ code: 'ServerException' })
      expect(ecr.snapshot()).toEqual(before)
    }
    failAt = -1
    expect((await deleteImage()).imageIds).toHaveLength(2)
    expect(ecr.snapshot()).not.toEqual(before)
  })
})

describe('events', () => {
  it('tells listeners what each call changed, and about resets', async () => {
    const ecr = createEcr()
    const seen: Array<{ kinds: string[]; cleared?: true }> = []
    const stop = ecr.on('change', ({ records, cleared }) => seen.push({ kinds: records.map((record) => record.kind), ...(cleared && { cleared }) }))
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    await ecr.call('DescribeRepositories', {})
    await ecr.reset()
    stop()
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    expect(seen).toEqual([{ kinds: ['repository'] }, { kinds: [], cleared: true }])
  })
})

describe('seed option', () => {
  it('fills a fresh engine before any call, and persisted state only once', async () => {
    const storage = memoryStorage()
    const seed = vi.fn(async (ecr: import('../../src/index.js').Ecr) => {
      await ecr.seed.image('web', { tag: 'v1' })
    })
    const first = createEcr({ storage, seed })
    const { imageIds } = await first.call('ListImages', { repositoryName: 'web' })
    expect(imageIds).toHaveLength(1)
    const second = createEcr({ storage, seed })
    await second.ready
    expect(seed).toHaveBeenCalledTimes(1)
    expect((await second.call('ListImages', { repositoryName: 'web' })).imageIds).toEqual(imageIds)
  })
})

describe('external changes', () => {
  it('applies changes and clears another engine announces, with an adapter that has no turns', async () => {
    let notify: (event: ExternalChange) => void = () => undefined
    const shared = memoryStorage()
    const adapter: StorageAdapter = { read: shared.read, write: shared.write, clear: shared.clear, subscribe: (listener) => ((notify = listener), () => undefined) }
    const tab = createEcr({ storage: adapter })
    await tab.ready
    const other = createEcr({ storage: shared })
    const written: StoredRecord[] = []
    other.on('change', ({ records }) => written.push(...records))
    await other.seed.image('app', { tag: 'v1' })
    const events: string[] = []
    tab.on('change', ({ origin, cleared }) => events.push(`${origin}${cleared ? ' cleared' : ''}`))
    notify({ changes: written })
    expect((await tab.call('ListImages', { repositoryName: 'app' })).imageIds).toHaveLength(1)
    notify({ changes: [{ kind: 'repository', scope: ['123456789012', 'us-east-1'], id: 'app', value: undefined }] })
    await expect(tab.call('ListImages', { repositoryName: 'app' })).rejects.toMatchObject({ code: 'RepositoryNotFoundException' })
    notify({ cleared: true })
    expect(events).toEqual(['external', 'external', 'external cleared'])
    expect(tab.snapshot()).toEqual([])
  })
})

describe('faults', () => {
  it('fails chosen operations a number of times with the chosen error, changing nothing', async () => {
    const ecr = createEcr()
    const fault = ecr.faults.add({ operations: ['CreateRepository'], error: { code: 'ThrottlingException' }, times: 2 })
    for (let i = 0; i < 2; i++) {
      await expect(ecr.call('CreateRepository', { repositoryName: 'app' })).rejects.toMatchObject({
        code: 'ThrottlingException',
        message: 'Rate exceeded',
        status: 400,
      })
    }
    expect(ecr.snapshot()).toEqual([])
    await ecr.call('DescribeRepositories', {})
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    expect(fault.affected).toBe(2)
  })

  it('uses the probability with the engine’s random numbers, and can be removed', async () => {
    const rolls = [0.1, 0.9, 0.4]
    const ecr = createEcr({ random: () => rolls.shift() ?? 0 })
    const fault = ecr.faults.add({ error: { code: 'ServerException' }, probability: 0.5 })
    await expect(ecr.call('DescribeRepositories', {})).rejects.toMatchObject({ code: 'ServerException', status: 500 })
    await ecr.call('DescribeRepositories', {})
    await expect(ecr.call('DescribeRepositories', {})).rejects.toMatchObject({ code: 'ServerException' })
    fault.remove()
    await ecr.call('DescribeRepositories', {})
    expect(() => ecr.faults.add({ probability: 2 })).toThrow(RangeError)
  })

  it('are removed by reset, like all other state', async () => {
    const ecr = createEcr()
    ecr.faults.add({ error: { code: 'ServerException' } })
    await ecr.reset()
    await expect(ecr.call('DescribeRepositories', {})).resolves.toEqual({ repositories: [] })
  })

  it('delays calls by the injected latency', async () => {
    vi.useFakeTimers()
    try {
      const ecr = createEcr()
      ecr.faults.add({ operations: ['DescribeRepositories'], latencyMs: 5000 })
      let done = false
      const pending = ecr.call('DescribeRepositories', {}).then(() => (done = true))
      await vi.advanceTimersByTimeAsync(4999)
      expect(done).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      await pending
      expect(done).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })
})
