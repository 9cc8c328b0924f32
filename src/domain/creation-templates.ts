import type { RCTAppliedFor } from '@aws-sdk/client-ecr'
import type { OperationContext } from '../operations/context.js'
import { repositoryEncryption } from '../operations/repositories.js'
import { SINGLETON, type CreationTemplateRecord } from '../state/kinds.js'
import type { RegistryState } from '../state/registry-state.js'
import { putLifecyclePolicy } from './lifecycle.js'
import { createRepository, findRepository, type FoundRepository, type RepositorySettings } from './repositories.js'

/** The prefix of the template (or pull through cache rule) that applies where no other does. */
export const ROOT = 'ROOT'

/**
 * The key a template or pull through cache rule is stored under: its prefix without the trailing
 * `/` that ECR always assumes (`prod/` and `prod` are one prefix).
 */
export function prefixKey(prefix: string): string {
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
}

/**
 * The namespaces a repository name lies in, the most specific first: `a/b/c` is in `a/b` and `a`
 * (a prefix applies to the names that begin with it and a `/`; the name itself is no prefix).
 */
export function* namespacesOf(repositoryName: string): Generator<string> {
  for (let at = repositoryName.lastIndexOf('/'); at > 0; at = repositoryName.lastIndexOf('/', at - 1)) {
    yield repositoryName.slice(0, at)
  }
}

/**
 * The creation template ECR applies to a repository it creates as `appliedFor`: among the
 * templates applied for that, the one with the longest prefix the name lies in, else the `ROOT`
 * template, else none (decisions/repository-creation-templates.md).
 */
export function matchingTemplate(registry: RegistryState, repositoryName: string, appliedFor: RCTAppliedFor): CreationTemplateRecord | undefined {
  const templates = registry.tables['repository-creation-template']
  for (const prefix of [...namespacesOf(repositoryName), ROOT]) {
    const template = templates.get(prefix)
    if (template?.appliedFor.includes(appliedFor)) return template
  }
  return undefined
}

/**
 * Creates a repository as ECR does on the user's behalf, for replication (`REPLICATION`), a pull
 * through cache rule (`PULL_THROUGH_CACHE`) or a push to a repository that does not exist
 * (`CREATE_ON_PUSH`): with the settings of the matching creation template (tag mutability and
 * exclusion filters, encryption, resource tags, repository policy, lifecycle policy), or ECR's
 * defaults when none matches (MUTABLE, AES256, no tags, no policies). Acts in the registry of
 * `registryId` (default: the context's account) in the context's region; use `ctx.at(...)` to
 * create in another account or region in the same transaction. Throws what CreateRepository
 * throws (RepositoryAlreadyExistsException, LimitExceededException).
 *
 * @example
 * const { record } = createRepositoryFromTemplate(ctx.at({ accountId: '210987654321', region: 'eu-west-1' }), 'prod/web', 'REPLICATION')
 */
export function createRepositoryFromTemplate(
  ctx: OperationContext,
  repositoryName: string,
  appliedFor: RCTAppliedFor,
  registryId?: string,
): FoundRepository {
  const template = matchingTemplate(ctx.registry(registryId), repositoryName, appliedFor)
  if (template === undefined) {
    return createRepository(
      ctx,
      { name: repositoryName, imageTagMutability: 'MUTABLE', scanOnPush: false, encryption: { encryptionType: 'AES256' }, tags: [] },
      registryId,
    )
  }
  const created = createRepository(ctx, settingsFrom(ctx, template, repositoryName, registryId), registryId)
  const { tables } = created.contents
  if (template.repositoryPolicy !== undefined) tables['repository-policy'].set(ctx.tx, SINGLETON, { text: template.repositoryPolicy })
  if (template.lifecyclePolicy !== undefined) putLifecyclePolicy(ctx, created.contents, template.lifecyclePolicy)
  return created
}

/**
 * The repository a push writes to: the one named, or, when it does not exist and a creation
 * template applied for `CREATE_ON_PUSH` matches its name, a new one made from that template (ECR
 * creates repositories on push since December 2025). Otherwise RepositoryNotFoundException.
 */
export function repositoryForPush(ctx: OperationContext, repositoryName: string, registryId?: string): FoundRepository {
  const registry = ctx.registry(registryId)
  if (registry.repositories.has(repositoryName) || matchingTemplate(registry, repositoryName, 'CREATE_ON_PUSH') === undefined) {
    return findRepository(ctx, repositoryName, registryId)
  }
  return createRepositoryFromTemplate(ctx, repositoryName, 'CREATE_ON_PUSH', registryId)
}

function settingsFrom(ctx: OperationContext, template: CreationTemplateRecord, name: string, registryId?: string): RepositorySettings {
  return {
    name,
    imageTagMutability: template.imageTagMutability,
    ...(template.imageTagMutabilityExclusionFilters && { imageTagMutabilityExclusionFilters: template.imageTagMutabilityExclusionFilters }),
    scanOnPush: false,
    encryption: repositoryEncryption(ctx, template.encryption, registryId),
    tags: template.resourceTags,
  }
}
