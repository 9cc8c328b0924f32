import { authOperations } from './auth.js'
import { imageOperations } from './images.js'
import { layerOperations } from './layers.js'
import { lifecycleOperations } from './lifecycle.js'
import type { Implementations } from './operation.js'
import { policyOperations } from './policies.js'
import { replicationBackfillOperations } from './replication-backfills.js'
import { replicationOperations } from './replication.js'
import { repositoryOperations } from './repositories.js'
import { resourceTagOperations } from './resource-tags.js'
import { scanningOperations } from './scanning.js'

/** The one table of operations: every operation the engine implements, by name. */
export const operations: Implementations = {
  ...repositoryOperations,
  ...imageOperations,
  ...layerOperations,
  ...resourceTagOperations,
  ...policyOperations,
  ...lifecycleOperations,
  ...scanningOperations,
  ...replicationOperations,
  ...replicationBackfillOperations,
  ...authOperations,
}
