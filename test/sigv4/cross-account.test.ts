import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutRegistryPolicyCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  UploadLayerPartCommand,
} from '@aws-sdk/client-ecr'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dockerManifest, rejection, sha256, type Descriptor } from '../fixtures.js'
import { ecrHandlers } from '../../handlers/index.js'
import { createEcr, type SeededImage } from '../../src/index.js'
import { ALICE, BOB, client, REGION, useSignedRegistry } from './signed-registry.js'

const alice = { accessKeyId: 'AKIAALICEEXAMPLE0001', secretAccessKey: 'alice/secret/key', accountId: ALICE }
const bob = { accessKeyId: 'AKIABOBEXAMPLE000002', secretAccessKey: 'bob/secret/key', accountId: BOB }
const APP_ARN = `arn:aws:ecr:${REGION}:${ALICE}:repository/app`

const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']
const PUSH = ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage']

/** A policy document of these statements. */
function policy(...statements: Array<Record<string, unknown>>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements })
}

/** The message ECR gives a caller that no resource policy lets in. */
function notAllowed(action: string, resource = APP_ARN, user = `arn:aws:iam::${BOB}:root`): string {
  return `User: ${user} is not authorized to perform: ecr:${action} on resource: ${resource} because no resource-based policy allows the ecr:${action} action`
}

/** The layers (config first) of a seeded image's manifest. */
function blobsOf(image: SeededImage): Descriptor[] {
  const manifest = JSON.parse(image.imageManifest) as { config: Descriptor; layers: Descriptor[] }
  return [manifest.config, ...manifest.layers]
}

describe('cross-account calls with signature checks on', () => {
  const { ecr, seeded } = useSignedRegistry([alice, bob])

  const setRepositoryPolicy = (policyText: string) =>
    client(alice).send(new SetRepositoryPolicyCommand({ repositoryName: 'app', policyText }))

  /** Bob's calls into alice's `app` repository, by the IAM action each needs. */
  const bobsCalls = () => {
    const [config, layer] = blobsOf(seeded())
    const target = { registryId: ALICE, repositoryName: 'app' }
    return {
      BatchGetImage: () => client(bob).send(new BatchGetImageCommand({ ...target, imageIds: [{ imageTag: 'v1' }] })),
      GetDownloadUrlForLayer: () => client(bob).send(new GetDownloadUrlForLayerCommand({ ...target, layerDigest: layer!.digest })),
      BatchCheckLayerAvailability: () =>
        client(bob).send(new BatchCheckLayerAvailabilityCommand({ ...target, layerDigests: [config!.digest, layer!.digest] })),
      DescribeRepositories: () => client(bob).send(new DescribeRepositoriesCommand({ registryId: ALICE, repositoryNames: ['app'] })),
      DescribeImages: () => client(bob).send(new DescribeImagesCommand(target)),
      ListImages: () => client(bob).send(new ListImagesCommand(target)),
      DeleteRepository: () => client(bob).send(new DeleteRepositoryCommand({ ...target, force: true })),
      BatchDeleteImage: () => client(bob).send(new BatchDeleteImageCommand({ ...target, imageIds: [{ imageTag: 'v1' }] })),
      DeleteRepositoryPolicy: () => client(bob).send(new DeleteRepositoryPolicyCommand(target)),
      InitiateLayerUpload: () => client(bob).send(new InitiateLayerUploadCommand(target)),
      PutImage: () =>
        client(bob).send(new PutImageCommand({ ...target, imageManifest: seeded().imageManifest, imageManifestMediaType: seeded().imageManifestMediaType, imageTag: 'v2' })),
      TagResource: () => client(bob).send(new TagResourceCommand({ resourceArn: APP_ARN, tags: [{ Key: 'owner', Value: 'bob' }] })),
    }
  }

  describe('without a policy', () => {
    it.each([
      'BatchGetImage',
      'GetDownloadUrlForLayer',
      'BatchCheckLayerAvailability',
      'DescribeRepositories',
      'DescribeImages',
      'ListImages',
      'DeleteRepository',
      'BatchDeleteImage',
      'DeleteRepositoryPolicy',
      'InitiateLayerUpload',
      'PutImage',
      'TagResource',
    ] as const)('refuses %s with AccessDeniedException (HTTP 400) and changes nothing', async (action) => {
      const before = ecr.snapshot()
      const error = await rejection(bobsCalls()[action]())
      expect(error.name).toBe('AccessDeniedException')
      expect(error.$metadata.httpStatusCode).toBe(400)
      expect(error.message).toBe(notAllowed(action))
      expect(ecr.snapshot()).toEqual(before)
    })

    it('refuses a listing of the registry on its repository/* resource', async () => {
      const error = await rejection(client(bob).send(new DescribeRepositoriesCommand({ registryId: ALICE })))
      expect(error.message).toBe(notAllowed('DescribeRepositories', `arn:aws:ecr:${REGION}:${ALICE}:repository/*`))
    })

    it('refuses a repository that does not exist the same way, telling nothing of what the registry holds', async () => {
      const error = await rejection(client(bob).send(new ListImagesCommand({ registryId: ALICE, repositoryName: 'missing' })))
      expect(error.name).toBe('AccessDeniedException')
      expect(error.message).toBe(notAllowed('ListImages', `arn:aws:ecr:${REGION}:${ALICE}:repository/missing`))
    })

    it('refuses creating a repository in the other registry', async () => {
      const error = await rejection(client(bob).send(new CreateRepositoryCommand({ registryId: ALICE, repositoryName: 'bobs' })))
      expect(error.message).toBe(notAllowed('CreateRepository', `arn:aws:ecr:${REGION}:${ALICE}:repository/bobs`))
      expect((await client(alice).send(new DescribeRepositoriesCommand({}))).repositories?.map((r) => r.repositoryName)).toEqual(['app'])
    })
  })

  describe('with a repository policy', () => {
    it.each([
      ['the account id', { AWS: BOB }],
      ['the account root ARN', { AWS: `arn:aws:iam::${BOB}:root` }],
      ['"*"', '*'],
      ['{"AWS": "*"}', { AWS: '*' }],
      ['a list that includes the account', { AWS: ['arn:aws:iam::333333333333:root', BOB] }],
    ])('lets bob pull when the policy names %s', async (_case, principal) => {
      await setRepositoryPolicy(policy({ Sid: 'Pull', Effect: 'Allow', Principal: principal, Action: PULL }))
      const calls = bobsCalls()
      const { images, failures } = await calls.BatchGetImage()
      expect(failures).toEqual([])
      expect(images?.[0]?.imageManifest).toBe(seeded().imageManifest)
      expect(images?.[0]?.registryId).toBe(ALICE)
      const { layers } = await calls.BatchCheckLayerAvailability()
      expect(layers?.map((layer) => layer.layerAvailability)).toEqual(['AVAILABLE', 'AVAILABLE'])
      const { downloadUrl, layerDigest } = await calls.GetDownloadUrlForLayer()
      const bytes = new Uint8Array(await (await fetch(downloadUrl!)).arrayBuffer())
      expect(sha256(bytes)).toBe(layerDigest)
      // The policy grants those three actions and nothing else.
      expect((await rejection(calls.ListImages())).message).toBe(notAllowed('ListImages'))
    })

    it.each([
      ['another account', { AWS: '333333333333' }],
      ['a user of bob’s account (the fake knows a key’s account, not its user)', { AWS: `arn:aws:iam::${BOB}:user/bob` }],
      ['a service', { Service: 'codebuild.amazonaws.com' }],
    ])('does not let bob in when it names %s', async (_case, principal) => {
      await setRepositoryPolicy(policy({ Effect: 'Allow', Principal: principal, Action: 'ecr:*' }))
      expect((await rejection(bobsCalls().BatchGetImage())).message).toBe(notAllowed('BatchGetImage'))
    })

    it('matches actions with wildcards, case-insensitively', async () => {
      await setRepositoryPolicy(policy({ Effect: 'Allow', Principal: { AWS: BOB }, Action: ['ECR:batchget*', 'ecr:List?mages'] }))
      const calls = bobsCalls()
      await expect(calls.BatchGetImage()).resolves.toMatchObject({ failures: [] })
      await expect(calls.ListImages()).resolves.toMatchObject({ imageIds: [{ imageTag: 'v1', imageDigest: seeded().imageDigest }] })
      expect((await rejection(calls.BatchCheckLayerAvailability())).message).toBe(notAllowed('BatchCheckLayerAvailability'))
    })

    it('lets bob push only when it allows the push actions', async () => {
      const target = { registryId: ALICE, repositoryName: 'app' }
      const upload = async (bytes: Uint8Array, mediaType: string): Promise<Descriptor> => {
        const { uploadId } = await client(bob).send(new InitiateLayerUploadCommand(target))
        await client(bob).send(new UploadLayerPartCommand({ ...target, uploadId, partFirstByte: 0, partLastByte: bytes.byteLength - 1, layerPartBlob: bytes }))
        const { layerDigest } = await client(bob).send(new CompleteLayerUploadCommand({ ...target, uploadId, layerDigests: [sha256(bytes)] }))
        return { mediaType, digest: layerDigest!, size: bytes.byteLength }
      }
      const config = new TextEncoder().encode(JSON.stringify({ architecture: 'amd64', os: 'linux', pushedBy: 'bob' }))
      const layer = new Uint8Array(300).fill(7)

      await setRepositoryPolicy(policy({ Effect: 'Allow', Principal: { AWS: BOB }, Action: PULL }))
      const before = ecr.snapshot()
      expect((await rejection(client(bob).send(new InitiateLayerUploadCommand(target)))).message).toBe(notAllowed('InitiateLayerUpload'))
      expect(ecr.snapshot()).toEqual(before)

      // The layer actions without PutImage: the blobs go up, the image does not.
      await setRepositoryPolicy(policy({ Effect: 'Allow', Principal: { AWS: BOB }, Action: PUSH.filter((action) => action !== 'ecr:PutImage') }))
      const imageManifest = dockerManifest({
        config: await upload(config, 'application/vnd.docker.container.image.v1+json'),
        layers: [await upload(layer, 'application/vnd.docker.image.rootfs.diff.tar.gzip')],
      })
      const refused = await rejection(client(bob).send(new PutImageCommand({ ...target, imageManifest, imageTag: 'v2' })))
      expect(refused.message).toBe(notAllowed('PutImage'))
      const listed = async () => (await client(alice).send(new ListImagesCommand({ repositoryName: 'app' }))).imageIds?.map((id) => id.imageTag).sort()
      expect(await listed()).toEqual(['v1'])

      await setRepositoryPolicy(policy({ Effect: 'Allow', Principal: { AWS: BOB }, Action: PUSH }))
      const { image: pushed } = await client(bob).send(new PutImageCommand({ ...target, imageManifest, imageTag: 'v2' }))
      expect(pushed?.registryId).toBe(ALICE)
      expect(await listed()).toEqual(['v1', 'v2'])
    })

    it('lets an explicit Deny win over an Allow', async () => {
      await setRepositoryPolicy(
        policy(
          { Sid: 'All', Effect: 'Allow', Principal: { AWS: BOB }, Action: 'ecr:*' },
          { Sid: 'NoPulls', Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage' },
        ),
      )
      const calls = bobsCalls()
      const error = await rejection(calls.BatchGetImage())
      expect(error.name).toBe('AccessDeniedException')
      expect(error.message).toBe(
        `User: arn:aws:iam::${BOB}:root is not authorized to perform: ecr:BatchGetImage on resource: ${APP_ARN} with an explicit deny in a resource-based policy`,
      )
      await expect(calls.BatchCheckLayerAvailability()).resolves.toMatchObject({ failures: [] })
    })

    it('grants what NotAction leaves out, and NotPrincipal everyone it does not name', async () => {
      await setRepositoryPolicy(
        policy(
          { Effect: 'Allow', Principal: { AWS: BOB }, NotAction: 'ecr:Delete*' },
          { Effect: 'Deny', NotPrincipal: { AWS: ALICE }, Action: 'ecr:ListImages' },
        ),
      )
      const calls = bobsCalls()
      await expect(calls.DescribeImages()).resolves.toMatchObject({ imageDetails: [{ imageTags: ['v1'] }] })
      expect((await rejection(calls.DeleteRepository())).message).toBe(notAllowed('DeleteRepository'))
      expect((await rejection(calls.ListImages())).message).toMatch(/with an explicit deny in a resource-based policy$/)
    })

    it('ignores a statement with a Condition: the fake has no request context to test it against', async () => {
      await setRepositoryPolicy(
        policy({ Effect: 'Allow', Principal: { AWS: BOB }, Action: PULL, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }),
      )
      expect((await rejection(bobsCalls().BatchGetImage())).message).toBe(notAllowed('BatchGetImage'))
    })

    it('covers tagging by ARN and deleting the repository when it allows them', async () => {
      await setRepositoryPolicy(
        policy({ Effect: 'Allow', Principal: { AWS: BOB }, Action: ['ecr:TagResource', 'ecr:ListTagsForResource', 'ecr:DeleteRepository'] }),
      )
      const calls = bobsCalls()
      await calls.TagResource()
      const { tags } = await client(bob).send(new ListTagsForResourceCommand({ resourceArn: APP_ARN }))
      expect(tags).toEqual([{ Key: 'owner', Value: 'bob' }])
      await calls.DeleteRepository()
      expect((await client(alice).send(new DescribeRepositoriesCommand({}))).repositories).toEqual([])
    })
  })

  describe('with a registry policy', () => {
    const putRegistryPolicy = (policyText: string) => client(alice).send(new PutRegistryPolicyCommand({ policyText }))

    it('grants the actions it allows on the repositories its Resource matches', async () => {
      await putRegistryPolicy(
        policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${BOB}:root` }, Action: PULL, Resource: `arn:aws:ecr:${REGION}:${ALICE}:repository/a*` }),
      )
      await expect(bobsCalls().BatchGetImage()).resolves.toMatchObject({ failures: [] })
      await ecr.seed.repository('other', {}, { accountId: ALICE, region: REGION })
      const outside = await rejection(client(bob).send(new BatchGetImageCommand({ registryId: ALICE, repositoryName: 'other', imageIds: [{ imageTag: 'v1' }] })))
      expect(outside.message).toBe(notAllowed('BatchGetImage', `arn:aws:ecr:${REGION}:${ALICE}:repository/other`))
    })

    it('governs creating repositories and listing the registry', async () => {
      await putRegistryPolicy(
        policy({
          Effect: 'Allow',
          Principal: { AWS: BOB },
          Action: ['ecr:CreateRepository', 'ecr:DescribeRepositories'],
          Resource: `arn:aws:ecr:${REGION}:${ALICE}:repository/*`,
        }),
      )
      const { repository } = await client(bob).send(new CreateRepositoryCommand({ registryId: ALICE, repositoryName: 'shared/bobs' }))
      expect(repository?.repositoryArn).toBe(`arn:aws:ecr:${REGION}:${ALICE}:repository/shared/bobs`)
      const { repositories } = await client(bob).send(new DescribeRepositoriesCommand({ registryId: ALICE }))
      expect(repositories?.map((r) => r.repositoryName)).toEqual(['app', 'shared/bobs'])
    })

    it('denies what it denies, whatever the repository policy allows', async () => {
      await setRepositoryPolicy(policy({ Effect: 'Allow', Principal: { AWS: BOB }, Action: PULL }))
      await putRegistryPolicy(policy({ Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage', Resource: '*' }))
      expect((await rejection(bobsCalls().BatchGetImage())).message).toMatch(/with an explicit deny in a resource-based policy$/)
      await expect(bobsCalls().BatchCheckLayerAvailability()).resolves.toMatchObject({ failures: [] })
    })
  })

  it('leaves calls into the caller’s own registry alone, with or without its id', async () => {
    await expect(client(alice).send(new ListImagesCommand({ registryId: ALICE, repositoryName: 'app' }))).resolves.toMatchObject({
      imageIds: [{ imageTag: 'v1' }],
    })
    await expect(client(alice).send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }))).resolves.toMatchObject({
      failures: [],
    })
    // Bob's own registry is his to use, and a token naming alice's registry is only a token.
    await client(bob).send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    const { authorizationData } = await client(bob).send(new GetAuthorizationTokenCommand({ registryIds: [ALICE] }))
    expect(authorizationData?.[0]?.proxyEndpoint).toBe(`https://${ALICE}.dkr.ecr.${REGION}.amazonaws.com`)
    await client(alice).send(new DeleteRepositoryCommand({ registryId: ALICE, repositoryName: 'app', force: true }))
    expect((await client(bob).send(new DescribeRepositoriesCommand({}))).repositories?.map((r) => r.registryId)).toEqual([BOB])
  })
})

describe('cross-account calls with signature checks off', () => {
  const ecr = createEcr()
  const server = setupServer(...ecrHandlers(ecr))
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterAll(() => server.close())

  it('reach any registry by registryId, as before: nothing tells who calls', async () => {
    await ecr.seed.image('app', { tag: 'v1', context: { accountId: ALICE, region: REGION } })
    const anyone = client(bob)
    const { imageIds } = await anyone.send(new ListImagesCommand({ registryId: ALICE, repositoryName: 'app' }))
    expect(imageIds?.map((id) => id.imageTag)).toEqual(['v1'])
    await anyone.send(new DeleteRepositoryCommand({ registryId: ALICE, repositoryName: 'app', force: true }))
    expect(ecr.snapshot().filter((record) => record.kind === 'repository')).toEqual([])
  })
})
