import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCreationTemplateCommand,
  DescribeImageReplicationStatusCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  ImageNotFoundException,
  InvalidParameterException,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutReplicationConfigurationCommand,
  RepositoryNotFoundException,
  type ReplicationRule,
} from '@aws-sdk/client-ecr'
import { beforeEach, describe, expect, it } from 'vitest'
import { rejection } from '../fixtures.js'
import { useFakeEcr } from './harness.js'

const MINUTE = 60_000
const START = Date.parse('2030-05-01T08:00:00Z')
let clock = START

// Replication takes a minute of engine time here, to see it under way.
const { ecr, client } = useFakeEcr({ now: () => clock, replicationDurationMs: MINUTE })

const SOURCE = '123456789012'
const PARTNER = '210987654321'
const HERE = 'eu-west-1'
const WEST = 'us-west-2'

beforeEach(() => {
  clock = START
})

const replicate = (rules: ReplicationRule[]) => client().send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules } }))

/** The replication statuses of an image of the source registry. */
const statuses = async (repositoryName: string, imageDigest: string) =>
  (await client().send(new DescribeImageReplicationStatusCommand({ repositoryName, imageId: { imageDigest } }))).replicationStatuses

/** Image ids (sorted by tag) of a repository in another registry, or undefined if it does not exist there. */
async function imagesIn(repositoryName: string, region: string, registryId = SOURCE) {
  try {
    const { imageIds = [] } = await client({ region }).send(new ListImagesCommand({ repositoryName, registryId }))
    return imageIds.sort((a, b) => (a.imageTag ?? '').localeCompare(b.imageTag ?? ''))
  } catch (error) {
    if (error instanceof RepositoryNotFoundException) return undefined
    throw error
  }
}

/** Lets `ms` of engine time pass; the next call catches up with it. */
const wait = (ms: number) => {
  clock += ms
}

/** A registry policy of the partner's registry that grants the source account some actions. */
const grant = (actions: string[], region = HERE) =>
  ecr.call(
    'PutRegistryPolicy',
    {
      policyText: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'FromSource',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${SOURCE}:root` },
            Action: actions,
            Resource: `arn:aws:ecr:${region}:${PARTNER}:repository/*`,
          },
        ],
      }),
    },
    { accountId: PARTNER, region },
  )

describe('replication of pushed images', () => {
  it('is IN_PROGRESS for replicationDurationMs, then the image is in each destination with its tag, layers and a new repository', async () => {
    await replicate([{ destinations: [{ region: WEST, registryId: SOURCE }] }])
    const image = await ecr.seed.image('web', { tag: 'v1', context: { region: HERE } })
    expect(await statuses('web', image.imageDigest)).toEqual([{ region: WEST, registryId: SOURCE, status: 'IN_PROGRESS' }])
    expect(await imagesIn('web', WEST)).toBeUndefined()

    wait(MINUTE)
    expect(await statuses('web', image.imageDigest)).toEqual([{ region: WEST, registryId: SOURCE, status: 'COMPLETE' }])
    expect(await imagesIn('web', WEST)).toEqual([{ imageDigest: image.imageDigest, imageTag: 'v1' }])
    const west = client({ region: WEST })
    const { repositories } = await west.send(new DescribeRepositoriesCommand({ repositoryNames: ['web'] }))
    // Repository settings are not replicated: ECR's defaults.
    expect(repositories![0]).toMatchObject({
      repositoryName: 'web',
      repositoryArn: `arn:aws:ecr:${WEST}:${SOURCE}:repository/web`,
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    })
    const { images } = await west.send(new BatchGetImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] }))
    expect(images![0]!.imageManifest).toBe(image.imageManifest)
    const manifest = JSON.parse(image.imageManifest) as { config: { digest: string }; layers: Array<{ digest: string }> }
    const { layers } = await west.send(
      new BatchCheckLayerAvailabilityCommand({ repositoryName: 'web', layerDigests: [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)] }),
    )
    expect(layers!.map((layer) => layer.layerAvailability)).toEqual(['AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'AVAILABLE'])
    const { imageDetails } = await west.send(new DescribeImagesCommand({ repositoryName: 'web' }))
    expect(imageDetails![0]).toMatchObject({ imageSizeInBytes: image.imageSizeInBytes, imagePushedAt: new Date(START + MINUTE) })
  })

  it("creates the destination's repository from its registry's creation template applied for REPLICATION", async () => {
    const west = client({ region: WEST })
    await west.send(
      new CreateRepositoryCreationTemplateCommand({
        prefix: 'prod',
        appliedFor: ['REPLICATION'],
        imageTagMutability: 'IMMUTABLE',
        resourceTags: [{ Key: 'team', Value: 'core' }],
        lifecyclePolicy: JSON.stringify({
          rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } }],
        }),
      }),
    )
    await replicate([{ destinations: [{ region: WEST, registryId: SOURCE }] }])
    await ecr.seed.image('prod/web', { tag: 'v1', context: { region: HERE } })
    await ecr.seed.image('dev/web', { tag: 'v1', context: { region: HERE } })
    wait(MINUTE)
    const { repositories } = await west.send(new DescribeRepositoriesCommand({}))
    const settings = Object.fromEntries(repositories!.map((repository) => [repository.repositoryName, repository.imageTagMutability]))
    expect(settings).toEqual({ 'prod/web': 'IMMUTABLE', 'dev/web': 'MUTABLE' })
    const prod = repositories!.find((repository) => repository.repositoryName === 'prod/web')!
    const { tags } = await west.send(new ListTagsForResourceCommand({ resourceArn: prod.repositoryArn }))
    expect(tags).toEqual([{ Key: 'team', Value: 'core' }])
    const { lifecyclePolicyText } = await west.send(new GetLifecyclePolicyCommand({ repositoryName: 'prod/web' }))
    expect(JSON.parse(lifecyclePolicyText!)).toMatchObject({ rules: [{ rulePriority: 1 }] })
  })

  it('goes to the destinations of the rules whose PREFIX_MATCH filters the repository name starts with', async () => {
    await replicate([
      { destinations: [{ region: WEST, registryId: SOURCE }], repositoryFilters: [{ filter: 'prod', filterType: 'PREFIX_MATCH' }] },
      { destinations: [{ region: 'ap-south-1', registryId: SOURCE }, { region: WEST, registryId: SOURCE }] , repositoryFilters: [{ filter: 'team/', filterType: 'PREFIX_MATCH' }] },
    ])
    const prod = await ecr.seed.image('production/api', { tag: 'v1', context: { region: HERE } })
    const team = await ecr.seed.image('team/web', { tag: 'v1', context: { region: HERE } })
    const other = await ecr.seed.image('dev/prod', { tag: 'v1', context: { region: HERE } })
    expect(await statuses('production/api', prod.imageDigest)).toEqual([{ region: WEST, registryId: SOURCE, status: 'IN_PROGRESS' }])
    expect(await statuses('team/web', team.imageDigest)).toEqual([
      { region: 'ap-south-1', registryId: SOURCE, status: 'IN_PROGRESS' },
      { region: WEST, registryId: SOURCE, status: 'IN_PROGRESS' },
    ])
    expect(await statuses('dev/prod', other.imageDigest)).toEqual([])
    wait(MINUTE)
    expect(await imagesIn('production/api', WEST)).toHaveLength(1)
    expect(await imagesIn('team/web', 'ap-south-1')).toHaveLength(1)
    expect(await imagesIn('dev/prod', WEST)).toBeUndefined()
  })

  it('replicates only images pushed after the rules, and a tag that moves moves in the destination too', async () => {
    const before = await ecr.seed.image('web', { tag: 'old', context: { region: HERE } })
    await replicate([{ destinations: [{ region: WEST, registryId: SOURCE }] }])
    expect(await statuses('web', before.imageDigest)).toEqual([])
    const first = await ecr.seed.image('web', { tag: 'latest', context: { region: HERE } })
    wait(MINUTE)
    const second = await ecr.seed.image('web', { tag: 'latest', context: { region: HERE } })
    // A tag added to an image already pushed replicates too.
    await client().send(new PutImageCommand({ repositoryName: 'web', imageManifest: first.imageManifest, imageTag: 'stable' }))
    wait(MINUTE)
    expect(await imagesIn('web', WEST)).toEqual([
      { imageDigest: second.imageDigest, imageTag: 'latest' },
      { imageDigest: first.imageDigest, imageTag: 'stable' },
    ])
    expect(await statuses('web', first.imageDigest)).toEqual([{ region: WEST, registryId: SOURCE, status: 'COMPLETE' }])
  })

  it('carries the tags pushed while a replication is under way', async () => {
    await replicate([{ destinations: [{ region: WEST, registryId: SOURCE }] }])
    const image = await ecr.seed.image('web', { tag: 'v1', context: { region: HERE } })
    wait(MINUTE / 2)
    await client().send(new PutImageCommand({ repositoryName: 'web', imageManifest: image.imageManifest, imageTag: 'v1.0' }))
    wait(MINUTE / 2)
    expect(await imagesIn('web', WEST)).toBeUndefined()
    wait(MINUTE / 2)
    expect((await imagesIn('web', WEST))!.map((id) => id.imageTag)).toEqual(['v1', 'v1.0'])
  })

  it('keeps an immutable tag of the destination and replicates the image without it', async () => {
    await ecr.seed.repository('web', { imageTagMutability: 'IMMUTABLE' }, { region: WEST })
    const there = await ecr.seed.image('web', { tag: 'v1', context: { region: WEST } })
    await replicate([{ destinations: [{ region: WEST, registryId: SOURCE }] }])
    const image = await ecr.seed.image('web', { tag: 'v1', context: { region: HERE } })
    wait(MINUTE)
    expect(await statuses('web', image.imageDigest)).toEqual([{ region: WEST, registryId: SOURCE, status: 'COMPLETE' }])
    expect(await imagesIn('web', WEST)).toEqual([{ imageDigest: image.imageDigest }, { imageDigest: there.imageDigest, imageTag: 'v1' }])
  })

  it('replicates a multi-platform image with its child images', async () => {
    await replicate([{ destinations: [{ region: WEST, registryId: SOURCE }] }])
    const index = await ecr.seed.multiPlatformImage('multi', { tag: 'latest', context: { region: HERE } })
    wait(MINUTE)
    const ids = await imagesIn('multi', WEST)
    expect(ids).toHaveLength(3)
    expect(ids).toContainEqual({ imageDigest: index.imageDigest, imageTag: 'latest' })
    for (const child of index.children!) expect(ids).toContainEqual({ imageDigest: child.imageDigest })
  })

  it('happens once per push: a destination replicating onward does not pass the image on', async () => {
    await replicate([{ destinations: [{ region: WEST, registryId: SOURCE }] }])
    await client({ region: WEST }).send(
      new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [{ destinations: [{ region: 'us-east-2', registryId: SOURCE }] }] } }),
    )
    await ecr.seed.image('web', { tag: 'v1', context: { region: HERE } })
    wait(MINUTE)
    expect(await imagesIn('web', WEST)).toHaveLength(1)
    wait(MINUTE)
    expect(await imagesIn('web', 'us-east-2')).toBeUndefined()
  })

  it('does not delete: images deleted in the source stay in the destination', async () => {
    await replicate([{ destinations: [{ region: WEST, registryId: SOURCE }] }])
    const image = await ecr.seed.image('web', { tag: 'v1', context: { region: HERE } })
    wait(MINUTE)
    await client().send(new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageDigest: image.imageDigest }] }))
    expect(await imagesIn('web', WEST)).toEqual([{ imageDigest: image.imageDigest, imageTag: 'v1' }])
  })

  it('of an image deleted before it completes never happens', async () => {
    await replicate([{ destinations: [{ region: WEST, registryId: SOURCE }] }])
    const image = await ecr.seed.image('web', { tag: 'v1', context: { region: HERE } })
    await client().send(new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageDigest: image.imageDigest }] }))
    wait(MINUTE)
    expect(await imagesIn('web', WEST)).toBeUndefined()
    await client().send(new PutImageCommand({ repositoryName: 'web', imageManifest: image.imageManifest }))
    expect(await statuses('web', image.imageDigest)).toEqual([{ region: WEST, registryId: SOURCE, status: 'IN_PROGRESS' }])
  })

  it('does not start for a push that fails', async () => {
    await replicate([{ destinations: [{ region: WEST, registryId: SOURCE }] }])
    const image = await ecr.seed.image('web', { tag: 'v1', context: { region: HERE } })
    wait(MINUTE)
    const before = ecr.snapshot()
    await rejection(client().send(new PutImageCommand({ repositoryName: 'web', imageManifest: image.imageManifest, imageTag: 'v1' })))
    expect(ecr.snapshot()).toEqual(before)
  })
})

describe('cross-account replication', () => {
  const toPartner = () => replicate([{ destinations: [{ region: HERE, registryId: PARTNER }] }])

  it('fails (AccessDenied) unless the destination registry policy allows the source account ecr:ReplicateImage', async () => {
    await toPartner()
    const image = await ecr.seed.image('web', { tag: 'v1', context: { region: HERE } })
    wait(MINUTE)
    expect(await statuses('web', image.imageDigest)).toEqual([{ region: HERE, registryId: PARTNER, status: 'FAILED', failureCode: 'AccessDenied' }])
    expect(await imagesIn('web', HERE, PARTNER)).toBeUndefined()
  })

  it('fails (RepositoryNotFound) when the repository is missing and ecr:CreateRepository is not allowed', async () => {
    await grant(['ecr:ReplicateImage'])
    await toPartner()
    const image = await ecr.seed.image('web', { tag: 'v1', context: { region: HERE } })
    wait(MINUTE)
    expect(await statuses('web', image.imageDigest)).toEqual([{ region: HERE, registryId: PARTNER, status: 'FAILED', failureCode: 'RepositoryNotFound' }])
    // Created by hand in the destination, the next push gets there.
    await ecr.seed.repository('web', {}, { accountId: PARTNER, region: HERE })
    const next = await ecr.seed.image('web', { tag: 'v2', context: { region: HERE } })
    wait(MINUTE)
    expect(await statuses('web', next.imageDigest)).toEqual([{ region: HERE, registryId: PARTNER, status: 'COMPLETE' }])
    expect(await imagesIn('web', HERE, PARTNER)).toEqual([{ imageDigest: next.imageDigest, imageTag: 'v2' }])
  })

  it('creates the repository in the other account when its registry policy allows both actions', async () => {
    await grant(['ecr:ReplicateImage', 'ecr:CreateRepository'], 'us-east-1')
    await replicate([{ destinations: [{ region: 'us-east-1', registryId: PARTNER }, { region: WEST, registryId: SOURCE }] }])
    const image = await ecr.seed.image('web', { tag: 'v1', context: { region: HERE } })
    wait(MINUTE)
    expect(await statuses('web', image.imageDigest)).toEqual([
      { region: 'us-east-1', registryId: PARTNER, status: 'COMPLETE' },
      { region: WEST, registryId: SOURCE, status: 'COMPLETE' },
    ])
    expect(await imagesIn('web', 'us-east-1', PARTNER)).toEqual([{ imageDigest: image.imageDigest, imageTag: 'v1' }])
    const { repositories } = await client({ region: 'us-east-1' }).send(new DescribeRepositoriesCommand({ registryId: PARTNER }))
    expect(repositories!.map((repository) => repository.repositoryArn)).toEqual([`arn:aws:ecr:us-east-1:${PARTNER}:repository/web`])
  })
})

describe('DescribeImageReplicationStatus', () => {
  it('finds the image by tag and answers with its digest', async () => {
    await replicate([{ destinations: [{ region: WEST, registryId: SOURCE }] }])
    const image = await ecr.seed.image('web', { tag: 'v1', context: { region: HERE } })
    const output = await client().send(new DescribeImageReplicationStatusCommand({ repositoryName: 'web', imageId: { imageTag: 'v1' } }))
    expect(output).toMatchObject({
      repositoryName: 'web',
      imageId: { imageDigest: image.imageDigest, imageTag: 'v1' },
      replicationStatuses: [{ region: WEST, registryId: SOURCE, status: 'IN_PROGRESS' }],
    })
  })

  it('refuses a repository or image that does not exist, and an image id without digest or tag', async () => {
    const missingRepository = await rejection(client().send(new DescribeImageReplicationStatusCommand({ repositoryName: 'nope', imageId: { imageTag: 'v1' } })))
    expect(missingRepository).toBeInstanceOf(RepositoryNotFoundException)
    expect(missingRepository.message).toBe(`The repository with name 'nope' does not exist in the registry with id '${SOURCE}'`)
    await ecr.seed.image('web', { tag: 'v1', context: { region: HERE } })
    const missingImage = await rejection(client().send(new DescribeImageReplicationStatusCommand({ repositoryName: 'web', imageId: { imageTag: 'v2' } })))
    expect(missingImage).toBeInstanceOf(ImageNotFoundException)
    expect(missingImage.message).toBe(
      `The image with imageId {imageDigest:'null', imageTag:'v2'} does not exist within the repository with name 'web' in the registry with id '${SOURCE}'`,
    )
    const noId = await rejection(client().send(new DescribeImageReplicationStatusCommand({ repositoryName: 'web', imageId: {} })))
    expect(noId).toBeInstanceOf(InvalidParameterException)
  })
})
