import 'fake-indexeddb/auto'
import { createStore, entries, get, set } from 'idb-keyval'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { sha256 } from '../fixtures.js'
import { createEcr, FORMAT_VERSION, StorageError, type CompactionLimits, type Ecr, type EcrOptions, type StoredRecord } from '../../src/index.js'
import type { IndexedDbStorage } from '../../handlers/browser/glossary.js'
import { createIndexedDbStorage, indexedDbStorage } from '../../handlers/browser/indexeddb-storage.js'

const opened: IndexedDbStorage[] = []
let databases = 0

/** A database name no other test uses: each test starts from an empty IndexedDB. */
const freshName = () => `fake-ecr-test-${++databases}`

/** A "page load": a new adapter on the database and an engine on it, loaded. */
async function load(
  databaseName: string,
  options: EcrOptions = {},
  compaction?: CompactionLimits,
): Promise<{ ecr: Ecr; storage: IndexedDbStorage }> {
  const storage = createIndexedDbStorage({ databaseName }, { version: FORMAT_VERSION, migrations: new Map() }, compaction)
  opened.push(storage)
  const ecr = createEcr({ onStorageError: () => undefined, ...options, storage })
  await ecr.ready
  return { ecr, storage }
}

/** What the database holds, read with plain idb-keyval (not through the adapter). */
async function stored(databaseName: string): Promise<Map<string, unknown>> {
  const all = await entries(createStore(databaseName, 'records'))
  return new Map(all.map(([key, value]) => [JSON.stringify(key), value]))
}

/** The entries of one section of the database: `snapshot`, `log` or `chunk` (blob and upload bytes), by key. */
async function section(databaseName: string, name: 'snapshot' | 'log' | 'chunk'): Promise<Map<string, Uint8Array>> {
  const all = await entries(createStore(databaseName, 'records'))
  return new Map(all.filter(([key]) => typeof key === 'string' && key.startsWith(`${name}/`)) as Array<[string, Uint8Array]>)
}

/** The records held by the JSON entries of a section (a log entry or a snapshot part each hold a list). */
async function recordsIn(databaseName: string, name: 'snapshot' | 'log'): Promise<StoredRecord[]> {
  return [...(await section(databaseName, name)).values()].flatMap((bytes) => JSON.parse(new TextDecoder().decode(bytes)) as StoredRecord[])
}

/** Writes JSON the way the storage does (as bytes). */
const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))

afterEach(() => {
  vi.restoreAllMocks()
  for (const storage of opened.splice(0)) storage.close()
})

describe('persistence across page loads', () => {
  it('a new engine on the same database starts with the state the previous one left', async () => {
    const name = freshName()
    const first = await load(name)
    const image = await first.ecr.seed.image('web', { tag: 'v1' })
    await first.ecr.call('CreateRepository', { repositoryName: 'api' }, { region: 'eu-west-1' })
    await first.ecr.call('PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: LIFECYCLE_POLICY })
    const layer = JSON.parse(image.imageManifest).layers[0]
    const { downloadUrl } = await first.ecr.call('GetDownloadUrlForLayer', { repositoryName: 'web', layerDigest: layer.digest })
    first.storage.close()

    const second = await load(name)
    expect(second.ecr.snapshot()).toEqual(first.ecr.snapshot())
    const { imageDetails } = await second.ecr.call('DescribeImages', { repositoryName: 'web' })
    expect(imageDetails?.[0]?.imageTags).toEqual(['v1'])
    // Layer bytes come back as bytes: the GetDownloadUrlForLayer URL serves them, and one issued
    // before the reload still works (the signing key is stored too).
    const download = await second.ecr.openDownload(downloadUrl!)
    expect(download).toMatchObject({ status: 'ok', size: layer.size })
    expect(sha256(await (download as Extract<typeof download, { status: 'ok' }>).read())).toBe(layer.digest)
  })

  it('stores blob bytes once each, as binary, and records a format version', async () => {
    const name = freshName()
    const { ecr } = await load(name)
    await ecr.seed.image('web', { tag: 'v1', layers: [1000] })
    const chunks = await section(name, 'chunk')
    expect(chunks.size).toBe(2)
    for (const bytes of chunks.values()) expect(bytes).toBeInstanceOf(Uint8Array)
    // The log holds what the bytes are (content records: size and chunks), never the bytes.
    const contents = (await recordsIn(name, 'log')).filter((record) => record.kind === 'content')
    const sizes = contents.map((record) => (record.value as { size: number }).size)
    expect(sizes).toContain(1000)
    expect([...chunks.values()].map((bytes) => bytes.byteLength).sort()).toEqual(sizes.sort())
    const format = (await get('format', createStore(name, 'records'))) as Uint8Array
    expect(JSON.parse(new TextDecoder().decode(format))).toEqual({ writer: 'fake-ecr', version: FORMAT_VERSION })
  })

  it('writes only the records a call changed, in one transaction', async () => {
    const name = freshName()
    const { ecr } = await load(name)
    const image = await ecr.seed.image('web', { tag: 'v1' })
    await ecr.seed.image('web', { tag: 'v2' })
    const put = vi.spyOn(IDBObjectStore.prototype, 'put')
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction')
    const changed: StoredRecord[] = []
    ecr.on('change', ({ records }) => changed.push(...records))
    await ecr.call('PutImage', { repositoryName: 'web', imageManifest: image.imageManifest, imageTag: 'latest' })
    expect(changed.map((record) => record.kind)).toEqual(['tag'])
    // One log entry holding the one record, in the one transaction that writes.
    expect(put).toHaveBeenCalledTimes(1)
    expect(JSON.parse(new TextDecoder().decode(put.mock.calls[0]?.[0] as Uint8Array))).toEqual(JSON.parse(JSON.stringify(changed)))
    expect(transaction.mock.calls.filter(([, mode]) => mode === 'readwrite')).toHaveLength(1)
  })

  it('reset() empties the database, and the next engine starts empty (and seeds again)', async () => {
    const name = freshName()
    const seed = vi.fn(async (ecr: Ecr) => void (await ecr.seed.repository('seeded')))
    const first = await load(name, { seed })
    await first.ecr.seed.image('web', { tag: 'v1' })
    await first.ecr.reset()
    expect([...(await stored(name)).keys()].sort()).toEqual(['"format"', '"head"', '"signing-key"'])
    const second = await load(name, { seed })
    expect(seed).toHaveBeenCalledTimes(2)
    expect(second.ecr.snapshot().map((record) => record.id)).toEqual(['seeded'])
  })
})

describe('deleting a repository', () => {
  it('deletes everything stored under it, bytes included, and nothing under similarly named repositories', async () => {
    const name = freshName()
    const { ecr, storage } = await load(name)
    for (const repository of ['web', 'web2', 'web/api', 'repository']) await ecr.seed.image(repository, { tag: 'v1', layers: [10] })
    await ecr.seed.image('web', { tag: 'v1', layers: [10], context: { region: 'eu-west-1' } })
    // Config and layer of each image.
    expect((await section(name, 'chunk')).size).toBe(10)
    await ecr.call('DeleteRepository', { repositoryName: 'web', force: true })
    expect((await section(name, 'chunk')).size).toBe(8)
    const ofWeb = (record: StoredRecord) => (record.kind === 'repository' ? record.id : record.scope[2]) === 'web'
    expect((await load(name)).ecr.snapshot()).toEqual(ecr.snapshot())

    // Folded into the snapshot, the deleted repository leaves nothing behind.
    storage.close()
    const compacting = await load(name, {}, { entries: 1, records: 1 })
    await compacting.ecr.call('CreateRepository', { repositoryName: 'after' })
    // The log keeps its last entries (here, one) for tabs that fell behind; the rest is folded.
    await vi.waitFor(async () => expect((await section(name, 'log')).size).toBe(1))
    const snapshot = await recordsIn(name, 'snapshot')
    // The eu-west-1 repository's: repository, image, tag, and its two blobs.
    expect(snapshot.filter((record) => ofWeb(record)).map((record) => record.scope[1])).toEqual(Array(5).fill('eu-west-1'))
    expect((await load(name)).ecr.snapshot()).toEqual(compacting.ecr.snapshot())
  })

  it('deleted and re-created while writes fail, it stays as stored; once they work, deleted and re-created it is saved in order', async () => {
    const name = freshName()
    const { ecr } = await load(name)
    await ecr.seed.image('web', { tag: 'old', layers: [10] })
    const saved = ecr.snapshot()
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    })
    await expect(ecr.call('DeleteRepository', { repositoryName: 'web', force: true })).rejects.toMatchObject({
      code: 'ServerException',
      message: expect.stringContaining(': QuotaExceededError: The quota has been exceeded. Nothing of the call'),
    })
    await expect(ecr.seed.image('web', { tag: 'new', layers: [10] })).rejects.toMatchObject({ code: 'ServerException' })
    expect(ecr.snapshot()).toEqual(saved)
    transaction.mockRestore()
    await ecr.call('DeleteRepository', { repositoryName: 'web', force: true })
    await ecr.seed.image('web', { tag: 'new', layers: [10] })
    const reloaded = await load(name)
    expect(reloaded.ecr.snapshot()).toEqual(ecr.snapshot())
    expect((await reloaded.ecr.call('ListImages', { repositoryName: 'web' })).imageIds?.map((id) => id.imageTag)).toEqual(['new'])
  })
})

describe('failures', () => {
  it('a write that fails half-way stores nothing: the call fails and changes nothing, and the next one works', async () => {
    const name = freshName()
    const { ecr } = await load(name)
    const image = await ecr.seed.image('web', { tag: 'v1' })
    await ecr.call('PutImage', { repositoryName: 'web', imageManifest: image.imageManifest, imageTag: 'v2' })
    const saved = ecr.snapshot()
    const errors: unknown[] = []
    ecr.on('storage-error', ({ error }) => errors.push(error))
    const changes: unknown[] = []
    ecr.on('change', (event) => changes.push(event))
    // Deleting an image with two tags changes seven records (the tags, the image, its four blobs now
    // unused): the transaction aborts once they are written.
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementationOnce(function (this: IDBObjectStore, value, key) {
      const request = IDB_PUT.call(this, value, key)
      this.transaction.abort()
      return request
    })
    const deleteImage = () => ecr.call('BatchDeleteImage', { repositoryName: 'web', imageIds: [{ imageDigest: image.imageDigest }] })
    const failure = await deleteImage().catch((error: unknown) => error)
    expect(failure).toMatchObject({
      code: 'ServerException',
      status: 500,
      message: expect.stringMatching(/^Failed to save fake-ecr state to IndexedDB database "fake-ecr-test-\d+": AbortError.*Nothing of the call is stored or kept: it failed\. Suggested fix: free up storage/),
    })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(StorageError)
    expect(changes).toEqual([])
    // Memory and storage both hold the state from before the call.
    expect(ecr.snapshot()).toEqual(saved)
    expect((await load(name)).ecr.snapshot()).toEqual(saved)

    // Asked again (as the SDK does with a 500), it succeeds.
    expect((await deleteImage()).imageIds).toHaveLength(2)
    expect((await load(name)).ecr.snapshot()).toEqual(ecr.snapshot())
  })

  it('words a failure without a reason, or with one that ends a sentence, without stray punctuation', async () => {
    const name = freshName()
    const { ecr } = await load(name)
    const put = vi.spyOn(IDBObjectStore.prototype, 'put')
    put.mockImplementationOnce(() => {
      throw new DOMException('', 'QuotaExceededError')
    })
    await expect(ecr.call('CreateRepository', { repositoryName: 'one' })).rejects.toMatchObject({
      message: expect.stringContaining(`"${name}": QuotaExceededError. Nothing of the call`),
    })
    put.mockImplementationOnce(() => {
      throw new DOMException('The transaction was aborted, so the request cannot be fulfilled.', 'AbortError')
    })
    await expect(ecr.call('CreateRepository', { repositoryName: 'two' })).rejects.toMatchObject({
      message: expect.stringContaining('AbortError: The transaction was aborted, so the request cannot be fulfilled. Nothing of the call'),
    })
  })

  it('a request that throws in the transaction stores nothing of the call, and repeated failures are marked as such', async () => {
    const name = freshName()
    const { ecr } = await load(name)
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const { uploadId } = await ecr.call('InitiateLayerUpload', { repositoryName: 'web' })
    const bytes = new Uint8Array(100).fill(7)
    await ecr.call('UploadLayerPart', { repositoryName: 'web', uploadId, partFirstByte: 0, partLastByte: 99, layerPartBlob: bytes })
    const saved = ecr.snapshot()
    const errors: StorageError[] = []
    ecr.on('storage-error', ({ error }) => errors.push(error as StorageError))
    // Completing the upload writes one log entry (the blob, its content, the upload gone): it fails.
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value, key) {
      if (String(key).startsWith('log/')) throw new DOMException('The operation failed for reasons unrelated to the database itself.', 'UnknownError')
      return IDB_PUT.call(this, value, key)
    })
    const complete = () => ecr.call('CompleteLayerUpload', { repositoryName: 'web', uploadId, layerDigests: [sha256(bytes)] })
    await expect(complete()).rejects.toMatchObject({ code: 'ServerException' })
    await expect(
      ecr.call('TagResource', { resourceArn: 'arn:aws:ecr:us-east-1:123456789012:repository/web', tags: [{ Key: 'team', Value: 'a' }] }),
    ).rejects.toMatchObject({ code: 'ServerException' })
    expect(errors.map((error) => error.repeated)).toEqual([false, true])
    expect(errors[0]?.message).toContain('UnknownError: The operation failed for reasons unrelated to the database itself. Nothing of the call')
    expect(ecr.snapshot()).toEqual(saved)
    expect((await load(name)).ecr.snapshot()).toEqual(saved)
    put.mockRestore()
    const { layerDigest } = await complete()
    const reloaded = await load(name)
    expect(reloaded.ecr.snapshot()).toEqual(ecr.snapshot())
    expect((await reloaded.ecr.call('BatchCheckLayerAvailability', { repositoryName: 'web', layerDigests: [layerDigest!] })).layers?.[0]?.layerAvailability).toBe(
      'AVAILABLE',
    )
  })
})

describe('format versions', () => {
  it('refuses data written in a newer format, with a clear message, and leaves it untouched', async () => {
    const name = freshName()
    const { ecr, storage } = await load(name)
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    storage.close()
    await set('format', jsonBytes({ writer: 'fake-ecr', version: FORMAT_VERSION + 1 }), createStore(name, 'records'))
    const before = await stored(name)

    const newer = createEcr({ storage: indexedDbStorage({ databaseName: name }) })
    const message = new RegExp(
      `^Failed to load fake-ecr state from IndexedDB database "${name}": it was written by a newer fake-ecr \\(storage format ${FORMAT_VERSION + 1}; this version reads format ${FORMAT_VERSION}\\)\\. Suggested fix: upgrade fake-ecr`,
    )
    await expect(newer.ready).rejects.toThrow(message)
    await expect(newer.call('DescribeRepositories', {})).rejects.toThrow(message)
    expect(await stored(name)).toEqual(before)
  })

  it('migrates data written in an older format, once, in place', async () => {
    const name = freshName()
    const { ecr, storage } = await load(name)
    await ecr.seed.image('web', { tag: 'v1', layers: [10] })
    storage.close()
    const next = {
      version: FORMAT_VERSION + 1,
      migrations: new Map([
        [FORMAT_VERSION, (records: StoredRecord[]) => records.map((record) => (record.kind === 'tag' ? { ...record, id: `${record.id}-migrated` } : record))],
      ]),
    }
    const migrating = createIndexedDbStorage({ databaseName: name }, next)
    opened.push(migrating)
    const tags = (records: Iterable<StoredRecord>) => [...records].filter((record) => record.kind === 'tag').map((record) => record.id)
    expect(tags(await migrating.read())).toEqual(['v1-migrated'])
    migrating.close()
    const again = createIndexedDbStorage({ databaseName: name }, next)
    opened.push(again)
    expect(tags(await again.read())).toEqual(['v1-migrated'])
    // The code of the old format now refuses the migrated data.
    await expect(indexedDbStorage({ databaseName: name }).read()).rejects.toThrow(/written by a newer fake-ecr/)
  })

  it('refuses an older format it cannot migrate, and data that is not fake-ecr’s', async () => {
    const name = freshName()
    const { ecr, storage } = await load(name)
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    storage.close()
    const newer = createIndexedDbStorage({ databaseName: name }, { version: FORMAT_VERSION + 1, migrations: new Map() })
    opened.push(newer)
    await expect(newer.read()).rejects.toThrow(
      new RegExp(
        `written by an older fake-ecr \\(storage format ${FORMAT_VERSION}\\) and this version has no migration from format ${FORMAT_VERSION} to ${FORMAT_VERSION + 1}\\. Suggested fix: delete the database \\(.*indexedDB\\.deleteDatabase\\('${name}'\\)\\) to start afresh`,
      ),
    )

    const foreign = freshName()
    await set(['something', 'else'], { hello: 'world' }, createStore(foreign, 'records'))
    await expect(indexedDbStorage({ databaseName: foreign }).read()).rejects.toThrow(/holds data but no format entry/)
  })

  it('refuses a database of the same name made by something else', async () => {
    const name = freshName()
    await set('key', 'value', createStore(name, 'keyval'))
    const storage = indexedDbStorage({ databaseName: name })
    opened.push(storage)
    await expect(storage.read()).rejects.toThrow(`Failed to load fake-ecr state from IndexedDB database "${name}": the database exists but has no "records" store`)
  })
})

describe('two tabs', () => {
  it('each sees the other’s changes and resets without reloading', async () => {
    const name = freshName()
    const left = await load(name)
    const right = await load(name)
    const external = (ecr: Ecr) =>
      new Promise<{ records: readonly StoredRecord[]; cleared?: true }>((resolve) => {
        const stop = ecr.on('change', (event) => {
          if (event.origin !== 'external') return
          stop()
          resolve(event)
        })
      })

    let arrived = external(right.ecr)
    await left.ecr.call('CreateRepository', { repositoryName: 'web' })
    expect((await arrived).records.map((record) => record.id)).toEqual(['web'])
    expect((await right.ecr.call('DescribeRepositories', {})).repositories?.map((repository) => repository.repositoryName)).toEqual(['web'])

    arrived = external(left.ecr)
    await right.ecr.seed.blob('web', new Uint8Array([1, 2, 3]))
    await arrived
    const blobs = (ecr: Ecr) => ecr.snapshot().filter((record) => record.kind === 'blob' || record.kind === 'content')
    await vi.waitFor(() => expect(blobs(left.ecr)).toEqual(blobs(right.ecr)))
    const content = blobs(left.ecr).find((record) => record.kind === 'content')?.value as { chunks: Array<{ id: string }> }
    expect(await left.storage.readChunk(content.chunks[0]!.id)).toEqual(new Uint8Array([1, 2, 3]))

    arrived = external(left.ecr)
    await right.ecr.reset()
    expect((await arrived).cleared).toBe(true)
    expect(left.ecr.snapshot()).toEqual([])
  })

  it('a tab that loads while another writes misses nothing', async () => {
    const name = freshName()
    const writer = await load(name)
    const writes = Array.from({ length: 20 }, (_, index) => writer.ecr.call('CreateRepository', { repositoryName: `repo-${index}` }))
    const reader = await load(name)
    await Promise.all(writes)
    await vi.waitFor(() => expect(reader.ecr.snapshot()).toEqual(writer.ecr.snapshot()))
  })

  it('writing at the same time, with the log folded now and then, they lose nothing', async () => {
    const name = freshName()
    const limits = { entries: 4, records: 1 }
    const tabs = [await load(name, {}, limits), await load(name, {}, limits)]
    await Promise.all(
      tabs.flatMap(({ ecr }, tab) =>
        Array.from({ length: 10 }, (_, index) => ecr.call('CreateRepository', { repositoryName: `tab-${tab}-${index}` })),
      ),
    )
    await vi.waitFor(() => expect(tabs[0]!.ecr.snapshot()).toEqual(tabs[1]!.ecr.snapshot()))
    const { ecr } = await load(name)
    expect(ecr.snapshot()).toEqual(tabs[0]!.ecr.snapshot())
    expect(ecr.snapshot()).toHaveLength(20)
  })

  it('with broadcast: false, a tab does not tell the others, who see its changes at their next call', async () => {
    const name = freshName()
    const quiet = indexedDbStorage({ databaseName: name, broadcast: false })
    opened.push(quiet)
    const writer = createEcr({ storage: quiet })
    const reader = await load(name)
    const external: unknown[] = []
    reader.ecr.on('change', (event) => external.push(event))
    await writer.call('CreateRepository', { repositoryName: 'web' })
    // A tab that does broadcast is heard: once its change arrives, the silent one's would have too.
    const other = await load(name)
    await other.ecr.call('CreateRepository', { repositoryName: 'api' })
    await vi.waitFor(() => expect(external).toHaveLength(1))
    // Catching up reads what is stored: the silent tab's change came with the other's.
    expect(reader.ecr.snapshot().map((record) => record.id)).toEqual(['api', 'web'])
    await writer.call('CreateRepository', { repositoryName: 'db' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(reader.ecr.snapshot().map((record) => record.id)).toEqual(['api', 'web'])
    expect((await reader.ecr.call('DescribeRepositories', {})).repositories?.map((repository) => repository.repositoryName)).toEqual(['web', 'api', 'db'])
  })

  it('a turn hands over, in order, what others stored since this storage last looked, and everything again after a reset', async () => {
    const name = freshName()
    const reader = indexedDbStorage({ databaseName: name })
    const writer = indexedDbStorage({ databaseName: name })
    opened.push(reader, writer)
    await reader.read()
    const first: StoredRecord = { kind: 'repository', scope: ['123456789012', 'us-east-1'], id: 'web', value: { seq: 1 } }
    const second: StoredRecord = { kind: 'repository', scope: ['123456789012', 'us-east-1'], id: 'api', value: { seq: 2 } }
    await writer.write([first])
    await writer.write([second])
    expect(await reader.turn(async (missed) => missed)).toEqual([{ changes: [first, second] }])
    expect(await reader.turn(async (missed) => missed)).toEqual([])
    await writer.clear()
    await writer.write([first])
    expect(await reader.turn(async (missed) => missed)).toEqual([{ cleared: true }, { changes: [first] }])
  })
})

describe('10,000 images', () => {
  it('load into a new engine whole', async () => {
    const name = freshName()
    const source = createEcr({ verifyReferences: false })
    await source.call('CreateRepository', { repositoryName: 'big' })
    for (let i = 0; i < 10_000; i++) {
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 100, digest: `sha256:${i.toString(16).padStart(64, '0')}` },
        layers: [],
      })
      await source.call('PutImage', { repositoryName: 'big', imageManifest: manifest, imageTag: `v${i}` })
    }
    const records = source.snapshot()
    const writer = indexedDbStorage({ databaseName: name })
    opened.push(writer)
    await writer.read()
    await writer.write(records)

    const { ecr } = await load(name, { verifyReferences: false })
    expect(ecr.snapshot()).toEqual(records)
    const page = await ecr.call('DescribeImages', { repositoryName: 'big', maxResults: 1000 })
    expect(page.imageDetails).toHaveLength(1000)
  }, 60_000)
})

const IDB_PUT = IDBObjectStore.prototype.put
const LIFECYCLE_POLICY = JSON.stringify({
  rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } }],
})
