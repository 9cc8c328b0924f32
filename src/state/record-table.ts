import type { RecordKind, StoredRecord } from '../storage/storage.js'
import type { Transaction } from './transaction.js'

/**
 * A keyed collection of immutable records (a record is replaced, never edited in place).
 * Writes take the transaction of the call making them, so they can be undone and persisted.
 * Optional hooks keep derived indexes in step with every write and every undo.
 */
export class RecordTable<Value> {
  private readonly map = new Map<string, Value>()

  constructor(
    readonly kind: RecordKind,
    readonly scope: readonly string[],
    private readonly hooks: {
      added?: (id: string, value: Value) => void
      removed?: (id: string, value: Value) => void
    } = {},
  ) {}

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
    const record = this.record(id, value)
    tx.willWrite(record)
    const previous = this.map.get(id)
    const existed = this.map.has(id)
    this.apply(id, value)
    tx.wrote(() => this.apply(id, existed ? previous : undefined), record)
  }

  delete(tx: Transaction, id: string): void {
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

  /** The table's records as storage sees them. */
  *records(): Generator<StoredRecord> {
    for (const [id, value] of this.map) yield this.record(id, value)
  }

  private apply(id: string, value: Value | undefined): void {
    const previous = this.map.get(id)
    if (this.map.has(id)) {
      this.map.delete(id)
      this.hooks.removed?.(id, previous as Value)
    }
    if (value !== undefined) {
      this.map.set(id, value)
      this.hooks.added?.(id, value)
    }
  }

  private record(id: string, value: Value | undefined): StoredRecord {
    return { kind: this.kind, scope: this.scope, id, value }
  }
}
