import { randomBytes } from '@noble/hashes/utils.js'
import { KINDS, isRecordKind } from '../state/kinds.js'
import { StorageError } from './storage-error.js'
import type { ChunkChanges, ExternalChange, KeyValueStore, StorageAdapter, StoredRecord } from './storage.js'

/**
 * The storage format: how records, the log and the snapshot are laid out over a key-value store
 * (decisions/storage-format.md). Bump it when what is stored changes shape, and add the migration
 * from the previous format to {@link MIGRATIONS}.
 */
export const FORMAT_VERSION = 2

/** Turns the records of format `n` (the key of {@link MIGRATIONS}) into those of format `n + 1`. */
export type Migration = (records: StoredRecord[]) => StoredRecord[]

/** Migrations between formats. None: format 1 (IndexedDB only, before this layout) is not read. */
const MIGRATIONS: ReadonlyMap<number, Migration> = new Map()

/** When the log is folded into the snapshot (tests lower the limits). */
export interface CompactionLimits {
  /** Log entries (writes) since the last compaction; a twentieth of the snapshot's records when that is more. */
  entries: number
  /** Records in those entries; half the snapshot's records when that is more. */
  records: number
}

const COMPACTION: CompactionLimits = { entries: 200, records: 2000 }

/** How an adapter words what the user can do about a failure, in its own terms. */
export interface StorageAdvice {
  /** Where the state is: `directory "/srv/ecr"`, `IndexedDB database "fake-ecr"`. */
  location: string
  /** How to make writes work again: "free up storage for this site…". */
  freeSpace: string
  /** How to use other storage instead of this one: "pass another databaseName". */
  useOther: string
  /** How to throw the stored state away: "delete the directory". */
  startAfresh: string
}

export interface KeyValueStorageOptions {
  /** How failures are explained (default: generic words). */
  advice?: Partial<StorageAdvice>
  /**
   * Tell other engines on the same store when this one stored something, through a
   * BroadcastChannel of this name (where BroadcastChannel exists), so that they catch up at
   * once rather than at their next call: browser tabs do.
   */
  broadcast?: string
  /** The format written and the migrations known (tests give their own). */
  format?: { version: number; migrations: ReadonlyMap<number, Migration> }
  /** When the log is folded into the snapshot (tests lower the limits). */
  compaction?: CompactionLimits
}

/** A storage adapter over a key-value store, as `keyValueStorage` makes it: one engine's view of the store. */
export interface KeyValueStorage extends StorageAdapter {
  readonly location: string
  subscribe(listener: (event: ExternalChange) => void): () => void
  turn<T>(body: (missed: readonly ExternalChange[]) => Promise<T>): Promise<T>
  readChunk(id: string, offset?: number, length?: number): Promise<Uint8Array | undefined>
  signingKey(): Promise<Uint8Array>
  /** Stops talking to other engines. */
  close(): void
}

/** What engines sharing a store tell each other on the BroadcastChannel: "I stored something". */
interface BroadcastMessage {
  writer: 'fake-ecr'
  version: number
}

/**
 * Where the current snapshot is and where the log after it starts; `epoch` changes when the
 * store is emptied, so that an engine that knew the old contents knows to start over.
 */
interface Head {
  epoch: string
  snapshot: string | undefined
  chunks: number
  logFrom: number
}

// The store's layout (decisions/storage-format.md):
// - `format`: which format the rest is in;             - `signing-key`: the engine's signing key;
// - `head`: the current snapshot, the first log entry after it, the store's epoch;
// - `snapshot/<generation>/<n>`: the state as of the last compaction, 1,000 records an entry;
// - `log/<n>`: the records one write changed;           - `chunk/<id>`: blob and upload bytes.
const FORMAT_KEY = 'format'
const SIGNING_KEY = 'signing-key'
const HEAD_KEY = 'head'
const SNAPSHOT = 'snapshot/'
const LOG = 'log/'
const CHUNK = 'chunk/'
const SNAPSHOT_CHUNK = 1000
const EMPTY_HEAD: Head = { epoch: '', snapshot: undefined, chunks: 0, logFrom: 0 }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * Persistent storage for the engine over any {@link KeyValueStore}: the format version and its
 * migrations, a log with one entry per write folded into a chunked snapshot now and then, blob
 * bytes written once each as chunks, and turns that make engines sharing the store (browser
 * tabs) act as one: each call first catches up with what the others stored, then stores its own,
 * with none of them in between. `indexedDbStorage` and `fileSystemStorage` are this over
 * IndexedDB and a directory; `memoryStorage` over a `Map`. One engine per storage object: give
 * each engine its own over the same store.
 *
 * @example
 * const storage = keyValueStorage(myStore, { advice: { location: 'Redis key prefix "ecr"' } })
 * const ecr = createEcr({ storage })
 */
export function keyValueStorage(kv: KeyValueStore, options: KeyValueStorageOptions = {}): KeyValueStorage {
  const format = options.format ?? { version: FORMAT_VERSION, migrations: MIGRATIONS }
  const compaction = options.compaction ?? COMPACTION
  const advice: StorageAdvice = {
    location: 'storage',
    freeSpace: 'make the storage writable again',
    useOther: 'use other storage',
    startAfresh: 'empty the storage',
    ...options.advice,
  }
  const formatEntry = json({ writer: 'fake-ecr', version: format.version })

  let formatWritten = false
  let failing = false
  // What this engine has seen of the store: its epoch, and the last log entry applied or written.
  let seen = { epoch: '', position: -1 }
  // Inside a turn, what its start read: the head, and where the next log entry goes.
  let turnHead: Head | undefined
  // The sizes of the log since the last compaction, and of the snapshot, as this engine knows them.
  let logEntries = 0
  let logRecords = 0
  let snapshotRecords = 0

  const refuse = (reason: string, fix: string, cause?: unknown) =>
    new StorageError(`Failed to load fake-ecr state from ${advice.location}: ${reason}. Suggested fix: ${fix}`, { cause })
  const damaged = (reason: string) =>
    refuse(reason, `restore it from a backup, or ${advice.startAfresh} to start afresh. Nothing stored was changed.`)

  /** A JSON entry's value; one that is not JSON means the store was damaged. */
  const parseJson = (key: string, bytes: Uint8Array | undefined): unknown => {
    if (bytes === undefined) return undefined
    try {
      return JSON.parse(decoder.decode(bytes))
    } catch {
      throw damaged(`its entry ${key} is not valid JSON`)
    }
  }
  const readJson = async (key: string): Promise<unknown> => parseJson(key, await kv.get(key))

  const readHead = async (): Promise<Head> => headOf(await kv.get(HEAD_KEY))

  const headOf = (bytes: Uint8Array | undefined): Head => {
    const head = parseJson(HEAD_KEY, bytes)
    if (head === undefined) return EMPTY_HEAD
    const { epoch, snapshot, chunks, logFrom } = head as Partial<Head>
    if (typeof epoch !== 'string' || (snapshot !== undefined && typeof snapshot !== 'string') || !isCount(chunks) || !isCount(logFrom)) {
      throw damaged(`its entry ${HEAD_KEY} is malformed`)
    }
    return { epoch, snapshot, chunks, logFrom }
  }

  /** The records of log or snapshot entries, read at once. */
  const readRecords = async (keys: readonly string[]): Promise<StoredRecord[][]> => {
    const values = await kv.getMany(keys)
    return keys.map((key, index) => {
      const records = parseJson(key, values[index])
      if (records === undefined) throw damaged(`its entry ${key} is missing`)
      if (!Array.isArray(records) || !records.every(isStoredRecord)) throw damaged(`its entry ${key} does not hold records`)
      return records as StoredRecord[]
    })
  }

  /** The records the snapshot and the log add up to, and the log's last entry. */
  const readState = async (head: Head): Promise<{ records: StoredRecord[]; logEntries: number; last: number }> => {
    const snapshotKeys = head.snapshot === undefined ? [] : await kv.list(`${SNAPSHOT}${head.snapshot}/`)
    if (snapshotKeys.length !== head.chunks) throw damaged(`its snapshot ${head.snapshot} has ${snapshotKeys.length} of its ${head.chunks} entries`)
    const logKeys = (await kv.list(LOG)).filter((key) => logIndex(key) >= head.logFrom)
    const [snapshot, log] = await Promise.all([readRecords(snapshotKeys), readRecords(logKeys)])
    const last = logKeys.at(-1)
    return { records: replay(snapshot, log), logEntries: logKeys.length, last: last === undefined ? head.logFrom - 1 : logIndex(last) }
  }

  /**
   * What other engines stored since this one last looked, in order: the log entries after the
   * last one it saw; when the store was emptied since (another epoch), `cleared` and what was
   * stored after; when the entries it missed were folded away, the stored state whole.
   */
  const catchUp = async (head: Head): Promise<ExternalChange[]> => {
    const missed = (await kv.list(LOG)).filter((key) => logIndex(key) > seen.position)
    const contiguous = missed.every((key, index) => logIndex(key) === seen.position + 1 + index)
    if (head.epoch === seen.epoch && contiguous && (missed.length > 0 || seen.position >= head.logFrom - 1)) {
      if (missed.length === 0) return []
      const entries = await readRecords(missed)
      seen = { epoch: head.epoch, position: logIndex(missed.at(-1)!) }
      return [{ changes: entries.flat() }]
    }
    const { records, last } = await readState(head)
    const reset = head.epoch !== seen.epoch
    seen = { epoch: head.epoch, position: last }
    return reset ? [{ cleared: true }, { changes: records }] : [{ replaced: records }]
  }

  /** A failure to read (`load`) or save (`save`) around a call: the call fails, and the failure says so. */
  const callFailure = (verb: 'read' | 'save', cause: unknown) => {
    const repeated = failing
    failing = true
    const preposition = verb === 'save' ? 'to' : 'from'
    return new StorageError(
      `Failed to ${verb} fake-ecr state ${preposition} ${advice.location}: ${describe(cause)}. Nothing of the call is stored or kept: it failed. ` +
        `Suggested fix: ${advice.freeSpace}.`,
      { cause, repeated },
    )
  }

  /**
   * Stores one call's changes: its chunks, then one log entry (the point at which the call is
   * stored), then the chunks it drops. Where a batch is all or nothing, that is one batch; else
   * the drops come in a second one, whose failure only leaves bytes behind (swept at the next start).
   */
  const save = async (records: readonly StoredRecord[], chunks: ChunkChanges | undefined) => {
    const batch: Array<{ key: string; value: Uint8Array | undefined }> = []
    const drops = (chunks?.drop ?? []).map((id) => ({ key: CHUNK + id, value: undefined }))
    let written: number | undefined
    try {
      if (!formatWritten) batch.push({ key: FORMAT_KEY, value: formatEntry })
      for (const [id, bytes] of chunks?.put ?? []) batch.push({ key: CHUNK + id, value: bytes })
      if (records.length > 0) {
        // In a turn, the log is as the turn's start found it, plus this engine's own writes.
        const head = turnHead ?? (await readHead())
        const last = turnHead !== undefined ? seen.position : lastLogIndex(await kv.list(LOG))
        written = Math.max(head.logFrom, last + 1)
        batch.push({ key: logKey(written), value: json(records) })
      }
      await kv.write(kv.atomic ? [...batch, ...drops] : batch)
    } catch (cause) {
      throw callFailure('save', cause)
    }
    failing = false
    formatWritten = true
    if (!kv.atomic && drops.length > 0) await kv.write(drops).catch(() => undefined)
    if (written !== undefined) {
      if (turnHead !== undefined) seen = { epoch: turnHead.epoch, position: written }
      logEntries += 1
      logRecords += records.length
      post()
    }
    // Limits grow with the snapshot, so compaction costs about the same per write at any size.
    if (logEntries >= Math.max(compaction.entries, snapshotRecords / 20) || logRecords >= Math.max(compaction.records, snapshotRecords / 2)) {
      await compact().catch(() => undefined)
    }
  }

  /**
   * Makes `records` the stored state, as a new snapshot: its entries first, then the head that
   * makes it current (its log starting at `logFrom`), then the format entry if it changes, then
   * what it replaces goes (other snapshots, `obsolete`, and the log before `logFrom` but for the
   * last `compaction.entries`, which engines that fell behind read to catch up). Stopped
   * half-way, it loses nothing: until the head is written the old snapshot and log stay current,
   * and what is left over is removed by the next snapshot.
   */
  const writeSnapshot = async (head: Head, records: readonly StoredRecord[], logFrom: number, obsolete: readonly string[] = []) => {
    const generation = `${Date.now().toString(36)}-${hex(randomBytes(4))}`
    const batch: Array<{ key: string; value: Uint8Array | undefined }> = []
    for (let at = 0; at < records.length; at += SNAPSHOT_CHUNK) {
      const key = `${SNAPSHOT}${generation}/${String(at / SNAPSHOT_CHUNK).padStart(6, '0')}`
      batch.push({ key, value: json(records.slice(at, at + SNAPSHOT_CHUNK)) })
    }
    const next: Head = { epoch: head.epoch, snapshot: generation, chunks: Math.ceil(records.length / SNAPSHOT_CHUNK), logFrom }
    batch.push({ key: HEAD_KEY, value: json(next) })
    if (!formatWritten) batch.push({ key: FORMAT_KEY, value: formatEntry })
    for (const key of await kv.list(SNAPSHOT)) if (!key.startsWith(`${SNAPSHOT}${generation}/`)) batch.push({ key, value: undefined })
    for (const key of await kv.list(LOG)) if (logIndex(key) < logFrom - compaction.entries) batch.push({ key, value: undefined })
    for (const key of obsolete) batch.push({ key, value: undefined })
    await kv.write(batch)
    if (turnHead !== undefined) turnHead = next
    formatWritten = true
    snapshotRecords = records.length
  }

  /** Folds the log into the snapshot, reading what is stored (another engine may have written since). */
  const compact = async () => {
    logEntries = logRecords = 0
    const head = await readHead()
    const { records, last } = await readState(head)
    await writeSnapshot(head, records, last + 1)
  }

  // Other engines only say that they stored something; this one then catches up in a turn.
  const channel =
    options.broadcast !== undefined && typeof BroadcastChannel === 'function' ? new BroadcastChannel(options.broadcast) : undefined
  const listeners = new Set<(event: ExternalChange) => void>()
  const post = () => {
    const message: BroadcastMessage = { writer: 'fake-ecr', version: format.version }
    channel?.postMessage(message)
  }
  channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data as Partial<BroadcastMessage> | null
    // Engines of another format ignore each other.
    if (message?.writer !== 'fake-ecr' || message.version !== format.version) return
    for (const listener of listeners) listener({ changes: [] })
  })

  /** Runs `body` with no other engine writing, inside a turn of this engine's or not. */
  const exclusive = <T>(body: () => Promise<T>): Promise<T> => (turnHead !== undefined ? body() : kv.exclusive(body))

  const storage: KeyValueStorage = {
    location: advice.location,

    read: () =>
      kv.exclusive(async () => {
        let entry: unknown
        try {
          entry = await readJson(FORMAT_KEY)
        } catch (error) {
          throw error instanceof StorageError ? error : refuse(`it could not be read (${describe(error)})`, advice.freeSpace, error)
        }
        if (entry === undefined) {
          if ((await kv.list('')).length === 0) return []
          throw refuse('it holds data but no format entry, so it was not written by fake-ecr or is damaged', `${advice.useOther}. Nothing stored was changed.`)
        }
        const { writer, version } = entry as { writer?: unknown; version?: unknown }
        if (writer !== 'fake-ecr' || typeof version !== 'number') {
          throw refuse('its format entry was not written by fake-ecr', `${advice.useOther}. Nothing stored was changed.`)
        }
        if (version > format.version) {
          throw refuse(
            `it was written by a newer fake-ecr (storage format ${version}; this version reads format ${format.version})`,
            `upgrade fake-ecr to the version that wrote it, or ${advice.useOther}. Nothing stored was changed.`,
          )
        }
        const migrations: Migration[] = []
        for (let from = version; from < format.version; from++) {
          const migration = format.migrations.get(from)
          if (migration === undefined) {
            throw refuse(
              `it was written by an older fake-ecr (storage format ${version}) and this version has no migration from format ${from} to ${from + 1}`,
              `${advice.startAfresh} to start afresh, or ${advice.useOther}. Nothing stored was changed.`,
            )
          }
          migrations.push(migration)
        }
        const head = await readHead()
        const state = await readState(head)
        seen = { epoch: head.epoch, position: state.last }
        if (migrations.length === 0) {
          formatWritten = true
          logEntries = state.logEntries
          snapshotRecords = state.records.length
          return state.records
        }
        const migrated = migrations.reduce((current, migration) => migration(current), state.records)
        await rewrite(head, migrated, version, state.last)
        return migrated
      }),

    write: (records, chunks) => exclusive(() => save(records, chunks)),

    turn: (body) =>
      kv.exclusive(async () => {
        let head: Head
        let missed: ExternalChange[]
        try {
          // Every call starts here, so the common case costs one batch of two reads, not a listing
          // of the log: log entries are written one after another, so when the entry after the
          // last one seen is absent, and the head shows neither a clearing (another epoch) nor
          // that entry folded away, nothing was stored since.
          const [headBytes, next] = await kv.getMany([HEAD_KEY, logKey(seen.position + 1)])
          head = headOf(headBytes)
          const unchanged = next === undefined && head.epoch === seen.epoch && seen.position >= head.logFrom - 1
          missed = unchanged ? [] : await catchUp(head)
        } catch (cause) {
          throw cause instanceof StorageError ? cause : callFailure('read', cause)
        }
        turnHead = head
        try {
          return await body(missed)
        } finally {
          turnHead = undefined
        }
      }),

    clear: () =>
      exclusive(async () => {
        const keys = (await kv.list('')).filter((key) => key !== SIGNING_KEY && key !== FORMAT_KEY)
        const head: Head = { ...EMPTY_HEAD, epoch: hex(randomBytes(8)) }
        await kv.write([...keys.map((key) => ({ key, value: undefined })), { key: FORMAT_KEY, value: formatEntry }, { key: HEAD_KEY, value: json(head) }])
        formatWritten = true
        seen = { epoch: head.epoch, position: -1 }
        if (turnHead !== undefined) turnHead = head
        logEntries = logRecords = snapshotRecords = 0
        post()
      }),

    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },

    async readChunk(id, offset = 0, length) {
      if (length === undefined) {
        const bytes = await kv.get(CHUNK + id)
        return offset === 0 ? bytes : bytes?.slice(offset)
      }
      return kv.getRange(CHUNK + id, offset, length)
    },

    signingKey: () =>
      exclusive(async () => {
        const stored = await kv.get(SIGNING_KEY)
        if (stored !== undefined && stored.byteLength === 32) return stored
        const key = randomBytes(32)
        await kv.write([{ key: SIGNING_KEY, value: key }, ...(formatWritten ? [] : [{ key: FORMAT_KEY, value: formatEntry }])])
        formatWritten = true
        return key
      }),

    close() {
      channel?.close()
      listeners.clear()
    },
  }

  /** Replaces an older format's data with `records` in this format; chunks and the signing key stay. */
  const rewrite = async (head: Head, records: StoredRecord[], from: number, last: number) => {
    const ours = (key: string) => key === FORMAT_KEY || key === SIGNING_KEY || key === HEAD_KEY || key.startsWith(CHUNK) || key.startsWith(SNAPSHOT) || key.startsWith(LOG)
    const obsolete = (await kv.list('')).filter((key) => !ours(key))
    try {
      formatWritten = false
      await writeSnapshot(head, records, last + 1, obsolete)
    } catch (cause) {
      throw refuse(
        `migrating its records from storage format ${from} to ${format.version} failed (${describe(cause)})`,
        `${advice.freeSpace}, then try again. Nothing stored was changed.`,
        cause,
      )
    }
  }

  if (!kv.atomic) {
    storage.listChunks = async () => (await kv.list(CHUNK)).map((key) => key.slice(CHUNK.length))
  }
  return storage
}

/** One string per record identity (kind, scope, id). */
function recordId(record: StoredRecord): string {
  return [record.kind, ...record.scope, record.id].join('\u0000')
}

/** A deleted record of a kind that takes what is scoped under it (a repository). */
function cascades(record: StoredRecord): boolean {
  return record.value === undefined && KINDS[record.kind].cascades === true
}

function isUnder(record: StoredRecord, container: StoredRecord): boolean {
  const scope = [...container.scope, container.id]
  return record.scope.length >= scope.length && scope.every((part, index) => record.scope[index] === part)
}

/** The records a snapshot and a log add up to, the log applied in order. */
function replay(snapshot: readonly StoredRecord[][], log: readonly StoredRecord[][]): StoredRecord[] {
  const state = new Map<string, StoredRecord>()
  for (const chunk of snapshot) for (const record of chunk) state.set(recordId(record), record)
  for (const entry of log) {
    for (const record of entry) {
      const id = recordId(record)
      state.delete(id)
      if (record.value !== undefined) state.set(id, record)
      else if (cascades(record)) for (const [other, value] of state) if (isUnder(value, record)) state.delete(other)
    }
  }
  return [...state.values()]
}

function isStoredRecord(value: unknown): value is StoredRecord {
  if (typeof value !== 'object' || value === null) return false
  const { kind, scope, id } = value as Record<string, unknown>
  return isRecordKind(kind) && Array.isArray(scope) && typeof id === 'string'
}

function logKey(index: number): string {
  return LOG + String(index).padStart(16, '0')
}

function logIndex(key: string): number {
  return Number(key.slice(LOG.length))
}

/** The index of the last of some log keys, or -1 when there are none. */
function lastLogIndex(keys: readonly string[]): number {
  const last = keys.at(-1)
  return last === undefined ? -1 : logIndex(last)
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function json(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value))
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** `Name: message` of an error, without the message's closing period (a sentence follows). */
function describe(error: unknown): string {
  if (error instanceof Error || (typeof DOMException === 'function' && error instanceof DOMException)) {
    const message = error.message.replace(/\.$/, '')
    return message === '' ? error.name : `${error.name}: ${message}`
  }
  return String(error)
}
