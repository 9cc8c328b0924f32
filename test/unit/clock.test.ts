import { describe, expect, it } from 'vitest'
import { createEcr, memoryStorage, type StoredRecord } from '../../src/index.js'

const MINUTE = 60_000

/** The scan status stored in an image record. */
const scanStatus = (records: readonly StoredRecord[]) =>
  records.filter((record) => record.kind === 'image').map((record) => (record.value as { scan?: { status: string } }).scan?.status)

describe('time that writes', () => {
  it('a call after the clock moved applies what fell due, announces it and persists it', async () => {
    let now = Date.UTC(2025, 0, 15, 12)
    const storage = memoryStorage()
    const ecr = createEcr({ now: () => now, scanDurationMs: MINUTE, storage })
    await ecr.call('CreateRepository', { repositoryName: 'app', imageScanningConfiguration: { scanOnPush: true } })
    const image = await ecr.seed.image('app', { tag: 'v1' })
    expect(scanStatus(ecr.snapshot())).toEqual(['IN_PROGRESS'])

    const changes: Array<readonly StoredRecord[]> = []
    ecr.on('change', ({ records }) => changes.push(records))
    now += MINUTE - 1
    await ecr.call('DescribeRepositories', {})
    expect(changes).toEqual([])
    now += 1
    // A read: what it changes is what time did.
    await ecr.call('DescribeRepositories', {})
    expect(changes.map(scanStatus)).toEqual([['COMPLETE']])

    // Persisted: a new engine on the same storage reads it without any call.
    const reloaded = createEcr({ storage })
    await reloaded.ready
    expect(scanStatus(reloaded.snapshot())).toEqual(['COMPLETE'])
    const { imageScanFindings } = await reloaded.call('DescribeImageScanFindings', { repositoryName: 'app', imageId: { imageDigest: image.imageDigest } })
    expect(imageScanFindings?.imageScanCompletedAt).toEqual(new Date(Date.UTC(2025, 0, 15, 12) + MINUTE))
  })

  it('catchUp() applies it without a call; a failed call takes it back with its own changes, and the next call applies it again', async () => {
    let now = Date.UTC(2025, 0, 15, 12)
    const ecr = createEcr({ now: () => now, scanDurationMs: MINUTE })
    await ecr.call('CreateRepository', { repositoryName: 'app', imageScanningConfiguration: { scanOnPush: true } })
    await ecr.seed.image('app', { tag: 'v1' })
    await ecr.seed.image('app', { tag: 'v2' })
    now += MINUTE
    const before = ecr.snapshot()
    await expect(ecr.call('DeleteRepository', { repositoryName: 'app' })).rejects.toMatchObject({ code: 'RepositoryNotEmptyException' })
    expect(ecr.snapshot()).toEqual(before)
    await ecr.catchUp()
    expect(scanStatus(ecr.snapshot())).toEqual(['COMPLETE', 'COMPLETE'])
  })

  it('applies effects in the order they fell due, each at its own time', async () => {
    let now = Date.UTC(2025, 0, 15, 12)
    const ecr = createEcr({ now: () => now, scanDurationMs: 10 * MINUTE })
    await ecr.call('CreateRepository', { repositoryName: 'app', imageScanningConfiguration: { scanOnPush: true } })
    const first = await ecr.seed.image('app', { tag: 'v1' })
    now += MINUTE
    const second = await ecr.seed.image('app', { tag: 'v2' })
    now += 60 * MINUTE
    const completedAt = async (imageDigest: string) =>
      (await ecr.call('DescribeImageScanFindings', { repositoryName: 'app', imageId: { imageDigest } })).imageScanFindings?.imageScanCompletedAt?.getTime()
    expect(await completedAt(first.imageDigest)).toBe(Date.UTC(2025, 0, 15, 12) + 10 * MINUTE)
    expect(await completedAt(second.imageDigest)).toBe(Date.UTC(2025, 0, 15, 12) + 11 * MINUTE)
  })
})
