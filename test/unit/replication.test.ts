import { describe, expect, it } from 'vitest'
import { createEcr, memoryStorage, type EcrOptions, type StoredRecord } from '../../src/index.js'

const MINUTE = 60_000
const SOURCE = '123456789012'
const WEST = { region: 'us-west-2', registryId: SOURCE }

/** An engine whose source registry (us-east-1) replicates everything to `destinations`. */
async function replicating(options: EcrOptions = {}, destinations = [WEST]) {
  let now = Date.UTC(2030, 0, 15, 12)
  const ecr = createEcr({ now: () => now, ...options })
  await ecr.call('PutReplicationConfiguration', { replicationConfiguration: { rules: [{ destinations }] } })
  return {
    ecr,
    advance: (ms: number) => {
      now += ms
    },
    status: async (repositoryName: string, imageDigest: string) =>
      (await ecr.call('DescribeImageReplicationStatus', { repositoryName, imageId: { imageDigest } })).replicationStatuses,
  }
}

const kindsOf = (records: readonly StoredRecord[]) => records.map((record) => `${record.kind} ${record.scope.join('/')}`)

describe('replication', () => {
  it('takes no time by default: the push itself writes the copy, and announces it', async () => {
    const { ecr, status } = await replicating()
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const changes: Array<readonly StoredRecord[]> = []
    ecr.on('change', ({ records }) => changes.push(records))
    const image = await ecr.seed.image('web', { tag: 'v1', layers: [16] })
    expect(await status('web', image.imageDigest)).toEqual([{ ...WEST, status: 'COMPLETE' }])
    const push = changes.at(-1)!
    expect(kindsOf(push)).toEqual(
      expect.arrayContaining([`repository ${SOURCE}/us-west-2`, `image ${SOURCE}/us-west-2/web`, `tag ${SOURCE}/us-west-2/web`, `image-replication ${SOURCE}/us-east-1/web`]),
    )
  })

  it('under way survives a restart and completes when the clock reaches it', async () => {
    let now = Date.UTC(2030, 0, 15, 12)
    const storage = memoryStorage()
    const ecr = createEcr({ now: () => now, storage, replicationDurationMs: MINUTE })
    await ecr.call('PutReplicationConfiguration', { replicationConfiguration: { rules: [{ destinations: [WEST] }] } })
    const image = await ecr.seed.image('web', { tag: 'v1', layers: [16] })
    const { replicationBackfillId } = await ecr.call('StartReplicationBackfill', { destination: WEST })

    const reloaded = createEcr({ now: () => now, storage, replicationDurationMs: MINUTE })
    await reloaded.ready
    now += MINUTE
    const { replicationStatuses } = await reloaded.call('DescribeImageReplicationStatus', { repositoryName: 'web', imageId: { imageDigest: image.imageDigest } })
    expect(replicationStatuses).toEqual([{ ...WEST, status: 'COMPLETE' }])
    expect((await reloaded.call('ListImages', { repositoryName: 'web' }, { region: 'us-west-2' })).imageIds).toEqual([
      { imageDigest: image.imageDigest, imageTag: 'v1' },
    ])
    now += MINUTE
    expect(await reloaded.call('DescribeReplicationBackfillResults', { replicationBackfillId: replicationBackfillId! })).toMatchObject({ status: 'COMPLETE' })
  })

  it('fails with LimitExceeded in a destination registry or repository that is full', async () => {
    const { ecr, status } = await replicating({ limits: { repositoriesPerRegistry: 1 } })
    await ecr.seed.repository('other', {}, { region: 'us-west-2' })
    const image = await ecr.seed.image('web', { tag: 'v1', layers: [16] })
    expect(await status('web', image.imageDigest)).toEqual([{ ...WEST, status: 'FAILED', failureCode: 'LimitExceeded' }])

    const { ecr: full, status: fullStatus } = await replicating({ limits: { imagesPerRepository: 1 } })
    const first = await full.seed.image('web', { tag: 'v1', layers: [16] })
    await full.call('DeleteRepository', { repositoryName: 'web', force: true })
    const second = await full.seed.image('web', { tag: 'v1', layers: [16] })
    expect(await fullStatus('web', second.imageDigest)).toEqual([{ ...WEST, status: 'FAILED', failureCode: 'LimitExceeded' }])
    expect((await full.call('ListImages', { repositoryName: 'web' }, { region: 'us-west-2' })).imageIds).toEqual([
      { imageDigest: first.imageDigest, imageTag: 'v1' },
    ])
  })

  it('leaves out a tag the destination image has no room for', async () => {
    const { ecr, status } = await replicating({ limits: { tagsPerImage: 1 } })
    const image = await ecr.seed.image('web', { tag: 'v1', layers: [16] })
    await ecr.call('BatchDeleteImage', { repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] })
    await ecr.call('PutImage', { repositoryName: 'web', imageManifest: image.imageManifest, imageTag: 'v2' })
    expect(await status('web', image.imageDigest)).toEqual([{ ...WEST, status: 'COMPLETE' }])
    expect((await ecr.call('ListImages', { repositoryName: 'web' }, { region: 'us-west-2' })).imageIds).toEqual([
      { imageDigest: image.imageDigest, imageTag: 'v1' },
    ])
  })

  it('does not cross AWS partitions', async () => {
    const china = { region: 'cn-north-1', registryId: SOURCE }
    const { ecr, status } = await replicating({}, [china])
    const image = await ecr.seed.image('web', { tag: 'v1', layers: [16] })
    expect(await status('web', image.imageDigest)).toEqual([{ ...china, status: 'FAILED', failureCode: 'UnsupportedDestination' }])
  })

  it('honours an explicit Deny in the destination registry policy over an Allow', async () => {
    const partner = { region: 'us-east-1', registryId: '210987654321' }
    const { ecr, status } = await replicating({}, [partner])
    const statement = (Effect: string, Action: string) => ({ Effect, Principal: { AWS: SOURCE }, Action, Resource: '*' })
    await ecr.call(
      'PutRegistryPolicy',
      { policyText: JSON.stringify({ Version: '2012-10-17', Statement: [statement('Allow', 'ecr:*'), statement('Deny', 'ecr:ReplicateImage')] }) },
      { accountId: partner.registryId },
    )
    const image = await ecr.seed.image('web', { tag: 'v1', layers: [16] })
    expect(await status('web', image.imageDigest)).toEqual([{ ...partner, status: 'FAILED', failureCode: 'AccessDenied' }])
  })
})

describe('replication backfills', () => {
  it('take no time by default either: started PREPARING, ended by the next call', async () => {
    const { ecr } = await replicating()
    await ecr.seed.image('web', { tag: 'v1', layers: [16] })
    const started = await ecr.call('StartReplicationBackfill', { destination: WEST })
    expect(started.status).toBe('PREPARING')
    const described = await ecr.call('DescribeReplicationBackfillResults', { replicationBackfillId: started.replicationBackfillId! })
    expect(described).toMatchObject({ status: 'COMPLETE', progress: { totalReplicationCount: 1, completedReplicationCount: 1 } })
  })

  it('leave the status of a push replication under way to that replication', async () => {
    const { ecr, advance, status } = await replicating({ replicationDurationMs: MINUTE })
    await ecr.call('PutReplicationConfiguration', { replicationConfiguration: { rules: [] } })
    const image = await ecr.seed.image('web', { tag: 'v1', layers: [16] })
    await ecr.call('PutReplicationConfiguration', { replicationConfiguration: { rules: [{ destinations: [WEST] }] } })
    await ecr.call('StartReplicationBackfill', { destination: WEST })
    advance(MINUTE * 1.5)
    await ecr.call('PutImage', { repositoryName: 'web', imageManifest: image.imageManifest, imageTag: 'v2' })
    advance(MINUTE / 2)
    // The backfill replicated v1; the push of v2 is still under way.
    expect(await status('web', image.imageDigest)).toEqual([{ ...WEST, status: 'IN_PROGRESS' }])
    advance(MINUTE / 2)
    expect(await status('web', image.imageDigest)).toEqual([{ ...WEST, status: 'COMPLETE' }])
    const west = await ecr.call('ListImages', { repositoryName: 'web' }, { region: 'us-west-2' })
    expect(west.imageIds!.map((id) => id.imageTag).sort()).toEqual(['v1', 'v2'])
  })

  it('fail an image deleted between preparing and its turn, and replicate a tag only while it still names the image', async () => {
    const { ecr, advance } = await replicating({ replicationDurationMs: MINUTE })
    const kept = await ecr.seed.image('web', { tag: 'kept', layers: [16] })
    const moved = await ecr.seed.image('web', { tag: 'moved', layers: [16] })
    const gone = await ecr.seed.image('web', { tag: 'gone', layers: [16] })
    const { replicationBackfillId } = await ecr.call('StartReplicationBackfill', { destination: WEST })
    advance(MINUTE)
    await ecr.call('BatchDeleteImage', { repositoryName: 'web', imageIds: [{ imageDigest: gone.imageDigest }] })
    await ecr.call('PutImage', { repositoryName: 'web', imageManifest: kept.imageManifest, imageTag: 'moved' })
    advance(MINUTE)
    const { status, results } = await ecr.call('DescribeReplicationBackfillResults', { replicationBackfillId: replicationBackfillId! })
    // One of three failed: not half.
    expect(status).toBe('COMPLETE')
    expect(results!.map((result) => [result.imageId!.imageTag, result.status, result.failureCode])).toEqual([
      ['kept', 'COMPLETE', undefined],
      ['moved', 'COMPLETE', undefined],
      ['gone', 'FAILED', 'ImageNotFound'],
    ])
    const west = await ecr.call('ListImages', { repositoryName: 'web' }, { region: 'us-west-2' })
    expect(west.imageIds).toContainEqual({ imageDigest: moved.imageDigest })
    expect(west.imageIds).toContainEqual({ imageDigest: kept.imageDigest, imageTag: 'kept' })
  })
})
