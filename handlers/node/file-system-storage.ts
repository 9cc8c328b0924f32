import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { keyValueStorage, StorageError, type KeyValueStore } from '../../src/index.js'
import { createMutex } from '../../src/storage/mutex.js'
import type { FileSystemStorage } from './glossary.js'

/** The file that says which process uses the directory. */
const LOCK_FILE = 'lock'
/** What a file being written is called until it is complete (then it is renamed into place). */
const PARTIAL = /\.partial-[0-9a-f]+$/
const KEY_PART = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/

/**
 * Keeps the engine's state in a directory, so that it survives a restart: `keyValueStorage` over
 * one file per key (decisions/storage-format.md). Every write is in the operating system's hands
 * before the call that made it returns, so a process that is killed loses no call it answered;
 * each file appears whole or not at all. One process at a time: the directory is locked until
 * `close()`, and a second one is refused while the first runs (a lock left by a process that
 * died is taken over).
 *
 * @example
 * import { createEcr } from 'fake-ecr'
 * import { fileSystemStorage } from 'fake-ecr/node'
 *
 * const storage = await fileSystemStorage('.fake-ecr')
 * const ecr = createEcr({ storage })
 * // …
 * await storage.close()
 */
export async function fileSystemStorage(directory: string): Promise<FileSystemStorage> {
  const path = resolve(directory)
  const location = `directory ${path}`
  try {
    await mkdir(path, { recursive: true })
  } catch (cause) {
    throw new StorageError(`Failed to open fake-ecr state in ${location}: ${(cause as Error).message}. Suggested fix: choose a directory you can write to.`, {
      cause,
    })
  }
  const release = await lock(path)
  const store = directoryStore(path)
  const storage = keyValueStorage(store, {
    advice: {
      location,
      freeSpace: `free up space on the disk that holds ${path}, or make it writable again`,
      useOther: 'pass another data directory',
      startAfresh: `move ${path} aside (or delete it)`,
    },
  })
  const closeStorage = storage.close
  let closed: Promise<void> | undefined
  return Object.assign(storage, {
    directory: path,
    close() {
      // Writes under way finish first; then the directory is free for another process.
      closed ??= store.exclusive(async () => {
        closeStorage()
        await release()
      })
      return closed
    },
  })
}

/**
 * A key-value store of one file per key under `root` (`log/0000000000000007` is that file).
 * A file is written under a temporary name and renamed into place, so it is whole or absent;
 * a batch is applied in order, file by file (not all or nothing: the storage on top orders its
 * writes for that). Files that a stopped process left half-written are removed by the first write.
 */
function directoryStore(root: string): KeyValueStore {
  const made = new Set<string>()
  let swept = false
  const pathOf = (key: string) => {
    const parts = key.split('/')
    if (!parts.every((part) => KEY_PART.test(part))) throw new Error(`fake-ecr: "${key}" is not a key of a data directory`)
    return join(root, ...parts)
  }
  const ensureDirectory = async (directory: string) => {
    if (made.has(directory)) return
    await mkdir(directory, { recursive: true })
    made.add(directory)
  }
  /** Every key under `directory` (the key prefix `prefix`), files only, leftovers and the lock file skipped. */
  const keysUnder = async (directory: string, prefix: string): Promise<string[]> => {
    let entries
    try {
      entries = await readdir(directory, { withFileTypes: true })
    } catch (error) {
      if (isMissing(error)) return []
      throw error
    }
    const keys: string[] = []
    for (const entry of entries) {
      if (PARTIAL.test(entry.name) || (prefix === '' && (entry.name === LOCK_FILE || entry.name.startsWith(`${LOCK_FILE}.`)))) continue
      if (entry.isDirectory()) keys.push(...(await keysUnder(join(directory, entry.name), `${prefix}${entry.name}/`)))
      else keys.push(`${prefix}${entry.name}`)
    }
    return keys
  }
  const sweepPartial = async (directory: string): Promise<void> => {
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name)
      if (entry.isDirectory()) await sweepPartial(path)
      else if (PARTIAL.test(entry.name)) await rm(path, { force: true })
    }
  }
  const get = async (key: string) => {
    try {
      const bytes = await readFile(pathOf(key))
      // A plain Uint8Array over the file's bytes; copied only if they share a pooled buffer.
      return bytes.byteLength === bytes.buffer.byteLength ? new Uint8Array(bytes.buffer) : new Uint8Array(bytes)
    } catch (error) {
      if (isMissing(error)) return undefined
      throw error
    }
  }
  return {
    atomic: false,
    get,
    getMany: (keys) => Promise.all(keys.map(get)),
    async getRange(key, offset, length) {
      let file
      try {
        file = await open(pathOf(key), 'r')
      } catch (error) {
        if (isMissing(error)) return undefined
        throw error
      }
      try {
        const bytes = new Uint8Array(length)
        const { bytesRead } = await file.read(bytes, 0, length, offset)
        return bytes.subarray(0, bytesRead)
      } finally {
        await file.close()
      }
    },
    async list(prefix) {
      // The directory the prefix's complete parts name, then the rest of the prefix as a filter.
      const parts = prefix.split('/')
      const directoryParts = parts.slice(0, -1)
      const keys = await keysUnder(join(root, ...directoryParts), directoryParts.map((part) => `${part}/`).join(''))
      return keys.filter((key) => key.startsWith(prefix)).sort()
    },
    async write(batch) {
      if (!swept) {
        await sweepPartial(root)
        swept = true
      }
      for (const { key, value } of batch) {
        const path = pathOf(key)
        if (value === undefined) {
          await rm(path, { force: true })
          continue
        }
        await ensureDirectory(dirname(path))
        const partial = `${path}.partial-${randomBytes(6).toString('hex')}`
        await writeFile(partial, value)
        await rename(partial, path)
      }
    },
    exclusive: createMutex(),
  }
}

/** What the lock file says. */
interface Holder {
  pid: number
  host: string
  token: string
  since: string
}

/** Directories this process holds the lock of (a lock file with this process's id and none of these is a dead process's). */
const lockedHere = new Set<string>()

/**
 * Takes the directory's lock, or refuses when another live process holds it. A lock whose process
 * is gone is taken over: moved aside under a name of our own (only one process can), checked to
 * be the one found dead, then removed. Resolves with the function that releases the lock.
 */
async function lock(directory: string): Promise<() => Promise<void>> {
  const path = join(directory, LOCK_FILE)
  const me: Holder = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), since: new Date().toISOString() }
  if (lockedHere.has(directory)) throw inUse(directory, me)
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await writeFile(path, `${JSON.stringify(me)}\n`, { flag: 'wx' })
      lockedHere.add(directory)
      return async () => {
        lockedHere.delete(directory)
        const holder = await readHolder(path)
        if (typeof holder === 'object' && holder.token === me.token) await unlink(path).catch(() => undefined)
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StorageError(`Failed to lock fake-ecr state in directory ${directory}: ${(error as Error).message}. Suggested fix: choose a directory you can write to.`, {
          cause: error,
        })
      }
    }
    const holder = await readHolder(path)
    if (holder === 'unreadable') {
      // Being written by a process that is starting, or left empty by one that died at that moment.
      const age = await stat(path).then((info) => Date.now() - info.mtimeMs, () => 0)
      if (age < 2000) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        continue
      }
    } else if (holder !== undefined && holds(holder)) {
      throw inUse(directory, holder)
    }
    // The holder is gone: move its lock aside (one process wins), and check that it was that one.
    const aside = `${path}.stale-${me.token}`
    try {
      await rename(path, aside)
    } catch (error) {
      if (isMissing(error)) continue
      throw error
    }
    const moved = await readHolder(aside)
    const same = moved === holder || (typeof moved === 'object' && typeof holder === 'object' && moved.token === holder.token)
    if (!same) {
      // Another process took the lock over in between: give it back.
      await rename(aside, path).catch(() => undefined)
      continue
    }
    await unlink(aside).catch(() => undefined)
  }
  throw new StorageError(`Failed to lock fake-ecr state in directory ${directory}: other processes kept taking the lock. Suggested fix: start one server at a time.`)
}

function inUse(directory: string, holder: Holder): StorageError {
  return new StorageError(
    `Failed to start fake-ecr on directory ${directory}: it is in use by another fake-ecr (process ${holder.pid} on ${holder.host}, since ${holder.since}). ` +
      'Suggested fix: stop that server first, or pass another data directory.' +
      (holder.host === hostname() ? '' : ` If that process is gone, delete ${join(directory, LOCK_FILE)}.`),
  )
}

async function readHolder(path: string): Promise<Holder | 'unreadable' | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (isMissing(error)) return undefined
    throw error
  }
  try {
    const { pid, host, token, since } = JSON.parse(text) as Partial<Holder>
    if (typeof pid === 'number' && typeof host === 'string' && typeof token === 'string' && typeof since === 'string') return { pid, host, token, since }
  } catch {
    // Not JSON: see below.
  }
  return 'unreadable'
}

/**
 * Whether the lock's holder is a live process (one on another host is assumed live). A lock with
 * this process's id that this process did not take was left by a dead one whose id was reused.
 */
function holds(holder: Holder): boolean {
  if (holder.host !== hostname()) return true
  if (holder.pid === process.pid) return false
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}
