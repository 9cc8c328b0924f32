/** The kinds of record the engine's state is made of. */
export type RecordKind =
  | 'registry'
  | 'repository'
  | 'image'
  | 'tag'
  | 'blob'
  | 'upload'

/**
 * One record as storage sees it. `scope` places it: `[accountId, region]` for a registry's
 * records and repositories, `[accountId, region, repositoryName]` for what lives in a
 * repository. `value` is `undefined` when the record was deleted. Deleting a repository
 * record deletes everything scoped under it.
 */
export interface StoredRecord {
  kind: RecordKind
  scope: readonly string[]
  id: string
  value: unknown
}

/** What another engine did to shared storage: changed some records, or cleared everything. */
export type ExternalChange = { changes: readonly StoredRecord[] } | { cleared: true }

/**
 * The persistence seam (read once at start, then one `write` per successful call that changed
 * something, with only the records it changed). The engine keeps its state in memory; an
 * adapter mirrors it somewhere durable.
 */
export interface StorageAdapter {
  /** Records to load when the engine starts. */
  read(): Iterable<StoredRecord> | Promise<Iterable<StoredRecord>>
  /** Persists the records one call changed. */
  write(changes: readonly StoredRecord[]): void | Promise<void>
  /** Forgets everything (called by `ecr.reset()`). */
  clear(): void | Promise<void>
  /**
   * Optional: tells the engine about changes another engine made to the same storage (another
   * browser tab, say), so that it applies them too. Returns a function that stops listening.
   */
  subscribe?(listener: (event: ExternalChange) => void): () => void
}
