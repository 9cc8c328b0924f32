import type { StoredRecord } from '../storage/storage.js'
import { KINDS, type KindAt, type RecordKind, type ValueOf } from './kinds.js'
import { RecordTable } from './record-table.js'
import { BlobReferences, RegistryState, type EngineIndexes } from './registry-state.js'
import { dueHooks, Timeline } from './timeline.js'
import type { Transaction } from './transaction.js'

/**
 * All of an engine's state: the registries (account × region) and the records that belong to no
 * registry (blob content, shared by every repository that holds the blob), with the engine-wide
 * indexes: what falls due when, and how many repositories hold each blob.
 */
export class EngineState {
  readonly indexes: EngineIndexes = { timeline: new Timeline(), blobReferences: new BlobReferences(), sharedHooks: new Map() }
  readonly content = new RecordTable<'content'>('content', [], { shared: dueHooks('content', this.indexes.timeline) })
  private readonly registries = new Map<string, RegistryState>()

  /** The registry of an account in a region, if anything was ever created in it. */
  find(accountId: string, region: string): RegistryState | undefined {
    return this.registries.get(`${accountId}/${region}`)
  }

  /** The registry to read: the stored one, or an empty one that refuses writes. */
  view(accountId: string, region: string): RegistryState {
    return this.find(accountId, region) ?? new RegistryState(accountId, region, this.indexes, true)
  }

  /** The registry to write to, created (inside the transaction) if it does not exist yet. */
  open(tx: Transaction, accountId: string, region: string): RegistryState {
    const existing = this.find(accountId, region)
    if (existing !== undefined) return existing
    const key = `${accountId}/${region}`
    const registry = new RegistryState(accountId, region, this.indexes)
    this.registries.set(key, registry)
    tx.undoable(() => this.registries.delete(key))
    return registry
  }

  /**
   * Applies a stored record outside any transaction: loaded at start, or changed by another
   * engine sharing the storage. Its value must have been checked against its kind's schema.
   */
  load(record: StoredRecord): void {
    const level = KINDS[record.kind].level
    if (level === 'engine') {
      this.content.load(record.id, record.value as ValueOf<'content'> | undefined)
      return
    }
    const [accountId, region] = record.scope as [string, string]
    const registry =
      record.value === undefined ? this.find(accountId, region) : (this.find(accountId, region) ?? this.create(accountId, region))
    registry?.load(record as StoredRecord & { kind: KindAt<'registry'> | KindAt<'repository'> })
  }

  /** Every record, as storage sees them (unordered). */
  *records(): Generator<StoredRecord> {
    yield* this.content.records()
    for (const registry of this.registries.values()) yield* registry.records()
  }

  clear(): void {
    this.registries.clear()
    for (const id of [...this.content.keys()]) this.content.load(id, undefined)
    this.indexes.timeline.clear()
    this.indexes.blobReferences.clear()
  }

  private create(accountId: string, region: string): RegistryState {
    const registry = new RegistryState(accountId, region, this.indexes)
    this.registries.set(`${accountId}/${region}`, registry)
    return registry
  }
}

/** The scope a record of `kind` must have: how many parts, for checking stored records. */
export function scopeLength(kind: RecordKind): number {
  return { engine: 0, registry: 2, repository: 3 }[KINDS[kind].level]
}
