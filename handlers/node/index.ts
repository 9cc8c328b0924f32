export { createEcrServer } from './server.js'
export { setupEcrServer } from './setup-ecr-server.js'
export { fileSystemStorage } from './file-system-storage.js'
export type { EcrServer, EcrServerOptions, FileSystemStorage, SetupEcrServerOptions, SetupEcrServerResult } from './glossary.js'
