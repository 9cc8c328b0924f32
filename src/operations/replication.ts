import { invalidParameter } from '../errors.js'
import { SINGLETON } from '../state/kinds.js'
import type { Implementations } from './operation.js'

/**
 * DescribeRegistry and PutReplicationConfiguration: the registry's replication configuration.
 * It is stored and reported; replicating images to the destinations is not done yet.
 */
export const replicationOperations = {
  DescribeRegistry(_input, ctx) {
    const registry = ctx.registry()
    return { registryId: registry.accountId, replicationConfiguration: registry.setting('replication-configuration') ?? { rules: [] } }
  },

  PutReplicationConfiguration(input, ctx) {
    const { rules } = input.replicationConfiguration
    const toItself = rules.some((rule) =>
      rule.destinations.some((destination) => destination.region === ctx.region && destination.registryId === ctx.accountId),
    )
    if (toItself) {
      throw invalidParameter('replicationConfiguration', 'Replication destination cannot be the same as the source registry')
    }
    const replication = { rules }
    ctx.openRegistry().tables['replication-configuration'].set(ctx.tx, SINGLETON, replication)
    return { replicationConfiguration: replication }
  },
} satisfies Implementations
