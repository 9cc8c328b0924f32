import type { ChunkChanges, StoredRecord } from '../storage/storage.js'

/**
 * One call's changes. Every write to engine state goes through the transaction of the call
 * that makes it: the transaction keeps an undo step per write (so a call that fails changes
 * nothing, whatever step it failed at), the records the write touched (so storage persists only
 * what changed), and the chunks of bytes to store before those records and to drop after them.
 */
export class Transaction {
  private readonly undoSteps: Array<() => void> = []
  private readonly touched = new Map<string, StoredRecord>()
  private readonly chunksToPut = new Map<string, Uint8Array>()
  private readonly chunksToDrop = new Set<string>()

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

  /** Bytes to store as a chunk when the call commits (before the records that name it). */
  putChunk(id: string, bytes: Uint8Array): void {
    this.chunksToDrop.delete(id)
    this.chunksToPut.set(id, bytes)
  }

  /** A chunk no record names any more, dropped once the call's records are stored. */
  dropChunk(id: string): void {
    if (this.chunksToPut.delete(id)) return
    this.chunksToDrop.add(id)
  }

  /** Reverts every write, newest first. */
  rollback(): void {
    for (let i = this.undoSteps.length - 1; i >= 0; i--) this.undoSteps[i]!()
    this.undoSteps.length = 0
    this.touched.clear()
    this.chunksToPut.clear()
    this.chunksToDrop.clear()
  }

  /** The final state of every record the transaction touched, in first-touch order. */
  changes(): StoredRecord[] {
    return [...this.touched.values()]
  }

  /** The chunks to store and to drop. */
  chunks(): ChunkChanges {
    return { put: this.chunksToPut, drop: [...this.chunksToDrop] }
  }
}
