import { EcrError } from '../errors.js'
import { tooManyRepositories } from '../limits.js'
import type { OperationContext } from '../operations/context.js'
import { uploadChunkId, type RepositoryRecord } from '../state/kinds.js'
import type { RegistryState, RepositoryContents } from '../state/registry-state.js'
import { wildcard } from '../wildcard.js'

/** A repository found by name: its registry, its record and what it holds. */
export interface FoundRepository {
  registry: RegistryState
  record: RepositoryRecord
  contents: RepositoryContents
}

/** Finds a repository to read or write, or throws RepositoryNotFoundException, worded as ECR words it. */
export function findRepository(ctx: OperationContext, repositoryName: string, registryId?: string): FoundRepository {
  const registry = ctx.registry(registryId)
  const record = registry.repositories.get(repositoryName)
  if (record === undefined) {
    throw new EcrError(
      'RepositoryNotFoundException',
      `The repository with name '${repositoryName}' does not exist in the registry with id '${registry.accountId}'`,
    )
  }
  return { registry, record, contents: registry.contentsOf(repositoryName) }
}

/** The settings a new repository is created with (everything but what the engine assigns). */
export type RepositorySettings = Omit<RepositoryRecord, 'seq' | 'createdAt'>

/**
 * Creates a repository in the acting registry (`registryId`, default the acting account), as
 * CreateRepository does and, later, pushes that create repositories: refused when the name is
 * taken or the registry is full.
 */
export function createRepository(ctx: OperationContext, settings: RepositorySettings, registryId?: string): FoundRepository {
  const existing = ctx.registry(registryId)
  if (existing.repositories.has(settings.name)) {
    throw new EcrError(
      'RepositoryAlreadyExistsException',
      `The repository with name '${settings.name}' already exists in the registry with id '${existing.accountId}'`,
    )
  }
  const { limits } = ctx.settings
  if (existing.repositories.size >= limits.repositoriesPerRegistry) {
    throw tooManyRepositories(existing.accountId, limits.repositoriesPerRegistry)
  }
  const registry = ctx.openRegistry(registryId)
  const record: RepositoryRecord = { seq: ctx.nextSeq(), createdAt: ctx.now, ...settings }
  const contents = registry.createRepository(ctx.tx, record)
  return { registry, record, contents }
}

/**
 * Deletes a repository with everything in it; refused while it holds images unless `force`.
 * Uploads in progress go with it; blob bytes go once no other repository holds them.
 */
export function deleteRepository(ctx: OperationContext, { registry, record, contents }: FoundRepository, force: boolean): void {
  if (contents.images.size > 0 && !force) {
    throw new EcrError(
      'RepositoryNotEmptyException',
      `The repository with name '${record.name}' in registry with id '${registry.accountId}' cannot be deleted because it still contains images`,
    )
  }
  for (const upload of contents.uploads.values()) {
    upload.partSizes.forEach((_, part) => ctx.tx.dropChunk(uploadChunkId(upload.id, part)))
  }
  registry.deleteRepository(ctx.tx, record.name)
}

/** The repository a repository-level record's scope names (`[accountId, region, name]`), for clock effects: it exists while its records do. */
export function repositoryAt(ctx: OperationContext, [accountId = '', region = '', name = '']: readonly string[]): FoundRepository {
  const registry = ctx.state.find(accountId, region)
  const record = registry?.repositories.get(name)
  if (registry === undefined || record === undefined) throw new Error(`Repository '${name}' of a due record does not exist: state is inconsistent`)
  return { registry, record, contents: registry.contentsOf(name) }
}

/** Whether `tag` may move to another image in a repository with this record's settings. */
export function tagIsMutable(record: RepositoryRecord, tag: string): boolean {
  const matchesFilter = (record.imageTagMutabilityExclusionFilters ?? []).some((filter) => wildcard(filter.filter).test(tag))
  switch (record.imageTagMutability) {
    case 'MUTABLE':
      return true
    case 'IMMUTABLE':
      return false
    case 'IMMUTABLE_WITH_EXCLUSION':
      return matchesFilter
    case 'MUTABLE_WITH_EXCLUSION':
      return !matchesFilter
  }
}
