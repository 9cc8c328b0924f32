import { findRepository } from '../domain/repositories.js'
import { invalidParameter } from '../errors.js'
import { SINGLETON } from '../state/kinds.js'
import { reportedImageId, requireImage } from './image-ids.js'
import type { Implementations } from './operation.js'

/**
 * DescribeRegistry and PutReplicationConfiguration (the registry's replication rules), and
 * DescribeImageReplicationStatus (where an image's replication to each destination stands).
 * Replicating pushed images is a domain step of the push (src/domain/replication.ts).
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

  DescribeImageReplicationStatus(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const image = requireImage(found, input.imageId)
    const replication = found.contents.tables['image-replication'].get(image.digest)
    return {
      repositoryName: found.record.name,
      imageId: reportedImageId(image, input.imageId),
      replicationStatuses: (replication?.destinations ?? []).map(({ region, registryId, status, failureCode }) => ({
        region,
        registryId,
        status,
        ...(failureCode !== undefined && { failureCode }),
      })),
    }
  },
} satisfies Implementations
