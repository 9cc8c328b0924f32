import type { StoredRecord } from '../storage/storage.js'
import type { RecordKind, ValueOf } from './kinds.js'
import type { Transaction } from './transaction.js'

export interface Hooks<Value> {
  added?: (id: string, value: Value) => void
  removed?: (id: string, value: Value) => void
}

/**
 * A keyed collection of immutable records of one kind in one scope (a record is replaced, never
 * edited in place). Writes take the transaction of the call making them, so they can be undone
 * and persisted. Hooks keep derived indexes in step with every write, undo and load: `hooks` the
 * container's own, `shared` the engine-wide ones (the timeline, blob references), which a
 * repository leaves when it is deleted and rejoins if that is undone.
 */
export class RecordTable<K extends RecordKind, Value = ValueOf<K>> {
  private readonly map = new Map<string, Value>()
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
    return this.map.size
  }

  get(id: string): Value | undefined {
    return this.map.get(id)
  }

  has(id: string): boolean {
    return this.map.has(id)
  }

  keys(): IterableIterator<string> {
    return this.map.keys()
  }

  values(): IterableIterator<Value> {
    return this.map.values()
  }

  entries(): IterableIterator<[string, Value]> {
    return this.map.entries()
  }

  set(tx: Transaction, id: string, value: Value): void {
    this.checkAttached()
    const record = this.record(id, value)
    tx.willWrite(record)
    const previous = this.map.get(id)
    const existed = this.map.has(id)
    this.apply(id, value)
    tx.wrote(() => this.apply(id, existed ? previous : undefined), record)
  }

  delete(tx: Transaction, id: string): void {
    this.checkAttached()
    if (!this.map.has(id)) return
    const record = this.record(id, undefined)
    tx.willWrite(record)
    const previous = this.map.get(id)
    this.apply(id, undefined)
    tx.wrote(() => this.apply(id, previous), record)
  }

  /** Applies a record from storage (a value, or `undefined` for a deletion), outside any transaction. */
  load(id: string, value: Value | undefined): void {
    this.apply(id, value)
  }

  /** Takes the table's records out of the engine-wide indexes (its repository is deleted), or puts them back. */
  share(shared: boolean): void {
    for (const [id, value] of this.map) {
      for (const hooks of this.shared) (shared ? hooks.added : hooks.removed)?.(id, value)
    }
  }

  /** The table's records as storage sees them. */
  *records(): Generator<StoredRecord> {
    for (const [id, value] of this.map) yield this.record(id, value)
  }

  private apply(id: string, value: Value | undefined): void {
    if (this.map.has(id)) {
      const previous = this.map.get(id) as Value
      this.map.delete(id)
      this.hooks.removed?.(id, previous)
      for (const hooks of this.shared) hooks.removed?.(id, previous)
    }
    if (value !== undefined) {
      this.map.set(id, value)
      this.hooks.added?.(id, value)
      for (const hooks of this.shared) hooks.added?.(id, value)
    }
  }

  private checkAttached(): void {
    if (this.detached) throw new Error(`fake-ecr wrote a ${this.kind} record to a registry it did not open for writing`)
  }

  private record(id: string, value: Value | undefined): StoredRecord {
    return { kind: this.kind, scope: this.scope, id, value }
  }
}
