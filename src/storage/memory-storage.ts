import { keyValueStorage, type KeyValueStorage } from './key-value-storage.js'
import { createMutex } from './mutex.js'
import type { KeyValueStore } from './storage.js'

/**
 * A key-value store in memory: a `Map` of keys to bytes. Batches are all or nothing (nothing can
 * fail half-way in a `Map`), and values are copied in and out.
 *
 * @example
 * const store = memoryKeyValueStore()
 * const storage = keyValueStorage(store)
 */
export function memoryKeyValueStore(): KeyValueStore & { readonly entries: ReadonlyMap<string, Uint8Array> } {
  const entries = new Map<string, Uint8Array>()
  return {
    entries,
    atomic: true,
    async get(key) {
      return entries.get(key)?.slice()
    },
    async getMany(keys) {
      return keys.map((key) => entries.get(key)?.slice())
    },
    async getRange(key, offset, length) {
      return entries.get(key)?.slice(offset, offset + length)
    },
    async list(prefix) {
      return [...entries.keys()].filter((key) => key.startsWith(prefix)).sort()
    },
    async write(batch) {
      for (const { key, value } of batch) {
        if (value === undefined) entries.delete(key)
        else entries.set(key, value.slice())
      }
    },
    exclusive: createMutex(),
  }
}

/**
 * Storage in memory, outside any engine: give the same storage to a new engine and it starts
 * with the state the previous one left (as a page reload would with a persistent adapter),
 * signing key included. It is `keyValueStorage` over {@link memoryKeyValueStore}, so it stores
 * exactly what the persistent adapters store. Engines without storage keep their state to
 * themselves.
 *
 * @example
 * const storage = memoryStorage()
 * const first = createEcr({ storage })
 * await first.call('CreateRepository', { repositoryName: 'app' })
 * const second = createEcr({ storage }) // sees 'app'
 */
export function memoryStorage(store: KeyValueStore = memoryKeyValueStore()): KeyValueStorage {
  return keyValueStorage(store, { advice: { location: 'memory storage' } })
}
