import type { ImageSigningStatus } from '@aws-sdk/client-ecr'
import { findRepository } from '../domain/repositories.js'
import { setSigningConfiguration, signingConfiguration } from '../domain/signing.js'
import { EcrError } from '../errors.js'
import type { OperationContext } from './context.js'
import { reportedImageId, requireImage } from './image-ids.js'
import type { Implementations } from './operation.js'

/**
 * ECR managed signing: the registry's signing configuration and the signing status of an image
 * (decisions/managed-signing.md).
 */
export const signingOperations = {
  PutSigningConfiguration(input, ctx) {
    const signingConfiguration = {
      rules: input.signingConfiguration.rules.map(({ signingProfileArn, repositoryFilters }) => ({
        signingProfileArn,
        ...(repositoryFilters !== undefined && { repositoryFilters }),
      })),
    }
    setSigningConfiguration(ctx, signingConfiguration)
    return { signingConfiguration }
  },

  GetSigningConfiguration(_input, ctx) {
    return { registryId: ctx.registry().accountId, signingConfiguration: requireSigningConfiguration(ctx) }
  },

  DeleteSigningConfiguration(_input, ctx) {
    const signingConfiguration = requireSigningConfiguration(ctx)
    // Images pushed from now on are not signed; signing already under way goes on.
    setSigningConfiguration(ctx, undefined)
    return { registryId: ctx.registry().accountId, signingConfiguration }
  },

  DescribeImageSigningStatus(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const image = requireImage(found, input.imageId)
    const signing = found.contents.tables['image-signing'].get(image.digest)
    return {
      repositoryName: found.record.name,
      imageId: reportedImageId(image, input.imageId),
      registryId: found.registry.accountId,
      signingStatuses: (signing?.signatures ?? []).map(
        ({ signingProfileArn, status, failureCode, failureReason }): ImageSigningStatus => ({
          signingProfileArn,
          status,
          ...(failureCode !== undefined && { failureCode }),
          ...(failureReason !== undefined && { failureReason }),
        }),
      ),
    }
  },
} satisfies Implementations

function requireSigningConfiguration(ctx: OperationContext) {
  const configuration = signingConfiguration(ctx)
  if (configuration === undefined) {
    throw new EcrError(
      'SigningConfigurationNotFoundException',
      `Signing configuration does not exist in the registry with id '${ctx.registry().accountId}'`,
    )
  }
  return configuration
}
