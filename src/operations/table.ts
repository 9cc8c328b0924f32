import type { Implementations } from './operation.js'
import { repositoryOperations } from './repositories.js'
import { resourceTagOperations } from './resource-tags.js'

/** The one table of operations: every operation the engine implements, by name. */
export const operations: Implementations = {
  ...repositoryOperations,
  ...resourceTagOperations,
}
