import { createStore, type UseStore } from 'idb-keyval'
import type { ExternalChange, StoredRecord } from '../../src/index.js'
import type { IndexedDbStorage, IndexedDbStorageOptions } from './glossary.js'

/**
 * The format of the stored records. Bump it when what is stored changes shape, and add the
 * migration from the previous format to {@link MIGRATIONS}.
 */
export const FORMAT_VERSION = 1

/** Turns the records of format `n` (the key) into those of format `n + 1`. */
export type Migration = (records: StoredRecord[]) => StoredRecord[]

/** Migrations between formats; none yet, as format 1 is the first. */
const MIGRATIONS: ReadonlyMap<number, Migration> = new Map()

/** The format an adapter writes and the migrations it can run (tests give their own). */
export interface StorageFormat {
  version: number
  migrations: ReadonlyMap<number, Migration>
}

/** The one entry that is not a record: which format the records are in. */
const FORMAT_KEY = 'format'
const STORE_NAME = 'records'

interface FormatEntry {
  writer: 'fake-ecr'
  version: number
}

/** What tabs tell each other on the BroadcastChannel named after the database. */
interface BroadcastMessage {
  writer: 'fake-ecr'
  version: number
  change: ExternalChange
}

/**
 * A failure of IndexedDB storage, worded as "what failed: why. Suggested fix: ...". Write
 * failures say how many changes wait to be saved (`pendingChanges`) and whether the previous
 * write failed too (`repeated`), so a warning can be given once per run of failures.
 */
export class IndexedDbStorageError extends Error {
  override readonly name = 'IndexedDbStorageError'
  readonly repeated: boolean
  readonly pendingChanges: number

  constructor(message: string, options: { cause?: unknown; repeated?: boolean; pendingChanges?: number } = {}) {
    super(message, { cause: options.cause })
    this.repeated = options.repeated ?? false
    this.pendingChanges = options.pendingChanges ?? 0
  }
}

/**
 * Keeps the engine's records in IndexedDB: each write stores only what one call changed, in one
 * transaction (a log entry, plus blobs as binary entries of their own); the log is folded into a
 * snapshot of large chunks now and then, so loading reads a few entries. Tabs that share the
 * database stay in step through a BroadcastChannel of the same name.
 *
 * @example
 * import { createEcr } from 'fake-ecr'
 * import { indexedDbStorage } from 'fake-ecr/browser'
 *
 * const ecr = createEcr({ storage: indexedDbStorage({ databaseName: 'my-app-ecr' }) })
 * await ecr.ready // stored state is loaded
 */
export function indexedDbStorage(options: IndexedDbStorageOptions = {}): IndexedDbStorage {
  return createIndexedDbStorage(options, { version: FORMAT_VERSION, migrations: MIGRATIONS })
}

/** When the log is folded into the snapshot (tests lower the limits). */
export interface CompactionLimits {
  /** Log entries (writes) since the last compaction; a twentieth of the snapshot's records when that is more. */
  entries: number
  /** Records in those entries; half the snapshot's records when that is more. */
  records: number
}

const COMPACTION: CompactionLimits = { entries: 200, records: 2000 }

/** {@link indexedDbStorage} with a chosen format and compaction limits, so that tests can exercise both. */
export function createIndexedDbStorage(
  options: IndexedDbStorageOptions,
  format: StorageFormat,
  compaction: CompactionLimits = COMPACTION,
): IndexedDbStorage {
  const databaseName = options.databaseName ?? 'fake-ecr'
  const formatEntry: FormatEntry = { writer: 'fake-ecr', version: format.version }
  let useStore: UseStore | undefined
  let database: IDBDatabase | undefined

  /** Runs `body` in one transaction; resolves once it commits, and nothing of it is kept if it fails. */
  const transact = <T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => T): Promise<T> => {
    useStore ??= createStore(databaseName, STORE_NAME)
    return useStore(mode, (store) => {
      const transaction = store.transaction
      database = transaction.db
      const committed = new Promise<void>((resolve, reject) => {
        transaction.oncomplete = () => resolve()
        transaction.onabort = () => reject(transaction.error ?? new DOMException('The transaction was aborted.', 'AbortError'))
      })
      let result: T
      try {
        result = body(store)
      } catch (error) {
        committed.catch(() => undefined)
        try {
          transaction.abort()
        } catch {
          // IndexedDB aborted it already (which is why a request threw).
        }
        throw error
      }
      return committed.then(() => result)
    })
  }

  // Changes not yet saved, in the order to apply them. A record's later value replaces its
  // earlier one; a repository's deletion (which takes its contents) is keyed apart from the
  // repository record, so that deleting and re-creating a repository keeps both, in order.
  const pending = new Map<string, StoredRecord>()
  let pendingClear = false
  let formatWritten = false
  let failing = false
  let queue: Promise<unknown> = Promise.resolve()
  // The sizes of the log since the last compaction, and of the snapshot, as this tab knows them.
  let logEntries = 0
  let logRecords = 0
  let snapshotRecords = 0

  const enqueue = (changes: readonly StoredRecord[]) => {
    for (const change of changes) {
      const id = recordId(change)
      if (isCascade(change)) {
        for (const [pendingId, record] of pending) {
          if (pendingId === id || isUnder(record, change)) pending.delete(pendingId)
        }
        pending.delete(`cascade ${id}`)
        pending.set(`cascade ${id}`, change)
        continue
      }
      pending.delete(id)
      pending.set(id, change)
    }
  }

  const chain = (step: () => Promise<void>): Promise<void> => {
    const run = queue.then(step)
    queue = run.catch(() => undefined)
    return run
  }

  /** Saves whatever is pending in one transaction; writes are chained, so they commit in order. */
  const flush = async () => {
    if (pending.size === 0 && !pendingClear) return
    const batch = [...pending]
    const clearing = pendingClear
    const logged: StoredRecord[] = []
    try {
      await transact('readwrite', (store) => {
        if (clearing) store.clear()
        if (clearing || !formatWritten) store.put(formatEntry, FORMAT_KEY)
        for (const [, record] of batch) {
          if (isBulky(record)) writeBulky(store, record)
          else logged.push(record)
          if (isCascade(record)) store.delete(bulkyRangeOf(record))
        }
        if (logged.length > 0) appendToLog(store, logged)
      })
    } catch (cause) {
      const repeated = failing
      failing = true
      throw new IndexedDbStorageError(
        `Failed to save fake-ecr state to IndexedDB database "${databaseName}": ${describe(cause)}. ` +
          `The page keeps working in memory; the stored state is as it was after the last change saved, and the ${pending.size} unsaved ` +
          `change(s) are saved with the next change that succeeds. Suggested fix: free up storage for this site (DevTools › Application › Storage), ` +
          'or call ecr.reset() to start from an empty registry.',
        { cause, repeated, pendingChanges: pending.size },
      )
    }
    failing = false
    formatWritten = true
    if (clearing) {
      pendingClear = false
      logEntries = logRecords = snapshotRecords = 0
    }
    if (logged.length > 0) {
      logEntries += 1
      logRecords += logged.length
    }
    // Entries changed again while this transaction ran stay pending for the next one.
    for (const [id, record] of batch) if (pending.get(id) === record) pending.delete(id)
    if (clearing) post({ cleared: true })
    if (batch.length > 0) post({ changes: batch.map(([, record]) => record) })
    // Limits grow with the snapshot, so compaction costs about the same per write at any size.
    if (logEntries >= Math.max(compaction.entries, snapshotRecords / 20) || logRecords >= Math.max(compaction.records, snapshotRecords / 2)) {
      void chain(compact)
    }
  }

  /**
   * Folds the log into the snapshot in one transaction that reads what is stored (another tab
   * may have written since), so that loading reads a few large entries instead of many small
   * ones. A compaction that fails loses nothing (the log stays) and is tried again after more writes.
   */
  const compact = async () => {
    logEntries = logRecords = 0
    await transact('readwrite', (store) => {
      const snapshot = store.getAll(ranges.snapshot)
      const log = store.getAll(ranges.log)
      log.onsuccess = () => {
        const records = replay(snapshot.result as StoredRecord[][], log.result as StoredRecord[][])
        store.delete(ranges.snapshot)
        store.delete(ranges.log)
        writeSnapshot(store, records)
        snapshotRecords = records.length
      }
    }).catch(() => undefined)
  }

  // Other tabs: open the channel before the first read, so that no change committed after the
  // read's snapshot is missed; messages wait until the engine subscribes.
  const channel = (options.broadcast ?? true) && typeof BroadcastChannel === 'function' ? new BroadcastChannel(databaseName) : undefined
  const listeners = new Set<(event: ExternalChange) => void>()
  let early: ExternalChange[] | undefined = []
  const post = (change: ExternalChange) => {
    const message: BroadcastMessage = { writer: 'fake-ecr', version: format.version, change }
    channel?.postMessage(message)
  }
  channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data as Partial<BroadcastMessage> | null
    // Tabs running a fake-ecr of another format ignore each other.
    if (message?.writer !== 'fake-ecr' || message.version !== format.version || message.change === undefined) return
    // Another tab wiped the registry: what this tab had not saved yet was wiped with it.
    if ('cleared' in message.change) {
      pending.clear()
      pendingClear = false
    }
    early?.push(message.change)
    for (const listener of listeners) listener(message.change)
  })

  return {
    databaseName,
    get pendingChanges() {
      return pending.size
    },

    async read() {
      let stored: { entry: unknown; entries: number; snapshot: StoredRecord[][]; log: StoredRecord[][]; bulky: StoredRecord[] }
      try {
        const requests = await transact('readonly', (store) => ({
          entry: store.get(FORMAT_KEY),
          entries: store.count(),
          snapshot: store.getAll(ranges.snapshot),
          log: store.getAll(ranges.log),
          bulky: store.getAll(ranges.bulky),
        }))
        stored = {
          entry: requests.entry.result,
          entries: requests.entries.result,
          snapshot: requests.snapshot.result as StoredRecord[][],
          log: requests.log.result as StoredRecord[][],
          bulky: requests.bulky.result as StoredRecord[],
        }
      } catch (cause) {
        throw loadError(databaseName, cause)
      }
      if (stored.entry === undefined) {
        if (stored.entries === 0) return []
        throw refuse(databaseName, 'it holds data but no format entry, so it was not written by fake-ecr or is damaged', FIX_OTHER_NAME)
      }
      const { writer, version } = stored.entry as Partial<FormatEntry>
      if (writer !== 'fake-ecr' || typeof version !== 'number') {
        throw refuse(databaseName, 'its format entry was not written by fake-ecr', FIX_OTHER_NAME)
      }
      if (version > format.version) {
        throw refuse(
          databaseName,
          `it was written by a newer fake-ecr (storage format ${version}; this version reads format ${format.version})`,
          'upgrade fake-ecr to the version that wrote it, or pass another databaseName. The stored data is left as it is.',
        )
      }
      // A future format may lay records out differently: its migration then reads them its own way.
      const records = [...replay(stored.snapshot, stored.log), ...stored.bulky]
      if (version === format.version) {
        formatWritten = true
        logEntries = stored.log.length
        logRecords = stored.log.reduce((total, entry) => total + entry.length, 0)
        snapshotRecords = records.length - stored.bulky.length
        return records
      }
      let migrated = records
      for (let from = version; from < format.version; from++) {
        const migration = format.migrations.get(from)
        if (migration === undefined) {
          throw refuse(
            databaseName,
            `it was written by an older fake-ecr (storage format ${version}) and this version has no migration from format ${from} to ${from + 1}`,
            `${FIX_START_AFRESH} The stored data is left as it is.`,
          )
        }
        migrated = migration(migrated)
      }
      // Replace the old format in one transaction: if it fails, the old data stays untouched.
      const small = migrated.filter((record) => !isBulky(record))
      try {
        await transact('readwrite', (store) => {
          store.clear()
          store.put(formatEntry, FORMAT_KEY)
          writeSnapshot(store, small)
          for (const record of migrated) if (isBulky(record)) writeBulky(store, record)
        })
      } catch (cause) {
        throw refuse(
          databaseName,
          `migrating its records from storage format ${version} to ${format.version} failed (${describe(cause)})`,
          'free up storage for this site and reload. The stored data is left as it is.',
          cause,
        )
      }
      formatWritten = true
      snapshotRecords = small.length
      return migrated
    },

    write(changes) {
      enqueue(changes)
      return chain(flush)
    },

    clear() {
      pending.clear()
      pendingClear = true
      return chain(flush)
    },

    subscribe(listener) {
      listeners.add(listener)
      for (const change of early ?? []) listener(change)
      early = undefined
      return () => void listeners.delete(listener)
    },

    close() {
      channel?.close()
      listeners.clear()
      database?.close()
    },
  }
}

// The store's layout: array keys, so that each section is one key range.
// - ['snapshot', n]: the state as of the last compaction, in chunks of records;
// - ['log', n]: per write since then, the records it changed (all but blobs and uploads);
// - ['bulky', account, region, repository, kind, id]: one entry per blob or upload. They hold
//   the bytes, so they are written once each rather than copied into the log and snapshot.
const SNAPSHOT_CHUNK = 1000
const section = (name: string) => IDBKeyRange.bound([name], [name, []])
// Getters: IDBKeyRange is touched only once IndexedDB is known to exist.
const ranges = {
  get snapshot() {
    return section('snapshot')
  },
  get log() {
    return section('log')
  },
  get bulky() {
    return section('bulky')
  },
}

function isBulky(record: StoredRecord): boolean {
  return record.kind === 'blob' || record.kind === 'upload'
}

/** A deleted repository: it takes everything scoped under it. */
function isCascade(record: StoredRecord): boolean {
  return record.kind === 'repository' && record.value === undefined
}

function isUnder(record: StoredRecord, repository: StoredRecord): boolean {
  const [account, region, name] = record.scope
  return name === repository.id && account === repository.scope[0] && region === repository.scope[1]
}

/** One string per record identity (kind, scope, id). */
function recordId(record: StoredRecord): string {
  return [record.kind, ...record.scope, record.id].join('\u0000')
}

function writeBulky(store: IDBObjectStore, record: StoredRecord): void {
  const key = ['bulky', record.scope[0] ?? '', record.scope[1] ?? '', record.scope[2] ?? '', record.kind, record.id]
  if (record.value === undefined) store.delete(key)
  else store.put(record, key)
}

/** Every blob and upload of a repository: the keys that start with its scope (an array sorts after any string). */
function bulkyRangeOf(repository: StoredRecord): IDBKeyRange {
  const [account = '', region = ''] = repository.scope
  return IDBKeyRange.bound(['bulky', account, region, repository.id], ['bulky', account, region, repository.id, []])
}

/** Appends one log entry after the last one stored (by any tab: the transaction reads it). */
function appendToLog(store: IDBObjectStore, records: StoredRecord[]): void {
  const last = store.openKeyCursor(ranges.log, 'prev')
  last.onsuccess = () => {
    const key = last.result?.key as [string, number] | undefined
    store.put(records, ['log', key === undefined ? 0 : key[1] + 1])
  }
}

function writeSnapshot(store: IDBObjectStore, records: StoredRecord[]): void {
  for (let at = 0; at < records.length; at += SNAPSHOT_CHUNK) {
    store.put(records.slice(at, at + SNAPSHOT_CHUNK), ['snapshot', at / SNAPSHOT_CHUNK])
  }
}

/** The records the snapshot and the log add up to, the log applied in order. */
function replay(snapshot: readonly StoredRecord[][], log: readonly StoredRecord[][]): StoredRecord[] {
  const state = new Map<string, StoredRecord>()
  for (const chunk of snapshot) for (const record of chunk) state.set(recordId(record), record)
  for (const entry of log) {
    for (const record of entry) {
      const id = recordId(record)
      state.delete(id)
      if (record.value !== undefined) state.set(id, record)
      else if (isCascade(record)) for (const [other, value] of state) if (isUnder(value, record)) state.delete(other)
    }
  }
  return [...state.values()]
}

const FIX_OTHER_NAME = 'pass another databaseName to fake-ecr. The stored data is left as it is.'
const FIX_START_AFRESH =
  "to start afresh, delete the database (DevTools › Application › Storage, or indexedDB.deleteDatabase('<name>')), or pass another databaseName."

function refuse(databaseName: string, reason: string, fix: string, cause?: unknown): IndexedDbStorageError {
  return new IndexedDbStorageError(
    `Failed to load fake-ecr state from IndexedDB database "${databaseName}": ${reason}. Suggested fix: ${fix.replace('<name>', databaseName)}`,
    { cause },
  )
}

/** Explains why IndexedDB could not be read at all. */
function loadError(databaseName: string, cause: unknown): IndexedDbStorageError {
  const name = cause instanceof Error || cause instanceof DOMException ? cause.name : ''
  if (name === 'NotFoundError') {
    return refuse(databaseName, `the database exists but has no "${STORE_NAME}" store, so it belongs to something else`, FIX_OTHER_NAME)
  }
  return refuse(
    databaseName,
    typeof indexedDB === 'undefined' ? 'IndexedDB is not available here' : `IndexedDB could not be opened or read (${describe(cause)})`,
    'allow this site to store data (private windows and some privacy settings block IndexedDB), or reload the page.',
    cause,
  )
}

function describe(error: unknown): string {
  if (error instanceof Error || error instanceof DOMException) return `${error.name}: ${error.message}`
  return String(error)
}
