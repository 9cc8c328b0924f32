/**
 * A failure of persistent storage, worded as "what failed: why. Suggested fix: ...". `repeated`
 * marks a write failure that follows another, so that a warning can be given once per run of
 * failures.
 */
export class StorageError extends Error {
  override readonly name = 'StorageError'
  readonly repeated: boolean

  constructor(message: string, options: { cause?: unknown; repeated?: boolean } = {}) {
    super(message, { cause: options.cause })
    this.repeated = options.repeated ?? false
  }
}
