import type { StorageAdapter, StoredRecord } from './storage.js'

/**
 * A storage adapter that keeps records in memory, outside any engine: give the same adapter to a
 * new engine and it starts with the state the previous one left (as a page reload would with a
 * persistent adapter). Engines without an adapter keep their state to themselves.
 *
 * @example
 * const storage = memoryStorage()
 * const first = createEcr({ storage })
 * await first.call('CreateRepository', { repositoryName: 'app' })
 * const second = createEcr({ storage }) // sees 'app'
 */
export function memoryStorage(): StorageAdapter & { readonly size: number } {
  const records = new Map<string, StoredRecord>()
  const keyOf = (record: Pick<StoredRecord, 'kind' | 'scope' | 'id'>) => JSON.stringify([record.kind, ...record.scope, record.id])
  return {
    get size() {
      return records.size
    },
    read: () => [...records.values()],
    write(changes) {
      for (const change of changes) {
        if (change.value !== undefined) {
          records.set(keyOf(change), change)
          continue
        }
        records.delete(keyOf(change))
        // A deleted repository takes everything scoped under it.
        if (change.kind === 'repository') {
          for (const [key, record] of records) {
            const [account, region, repository] = record.scope
            if (account === change.scope[0] && region === change.scope[1] && repository === change.id) records.delete(key)
          }
        }
      }
    },
    clear: () => records.clear(),
  }
}
