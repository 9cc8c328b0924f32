import type { RecordKind } from '../state/kinds.js'

export type { RecordKind } from '../state/kinds.js'

/** Chunks of blob and upload bytes one call stores (before its records) and drops (after them). */
export interface ChunkChanges {
  put: ReadonlyMap<string, Uint8Array>
  drop: readonly string[]
}

/**
 * One record as storage sees it. `scope` places it: `[]` for what belongs to the whole engine
 * (blob content), `[accountId, region]` for a registry's records and repositories,
 * `[accountId, region, repositoryName]` for what lives in a repository. `value` is `undefined`
 * when the record was deleted. Deleting a repository record deletes everything scoped under it.
 */
export interface StoredRecord {
  kind: RecordKind
  scope: readonly string[]
  id: string
  value: unknown
}

/**
 * What other engines did to shared storage: changed some records, or cleared everything; or,
 * for an engine that fell too far behind to be told change by change, the stored state whole.
 */
export type ExternalChange = { changes: readonly StoredRecord[] } | { cleared: true } | { replaced: readonly StoredRecord[] }

/**
 * The persistence seam. The engine keeps its records in memory and reads them once at start;
 * after each call that changed something it hands the adapter only the records that changed,
 * plus the chunks of blob bytes to store (before those records) and to drop (after them).
 * `memoryStorage()`, `keyValueStorage()` (over any {@link KeyValueStore}), `indexedDbStorage()`
 * and `fileSystemStorage()` implement it.
 */
export interface StorageAdapter {
  /** Where the state is kept, for messages (`directory "/srv/ecr"`, `IndexedDB database "fake-ecr"`). */
  readonly location?: string
  /** Records to load when the engine starts. */
  read(): Iterable<StoredRecord> | Promise<Iterable<StoredRecord>>
  /** Persists what one call changed. */
  write(changes: readonly StoredRecord[], chunks?: ChunkChanges): void | Promise<void>
  /** Forgets everything (called by `ecr.reset()`). */
  clear(): void | Promise<void>
  /**
   * Optional: tells the engine about changes another engine made to the same storage (another
   * browser tab, say), so that it applies them too. Returns a function that stops listening.
   * With `turn`, an event only says that something was stored: the engine catches up in a turn.
   */
  subscribe?(listener: (event: ExternalChange) => void): () => void
  /**
   * Optional: runs `body` (one call of the engine, from catching up to storing its changes) as a
   * turn that no other engine on the same storage can interleave with, handing it first, in
   * order, what the others stored since this engine last looked. Engines sharing storage this way
   * (browser tabs) act as one registry.
   */
  turn?<T>(body: (missed: readonly ExternalChange[]) => Promise<T>): Promise<T>
  /**
   * Optional: reads back a chunk `write` stored (`length` bytes from `offset`, or all of it).
   * Adapters without it are handed no chunks, and the engine keeps blob bytes in memory.
   */
  readChunk?(id: string, offset?: number, length?: number): Promise<Uint8Array | undefined>
  /**
   * Optional: the ids of every chunk stored, so that the engine can drop those no record names
   * (left by a process that stopped between storing bytes and the records naming them).
   */
  listChunks?(): Promise<Iterable<string>>
  /**
   * Optional: the key the engine signs page tokens, download URLs and authorization tokens
   * with, kept with the state so that what was handed out before a restart still works after.
   */
  signingKey?(): Promise<Uint8Array>
}

/**
 * The small primitive persistent storage is built on (see `keyValueStorage`): keys are strings
 * of `[A-Za-z0-9._-]` parts joined by `/`, values are bytes.
 */
export interface KeyValueStore {
  /**
   * `true` when `write` applies a batch all or nothing (a `Map`, IndexedDB): then no bytes can
   * outlive a write that failed or stopped half-way, and there is nothing to sweep after a crash.
   */
  readonly atomic?: boolean
  get(key: string): Promise<Uint8Array | undefined>
  /** Several values at once (one IndexedDB transaction, say), in the order of `keys`. */
  getMany(keys: readonly string[]): Promise<Array<Uint8Array | undefined>>
  /** `length` bytes of a value from `offset` (fewer at its end), without reading the rest where the backend can. */
  getRange(key: string, offset: number, length: number): Promise<Uint8Array | undefined>
  /** Every key that starts with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>
  /**
   * Puts (`value` given) and deletes (`value` undefined). Each put replaces its key whole or not
   * at all; the batch is applied in order, all or nothing where the backend can be (IndexedDB).
   */
  write(batch: ReadonlyArray<{ key: string; value: Uint8Array | undefined }>): Promise<void>
  /** Runs `body` with no other writer of the same store running its own (other tabs, for example). */
  exclusive<T>(body: () => Promise<T>): Promise<T>
}
