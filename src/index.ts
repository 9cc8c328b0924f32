export { createEcr } from './ecr.js'
export type {
  AuthorizationTokenClaims,
  BlobContent,
  CallContext,
  Caller,
  Ecr,
  EcrEvents,
  EcrOptions,
  EnhancedScanningOptions,
  EnhancedScanStatus,
  Fault,
  FaultOptions,
  Faults,
  ImageSeed,
  InspectedImage,
  LayerDownload,
  LifecycleRun,
  LifecycleTarget,
  OperationName,
  Platform,
  RegistryApi,
  RegistryBlob,
  RegistryDescriptor,
  RegistryManifest,
  RegistryPlace,
  RegistrySeed,
  RegistryTagPage,
  RepositorySeed,
  RescanDuration,
  ScannedImage,
  SeededImage,
  SeedImageOptions,
  SeedIndexOptions,
  Seeder,
  SigningFailure,
  SigningImage,
  UpstreamRegistrySeed,
} from './glossary.js'
export { DEFAULT_LIMITS } from './limits.js'
export type { EcrLimits } from './limits.js'
export { EcrError } from './errors.js'
export type { EcrErrorCode } from './errors.js'
export { RegistryError } from './registry/errors.js'
export type { RegistryErrorCode } from './registry/errors.js'
export { seedRegistry } from './seed-registry.js'
export { memoryKeyValueStore, memoryStorage } from './storage/memory-storage.js'
export { FORMAT_VERSION, keyValueStorage } from './storage/key-value-storage.js'
export { StorageError } from './storage/storage-error.js'
export type { CompactionLimits, KeyValueStorage, KeyValueStorageOptions, Migration, StorageAdvice } from './storage/key-value-storage.js'
export type { ChunkChanges, ExternalChange, KeyValueStore, RecordKind, StorageAdapter, StoredRecord } from './storage/storage.js'
export { MediaTypes } from './manifest.js'
