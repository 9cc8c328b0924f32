import { findRepository, type FoundRepository } from '../domain/repositories.js'
import { EcrError } from '../errors.js'
import { parseLifecyclePolicy, storedLifecyclePolicyText } from '../lifecycle-policy.js'
import { SINGLETON, type ValueOf } from '../state/kinds.js'
import type { Implementations } from './operation.js'

/** PutLifecyclePolicy, GetLifecyclePolicy and DeleteLifecyclePolicy. */
export const lifecycleOperations = {
  PutLifecyclePolicy(input, ctx) {
    const { registry, record, contents } = findRepository(ctx, input.repositoryName, input.registryId)
    parseLifecyclePolicy(input.lifecyclePolicyText)
    // ECR keeps the policy as it writes it back, not as sent (discoveries §26).
    const text = storedLifecyclePolicyText(input.lifecyclePolicyText)
    // A new policy has not been evaluated yet: the previous policy's lastEvaluatedAt goes with it.
    contents.tables['lifecycle-policy'].set(ctx.tx, SINGLETON, { text })
    return { registryId: registry.accountId, repositoryName: record.name, lifecyclePolicyText: text }
  },

  GetLifecyclePolicy(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    return lifecyclePolicyOutput(found, lifecyclePolicy(found))
  },

  DeleteLifecyclePolicy(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const policy = lifecyclePolicy(found)
    found.contents.tables['lifecycle-policy'].delete(ctx.tx, SINGLETON)
    return lifecyclePolicyOutput(found, policy)
  },
} satisfies Implementations

type StoredLifecyclePolicy = ValueOf<'lifecycle-policy'>

function lifecyclePolicy({ registry, record, contents }: FoundRepository): StoredLifecyclePolicy {
  const policy = contents.tables['lifecycle-policy'].get(SINGLETON)
  if (policy === undefined) {
    throw new EcrError(
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
    )
  }
  return policy
}

/** A policy never evaluated reports epoch 0, as ECR does (discoveries §21). */
function lifecyclePolicyOutput({ registry, record }: FoundRepository, policy: StoredLifecyclePolicy) {
  return {
    registryId: registry.accountId,
    repositoryName: record.name,
    lifecyclePolicyText: policy.text,
    lastEvaluatedAt: new Date(policy.lastEvaluatedAt ?? 0),
  }
}
