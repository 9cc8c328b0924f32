import { BatchDeleteImageCommand, ECRClient, ListImagesCommand, ServerException } from '@aws-sdk/client-ecr'
import { setupServer } from 'msw/node'
import { afterAll, describe, expect, it } from 'vitest'
import { ecrHandlers } from '../../handlers/index.js'
import { createEcr, type Ecr, type StoredRecord } from '../../src/index.js'
import { blobs, images, indexes, LIFECYCLE_POLICIES, MISSING_DIGEST, REPOSITORY_POLICIES, type PoolManifest } from '../property/content.js'

/**
 * An error raised anywhere inside an operation leaves the state as it was. Each scenario's call
 * is run once on a fresh engine to count its record writes; then, for every write k, a fresh
 * engine in the same state fails the call at write k. The call must answer ServerException,
 * leave a snapshot equal to the one before, and then, asked again, do exactly what it does on a
 * fresh engine.
 */

const NOW = Date.UTC(2025, 0, 15, 12)
const REPOSITORY = 'app'

/** Where a test makes the engine fail: at the k-th record write of the call, or in the findings source. */
interface Injection {
  armed: boolean
  failAtWrite: number
  writes: number
  failScan: boolean
}

function injectableEngine(): { ecr: Ecr; injection: Injection } {
  const injection: Injection = { armed: false, failAtWrite: -1, writes: 0, failScan: false }
  let ids = 0
  const ecr = createEcr({
    now: () => NOW,
    generateId: () => `00000000-0000-4000-8000-${(ids++).toString(16).padStart(12, '0')}`,
    beforeWrite: () => {
      if (injection.armed && injection.writes++ === injection.failAtWrite) throw new Error(`injected failure at write ${injection.failAtWrite}`)
    },
    scanFindings: () => {
      if (injection.armed && injection.failScan) throw new Error('injected failure in the findings source')
      return [{ name: 'CVE-2024-0001', severity: 'HIGH', uri: 'https://example.com/CVE-2024-0001' }]
    },
  })
  return { ecr, injection }
}

/** Pushes pool content as a client would: blobs first (an index's children must already be there). */
async function push(ecr: Ecr, entry: PoolManifest, imageTag?: string): Promise<void> {
  if (!entry.isIndex) {
    for (const digest of entry.references) await ecr.seed.blob(REPOSITORY, blobs.find((blob) => blob.digest === digest)!.bytes)
  }
  await ecr.call('PutImage', { repositoryName: REPOSITORY, imageManifest: entry.manifest, ...(imageTag !== undefined && { imageTag }) })
}

/**
 * A snapshot with creation-order numbers replaced by their rank: a failed call may use up a
 * sequence number (which only orders listings), so a retried call's records can carry a later one.
 */
function normalized(records: StoredRecord[]): unknown[] {
  const seqOf = (record: StoredRecord) => (record.value as { seq?: unknown } | undefined)?.seq
  const seqs = [...new Set(records.map(seqOf).filter((seq): seq is number => typeof seq === 'number'))].sort((a, b) => a - b)
  return records.map((record) => {
    const seq = seqOf(record)
    return typeof seq === 'number' ? { ...record, value: { ...(record.value as object), seq: seqs.indexOf(seq) } } : record
  })
}

interface Scenario {
  name: string
  /** Builds the state the call runs in (the same on every fresh engine). */
  prepare(ecr: Ecr): Promise<void>
  act(ecr: Ecr): Promise<unknown>
  /** Also fail inside the findings source (scan on push), between the call's writes. */
  failInScan?: boolean
}

const scenarios: Scenario[] = [
  {
    name: 'PutImage that moves a tag and creates an image scanned on push',
    async prepare(ecr) {
      await ecr.call('CreateRepository', { repositoryName: REPOSITORY, imageScanningConfiguration: { scanOnPush: true } })
      await push(ecr, images[0]!, 'latest')
      for (const digest of images[1]!.references) await ecr.seed.blob(REPOSITORY, blobs.find((blob) => blob.digest === digest)!.bytes)
    },
    act: (ecr) => ecr.call('PutImage', { repositoryName: REPOSITORY, imageManifest: images[1]!.manifest, imageTag: 'latest' }),
    failInScan: true,
  },
  {
    name: 'CompleteLayerUpload (stores the blob, ends the upload)',
    async prepare(ecr) {
      await ecr.call('CreateRepository', { repositoryName: REPOSITORY })
      const { uploadId } = await ecr.call('InitiateLayerUpload', { repositoryName: REPOSITORY })
      const { bytes } = blobs[8]!
      await ecr.call('UploadLayerPart', {
        repositoryName: REPOSITORY,
        uploadId: uploadId!,
        partFirstByte: 0,
        partLastByte: bytes.byteLength - 1,
        layerPartBlob: bytes,
      })
    },
    act: (ecr) =>
      ecr.call('CompleteLayerUpload', {
        repositoryName: REPOSITORY,
        uploadId: ecr.snapshot().find((record) => record.kind === 'upload')!.id,
        layerDigests: [blobs[8]!.digest],
      }),
  },
  {
    name: 'BatchDeleteImage of several ids (a tag, tagged and untagged images, an index, a missing digest)',
    async prepare(ecr) {
      await ecr.call('CreateRepository', { repositoryName: REPOSITORY })
      await push(ecr, images[0]!, 'a')
      await ecr.call('PutImage', { repositoryName: REPOSITORY, imageManifest: images[0]!.manifest, imageTag: 'b' })
      await push(ecr, images[1]!, 'c')
      await push(ecr, images[2]!)
      await push(ecr, images[3]!, 'd')
      await push(ecr, indexes[1]!, 'multi')
    },
    act: (ecr) =>
      ecr.call('BatchDeleteImage', {
        repositoryName: REPOSITORY,
        imageIds: [
          { imageTag: 'a' },
          { imageDigest: images[1]!.digest },
          { imageDigest: indexes[1]!.digest },
          // Listed by the index until the index goes, one id earlier in the same call.
          { imageDigest: images[2]!.digest },
          { imageDigest: MISSING_DIGEST },
        ],
      }),
  },
  {
    name: 'DeleteRepository with force (images, tags, an index, blobs, an open upload, policies, resource tags)',
    async prepare(ecr) {
      await ecr.call('CreateRepository', { repositoryName: REPOSITORY, tags: [{ Key: 'team', Value: 'web' }] })
      await ecr.call('CreateRepository', { repositoryName: 'neighbour' })
      await push(ecr, images[0]!, 'latest')
      await push(ecr, images[1]!)
      await push(ecr, indexes[0]!, 'multi')
      await ecr.seed.blob(REPOSITORY, blobs[9]!.bytes)
      await ecr.call('InitiateLayerUpload', { repositoryName: REPOSITORY })
      await ecr.call('SetRepositoryPolicy', { repositoryName: REPOSITORY, policyText: REPOSITORY_POLICIES[0] })
      await ecr.call('PutLifecyclePolicy', { repositoryName: REPOSITORY, lifecyclePolicyText: LIFECYCLE_POLICIES[0] })
    },
    act: (ecr) => ecr.call('DeleteRepository', { repositoryName: REPOSITORY, force: true }),
  },
  {
    name: 'TagResource (a new key and a changed value)',
    async prepare(ecr) {
      await ecr.call('CreateRepository', { repositoryName: REPOSITORY, tags: [{ Key: 'team', Value: 'web' }] })
    },
    act: (ecr) =>
      ecr.call('TagResource', {
        resourceArn: `arn:aws:ecr:${ecr.region}:${ecr.accountId}:repository/${REPOSITORY}`,
        tags: [
          { Key: 'team', Value: 'platform' },
          { Key: 'env', Value: 'prod' },
        ],
      }),
  },
  {
    name: 'PutImage of an index that takes a tag from one of its children',
    async prepare(ecr) {
      await ecr.call('CreateRepository', { repositoryName: REPOSITORY })
      await push(ecr, images[0]!, 'multi')
      await push(ecr, images[1]!)
    },
    act: (ecr) => ecr.call('PutImage', { repositoryName: REPOSITORY, imageManifest: indexes[0]!.manifest, imageTag: 'multi' }),
  },
  {
    name: 'PutImage replicated to another Region and another account (repositories created, image, tag and blobs copied)',
    async prepare(ecr) {
      await ecr.call('CreateRepository', { repositoryName: REPOSITORY })
      await replicateElsewhere(ecr)
      for (const digest of images[0]!.references) await ecr.seed.blob(REPOSITORY, blobs.find((blob) => blob.digest === digest)!.bytes)
    },
    act: (ecr) => ecr.call('PutImage', { repositoryName: REPOSITORY, imageManifest: images[0]!.manifest, imageTag: 'latest' }),
  },
  {
    name: 'a call that catches up with a replication backfill (prepared, its images replicated, ended)',
    async prepare(ecr) {
      await ecr.call('CreateRepository', { repositoryName: REPOSITORY })
      await push(ecr, images[0]!, 'latest')
      await push(ecr, images[1]!)
      await push(ecr, indexes[0]!, 'multi')
      await replicateElsewhere(ecr)
      await ecr.call('StartReplicationBackfill', { destination: { region: 'eu-west-1', registryId: ecr.accountId } })
    },
    act: (ecr) => ecr.call('ListReplicationBackfills', {}),
  },
]

/** Makes the engine's registry replicate to another Region of its account and to a partner account that allows it. */
async function replicateElsewhere(ecr: Ecr): Promise<void> {
  const partner = '210987654321'
  const grant = { Effect: 'Allow', Principal: { AWS: ecr.accountId }, Action: ['ecr:ReplicateImage', 'ecr:CreateRepository'], Resource: '*' }
  await ecr.call('PutRegistryPolicy', { policyText: JSON.stringify({ Version: '2012-10-17', Statement: [grant] }) }, { accountId: partner })
  const destinations = [
    { region: 'eu-west-1', registryId: ecr.accountId },
    { region: ecr.region, registryId: partner },
  ]
  await ecr.call('PutReplicationConfiguration', { replicationConfiguration: { rules: [{ destinations }] } })
}

/** What the call does on a fresh engine: its result, the state after, and how many records it writes. */
async function dryRun(scenario: Scenario) {
  const { ecr, injection } = injectableEngine()
  await scenario.prepare(ecr)
  injection.armed = true
  const result = await scenario.act(ecr)
  return { result, after: normalized(ecr.snapshot()), writes: injection.writes }
}

const writeCounts: string[] = []
afterAll(() => console.log(`failure injection, writes per call (one injected failure each):\n${writeCounts.join('\n')}`))

describe('a failure at any step of a multi-step operation changes nothing', () => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const fresh = await dryRun(scenario)
      expect(fresh.writes).toBeGreaterThan(0)
      writeCounts.push(`  ${scenario.name}: ${fresh.writes}${scenario.failInScan ? ' (+1 failure in the findings source)' : ''}`)

      const injections: Array<Partial<Injection>> = Array.from({ length: fresh.writes }, (_, k) => ({ failAtWrite: k }))
      if (scenario.failInScan) injections.push({ failScan: true })
      for (const fault of injections) {
        const { ecr, injection } = injectableEngine()
        await scenario.prepare(ecr)
        const before = ecr.snapshot()
        let changeEvents = 0
        const stop = ecr.on('change', () => changeEvents++)
        Object.assign(injection, { armed: true, ...fault })
        await expect(scenario.act(ecr), JSON.stringify(fault)).rejects.toMatchObject({ code: 'ServerException', status: 500 })
        stop()
        expect(ecr.snapshot(), `state after a failure ${JSON.stringify(fault)}`).toEqual(before)
        // Listeners (and storage adapters) hear of successful changes only.
        expect(changeEvents).toBe(0)

        injection.armed = false
        expect(await scenario.act(ecr), `retry after ${JSON.stringify(fault)}`).toEqual(fresh.result)
        expect(normalized(ecr.snapshot()), `state after the retry of ${JSON.stringify(fault)}`).toEqual(fresh.after)
      }
    })
  }
})

describe('through MSW and the real SDK', () => {
  const scenario = scenarios.find((candidate) => candidate.name.startsWith('BatchDeleteImage'))!
  const batchDelete = new BatchDeleteImageCommand({
    repositoryName: REPOSITORY,
    imageIds: [{ imageTag: 'a' }, { imageDigest: images[1]!.digest }, { imageDigest: indexes[1]!.digest }, { imageDigest: images[2]!.digest }],
  })
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }

  async function withServer(run: (ecr: Ecr, injection: Injection) => Promise<void>): Promise<void> {
    const { ecr, injection } = injectableEngine()
    const server = setupServer(...ecrHandlers(ecr))
    server.listen({ onUnhandledRequest: 'error' })
    try {
      await scenario.prepare(ecr)
      await run(ecr, injection)
    } finally {
      server.close()
    }
  }

  it('the SDK sees ServerException (500) and the state is unchanged', async () => {
    await withServer(async (ecr, injection) => {
      const client = new ECRClient({ region: 'us-east-1', credentials, maxAttempts: 1 })
      const before = ecr.snapshot()
      Object.assign(injection, { armed: true, failAtWrite: 2 })
      const error = await client.send(batchDelete).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(ServerException)
      expect((error as ServerException).$metadata.httpStatusCode).toBe(500)
      expect(ecr.snapshot()).toEqual(before)
    })
  })

  it('a retried request (the SDK retries 5xx) is applied exactly once', async () => {
    const expected = await (async () => {
      const { ecr } = injectableEngine()
      await scenario.prepare(ecr)
      return ecr.call('BatchDeleteImage', batchDelete.input)
    })()
    await withServer(async (ecr, injection) => {
      const client = new ECRClient({ region: 'us-east-1', credentials, maxAttempts: 2 })
      Object.assign(injection, { armed: true, failAtWrite: 3 })
      const { imageIds, failures, $metadata } = await client.send(batchDelete)
      expect($metadata.attempts).toBe(2)
      expect({ imageIds, failures }).toEqual({ imageIds: expected.imageIds, failures: expected.failures })
      const { imageIds: left } = await client.send(new ListImagesCommand({ repositoryName: REPOSITORY }))
      expect(left?.map((id) => id.imageTag ?? id.imageDigest).sort()).toEqual(['b', 'd'])
    })
  })
})
