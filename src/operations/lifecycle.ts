import { EcrError } from '../errors.js'
import { parseLifecyclePolicy } from '../lifecycle-policy.js'
import type { RepositoryRecord } from '../state/records.js'
import { findRepository, type FoundRepository } from './context.js'
import type { Implementations } from './operation.js'

/** PutLifecyclePolicy, GetLifecyclePolicy and DeleteLifecyclePolicy. */
export const lifecycleOperations = {
  PutLifecyclePolicy(input, ctx) {
    const { registry, record } = findRepository(ctx, input.repositoryName, input.registryId)
    parseLifecyclePolicy(input.lifecyclePolicyText)
    // A new policy has not been evaluated yet: the previous policy's lastEvaluatedAt goes with it.
    registry.repositories.set(ctx.tx, record.name, { ...record, lifecyclePolicy: { text: input.lifecyclePolicyText } })
    return { registryId: registry.accountId, repositoryName: record.name, lifecyclePolicyText: input.lifecyclePolicyText }
  },

  GetLifecyclePolicy(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    return lifecyclePolicyOutput(found, lifecyclePolicy(found))
  },

  DeleteLifecyclePolicy(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const policy = lifecyclePolicy(found)
    const { lifecyclePolicy: _removed, ...record } = found.record
    found.registry.repositories.set(ctx.tx, record.name, record)
    return lifecyclePolicyOutput(found, policy)
  },
} satisfies Implementations

type StoredLifecyclePolicy = NonNullable<RepositoryRecord['lifecyclePolicy']>

function lifecyclePolicy({ registry, record }: FoundRepository): StoredLifecyclePolicy {
  if (record.lifecyclePolicy === undefined) {
    throw new EcrError(
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
    )
  }
  return record.lifecyclePolicy
}

function lifecyclePolicyOutput({ registry, record }: FoundRepository, policy: StoredLifecyclePolicy) {
  return {
    registryId: registry.accountId,
    repositoryName: record.name,
    lifecyclePolicyText: policy.text,
    ...(policy.lastEvaluatedAt !== undefined && { lastEvaluatedAt: new Date(policy.lastEvaluatedAt) }),
  }
}
