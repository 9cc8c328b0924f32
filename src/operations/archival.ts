import type { ImageIdentifier } from '@aws-sdk/client-ecr'
import { archiveImage, imageStatus, startRestore } from '../domain/archival.js'
import { findRepository, type FoundRepository } from '../domain/repositories.js'
import { EcrError } from '../errors.js'
import { describeImageId, reportedImageId, requireImage } from './image-ids.js'
import type { Implementations } from './operation.js'

/** UpdateImageStorageClass: archive an image, or restore an archived one (decisions/archival.md). */
export const archivalOperations = {
  UpdateImageStorageClass(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const image = requireImage(found, input.imageId)
    const status = imageStatus(image)
    const refuse = (reason: string) => notSupported(found, input.imageId, input.targetStorageClass, reason)
    if (input.targetStorageClass === 'ARCHIVE') {
      if (status === 'ARCHIVED') throw refuse('the image is already archived')
      if (status === 'ACTIVATING') throw refuse('the image is being restored')
      const archived = archiveImage(ctx, found, image)
      if ('listedBy' in archived) throw refuse(`manifest lists that are not archived reference the image: [${archived.listedBy.join(', ')}]`)
    } else {
      if (status === 'ACTIVE') throw refuse('the image is already in the STANDARD storage class')
      if (status === 'ACTIVATING') throw refuse('the image is already being restored')
      startRestore(ctx, found, image)
    }
    return {
      registryId: found.registry.accountId,
      repositoryName: found.record.name,
      imageId: reportedImageId(image, input.imageId),
      imageStatus: input.targetStorageClass === 'ARCHIVE' ? 'ARCHIVED' : 'ACTIVATING',
    }
  },
} satisfies Implementations

function notSupported({ registry, record }: FoundRepository, imageId: ImageIdentifier, target: string, reason: string): EcrError {
  return new EcrError(
    'ImageStorageClassUpdateNotSupportedException',
    `The storage class of the image with imageId ${describeImageId(imageId)} in the repository with name '${record.name}' in the registry with id '${registry.accountId}' cannot be updated to ${target}: ${reason}`,
  )
}
