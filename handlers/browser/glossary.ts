import type { SetupWorker } from 'msw/browser'
import type { Ecr, EcrOptions, KeyValueStorage } from '../../src/index.js'

export interface SetupEcrWorkerOptions extends Omit<EcrOptions, 'storage' | 'seed'> {
  /**
   * The IndexedDB database that holds the state (default `'fake-ecr'`). Tabs of the same origin
   * that use the same name share one registry.
   */
  databaseName?: string
  /** Keep state in IndexedDB (default `true`); `false` keeps it in memory, gone on reload. */
  persist?: boolean
  /** Where MSW's worker script is served (default `'/mockServiceWorker.js'`, see `npx msw init`). */
  serviceWorkerUrl?: string
  /** Silences MSW's log of every intercepted request (default `false`). */
  quiet?: boolean
  /**
   * Fills a fresh registry: runs only when the stored state is empty, so a persisted app is
   * seeded once (after `ecr.reset()`, on the next load).
   */
  seed?: EcrOptions['seed']
  /**
   * What MSW does with requests that are not for ECR (default `'bypass'`: they go to the network).
   * Given to msw 2 as `onUnhandledRequest` and to msw 3 as `onUnhandledFrame`.
   */
  onUnhandledRequest?: 'bypass' | 'warn' | 'error'
}

export interface SetupEcrWorkerResult {
  /** The engine answering the requests: seed it, inspect it, `reset()` it, listen to `change`. */
  ecr: Ecr
  /** MSW's worker, started. `worker.stop()` stops answering. */
  worker: SetupWorker
  /**
   * Where state lives: `'indexeddb'`, or `'memory'` when `persist: false` or when IndexedDB could
   * not be used at start (then `storageError` says why).
   */
  persistence: 'indexeddb' | 'memory'
  /** Why IndexedDB could not be used at start (private mode, stored data of another format, ...). */
  storageError?: Error
}

export interface IndexedDbStorageOptions {
  /** The IndexedDB database (default `'fake-ecr'`), also the name of the BroadcastChannel. */
  databaseName?: string
  /** Tell other tabs about changes, and apply theirs (default `true` where BroadcastChannel exists). */
  broadcast?: boolean
}

/** Storage that keeps the engine's state in IndexedDB (`keyValueStorage` over an IndexedDB store). */
export interface IndexedDbStorage extends KeyValueStorage {
  readonly databaseName: string
  /** Stops talking to other tabs and closes the database connection. */
  close(): void
}
