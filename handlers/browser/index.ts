export { setupEcrWorker } from './setup-ecr-worker.js'
export { indexedDbStorage, IndexedDbStorageError } from './indexeddb-storage.js'
export { seedRegistry } from './seed-registry.js'
export { ecrStoryHandlers } from './storybook.js'
export type {
  EcrStoryOptions,
  ImageSeed,
  IndexedDbStorage,
  IndexedDbStorageOptions,
  RegistrySeed,
  RepositorySeed,
  SeedOption,
  SetupEcrWorkerOptions,
  SetupEcrWorkerResult,
} from './glossary.js'
