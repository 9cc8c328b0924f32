export { createEcrServer } from './server.js'
export { setupEcrServer } from './setup-ecr-server.js'
export type { EcrServer, EcrServerOptions, SetupEcrServerOptions, SetupEcrServerResult } from './glossary.js'
