import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr'
import { setupServer } from 'msw/node'
import { describe, expect, it } from 'vitest'
import { createEcr, seedRegistry } from '../../src/index.js'
import { ecrHandlers, ecrStoryHandlers } from '../../handlers/index.js'
import { credentials } from '../sdk/harness.js'

const client = (region = 'us-east-1') => new ECRClient({ region, credentials, maxAttempts: 1 })

describe('ecrStoryHandlers', () => {
  it('answers a story’s first request with the seeded registry, each story with its own', async () => {
    const twoImages = ecrStoryHandlers({ repositories: [{ name: 'web', images: [{ tag: 'v1' }, { tag: 'v2' }] }] })
    const empty = ecrStoryHandlers()
    // As msw-storybook-addon does: the handlers are in place at once, the first request comes right away.
    const server = setupServer(...twoImages)
    server.listen({ onUnhandledRequest: 'error' })
    try {
      const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName: 'web' }))
      expect(imageDetails?.map((image) => image.imageTags)).toEqual([['v1'], ['v2']])
      server.resetHandlers(...empty)
      expect((await client().send(new DescribeRepositoriesCommand({}))).repositories).toEqual([])
    } finally {
      server.close()
    }
  })

  it('takes engine options', async () => {
    const handlers = ecrStoryHandlers({ repositories: [{ name: 'web' }] }, { accountId: '111122223333', region: 'eu-west-1' })
    const server = setupServer(...handlers)
    server.listen({ onUnhandledRequest: 'error' })
    try {
      const { repositories } = await client('eu-west-1').send(new DescribeRepositoriesCommand({}))
      expect(repositories?.[0]?.repositoryArn).toBe('arn:aws:ecr:eu-west-1:111122223333:repository/web')
    } finally {
      server.close()
    }
  })
})

describe('seedRegistry', () => {
  it('is what a declarative seed option does', async () => {
    const ecr = createEcr({ seed: { repositories: [{ name: 'web', images: [{ tags: ['v1', 'latest'] }] }] } })
    const { imageIds } = await ecr.call('ListImages', { repositoryName: 'web' })
    expect(imageIds?.map((id) => id.imageTag)).toEqual(['latest', 'v1'])
  })

  it('creates repositories with their settings, policies and images', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: ['ecr:BatchGetImage'] }],
    }
    const lifecyclePolicy = {
      rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }],
    }
    const ecr = createEcr({
      seed: seedRegistry({
        repositories: [
          {
            name: 'web',
            imageTagMutability: 'IMMUTABLE',
            tags: [{ Key: 'team', Value: 'front' }],
            policy,
            lifecyclePolicy: JSON.stringify(lifecyclePolicy),
            images: [{ tags: ['v1', 'stable'], format: 'oci', layers: [10, 20] }, {}],
          },
          { name: 'base', region: 'eu-west-1', images: [{ tag: 'multi', platforms: [{ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'amd64' }] }] },
        ],
      }),
    })
    const server = setupServer(...ecrHandlers(ecr))
    server.listen({ onUnhandledRequest: 'error' })
    try {
      const { repositories } = await client().send(new DescribeRepositoriesCommand({}))
      expect(repositories?.map(({ repositoryName, imageTagMutability }) => ({ repositoryName, imageTagMutability }))).toEqual([
        { repositoryName: 'web', imageTagMutability: 'IMMUTABLE' },
      ])
      const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName: 'web' }))
      expect(imageDetails?.map((image) => image.imageTags && [...image.imageTags].sort())).toEqual([['stable', 'v1'], undefined])
      expect(imageDetails?.[0]?.imageManifestMediaType).toBe('application/vnd.oci.image.manifest.v1+json')
      expect(JSON.parse((await client().send(new GetRepositoryPolicyCommand({ repositoryName: 'web' }))).policyText!)).toEqual(policy)
      expect(JSON.parse((await client().send(new GetLifecyclePolicyCommand({ repositoryName: 'web' }))).lifecyclePolicyText!)).toEqual(
        lifecyclePolicy,
      )
      const { images } = await client('eu-west-1').send(new BatchGetImageCommand({ repositoryName: 'base', imageIds: [{ imageTag: 'multi' }] }))
      const index = JSON.parse(images![0]!.imageManifest!)
      expect(index.manifests.map((child: { platform: { architecture: string } }) => child.platform.architecture)).toEqual(['arm64', 'amd64'])
    } finally {
      server.close()
    }
  })

  it('a seed that breaks a rule fails with ECR’s error', async () => {
    const ecr = createEcr({ seed: seedRegistry({ repositories: [{ name: 'Not Valid' }] }) })
    await expect(ecr.ready).rejects.toMatchObject({ code: 'InvalidParameterException' })
  })
})
