import {
  DescribeImageReplicationStatusCommand,
  DescribeReplicationBackfillResultsCommand,
  InvalidParameterException,
  LimitExceededException,
  ListImagesCommand,
  ListReplicationBackfillsCommand,
  PutReplicationConfigurationCommand,
  ReplicationBackfillInProgressException,
  ReplicationBackfillInvalidStatusException,
  ReplicationBackfillNotFoundException,
  StartReplicationBackfillCommand,
  StopReplicationBackfillCommand,
  paginateDescribeReplicationBackfillResults,
  paginateListReplicationBackfills,
  type ReplicationBackfillResult,
  type ReplicationDestination,
} from '@aws-sdk/client-ecr'
import { beforeEach, describe, expect, it } from 'vitest'
import { rejection } from '../fixtures.js'
import { useFakeEcr } from './harness.js'

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
const START = Date.parse('2030-06-01T08:00:00Z')
let clock = START

// Preparing, and each batch of 10 replications, takes a minute of engine time here.
const { ecr, client } = useFakeEcr({ now: () => clock, replicationDurationMs: MINUTE })

const SOURCE = '123456789012'
const PARTNER = '210987654321'
const HERE = 'eu-west-1'
const WEST: ReplicationDestination = { region: 'us-west-2', registryId: SOURCE }
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

beforeEach(() => {
  clock = START
})

const wait = (ms: number) => {
  clock += ms
}

const replicate = (...destinations: ReplicationDestination[]) =>
  client().send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [{ destinations }] } }))

const start = async (destination: ReplicationDestination = WEST) =>
  (await client().send(new StartReplicationBackfillCommand({ destination }))).replicationBackfillId!

const describeBackfill = (replicationBackfillId: string) => client().send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId }))

/** Seeds `count` images tagged v0, v1… in a repository of the source registry (pushed before any rule: not replicated). */
async function seedImages(repositoryName: string, count: number) {
  const images = []
  for (let index = 0; index < count; index++) images.push(await ecr.seed.image(repositoryName, { tag: `v${index}`, layers: [16], context: { region: HERE } }))
  return images
}

const imagesIn = async (repositoryName: string, region: string, registryId = SOURCE) =>
  (await client({ region }).send(new ListImagesCommand({ repositoryName, registryId }))).imageIds ?? []

describe('a replication backfill', () => {
  it('prepares, replicates the existing images a batch at a time, then reports COMPLETE with a result per image and tag', async () => {
    const images = await seedImages('web', 12)
    await replicate(WEST)
    const started = await client().send(new StartReplicationBackfillCommand({ destination: WEST }))
    expect(started).toMatchObject({ registryId: SOURCE, destination: WEST, status: 'PREPARING', startedAt: new Date(START) })
    expect(started.replicationBackfillId).toMatch(UUID)
    const id = started.replicationBackfillId!

    const preparing = await describeBackfill(id)
    expect(preparing).toMatchObject({ registryId: SOURCE, replicationBackfillId: id, destination: WEST, status: 'PREPARING' })
    expect(preparing.progress).toBeUndefined()
    expect(preparing.results).toBeUndefined()
    expect(preparing.endedAt).toBeUndefined()

    wait(MINUTE)
    expect(await describeBackfill(id)).toMatchObject({
      status: 'IN_PROGRESS',
      progress: { totalReplicationCount: 12, completedReplicationCount: 0, failedReplicationCount: 0, failureCodes: [] },
    })
    wait(MINUTE)
    const halfway = await describeBackfill(id)
    expect(halfway).toMatchObject({ status: 'IN_PROGRESS', progress: { completedReplicationCount: 10 } })
    expect(halfway.results).toBeUndefined()
    expect(await imagesIn('web', WEST.region!)).toHaveLength(10)

    wait(MINUTE)
    const done = await describeBackfill(id)
    expect(done).toMatchObject({
      status: 'COMPLETE',
      progress: { totalReplicationCount: 12, completedReplicationCount: 12, failedReplicationCount: 0, failureCodes: [] },
      startedAt: new Date(START),
      endedAt: new Date(START + 3 * MINUTE),
    })
    expect(done.results).toEqual(
      images.map((image) => ({ repositoryName: 'web', imageId: { imageDigest: image.imageDigest, imageTag: image.imageTag }, status: 'COMPLETE' })),
    )
    expect(await imagesIn('web', WEST.region!)).toHaveLength(12)
    // The images' replication status says where they are now.
    const { replicationStatuses } = await client().send(
      new DescribeImageReplicationStatusCommand({ repositoryName: 'web', imageId: { imageDigest: images[0]!.imageDigest } }),
    )
    expect(replicationStatuses).toEqual([{ ...WEST, status: 'COMPLETE' }])
  })

  it('counts each tag of an image, an untagged image once, and replicates a multi-platform image with its children', async () => {
    await replicate(WEST)
    const multi = await ecr.seed.multiPlatformImage('multi', { tag: 'latest', context: { region: HERE } })
    const untagged = await ecr.seed.image('multi', { context: { region: HERE } })
    const id = await start()
    wait(2 * MINUTE)
    const { status, results } = await describeBackfill(id)
    expect(status).toBe('COMPLETE')
    // The children replicated with their index; they are no replications of their own.
    expect(results).toEqual([
      { repositoryName: 'multi', imageId: { imageDigest: multi.imageDigest, imageTag: 'latest' }, status: 'COMPLETE', subImageFailureCodes: [] },
      { repositoryName: 'multi', imageId: { imageDigest: untagged.imageDigest }, status: 'COMPLETE' },
    ])
    expect(await imagesIn('multi', WEST.region!)).toHaveLength(4)
  })

  it('fails once half of its replications fail, with each failure in the results', async () => {
    const images = await seedImages('web', 2)
    await replicate({ region: HERE, registryId: PARTNER })
    const id = await start({ region: HERE, registryId: PARTNER })
    wait(2 * MINUTE)
    const failed = await describeBackfill(id)
    expect(failed).toMatchObject({
      status: 'FAILED',
      failureCode: 'TooManyFailedReplications',
      progress: { totalReplicationCount: 2, completedReplicationCount: 0, failedReplicationCount: 2, failureCodes: ['AccessDenied'] },
    })
    expect(failed.results).toEqual(
      images.map((image) => ({ repositoryName: 'web', imageId: { imageDigest: image.imageDigest, imageTag: image.imageTag }, status: 'FAILED', failureCode: 'AccessDenied' })),
    )
  })

  it('filters and pages its results, through the SDK paginator', async () => {
    await seedImages('web', 5)
    await replicate(WEST)
    const id = await start()
    wait(2 * MINUTE)
    const pages = []
    for await (const page of paginateDescribeReplicationBackfillResults({ client: client(), pageSize: 2 }, { replicationBackfillId: id })) pages.push(page)
    expect(pages.map((page) => page.results!.length)).toEqual([2, 2, 1])
    expect(pages.every((page) => page.status === 'COMPLETE')).toBe(true)
    const tags = pages.flatMap((page) => page.results!.map((result: ReplicationBackfillResult) => result.imageId!.imageTag))
    expect(tags).toEqual(['v0', 'v1', 'v2', 'v3', 'v4'])
    const failedOnly = await client().send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId: id, resultStatusFilter: 'FAILED' }))
    expect(failedOnly.results).toEqual([])
    const complete = await client().send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId: id, resultStatusFilter: 'COMPLETE', maxResults: 4 }))
    expect(complete.results).toHaveLength(4)
    const forged = await rejection(
      client().send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId: id, resultStatusFilter: 'FAILED', nextToken: complete.nextToken! })),
    )
    expect(forged).toBeInstanceOf(InvalidParameterException)
  })

  it('with nothing to replicate completes as soon as it has prepared', async () => {
    await replicate(WEST)
    const id = await start()
    wait(MINUTE)
    expect(await describeBackfill(id)).toMatchObject({
      status: 'COMPLETE',
      progress: { totalReplicationCount: 0, completedReplicationCount: 0, failedReplicationCount: 0, failureCodes: [] },
      results: [],
      endedAt: new Date(START + MINUTE),
    })
  })

  it('is kept 90 days after it ends, then forgotten', async () => {
    await replicate(WEST)
    const id = await start()
    wait(MINUTE)
    wait(90 * DAY - 1)
    expect((await client().send(new ListReplicationBackfillsCommand({}))).backfills).toHaveLength(1)
    wait(1)
    expect((await client().send(new ListReplicationBackfillsCommand({}))).backfills).toEqual([])
    expect(await rejection(describeBackfill(id))).toBeInstanceOf(ReplicationBackfillNotFoundException)
  })
})

describe('StartReplicationBackfill', () => {
  it('refuses a destination the replication configuration does not name', async () => {
    await replicate(WEST)
    const error = await rejection(client().send(new StartReplicationBackfillCommand({ destination: { region: 'ap-south-1', registryId: SOURCE } })))
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe("Invalid parameter at 'destination' failed to satisfy constraint: 'The destination is not in the registry's replication configuration'")
  })

  it('refuses a second backfill to a Region while one is in progress there', async () => {
    await replicate(WEST, { region: WEST.region, registryId: PARTNER })
    await start()
    const error = await rejection(client().send(new StartReplicationBackfillCommand({ destination: { region: WEST.region, registryId: PARTNER } })))
    expect(error).toBeInstanceOf(ReplicationBackfillInProgressException)
    wait(MINUTE)
    expect(await start()).toMatch(UUID)
  })

  it('refuses an 11th backfill in progress in the registry', async () => {
    const regions = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'ap-south-1', 'ap-northeast-1', 'ap-southeast-2', 'eu-central-1', 'eu-north-1']
    await replicate(...regions.map((region) => ({ region, registryId: SOURCE })))
    for (const region of regions.slice(0, 10)) await start({ region, registryId: SOURCE })
    const before = ecr.snapshot()
    const error = await rejection(client().send(new StartReplicationBackfillCommand({ destination: { region: 'eu-north-1', registryId: SOURCE } })))
    expect(error).toBeInstanceOf(LimitExceededException)
    expect(ecr.snapshot()).toEqual(before)
  })

  it('validates the destination like the model says', async () => {
    const error = await rejection(client().send(new StartReplicationBackfillCommand({ destination: { region: 'us-west-2', registryId: '123' } })))
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe(
      "Invalid parameter at 'destination.registryId' failed to satisfy constraint: 'Member must satisfy regular expression pattern: [0-9]{12}'",
    )
  })
})

describe('StopReplicationBackfill', () => {
  it('stops a backfill that is preparing at once', async () => {
    await replicate(WEST)
    await seedImages('web', 1)
    const id = await start()
    const stopped = await client().send(new StopReplicationBackfillCommand({ replicationBackfillId: id }))
    expect(stopped).toEqual(expect.objectContaining({ registryId: SOURCE, replicationBackfillId: id, destination: WEST, status: 'STOPPED', startedAt: new Date(START) }))
    wait(MINUTE)
    const after = await describeBackfill(id)
    expect(after).toMatchObject({ status: 'STOPPED', endedAt: new Date(START), results: [] })
    expect(after.progress).toBeUndefined()
    const again = await rejection(client().send(new StopReplicationBackfillCommand({ replicationBackfillId: id })))
    expect(again).toBeInstanceOf(ReplicationBackfillInvalidStatusException)
  })

  it('lets the replications under way finish: STOPPING, then STOPPED with their results only', async () => {
    await seedImages('web', 15)
    await replicate(WEST)
    const id = await start()
    wait(MINUTE)
    const stopping = await client().send(new StopReplicationBackfillCommand({ replicationBackfillId: id }))
    expect(stopping.status).toBe('STOPPING')
    expect(await rejection(client().send(new StopReplicationBackfillCommand({ replicationBackfillId: id })))).toBeInstanceOf(
      ReplicationBackfillInvalidStatusException,
    )
    wait(MINUTE)
    const stopped = await describeBackfill(id)
    expect(stopped).toMatchObject({ status: 'STOPPED', progress: { totalReplicationCount: 15, completedReplicationCount: 10 } })
    expect(stopped.results).toHaveLength(10)
    wait(10 * MINUTE)
    expect(await imagesIn('web', WEST.region!)).toHaveLength(10)
  })

  it('refuses an id no backfill of the registry has', async () => {
    const error = await rejection(client().send(new StopReplicationBackfillCommand({ replicationBackfillId: '00000000-0000-4000-8000-000000000000' })))
    expect(error).toBeInstanceOf(ReplicationBackfillNotFoundException)
    expect(error.message).toBe(`The replication backfill with id '00000000-0000-4000-8000-000000000000' does not exist in the registry with id '${SOURCE}'`)
    const malformed = await rejection(client().send(new StopReplicationBackfillCommand({ replicationBackfillId: 'not-an-id' })))
    expect(malformed).toBeInstanceOf(InvalidParameterException)
  })
})

describe('ListReplicationBackfills', () => {
  it('lists the registry’s backfills in the order they started, 25 a page unless asked, through the SDK paginator', async () => {
    const regions = ['us-east-1', 'us-east-2', 'us-west-1']
    await replicate(...regions.map((region) => ({ region, registryId: SOURCE })))
    const ids = []
    for (let round = 0; round < 10; round++) {
      // Each round starts once the last has ended (nothing to replicate: it ends when it has prepared).
      if (round > 0) wait(MINUTE)
      for (const region of regions) ids.push(await start({ region, registryId: SOURCE }))
    }
    const first = await client().send(new ListReplicationBackfillsCommand({}))
    expect(first.registryId).toBe(SOURCE)
    expect(first.backfills).toHaveLength(25)
    const summaries = []
    for await (const page of paginateListReplicationBackfills({ client: client(), pageSize: 7 }, {})) summaries.push(...page.backfills!)
    expect(summaries.map((summary) => summary.replicationBackfillId)).toEqual(ids)
    expect(summaries[0]).toEqual({
      replicationBackfillId: ids[0],
      destination: { region: 'us-east-1', registryId: SOURCE },
      status: 'COMPLETE',
      progress: { totalReplicationCount: 0, completedReplicationCount: 0, failedReplicationCount: 0, failureCodes: [] },
      startedAt: new Date(START),
      endedAt: new Date(START + MINUTE),
    })
    expect(summaries.at(-1)).toMatchObject({ status: 'PREPARING', startedAt: new Date(START + 9 * MINUTE) })
    // Another region's registry has none.
    expect((await client({ region: 'us-east-1' }).send(new ListReplicationBackfillsCommand({}))).backfills).toEqual([])
  })

  it('refuses a page size past 50', async () => {
    const error = await rejection(client().send(new ListReplicationBackfillsCommand({ maxResults: 51 })))
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe("Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 50'")
  })
})
