import { indexedDbStorage } from '../../handlers/browser/indexeddb-storage.js'
import { createEcr } from '../../src/index.js'
import { benchManifest } from '../fixtures.js'

// The page bench/browser-start.bench.ts drives in Chromium: it fills an IndexedDB database with
// images, then times engines starting on it, all with the page's own clock.

const REPOSITORY = 'big'
const PAGE = 1000
const decoder = new TextDecoder()

/** How a database's entries are laid out (decisions/storage-format.md), read with plain IndexedDB. */
export interface Layout {
  snapshotEntries: number
  logEntries: number
  /** Records in the snapshot and log entries. */
  records: number
  /** Bytes of the snapshot and log entries (JSON). */
  bytes: number
  /** Decoding and parsing those entries, the CPU part of reading them (ms, median of 5). */
  parseMs: number
}

/** One engine's start, in ms of the page's clock. */
export interface Start {
  /** `indexedDbStorage` + `createEcr` + `await ecr.ready`. */
  startMs: number
  /** Of which the adapter's `read()`: IndexedDB, JSON, the log replayed over the snapshot. */
  readMs: number
  /** The first DescribeImages page of 1,000, after the start. */
  pageMs: number
}

export interface BrowserStartBench {
  /** Stores `images` images: all but the last `logged` in one write (so folded into a snapshot), those through an engine, a write each. */
  seed(databaseName: string, images: number, logged: number): Promise<void>
  layout(databaseName: string): Promise<Layout>
  start(databaseName: string): Promise<Start>
}

declare global {
  interface Window {
    browserStartBench: BrowserStartBench
  }
}

const push = (n: number) => ({ repositoryName: REPOSITORY, imageManifest: benchManifest(n), imageTag: `v${n}` })

async function seed(databaseName: string, images: number, logged: number): Promise<void> {
  const source = createEcr({ verifyReferences: false })
  await source.call('CreateRepository', { repositoryName: REPOSITORY })
  for (let n = 0; n < images - logged; n++) await source.call('PutImage', push(n))
  const writer = indexedDbStorage({ databaseName })
  await writer.read()
  // One log entry over the compaction limit: the write folds it into a snapshot before it returns.
  await writer.write(source.snapshot())
  writer.close()
  if (logged === 0) return
  const storage = indexedDbStorage({ databaseName })
  const ecr = createEcr({ storage, verifyReferences: false })
  for (let n = images - logged; n < images; n++) await ecr.call('PutImage', push(n))
  storage.close()
}

async function layout(databaseName: string): Promise<Layout> {
  const entries = await storedEntries(databaseName)
  const head = entries.find(([key]) => key === 'head')
  const { logFrom = 0 } = head === undefined ? {} : (JSON.parse(decoder.decode(head[1])) as { logFrom?: number })
  const snapshot = entries.filter(([key]) => key.startsWith('snapshot/'))
  // Entries before `logFrom` are folded into the snapshot (kept for tabs that fell behind): a start does not read them.
  const log = entries.filter(([key]) => key.startsWith('log/') && Number(key.slice('log/'.length)) >= logFrom)
  const values = [...snapshot, ...log].map(([, value]) => value)
  const parse = () => values.map((value) => JSON.parse(decoder.decode(value)) as unknown[])
  const times: number[] = []
  let records = 0
  for (let round = 0; round < 5; round++) {
    const began = performance.now()
    records = parse().reduce((sum, entry) => sum + entry.length, 0)
    times.push(performance.now() - began)
  }
  return {
    snapshotEntries: snapshot.length,
    logEntries: log.length,
    records,
    bytes: values.reduce((sum, value) => sum + value.byteLength, 0),
    parseMs: times.sort((a, b) => a - b)[2]!,
  }
}

async function start(databaseName: string): Promise<Start> {
  const began = performance.now()
  const storage = indexedDbStorage({ databaseName })
  // Timed apart, to tell the adapter's share of the start from the engine's (applying the records).
  const read = storage.read
  let readMs = 0
  storage.read = async () => {
    const readBegan = performance.now()
    const records = await read()
    readMs = performance.now() - readBegan
    return records
  }
  const ecr = createEcr({ storage, verifyReferences: false })
  await ecr.ready
  const startMs = performance.now() - began
  const pageBegan = performance.now()
  const { imageDetails } = await ecr.call('DescribeImages', { repositoryName: REPOSITORY, maxResults: PAGE })
  const pageMs = performance.now() - pageBegan
  storage.close()
  if (imageDetails?.length !== PAGE) throw new Error(`Expected a page of ${PAGE} images, got ${imageDetails?.length}`)
  return { startMs, readMs, pageMs }
}

/** Every entry of the adapter's object store, read in one transaction and the connection closed. */
async function storedEntries(databaseName: string): Promise<Array<[string, Uint8Array]>> {
  const database = await settled(indexedDB.open(databaseName))
  try {
    const store = database.transaction('records').objectStore('records')
    const [keys, values] = await Promise.all([settled(store.getAllKeys()), settled(store.getAll())])
    return keys.map((key, index) => [String(key), values[index] as Uint8Array])
  } finally {
    database.close()
  }
}

function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

window.browserStartBench = { seed, layout, start }
