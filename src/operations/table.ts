import { accountSettingOperations } from './account-settings.js'
import { archivalOperations } from './archival.js'
import { authOperations } from './auth.js'
import { creationTemplateOperations } from './creation-templates.js'
import { imageOperations } from './images.js'
import { layerOperations } from './layers.js'
import { lifecycleOperations } from './lifecycle.js'
import type { Implementations } from './operation.js'
import { policyOperations } from './policies.js'
import { pullThroughCacheOperations } from './pull-through-cache.js'
import { pullTimeExclusionOperations } from './pull-time-exclusions.js'
import { referrerOperations } from './referrers.js'
import { replicationBackfillOperations } from './replication-backfills.js'
import { replicationOperations } from './replication.js'
import { repositoryOperations } from './repositories.js'
import { resourceTagOperations } from './resource-tags.js'
import { scanningOperations } from './scanning.js'
import { signingOperations } from './signing.js'

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
  ...archivalOperations,
  ...accountSettingOperations,
  ...signingOperations,
  ...pullTimeExclusionOperations,
  ...referrerOperations,
  ...creationTemplateOperations,
  ...pullThroughCacheOperations,
}
