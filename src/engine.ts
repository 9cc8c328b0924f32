import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js'
import { catchUp } from './clock-effects.js'
import { collectGarbage } from './domain/blobs.js'
import { EcrError } from './errors.js'
import { RegistryError } from './registry/errors.js'
import { StorageError } from './storage/storage-error.js'
import type { createEmitter } from './events.js'
import type { CallContext } from './glossary.js'
import type { EngineSettings, OperationContext, ReadChunk } from './operations/context.js'
import { PageTokens } from './pagination.js'
import { EngineState, scopeLength } from './state/engine-state.js'
import { isRecordKind, KIND_ORDER, KINDS, uploadChunkId } from './state/kinds.js'
import { Transaction } from './state/transaction.js'
import type { ExternalChange, StorageAdapter, StoredRecord } from './storage/storage.js'

/** What the engine is made with: `createEcr`'s options, defaults applied. */
export interface EngineOptions {
  accountId: string
  region: string
  now: () => number
  newId: () => string
  settings: EngineSettings
  storage: StorageAdapter | undefined
  emitter: ReturnType<typeof createEmitter>
  reportStorageError: (error: unknown) => void
  beforeWrite: ((record: StoredRecord) => void) | undefined
}

/** Where a call acts and who makes it: a {@link CallContext} with the engine's defaults filled in. */
type Place = Required<Pick<CallContext, 'accountId' | 'region'>> & Pick<CallContext, 'endpoint' | 'registryEndpoint' | 'caller'>

/**
 * The engine's state and the one path every change to it takes (decisions/commit-path.md):
 * calls run one at a time; each catches up with the clock, runs its work and collects the blob
 * bytes nothing holds any more, all in one transaction; its changes are stored, then announced
 * (`change`), before the call returns. A failure anywhere, storage included, undoes the lot.
 */
export class Engine {
  readonly state = new EngineState()
  /** Resolves once stored state is loaded, with whether there was any. */
  readonly loaded: Promise<boolean>
  private seq = 0
  private signingKey: Uint8Array = randomBytes(32)
  private queue: Promise<unknown> = Promise.resolve()
  /** Calls queued or running. */
  private busy = 0
  /** Chunks of bytes, when the storage adapter does not keep them (or there is none). */
  private readonly memoryChunks: Map<string, Uint8Array> | undefined

  readonly sign = (text: string): string => bytesToHex(hmac(sha256, this.signingKey, new TextEncoder().encode(text)))
  readonly tokens = new PageTokens(this.sign)
  /** Reads chunks for callers that hand the bytes on: copies, never the bytes the engine keeps. */
  readonly readChunk: ReadChunk
  /** Reads chunks for operations, which only read them: in memory, the engine's own bytes (hashing a layer copies nothing). */
  private readonly readOwnChunk: ReadChunk

  constructor(private readonly options: EngineOptions) {
    const { storage } = options
    if (storage?.readChunk !== undefined) {
      this.readChunk = storage.readChunk.bind(storage)
      this.readOwnChunk = this.readChunk
      this.memoryChunks = undefined
    } else {
      const chunks = new Map<string, Uint8Array>()
      this.memoryChunks = chunks
      const end = (offset: number, length: number | undefined) => (length === undefined ? undefined : offset + length)
      this.readChunk = async (id, offset = 0, length) => chunks.get(id)?.slice(offset, end(offset, length))
      this.readOwnChunk = async (id, offset = 0, length) => chunks.get(id)?.subarray(offset, end(offset, length))
    }
    this.loaded = this.load()
    // A failed load is reported through `ready` and every call.
    this.loaded.catch(() => undefined)
  }

  /**
   * The commit path: runs `work` in a transaction of its own once the calls before it are done,
   * after catching up with the clock, and stores what it changed. Anything `work` throws, and a
   * failure to store, undoes every write of the call (clock effects included) and is rethrown, as
   * a ServerException unless it is an EcrError.
   */
  run<T>(place: Partial<Place>, work: (ctx: OperationContext) => T | Promise<T>, what: string): Promise<T> {
    const ran = this.inTurn(async () => {
      const tx = new Transaction(this.options.beforeWrite)
      const ctx = this.context(tx, { accountId: this.options.accountId, region: this.options.region, ...place }, this.options.now())
      const seqBefore = this.seq
      try {
        catchUp(ctx)
        const output = await work(ctx)
        collectGarbage(ctx)
        await this.store(tx)
        return output
      } catch (error) {
        tx.rollback()
        this.state.indexes.blobReferences.released.clear()
        // Sequence numbers a failed call took are handed out again: it leaves no trace at all.
        this.seq = seqBefore
        throw error
      }
    })
    return ran.catch((error: unknown) => {
      // Registry API errors are answers too (src/registry/errors.ts), not failures of the engine.
      if (error instanceof EcrError || error instanceof RegistryError) throw error
      if (error instanceof StorageError) {
        this.options.reportStorageError(error)
        throw new EcrError('ServerException', error.message)
      }
      throw new EcrError('ServerException', `fake-ecr failed while running ${what}: ${String(error)}`)
    })
  }

  /** Forgets every record (and the bytes they name), in memory and in storage. */
  reset(): Promise<void> {
    return this.inTurn(async () => {
      this.state.clear()
      this.memoryChunks?.clear()
      this.seq = 0
      this.options.emitter.emit('change', { records: [], origin: 'local', cleared: true })
      await this.options.storage?.clear()
    })
  }

  /** Every record, in a stable order: by scope, then kind (in declaration order), then id. */
  snapshot(): StoredRecord[] {
    return [...this.state.records()].sort(compareRecords)
  }

  /** Runs `body` once every call before it is done, and before any after it starts. */
  private exclusive<T>(body: () => Promise<T>): Promise<T> {
    this.busy++
    const run = this.queue.then(body).finally(() => this.busy--)
    this.queue = run.catch(() => undefined)
    return run
  }

  /**
   * {@link exclusive}, and with storage that has turns, in a turn: what other engines stored
   * since this one last looked is applied first, and none of them writes until `body` is done.
   */
  private inTurn<T>(body: () => Promise<T>): Promise<T> {
    const { storage } = this.options
    if (storage?.turn === undefined) return this.exclusive(body)
    const turn = storage.turn.bind(storage)
    return this.exclusive(() =>
      turn(async (missed) => {
        for (const change of missed) this.applyExternal(change, storage.location ?? 'storage')
        return body()
      }),
    )
  }

  private context(tx: Transaction, place: Place, now: number): OperationContext {
    const { accountId, region } = place
    const ctx: OperationContext = {
      accountId,
      region,
      now,
      tx,
      state: this.state,
      settings: this.options.settings,
      tokens: this.tokens,
      endpoint: place.endpoint,
      registryEndpoint: place.registryEndpoint,
      caller: place.caller,
      readChunk: this.readOwnChunk,
      sign: this.sign,
      nextSeq: () => ++this.seq,
      newId: this.options.newId,
      registry: (registryId) => this.state.view(registryId ?? accountId, region),
      openRegistry: (registryId) => this.state.open(tx, registryId ?? accountId, region),
      at: (elsewhere) => this.context(tx, { ...place, ...elsewhere }, elsewhere.now ?? now),
    }
    return ctx
  }

  /**
   * Hands a call's changes to storage, then announces them. A storage failure is thrown: the call
   * fails, so that every call that succeeded is stored.
   */
  private async store(tx: Transaction): Promise<void> {
    const records = tx.changes()
    if (records.length === 0) return
    const chunks = tx.chunks()
    const { storage } = this.options
    if (storage !== undefined) {
      try {
        await storage.write(records, this.memoryChunks === undefined ? chunks : undefined)
      } catch (error) {
        throw error instanceof StorageError ? error : new StorageError(`Failed to save fake-ecr state to ${storage.location ?? 'storage'}: ${String(error)}`, { cause: error })
      }
    }
    if (this.memoryChunks !== undefined) {
      for (const [id, bytes] of chunks.put) this.memoryChunks.set(id, bytes)
      for (const id of chunks.drop) this.memoryChunks.delete(id)
    }
    this.options.emitter.emit('change', { records, origin: 'local' })
  }

  /** Loads stored state (every record checked against its kind first), then follows other engines' changes. */
  private async load(): Promise<boolean> {
    const { storage } = this.options
    if (storage === undefined) return false
    const location = storage.location ?? 'storage'
    const records = [...(await storage.read())].map((record) => checkStoredRecord(record, location))
    if (storage.signingKey !== undefined) this.signingKey = await storage.signingKey()
    this.apply(records)
    await this.sweepChunks(storage, location)
    if (storage.turn !== undefined) {
      // Another engine stored something: catch up in a turn of its own (one waiting is enough),
      // starting with what was stored between loading and listening. One that fails is left to
      // the next call, which catches up first (and reports what fails).
      let waiting = false
      const catchUp = () => {
        if (waiting) return
        waiting = true
        this.inTurn(async () => void (waiting = false)).catch(() => void (waiting = false))
      }
      storage.subscribe?.(catchUp)
      await storage.turn(async (missed) => missed.forEach((change) => this.applyExternal(change, location)))
    } else {
      // Another engine's change is applied at once, unless calls are under way: then after them.
      storage.subscribe?.((event) => {
        const apply = () => this.applyExternal(event, location)
        if (this.busy > 0) this.exclusive(async () => apply()).catch(this.options.reportStorageError)
        else {
          try {
            apply()
          } catch (error) {
            this.options.reportStorageError(error)
          }
        }
      })
    }
    return records.length > 0
  }

  /**
   * With storage that can list its chunks (one whose writes are not all-or-nothing), refuses
   * state whose records name bytes that are not there, and drops bytes no record names (left by
   * a process that stopped between storing the bytes of a call and its records).
   */
  private async sweepChunks(storage: StorageAdapter, location: string): Promise<void> {
    if (storage.listChunks === undefined) return
    const named = new Set<string>()
    for (const content of this.state.content.values()) for (const { id } of content.chunks) named.add(id)
    for (const record of this.state.records()) {
      if (record.kind !== 'upload') continue
      const upload = record.value as { id: string; partSizes: number[] }
      upload.partSizes.forEach((_, part) => named.add(uploadChunkId(upload.id, part)))
    }
    const stored = new Set(await storage.listChunks())
    const missing = [...named].find((id) => !stored.has(id))
    if (missing !== undefined) {
      throw new Error(
        `Failed to load fake-ecr state from ${location}: the bytes of chunk ${missing} are missing, so a blob or upload it holds is lost. ` +
          'Suggested fix: restore it from a backup, or start afresh with empty storage. Nothing stored was changed.',
      )
    }
    const orphans = [...stored].filter((id) => !named.has(id))
    if (orphans.length > 0) await storage.write([], { put: new Map(), drop: orphans })
  }

  /** Applies records from storage: those loaded at start, or another engine's changes. */
  private apply(records: readonly StoredRecord[]): void {
    const ordered = [...records].sort((a, b) => KIND_INDEX.get(a.kind)! - KIND_INDEX.get(b.kind)!)
    for (const record of ordered) {
      this.state.load(record)
      const seq = (record.value as { seq?: unknown } | undefined)?.seq
      if (typeof seq === 'number') this.seq = Math.max(this.seq, seq)
    }
    // Another engine collected what its own changes released.
    this.state.indexes.blobReferences.released.clear()
  }

  private applyExternal(event: ExternalChange, location: string): void {
    if ('cleared' in event) {
      this.state.clear()
      this.seq = 0
      this.options.emitter.emit('change', { records: [], origin: 'external', cleared: true })
      return
    }
    const replaced = 'replaced' in event
    const records = (replaced ? event.replaced : event.changes).map((record) => checkStoredRecord(record, location))
    if (replaced) {
      this.state.clear()
      this.seq = 0
    }
    this.apply(records)
    if (records.length > 0) this.options.emitter.emit('change', { records, origin: 'external' })
  }
}

const KIND_INDEX = new Map(KIND_ORDER.map((kind, index) => [kind, index]))

/** A stored record checked against its kind (its value as the kind's schema reads it), or a refusal that says which. */
function checkStoredRecord(record: unknown, location: string): StoredRecord {
  const { kind, scope, id, value } = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>
  const damaged = (why: string): never => {
    throw new Error(
      `Failed to load fake-ecr state from ${location}: ${why}. Suggested fix: restore it from a backup, or start afresh with empty storage. Nothing stored was changed.`,
    )
  }
  if (!isRecordKind(kind)) return damaged(`a stored record has an unknown kind (${JSON.stringify(kind)})`)
  const name = `the stored ${kind} record ${JSON.stringify(id)}`
  if (typeof id !== 'string') return damaged(`${name} has no id`)
  if (!Array.isArray(scope) || scope.length !== scopeLength(kind) || !scope.every((part) => typeof part === 'string')) {
    return damaged(`${name} has a malformed scope`)
  }
  if (value === undefined) return { kind, scope, id, value }
  const parsed = KINDS[kind].schema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    return damaged(`${name} in ${scope.join('/') || 'the engine'} is not valid (${[...issue.path].join('.') || 'value'}: ${issue.message})`)
  }
  return { kind, scope, id, value: parsed.data }
}

function compareRecords(a: StoredRecord, b: StoredRecord): number {
  const key = (record: StoredRecord) => [...record.scope, String(KIND_INDEX.get(record.kind)).padStart(3, '0'), record.id]
  return compareKeys(key(a), key(b))
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const left = a[i] ?? ''
    const right = b[i] ?? ''
    if (left !== right) return left < right ? -1 : 1
  }
  return 0
}
