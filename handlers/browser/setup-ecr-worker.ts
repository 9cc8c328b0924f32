import { setupWorker } from 'msw/browser'
import { createEcr, StorageError, type StoredRecord } from '../../src/index.js'
import { ecrHandlers } from '../ecr-handlers.js'
import type { IndexedDbStorage, SetupEcrWorkerOptions, SetupEcrWorkerResult } from './glossary.js'
import { indexedDbStorage } from './indexeddb-storage.js'

/**
 * Starts a fake ECR in the browser: an engine whose state lives in IndexedDB (it survives
 * reloads and is shared by the tabs of the same origin), answered by MSW's service worker.
 * Resolves once stored state is loaded and the worker answers requests. If IndexedDB cannot be
 * used (private mode, data of another format), it warns and runs in memory.
 *
 * @example
 * import { setupEcrWorker } from 'fake-ecr/browser'
 *
 * const { ecr } = await setupEcrWorker({
 *   seed: { repositories: [{ name: 'web', images: [{ tag: 'v1' }, { tag: 'v2' }] }] },
 * })
 * ecr.on('change', () => render())
 * // From here, `new ECRClient({ region, credentials })` in the page talks to the fake.
 */
export async function setupEcrWorker(options: SetupEcrWorkerOptions = {}): Promise<SetupEcrWorkerResult> {
  const {
    databaseName = 'fake-ecr',
    persist = true,
    serviceWorkerUrl = '/mockServiceWorker.js',
    quiet = false,
    onUnhandledRequest = 'bypass',
    ...engineOptions
  } = options
  const { storage, storageError } = persist ? await openStorage(databaseName) : {}
  const ecr = createEcr({
    ...engineOptions,
    ...(storage !== undefined && { storage, onStorageError: engineOptions.onStorageError ?? warnOnceAFailure }),
  })
  const worker = setupWorker(...ecrHandlers(ecr))
  // msw 2 reads `onUnhandledRequest`, msw 3 `onUnhandledFrame`; each ignores the other's.
  const start = { serviceWorker: { url: serviceWorkerUrl }, quiet, onUnhandledRequest, onUnhandledFrame: onUnhandledRequest }
  try {
    await Promise.all([
      ecr.ready,
      worker.start(start).catch((cause: unknown) => {
        throw new Error(
          `Failed to start fake-ecr's service worker from "${serviceWorkerUrl}": ${describe(cause)}. ` +
            'Suggested fix: run "npx msw init public/ --save" so that the worker script is served, or pass the URL it is served at as `serviceWorkerUrl`.',
          { cause },
        )
      }),
    ])
  } catch (error) {
    worker.stop()
    storage?.close()
    throw error
  }
  return {
    ecr,
    worker,
    persistence: storage === undefined ? 'memory' : 'indexeddb',
    ...(storageError !== undefined && { storageError }),
  }
}

/**
 * Opens the IndexedDB storage and loads it, so that a failure (no IndexedDB, data of another
 * format) is known before the engine exists: the page then runs in memory instead of failing.
 */
async function openStorage(databaseName: string): Promise<{ storage?: IndexedDbStorage; storageError?: Error }> {
  const storage = indexedDbStorage({ databaseName })
  let records: Iterable<StoredRecord>
  try {
    records = await storage.read()
  } catch (error) {
    storage.close()
    const storageError = error instanceof Error ? error : new Error(String(error))
    console.warn(`fake-ecr: ${storageError.message}\nfake-ecr keeps this page's registry in memory: changes are lost on reload.`)
    return { storageError }
  }
  // The engine reads once, at creation: hand it what was just loaded.
  return { storage: Object.assign(Object.create(storage) as typeof storage, { read: () => records }) }
}

/** Warns once per run of failed writes: while IndexedDB keeps failing, every call would repeat it. */
function warnOnceAFailure(error: unknown): void {
  if (error instanceof StorageError && error.repeated) return
  console.warn(`fake-ecr: ${describe(error)}`)
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
