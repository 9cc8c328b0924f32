import { EcrError } from '../errors.js'
import { DEFAULT_PAGE_SIZE, position, takePage } from '../pagination.js'
import type { Position } from '../state/seq-index.js'
import type { Implementations } from './operation.js'

/** Exclusions a registry may hold ("up to 100 exclusions per account", per region like every ECR setting). */
const MAX_PULL_TIME_UPDATE_EXCLUSIONS = 100

/**
 * Pull-time update exclusions: the IAM principals whose pulls leave lastRecordedPullTime alone
 * (decisions/pull-time-update-exclusions.md). Listed in the order they were registered.
 */
export const pullTimeExclusionOperations = {
  RegisterPullTimeUpdateExclusion(input, ctx) {
    const registry = ctx.registry()
    const exclusions = registry.tables['pull-time-update-exclusion']
    if (exclusions.has(input.principalArn)) {
      throw new EcrError(
        'ExclusionAlreadyExistsException',
        `The pull time update exclusion for principal '${input.principalArn}' already exists in the registry with id '${registry.accountId}'`,
      )
    }
    if (exclusions.size >= MAX_PULL_TIME_UPDATE_EXCLUSIONS) {
      throw new EcrError(
        'LimitExceededException',
        `The registry with id '${registry.accountId}' already has the maximum allowed number of pull time update exclusions which is '${MAX_PULL_TIME_UPDATE_EXCLUSIONS}'`,
      )
    }
    ctx.openRegistry().tables['pull-time-update-exclusion'].set(ctx.tx, input.principalArn, { seq: ctx.nextSeq(), createdAt: ctx.now })
    return { principalArn: input.principalArn, createdAt: new Date(ctx.now) }
  },

  DeregisterPullTimeUpdateExclusion(input, ctx) {
    const registry = ctx.registry()
    const exclusions = registry.tables['pull-time-update-exclusion']
    if (!exclusions.has(input.principalArn)) {
      throw new EcrError(
        'ExclusionNotFoundException',
        `The pull time update exclusion for principal '${input.principalArn}' does not exist in the registry with id '${registry.accountId}'`,
      )
    }
    exclusions.delete(ctx.tx, input.principalArn)
    return { principalArn: input.principalArn }
  },

  ListPullTimeUpdateExclusions(input, ctx) {
    const registry = ctx.registry()
    const listing = ['ListPullTimeUpdateExclusions', registry.accountId, registry.region].join('\u0000')
    const after = input.nextToken === undefined ? undefined : position(ctx.tokens.decode(listing, input.nextToken))
    // At most 100 exclusions: sorting them costs no more than a page. Sequence numbers can tie
    // (engines sharing storage), the ARN breaks ties as in every listing.
    const ordered = [...registry.tables['pull-time-update-exclusion'].entries()]
      .map(([id, { seq }]) => ({ seq, id }))
      .filter((entry) => after === undefined || compare(entry, after) > 0)
      .sort(compare)
      .map((cursor) => ({ item: cursor.id, cursor }))
    const page = takePage(ordered, input.maxResults ?? DEFAULT_PAGE_SIZE, ctx.tokens, listing)
    return { pullTimeUpdateExclusions: page.items, ...(page.nextToken !== undefined && { nextToken: page.nextToken }) }
  },
} satisfies Implementations

function compare(a: Position, b: Position): number {
  return a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}
