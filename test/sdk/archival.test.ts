import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImageReplicationStatusCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  GetDownloadUrlForLayerCommand,
  ImageArchivedException,
  ImageNotFoundException,
  ImageStorageClassUpdateNotSupportedException,
  InvalidParameterException,
  LayerInaccessibleException,
  ListImagesCommand,
  PutImageCommand,
  PutReplicationConfigurationCommand,
  RepositoryNotFoundException,
  ScanNotFoundException,
  StartImageScanCommand,
  UpdateImageStorageClassCommand,
  type ImageIdentifier,
} from '@aws-sdk/client-ecr'
import { beforeEach, describe, expect, it } from 'vitest'
import { rejection } from '../fixtures.js'
import { useFakeEcr } from './harness.js'

const MINUTE_MS = 60 * 1000
const START = Date.UTC(2030, 2, 1, 10, 30)
const ACCOUNT = '123456789012'
let clock = START

// The default restore time: ECR's documented 20 minutes.
const { ecr, client } = useFakeEcr({ now: () => clock })
const context = { region: 'eu-west-1' }

beforeEach(() => {
  clock = START
})

async function push(repositoryName: string, tag: string, layers = [16]) {
  const image = await ecr.seed.image(repositoryName, { tag, layers, context })
  const [layer] = JSON.parse(image.imageManifest).layers as Array<{ digest: string }>
  return { ...image, layerDigest: layer!.digest }
}

function update(repositoryName: string, imageId: ImageIdentifier, targetStorageClass: 'ARCHIVE' | 'STANDARD') {
  return client().send(new UpdateImageStorageClassCommand({ repositoryName, imageId, targetStorageClass }))
}

async function detail(repositoryName: string, imageDigest: string) {
  const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageDigest }] }))
  return imageDetails![0]!
}

describe('UpdateImageStorageClass: archiving', () => {
  it('archives an image at once: described as ARCHIVED, listed only when asked for', async () => {
    const image = await push('app', 'v1')
    const other = await push('app', 'v2')
    const archived = await update('app', { imageDigest: image.imageDigest }, 'ARCHIVE')
    expect({ ...archived, $metadata: undefined }).toEqual({
      $metadata: undefined,
      registryId: ACCOUNT,
      repositoryName: 'app',
      imageId: { imageDigest: image.imageDigest },
      imageStatus: 'ARCHIVED',
    })
    expect(await detail('app', image.imageDigest)).toMatchObject({ imageStatus: 'ARCHIVED', imageTags: ['v1'], lastArchivedAt: new Date(START) })

    const described = async (imageStatus?: 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING' | 'ANY') => {
      const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName: 'app', ...(imageStatus && { filter: { imageStatus } }) }))
      return imageDetails!.map((each) => each.imageTags![0])
    }
    expect(await described()).toEqual(['v2'])
    expect(await described('ACTIVE')).toEqual(['v2'])
    expect(await described('ARCHIVED')).toEqual(['v1'])
    expect(await described('ANY')).toEqual(['v1', 'v2'])
    const listed = async (imageStatus?: 'ARCHIVED' | 'ANY') => {
      const { imageIds } = await client().send(new ListImagesCommand({ repositoryName: 'app', ...(imageStatus && { filter: { imageStatus } }) }))
      return imageIds!.map((id) => id.imageTag)
    }
    expect(await listed()).toEqual(['v2'])
    expect(await listed('ARCHIVED')).toEqual(['v1'])
    expect(await listed('ANY')).toEqual(['v1', 'v2'])
    expect((await detail('app', other.imageDigest)).imageStatus).toBe('ACTIVE')
  })

  it('echoes the image id as given', async () => {
    const image = await push('app', 'v1')
    const archived = await update('app', { imageTag: 'v1' }, 'ARCHIVE')
    expect(archived.imageId).toEqual({ imageDigest: image.imageDigest, imageTag: 'v1' })
  })

  it('refuses pulls of an archived image, its layers, and scans', async () => {
    const image = await push('app', 'v1')
    const shared = await push('app', 'v2')
    await update('app', { imageTag: 'v1' }, 'ARCHIVE')

    const pulled = await client().send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }, { imageTag: 'v2' }] }))
    expect(pulled.images?.map((each) => each.imageId?.imageTag)).toEqual(['v2'])
    expect(pulled.failures).toEqual([
      {
        imageId: { imageTag: 'v1' },
        failureCode: 'ImageInaccessible',
        failureReason: 'The requested image is in an inaccessible state. Please restore if needed',
      },
    ])
    // A refused pull is no pull.
    expect((await detail('app', image.imageDigest)).lastRecordedPullTime).toBeUndefined()

    const check = await client().send(
      new BatchCheckLayerAvailabilityCommand({ repositoryName: 'app', layerDigests: [image.layerDigest, shared.layerDigest] }),
    )
    expect(check.layers?.map((layer) => layer.layerAvailability)).toEqual(['ARCHIVED', 'AVAILABLE'])
    const download = await rejection(client().send(new GetDownloadUrlForLayerCommand({ repositoryName: 'app', layerDigest: image.layerDigest })))
    expect(download).toBeInstanceOf(LayerInaccessibleException)
    expect(download.message).toBe(
      `The layer with digest '${image.layerDigest}' in the repository with name 'app' in the registry with id '${ACCOUNT}' is in an inaccessible state. Please restore if needed`,
    )

    const scan = await rejection(client().send(new StartImageScanCommand({ repositoryName: 'app', imageId: { imageTag: 'v1' } })))
    expect(scan).toBeInstanceOf(ImageArchivedException)
    expect(scan.message).toBe(
      `The image with imageId {imageDigest:'null', imageTag:'v1'} in the repository with name 'app' in the registry with id '${ACCOUNT}' is archived and cannot be scanned`,
    )
  })

  it('a layer an active image shares stays available', async () => {
    const image = await push('app', 'v1')
    const manifest = JSON.parse(image.imageManifest)
    // The same layers under another config: a second image that shares them.
    const config = new TextEncoder().encode('{"architecture":"arm64","os":"linux"}')
    manifest.config = { ...manifest.config, digest: await ecr.seed.blob('app', config, context), size: config.length }
    await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: JSON.stringify(manifest), imageTag: 'v1-arm64' }))
    await update('app', { imageTag: 'v1' }, 'ARCHIVE')
    const download = await client().send(new GetDownloadUrlForLayerCommand({ repositoryName: 'app', layerDigest: image.layerDigest }))
    expect(download.layerDigest).toBe(image.layerDigest)
  })

  it('refuses to archive an image twice, or a child a manifest list still references', async () => {
    await push('app', 'v1')
    await update('app', { imageTag: 'v1' }, 'ARCHIVE')
    const again = await rejection(update('app', { imageTag: 'v1' }, 'ARCHIVE'))
    expect(again).toBeInstanceOf(ImageStorageClassUpdateNotSupportedException)
    expect(again.message).toBe(
      `The storage class of the image with imageId {imageDigest:'null', imageTag:'v1'} in the repository with name 'app' in the registry with id '${ACCOUNT}' cannot be updated to ARCHIVE: the image is already archived`,
    )

    const index = await ecr.seed.multiPlatformImage('app', { tag: 'multi', context })
    const [child] = index.children!
    const listed = await rejection(update('app', { imageDigest: child!.imageDigest }, 'ARCHIVE'))
    expect(listed).toBeInstanceOf(ImageStorageClassUpdateNotSupportedException)
    expect(listed.message).toContain(`manifest lists that are not archived reference the image: [${index.imageDigest}]`)
    await update('app', { imageTag: 'multi' }, 'ARCHIVE')
    expect((await update('app', { imageDigest: child!.imageDigest }, 'ARCHIVE')).imageStatus).toBe('ARCHIVED')
  })
})

describe('UpdateImageStorageClass: restoring', () => {
  it('restores an archived image in 20 minutes by the engine clock: ACTIVATING, then ACTIVE and pullable', async () => {
    const image = await push('app', 'v1')
    await update('app', { imageTag: 'v1' }, 'ARCHIVE')
    clock += MINUTE_MS
    const restoring = await update('app', { imageTag: 'v1' }, 'STANDARD')
    expect(restoring.imageStatus).toBe('ACTIVATING')
    const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName: 'app', filter: { imageStatus: 'ACTIVATING' } }))
    expect(imageDetails?.map((each) => each.imageDigest)).toEqual([image.imageDigest])
    // Still in the archive until the restore completes.
    const early = await client().send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }))
    expect(early.failures?.[0]?.failureCode).toBe('ImageInaccessible')
    const twice = await rejection(update('app', { imageTag: 'v1' }, 'STANDARD'))
    expect(twice).toBeInstanceOf(ImageStorageClassUpdateNotSupportedException)
    expect(await rejection(update('app', { imageTag: 'v1' }, 'ARCHIVE'))).toBeInstanceOf(ImageStorageClassUpdateNotSupportedException)

    clock += 20 * MINUTE_MS - 1
    expect((await detail('app', image.imageDigest)).imageStatus).toBe('ACTIVATING')
    clock += 1
    expect(await detail('app', image.imageDigest)).toMatchObject({
      imageStatus: 'ACTIVE',
      lastArchivedAt: new Date(START),
      lastActivatedAt: new Date(START + 21 * MINUTE_MS),
    })
    const pulled = await client().send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }))
    expect(pulled.images).toHaveLength(1)
    expect(ecr.snapshot().filter((record) => record.kind === 'image-restore')).toEqual([])
  })

  it('refuses to restore an image that is not archived', async () => {
    await push('app', 'v1')
    const error = await rejection(update('app', { imageTag: 'v1' }, 'STANDARD'))
    expect(error).toBeInstanceOf(ImageStorageClassUpdateNotSupportedException)
    expect(error.message).toMatch(/cannot be updated to STANDARD: the image is already in the STANDARD storage class$/)
  })

  it('a push of the archived image restores it at once', async () => {
    const image = await push('app', 'v1')
    await update('app', { imageTag: 'v1' }, 'ARCHIVE')
    clock += MINUTE_MS
    await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: image.imageManifest, imageTag: 'v1' }))
    expect(await detail('app', image.imageDigest)).toMatchObject({ imageStatus: 'ACTIVE', lastActivatedAt: new Date(START + MINUTE_MS) })
    // Also during a restore: the push wins, the restore ends.
    await update('app', { imageTag: 'v1' }, 'ARCHIVE')
    await update('app', { imageTag: 'v1' }, 'STANDARD')
    await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: image.imageManifest, imageTag: 'v1-again' }))
    expect((await detail('app', image.imageDigest)).imageStatus).toBe('ACTIVE')
    expect(ecr.snapshot().filter((record) => record.kind === 'image-restore')).toEqual([])
  })

  it('a restored image is scanned again if the repository scans on push; the old findings are gone', async () => {
    await ecr.seed.repository('scanned', { imageScanningConfiguration: { scanOnPush: true } }, context)
    const scanned = await push('scanned', 'v1')
    await ecr.seed.repository('manual', {}, context)
    await push('manual', 'v1')
    await client().send(new StartImageScanCommand({ repositoryName: 'manual', imageId: { imageTag: 'v1' } }))
    for (const repositoryName of ['scanned', 'manual']) {
      await update(repositoryName, { imageTag: 'v1' }, 'ARCHIVE')
      await update(repositoryName, { imageTag: 'v1' }, 'STANDARD')
    }
    clock += 20 * MINUTE_MS
    const findings = await client().send(new DescribeImageScanFindingsCommand({ repositoryName: 'scanned', imageId: { imageTag: 'v1' } }))
    expect(findings.imageScanStatus?.status).toBe('COMPLETE')
    expect((await detail('scanned', scanned.imageDigest)).imageScanFindingsSummary?.imageScanCompletedAt).toEqual(new Date(START + 20 * MINUTE_MS))
    const none = await rejection(client().send(new DescribeImageScanFindingsCommand({ repositoryName: 'manual', imageId: { imageTag: 'v1' } })))
    expect(none).toBeInstanceOf(ScanNotFoundException)
  })

  it('a restored image replicates with all its tags, as a new push does', async () => {
    const image = await push('app', 'v1')
    await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: image.imageManifest, imageTag: 'stable' }))
    await update('app', { imageTag: 'v1' }, 'ARCHIVE')
    await client().send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [{ destinations: [{ region: 'us-west-2', registryId: ACCOUNT }] }] } }))
    await update('app', { imageTag: 'v1' }, 'STANDARD')
    const west = client({ region: 'us-west-2' })
    expect(await rejection(west.send(new ListImagesCommand({ repositoryName: 'app' })))).toBeInstanceOf(RepositoryNotFoundException)
    clock += 20 * MINUTE_MS
    const { replicationStatuses } = await client().send(new DescribeImageReplicationStatusCommand({ repositoryName: 'app', imageId: { imageTag: 'v1' } }))
    expect(replicationStatuses).toEqual([{ region: 'us-west-2', registryId: ACCOUNT, status: 'COMPLETE' }])
    const { imageIds } = await west.send(new ListImagesCommand({ repositoryName: 'app' }))
    expect(imageIds!.map((id) => id.imageTag).sort()).toEqual(['stable', 'v1'])
  })

  it('an archived image can be deleted; its pending restore then comes to nothing', async () => {
    await push('app', 'v1')
    await update('app', { imageTag: 'v1' }, 'ARCHIVE')
    await update('app', { imageTag: 'v1' }, 'STANDARD')
    const { imageIds } = await client().send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }))
    expect(imageIds).toHaveLength(1)
    clock += 20 * MINUTE_MS
    const { imageIds: left } = await client().send(new ListImagesCommand({ repositoryName: 'app', filter: { imageStatus: 'ANY' } }))
    expect(left).toEqual([])
    expect(ecr.snapshot().filter((record) => record.kind === 'image-restore')).toEqual([])
  })
})

describe('UpdateImageStorageClass: errors', () => {
  it('answers ImageNotFoundException, RepositoryNotFoundException and validation errors, and a failed call changes nothing', async () => {
    await push('app', 'v1')
    const before = ecr.snapshot()
    const missing = await rejection(update('app', { imageTag: 'v9' }, 'ARCHIVE'))
    expect(missing).toBeInstanceOf(ImageNotFoundException)
    expect(missing.message).toBe(
      `The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist within the repository with name 'app' in the registry with id '${ACCOUNT}'`,
    )
    expect(await rejection(update('nowhere', { imageTag: 'v1' }, 'ARCHIVE'))).toBeInstanceOf(RepositoryNotFoundException)
    const target = await rejection(update('app', { imageTag: 'v1' }, 'GLACIER' as 'ARCHIVE'))
    expect(target).toBeInstanceOf(InvalidParameterException)
    expect(target.message).toBe(
      "Invalid parameter at 'targetStorageClass' failed to satisfy constraint: 'Member must satisfy enum value set: [STANDARD, ARCHIVE]'",
    )
    expect(ecr.snapshot()).toEqual(before)
  })
})
