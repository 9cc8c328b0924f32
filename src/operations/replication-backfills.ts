import type { ReplicationBackfillResult, ReplicationBackfillSummary } from '@aws-sdk/client-ecr'
import { findBackfill, inProgress, startBackfill, stopBackfill, type Backfill } from '../domain/replication-backfills.js'
import { position, takePage } from '../pagination.js'
import type { Implementations } from './operation.js'

/** ListReplicationBackfills' page size when `maxResults` is not given (its documentation). */
const BACKFILLS_PAGE_SIZE = 25
/** DescribeReplicationBackfillResults' page size when `maxResults` is not given (its documentation). */
const RESULTS_PAGE_SIZE = 100

/**
 * StartReplicationBackfill, StopReplicationBackfill, ListReplicationBackfills and
 * DescribeReplicationBackfillResults: replicating a registry's existing images to a destination
 * (src/domain/replication-backfills.ts).
 */
export const replicationBackfillOperations = {
  StartReplicationBackfill(input, ctx) {
    // A registry with a replication configuration exists: no need to open one for writing.
    const registry = ctx.registry(input.registryId)
    const { id, backfill } = startBackfill(ctx, registry, input.destination)
    return { replicationBackfillId: id, registryId: registry.accountId, ...identity(backfill) }
  },

  StopReplicationBackfill(input, ctx) {
    const registry = ctx.registry(input.registryId)
    const backfill = stopBackfill(ctx, registry, input.replicationBackfillId)
    return { registryId: registry.accountId, replicationBackfillId: input.replicationBackfillId, ...identity(backfill) }
  },

  ListReplicationBackfills(input, ctx) {
    const registry = ctx.registry(input.registryId)
    const listing = ['ListReplicationBackfills', registry.accountId, registry.region].join('\u0000')
    const after = input.nextToken === undefined ? undefined : position(ctx.tokens.decode(listing, input.nextToken))
    const table = registry.tables['replication-backfill']
    const page = takePage(
      (function* () {
        for (const { seq, id } of registry.backfillOrder.after(after)) yield { item: summary(id, table.get(id)!), cursor: { seq, id } }
      })(),
      input.maxResults ?? BACKFILLS_PAGE_SIZE,
      ctx.tokens,
      listing,
    )
    return { registryId: registry.accountId, backfills: page.items, ...(page.nextToken !== undefined && { nextToken: page.nextToken }) }
  },

  DescribeReplicationBackfillResults(input, ctx) {
    const registry = ctx.registry(input.registryId)
    const id = input.replicationBackfillId
    const backfill = findBackfill(registry, id)
    const filter = input.resultStatusFilter
    const listing = ['DescribeReplicationBackfillResults', registry.accountId, registry.region, id, filter ?? 'ANY'].join('\u0000')
    const after = input.nextToken === undefined ? -1 : ctx.tokens.decode(listing, input.nextToken).seq
    // Per-image results are reported once the backfill has ended.
    const page = inProgress(backfill)
      ? undefined
      : takePage(
          (function* () {
            for (let index = after + 1; index < backfill.results.length; index++) {
              const result = resultOf(backfill, index)
              if (filter === undefined || result.status === filter) yield { item: result, cursor: { seq: index } }
            }
          })(),
          input.maxResults ?? RESULTS_PAGE_SIZE,
          ctx.tokens,
          listing,
        )
    const { replicationBackfillId: _id, ...described } = summary(id, backfill)
    return {
      registryId: registry.accountId,
      replicationBackfillId: id,
      ...described,
      ...(page !== undefined && { results: page.items }),
      ...(page?.nextToken !== undefined && { nextToken: page.nextToken }),
    }
  },
} satisfies Implementations

/** What Start and Stop report of a backfill besides its id. */
function identity({ destination, status, startedAt }: Backfill) {
  return { destination, status, startedAt: new Date(startedAt) }
}

function summary(id: string, backfill: Backfill): ReplicationBackfillSummary {
  const { failureCode, progress, endedAt } = backfill
  return {
    replicationBackfillId: id,
    ...identity(backfill),
    ...(failureCode !== undefined && { failureCode }),
    ...(progress !== undefined && { progress }),
    ...(endedAt !== undefined && { endedAt: new Date(endedAt) }),
  }
}

function resultOf({ plan = [], results }: Backfill, index: number): ReplicationBackfillResult {
  const { repositoryName, digest, tag } = plan[index]!
  const { status, failureCode, subImageFailureCodes } = results[index]!
  return {
    repositoryName,
    imageId: { imageDigest: digest, ...(tag !== undefined && { imageTag: tag }) },
    status,
    ...(failureCode !== undefined && { failureCode }),
    ...(subImageFailureCodes !== undefined && { subImageFailureCodes }),
  }
}
