import { invalidParameter } from '../errors.js'
import type { Implementations } from './operation.js'

/**
 * DescribeRegistry and PutReplicationConfiguration. The configuration is stored and reported;
 * replicating images to the destinations is not done yet.
 */
export const registryOperations = {
  DescribeRegistry(_input, ctx) {
    const registry = ctx.registry()
    return { registryId: registry.accountId, replicationConfiguration: registry.settings.replication }
  },

  PutReplicationConfiguration(input, ctx) {
    const registry = ctx.registry()
    const { rules } = input.replicationConfiguration
    const toItself = rules.some((rule) =>
      rule.destinations.some((destination) => destination.region === ctx.region && destination.registryId === registry.accountId),
    )
    if (toItself) {
      throw invalidParameter('replicationConfiguration', 'Replication destination cannot be the same as the source registry')
    }
    const replication = { rules }
    registry.updateSettings(ctx.tx, (settings) => ({ ...settings, replication }))
    return { replicationConfiguration: replication }
  },
} satisfies Implementations
