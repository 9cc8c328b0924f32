export { setupEcrWorker } from './setup-ecr-worker.js'
export { indexedDbStorage } from './indexeddb-storage.js'
export { ecrStoryHandlers } from '../storybook.js'
export type { IndexedDbStorage, IndexedDbStorageOptions, SetupEcrWorkerOptions, SetupEcrWorkerResult } from './glossary.js'
