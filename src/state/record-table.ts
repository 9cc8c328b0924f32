import type { StoredRecord } from '../storage/storage.js'
import type { RecordKind, ValueOf } from './kinds.js'
import type { Transaction } from './transaction.js'

/** Called as records come and go; `scope` is the table's, so one set of hooks can serve every table of a kind. */
export interface Hooks<Value> {
  added?: (id: string, value: Value, scope: readonly string[]) => void
  removed?: (id: string, value: Value, scope: readonly string[]) => void
}

/** What an empty table reads from: most tables of a repository stay empty, and a Map costs ~200 bytes. */
const NO_RECORDS: ReadonlyMap<string, never> = new Map<string, never>()

/**
 * A keyed collection of immutable records of one kind in one scope (a record is replaced, never
 * edited in place). Writes take the transaction of the call making them, so they can be undone
 * and persisted. Hooks keep derived indexes in step with every write, undo and load: `hooks` the
 * container's own, `shared` the engine-wide ones (the timeline, blob references), which a
 * repository leaves when it is deleted and rejoins if that is undone.
 */
export class RecordTable<K extends RecordKind, Value = ValueOf<K>> {
  /** Made at the first record. */
  private map: Map<string, Value> | undefined
  private readonly hooks: Hooks<Value>
  private readonly shared: ReadonlyArray<Hooks<Value>>
  private readonly detached: boolean

  constructor(
    readonly kind: K,
    readonly scope: readonly string[],
    options: {
      hooks?: Hooks<Value>
      shared?: ReadonlyArray<Hooks<Value>>
      /** A table of a registry that nothing opened for writing: writing to it is a bug. */
      detached?: boolean
    } = {},
  ) {
    this.hooks = options.hooks ?? {}
    this.shared = options.shared ?? []
    this.detached = options.detached ?? false
  }

  get size(): number {
    return this.map?.size ?? 0
  }

  get(id: string): Value | undefined {
    return this.map?.get(id)
  }

  has(id: string): boolean {
    return this.map?.has(id) ?? false
  }

  keys(): IterableIterator<string> {
    return this.stored().keys()
  }

  values(): IterableIterator<Value> {
    return this.stored().values()
  }

  entries(): IterableIterator<[string, Value]> {
    return this.stored().entries()
  }

  set(tx: Transaction, id: string, value: Value): void {
    this.checkAttached()
    const record = this.record(id, value)
    tx.willWrite(record)
    const previous = this.get(id)
    const existed = this.has(id)
    this.apply(id, value)
    tx.wrote(() => this.apply(id, existed ? previous : undefined), record)
  }

  delete(tx: Transaction, id: string): void {
    this.checkAttached()
    if (!this.has(id)) return
    const record = this.record(id, undefined)
    tx.willWrite(record)
    const previous = this.get(id)
    this.apply(id, undefined)
    tx.wrote(() => this.apply(id, previous), record)
  }

  /** Applies a record from storage (a value, or `undefined` for a deletion), outside any transaction. */
  load(id: string, value: Value | undefined): void {
    this.apply(id, value)
  }

  /** Takes the table's records out of the engine-wide indexes (its repository is deleted), or puts them back. */
  share(shared: boolean): void {
    for (const [id, value] of this.stored()) {
      for (const hooks of this.shared) (shared ? hooks.added : hooks.removed)?.(id, value, this.scope)
    }
  }

  /** The table's records as storage sees them. */
  *records(): Generator<StoredRecord> {
    for (const [id, value] of this.stored()) yield this.record(id, value)
  }

  private stored(): ReadonlyMap<string, Value> {
    return this.map ?? NO_RECORDS
  }

  private apply(id: string, value: Value | undefined): void {
    if (this.map?.has(id)) {
      const previous = this.map.get(id) as Value
      this.map.delete(id)
      this.hooks.removed?.(id, previous, this.scope)
      for (const hooks of this.shared) hooks.removed?.(id, previous, this.scope)
    }
    if (value !== undefined) {
      this.map ??= new Map()
      this.map.set(id, value)
      this.hooks.added?.(id, value, this.scope)
      for (const hooks of this.shared) hooks.added?.(id, value, this.scope)
    }
  }

  private checkAttached(): void {
    if (this.detached) throw new Error(`fake-ecr wrote a ${this.kind} record to a registry it did not open for writing`)
  }

  private record(id: string, value: Value | undefined): StoredRecord {
    return { kind: this.kind, scope: this.scope, id, value }
  }
}
