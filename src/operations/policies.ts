import { allowedByRegistryPolicyScope } from '../domain/account-settings.js'
import { findRepository, type FoundRepository } from '../domain/repositories.js'
import { EcrError, invalidParameter } from '../errors.js'
import { policyProblem, type PolicyKind } from '../iam-policy.js'
import { partitionOf } from '../partitions.js'
import { storedPolicyText } from '../policy-text.js'
import { SINGLETON } from '../state/kinds.js'
import type { RegistryState } from '../state/registry-state.js'
import type { OperationContext } from './context.js'
import type { Implementations } from './operation.js'

/** Repository permission policies (SetRepositoryPolicy…) and the registry policy (PutRegistryPolicy…). */
export const policyOperations = {
  SetRepositoryPolicy(input, ctx) {
    const { registry, record, contents } = findRepository(ctx, input.repositoryName, input.registryId)
    // `force` only skips AWS's check that the policy does not lock the caller out of the
    // repository; that check needs IAM identities, which the fake does not model.
    const text = checkPolicy(ctx, input.policyText, 'repository')
    contents.tables['repository-policy'].set(ctx.tx, SINGLETON, { text })
    return { registryId: registry.accountId, repositoryName: record.name, policyText: text }
  },

  GetRepositoryPolicy(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    return { registryId: found.registry.accountId, repositoryName: found.record.name, policyText: repositoryPolicy(found) }
  },

  DeleteRepositoryPolicy(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const policyText = repositoryPolicy(found)
    found.contents.tables['repository-policy'].delete(ctx.tx, SINGLETON)
    return { registryId: found.registry.accountId, repositoryName: found.record.name, policyText }
  },

  PutRegistryPolicy(input, ctx) {
    const text = checkPolicy(ctx, input.policyText, 'registry')
    if (!allowedByRegistryPolicyScope(ctx.registry(), text)) throw invalidParameter('PolicyText', 'Invalid registry policy provided')
    const registry = ctx.openRegistry()
    registry.tables['registry-policy'].set(ctx.tx, SINGLETON, { text })
    return { registryId: registry.accountId, policyText: text }
  },

  GetRegistryPolicy(_input, ctx) {
    const registry = ctx.registry()
    return { registryId: registry.accountId, policyText: registryPolicy(registry) }
  },

  DeleteRegistryPolicy(_input, ctx) {
    const registry = ctx.registry()
    const policyText = registryPolicy(registry)
    registry.tables['registry-policy'].delete(ctx.tx, SINGLETON)
    return { registryId: registry.accountId, policyText }
  },
} satisfies Implementations

/**
 * Checks a policy and returns the text ECR keeps in its place: the document rewritten as ECR
 * writes it back (discoveries §25). ECR gives no reason beyond "invalid" (observed), whatever
 * the problem is.
 */
function checkPolicy(ctx: OperationContext, text: string, kind: PolicyKind): string {
  if (policyProblem(text, kind) !== undefined) {
    throw invalidParameter('PolicyText', `Invalid ${kind} policy provided`)
  }
  return storedPolicyText(text, partitionOf(ctx.region).name)
}

function repositoryPolicy({ registry, record, contents }: FoundRepository): string {
  const policy = contents.tables['repository-policy'].get(SINGLETON)
  if (policy === undefined) {
    throw new EcrError(
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
    )
  }
  return policy.text
}

function registryPolicy(registry: RegistryState): string {
  const policy = registry.setting('registry-policy')
  if (policy === undefined) {
    throw new EcrError('RegistryPolicyNotFoundException', `Registry policy does not exist in the registry with id '${registry.accountId}'`)
  }
  return policy.text
}
