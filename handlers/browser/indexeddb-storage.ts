import { createStore, type UseStore } from 'idb-keyval'
import { keyValueStorage, StorageError, type CompactionLimits, type Migration } from '../../src/index.js'
import type { KeyValueStore } from '../../src/index.js'
import { createMutex } from '../../src/storage/mutex.js'
import type { IndexedDbStorage, IndexedDbStorageOptions } from './glossary.js'

const STORE_NAME = 'records'

/**
 * Keeps the engine's state in IndexedDB: `keyValueStorage` over one object store, so each call's
 * write is one IndexedDB transaction (its blob bytes, its log entry and the bytes it drops), the
 * log is folded into a snapshot of large entries now and then, and tabs that share the database
 * stay in step through a BroadcastChannel of the same name (decisions/storage-format.md).
 *
 * @example
 * import { createEcr } from 'fake-ecr'
 * import { indexedDbStorage } from 'fake-ecr/browser'
 *
 * const ecr = createEcr({ storage: indexedDbStorage({ databaseName: 'my-app-ecr' }) })
 * await ecr.ready // stored state is loaded
 */
export function indexedDbStorage(options: IndexedDbStorageOptions = {}): IndexedDbStorage {
  return createIndexedDbStorage(options)
}

/** {@link indexedDbStorage} with a chosen format and compaction limits, so that tests can exercise both. */
export function createIndexedDbStorage(
  options: IndexedDbStorageOptions,
  format?: { version: number; migrations: ReadonlyMap<number, Migration> },
  compaction?: CompactionLimits,
): IndexedDbStorage {
  const databaseName = options.databaseName ?? 'fake-ecr'
  const store = indexedDbKeyValueStore(databaseName)
  const storage = keyValueStorage(store, {
    advice: {
      location: `IndexedDB database "${databaseName}"`,
      freeSpace: 'free up storage for this site (DevTools › Application › Storage), or call ecr.reset() to start from an empty registry',
      useOther: 'pass another databaseName to fake-ecr',
      startAfresh: `delete the database (DevTools › Application › Storage, or indexedDB.deleteDatabase('${databaseName}'))`,
    },
    ...((options.broadcast ?? true) && { broadcast: databaseName }),
    ...(format !== undefined && { format }),
    ...(compaction !== undefined && { compaction }),
  })
  const closeStorage = storage.close
  return Object.assign(storage, {
    databaseName,
    close() {
      closeStorage()
      store.close()
    },
  })
}

/** Writers of a database in this page, when the Web Locks API cannot make them take turns across tabs. */
const inPage = new Map<string, <T>(body: () => Promise<T>) => Promise<T>>()

/**
 * A key-value store in one IndexedDB object store: each batch is one transaction (all or
 * nothing), values are stored as binary, and writers of the same database take turns across
 * tabs through the Web Locks API where it exists.
 */
function indexedDbKeyValueStore(databaseName: string): KeyValueStore & { close(): void } {
  let useStore: UseStore | undefined
  let database: IDBDatabase | undefined

  /** Runs `body` in one transaction; resolves once it commits with what `body` returned, and nothing of it is kept if it fails. */
  const transact = <T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => T): Promise<T> => {
    if (typeof indexedDB === 'undefined') {
      return Promise.reject(unreadable('IndexedDB is not available here', 'allow this site to store data (private windows and some privacy settings block IndexedDB), or reload the page.'))
    }
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
    }).catch((error: unknown) => {
      if (error instanceof DOMException && error.name === 'NotFoundError') {
        throw unreadable(`the database exists but has no "${STORE_NAME}" store, so it belongs to something else`, 'pass another databaseName to fake-ecr. Nothing stored was changed.')
      }
      throw error
    })
  }

  const unreadable = (reason: string, fix: string) =>
    new StorageError(`Failed to load fake-ecr state from IndexedDB database "${databaseName}": ${reason}. Suggested fix: ${fix}`)

  const locks = typeof navigator === 'object' ? (navigator as Partial<Navigator>).locks : undefined
  const lockName = `fake-ecr:${databaseName}`
  let exclusive = inPage.get(databaseName)
  if (exclusive === undefined) inPage.set(databaseName, (exclusive = createMutex()))

  return {
    atomic: true,
    async get(key) {
      const request = await transact('readonly', (store) => store.get(key))
      return request.result as Uint8Array | undefined
    },
    async getMany(keys) {
      const requests = await transact('readonly', (store) => keys.map((key) => store.get(key)))
      return requests.map((request) => request.result as Uint8Array | undefined)
    },
    async getRange(key, offset, length) {
      const request = await transact('readonly', (store) => store.get(key))
      return (request.result as Uint8Array | undefined)?.slice(offset, offset + length)
    },
    async list(prefix) {
      // Every key for '', so that entries of other shapes (not written by fake-ecr) count: as their JSON.
      const request = await transact('readonly', (store) => store.getAllKeys(prefix === '' ? undefined : IDBKeyRange.bound(prefix, `${prefix}\uffff`)))
      return (request.result as IDBValidKey[]).map((key) => (typeof key === 'string' ? key : JSON.stringify(key)))
    },
    async write(batch) {
      await transact('readwrite', (store) => {
        for (const { key, value } of batch) {
          if (value === undefined) store.delete(key)
          else store.put(value, key)
        }
      })
    },
    exclusive: locks === undefined ? exclusive : (body) => locks.request(lockName, body) as ReturnType<typeof body>,
    close() {
      database?.close()
    },
  }
}
