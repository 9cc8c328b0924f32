import type { ImageTagMutability, Repository } from '@aws-sdk/client-ecr'
import { builtFresh } from '../caller-copy.js'
import { createRepository, deleteRepository, findRepository } from '../domain/repositories.js'
import { invalidParameter } from '../errors.js'
import { DEFAULT_PAGE_SIZE, position, takeListed } from '../pagination.js'
import { partitionOf, registryAddress, repositoryArn } from '../partitions.js'
import type { RepositoryRecord } from '../state/kinds.js'
import type { RegistryState } from '../state/registry-state.js'
import type { OperationContext } from './context.js'
import type { Implementations } from './operation.js'
import { checkNewTags } from './resource-tags.js'

/** CreateRepository, DescribeRepositories, DeleteRepository and the repository settings. */
export const repositoryOperations = {
  CreateRepository(input, ctx) {
    const mutability = input.imageTagMutability ?? 'MUTABLE'
    const filters = checkExclusionFilters(mutability, input.imageTagMutabilityExclusionFilters)
    const tags = checkNewTags([], input.tags ?? [])
    const given = input.encryptionConfiguration ?? { encryptionType: 'AES256' }
    if (given.encryptionType === 'AES256' && given.kmsKey !== undefined) {
      throw invalidParameter('encryptionConfiguration.kmsKey', 'kmsKey can only be specified when encryptionType is KMS or KMS_DSSE')
    }
    const encryption = repositoryEncryption(ctx, given, input.registryId)
    const { registry, record } = createRepository(
      ctx,
      {
        name: input.repositoryName,
        imageTagMutability: mutability,
        ...(filters && { imageTagMutabilityExclusionFilters: filters }),
        scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
        encryption,
        tags,
      },
      input.registryId,
    )
    return { repository: repositoryOutput(ctx, registry, record) }
  },

  DescribeRepositories(input, ctx) {
    const registry = ctx.registry(input.registryId)
    if (input.repositoryNames !== undefined) {
      if (input.maxResults !== undefined || input.nextToken !== undefined) {
        throw invalidParameter('maxResults', 'maxResults and nextToken cannot be used when you specify repositoryNames')
      }
      const names = [...new Set(input.repositoryNames)]
      const output = repositoryOutputs(ctx, registry)
      return builtFresh({ repositories: names.map((name) => output(findRepository(ctx, name, input.registryId).record)) })
    }
    const listing = `DescribeRepositories\u0000${registry.accountId}\u0000${ctx.region}`
    const after = input.nextToken === undefined ? undefined : position(ctx.tokens.decode(listing, input.nextToken))
    const output = repositoryOutputs(ctx, registry)
    const page = takeListed(
      registry.repositoryOrder.after(after),
      () => true,
      ({ id }) => output(registry.repositories.get(id)!),
      input.maxResults ?? DEFAULT_PAGE_SIZE,
      ctx.tokens,
      listing,
    )
    return builtFresh({ repositories: page.items, ...(page.nextToken !== undefined && { nextToken: page.nextToken }) })
  },

  DeleteRepository(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    deleteRepository(ctx, found, input.force === true)
    return { repository: repositoryOutput(ctx, found.registry, found.record) }
  },

  PutImageTagMutability(input, ctx) {
    const { registry, record } = findRepository(ctx, input.repositoryName, input.registryId)
    const filters = checkExclusionFilters(input.imageTagMutability, input.imageTagMutabilityExclusionFilters)
    const { imageTagMutabilityExclusionFilters: _previous, ...rest } = record
    registry.repositories.set(ctx.tx, record.name, {
      ...rest,
      imageTagMutability: input.imageTagMutability,
      ...(filters && { imageTagMutabilityExclusionFilters: filters }),
    })
    return {
      registryId: registry.accountId,
      repositoryName: record.name,
      imageTagMutability: input.imageTagMutability,
      ...(filters && { imageTagMutabilityExclusionFilters: filters }),
    }
  },

  PutImageScanningConfiguration(input, ctx) {
    const { registry, record } = findRepository(ctx, input.repositoryName, input.registryId)
    const scanOnPush = input.imageScanningConfiguration.scanOnPush ?? false
    registry.repositories.set(ctx.tx, record.name, { ...record, scanOnPush })
    return {
      registryId: registry.accountId,
      repositoryName: record.name,
      imageScanningConfiguration: { scanOnPush },
    }
  },
} satisfies Implementations

/** The Repository structure ECR returns for a repository record, its URI on the registry address the call's client reaches. */
export function repositoryOutput(ctx: OperationContext, registry: RegistryState, record: RepositoryRecord): Repository {
  return repositoryOutputs(ctx, registry)(record)
}

/**
 * Makes the Repository ECR reports for records of `registry`, working out the registry's address
 * (a URL to parse, behind the standalone server) once for a page of them. Each is built afresh, sharing
 * no object with the record (DescribeRepositories hands its page over uncopied, src/caller-copy.ts).
 */
function repositoryOutputs(ctx: OperationContext, registry: RegistryState): (record: RepositoryRecord) => Repository {
  const { accountId, region } = registry
  const { host } = registryAddress(accountId, region, ctx.registryEndpoint)
  return (record) => {
    const repository: Repository = {
      repositoryArn: repositoryArn(accountId, region, record.name),
      registryId: accountId,
      repositoryName: record.name,
      repositoryUri: `${host}/${record.name}`,
      createdAt: new Date(record.createdAt),
      imageTagMutability: record.imageTagMutability,
    }
    const filters = record.imageTagMutabilityExclusionFilters
    if (filters) repository.imageTagMutabilityExclusionFilters = filters.map((filter) => ({ ...filter }))
    repository.imageScanningConfiguration = { scanOnPush: record.scanOnPush }
    repository.encryptionConfiguration = { ...record.encryption }
    return repository
  }
}

/**
 * The encryption a new repository of the registry `registryId` gets: KMS without a key is the
 * account's AWS managed key for ECR, which ECR names in the repository.
 */
export function repositoryEncryption(
  ctx: OperationContext,
  given: RepositoryRecord['encryption'],
  registryId: string | undefined,
): RepositoryRecord['encryption'] {
  if (given.encryptionType === 'AES256' || given.kmsKey !== undefined) return given
  return { ...given, kmsKey: awsManagedKeyArn(ctx, ctx.registry(registryId).accountId) }
}

/**
 * The ARN of the account's AWS managed KMS key for ECR in the acting region. Its key id is a
 * version-4 UUID made from the engine's signature of account and region: one key there, the same
 * after a restart on the same storage, and no record for it (decisions/aws-managed-kms-key.md).
 */
function awsManagedKeyArn(ctx: OperationContext, accountId: string): string {
  const hex = ctx.sign(`aws/ecr managed KMS key\u0000${accountId}\u0000${ctx.region}`)
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16)
  const keyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
  return `arn:${partitionOf(ctx.region).name}:kms:${ctx.region}:${accountId}:key/${keyId}`
}

/**
 * Exclusion filters go with the `*_WITH_EXCLUSION` settings and only with them: those settings
 * need at least one filter, the plain settings take none.
 */
export function checkExclusionFilters(
  mutability: ImageTagMutability,
  filters: RepositoryRecord['imageTagMutabilityExclusionFilters'],
): RepositoryRecord['imageTagMutabilityExclusionFilters'] {
  const withExclusion = mutability === 'IMMUTABLE_WITH_EXCLUSION' || mutability === 'MUTABLE_WITH_EXCLUSION'
  if (withExclusion && (filters === undefined || filters.length === 0)) {
    throw invalidParameter(
      'imageTagMutabilityExclusionFilters',
      `imageTagMutabilityExclusionFilters must be specified when imageTagMutability is ${mutability}`,
    )
  }
  if (!withExclusion && filters !== undefined) {
    throw invalidParameter(
      'imageTagMutabilityExclusionFilters',
      `imageTagMutabilityExclusionFilters can only be specified when imageTagMutability is IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION`,
    )
  }
  return filters
}
