import type { StoredRecord } from '../storage/storage.js'

/**
 * One operation's changes. Every write to engine state goes through the transaction of the call
 * that makes it: the transaction keeps an undo step per write (so a call that fails changes
 * nothing, whatever step it failed at) and the records the write touched (so storage adapters
 * persist only what changed).
 */
export class Transaction {
  private readonly undoSteps: Array<() => void> = []
  private readonly touched = new Map<string, StoredRecord>()

  /** `beforeWrite` sees every write before it happens; throwing aborts the call (for tests of atomicity). */
  constructor(private readonly beforeWrite?: (record: StoredRecord) => void) {}

  /** Called before a write changes anything. */
  willWrite(record: StoredRecord): void {
    this.beforeWrite?.(record)
  }

  /** Registers a write: how to undo it, and the record it leaves behind. */
  wrote(undo: () => void, record: StoredRecord): void {
    this.undoSteps.push(undo)
    this.touched.set(`${record.kind}\u0000${record.scope.join('\u0000')}\u0000${record.id}`, record)
  }

  /** Registers an in-memory change that has no record of its own (e.g. a repository's contents). */
  undoable(undo: () => void): void {
    this.undoSteps.push(undo)
  }

  /** Reverts every write, newest first. */
  rollback(): void {
    for (let i = this.undoSteps.length - 1; i >= 0; i--) this.undoSteps[i]!()
    this.undoSteps.length = 0
    this.touched.clear()
  }

  /** The final state of every record the transaction touched, in first-touch order. */
  changes(): StoredRecord[] {
    return [...this.touched.values()]
  }
}
