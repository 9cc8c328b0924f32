import {
  BatchGetImageCommand,
  CreatePullThroughCacheRuleCommand,
  CreateRepositoryCreationTemplateCommand,
  DeletePullThroughCacheRuleCommand,
  DescribeImagesCommand,
  DescribePullThroughCacheRulesCommand,
  DescribeRepositoriesCommand,
  GetDownloadUrlForLayerCommand,
  GetRepositoryPolicyCommand,
  InvalidParameterException,
  LimitExceededException,
  PullThroughCacheRuleAlreadyExistsException,
  PullThroughCacheRuleNotFoundException,
  RepositoryNotFoundException,
  SecretNotFoundException,
  UnableToAccessSecretException,
  UnableToGetUpstreamImageException,
  UnableToGetUpstreamLayerException,
  UnsupportedUpstreamRegistryException,
  UpdatePullThroughCacheRuleCommand,
  ValidatePullThroughCacheRuleCommand,
  paginateDescribePullThroughCacheRules,
  type CreatePullThroughCacheRuleCommandInput,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { createEcr, memoryStorage } from '../../src/index.js'
import { sha256 } from '../fixtures.js'
import { useFakeEcr } from './harness.js'

let clock = Date.UTC(2026, 0, 5, 9)
const DOCKER_HUB_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub'
const { ecr, client } = useFakeEcr({
  now: () => clock,
  limits: { pullThroughCacheRulesPerRegistry: 20 },
  upstreams: [
    { registryUrl: 'registry-1.docker.io', credentialArn: DOCKER_HUB_SECRET, repositories: [{ name: 'library/nginx', images: [{ tags: ['1.27', 'latest'] }] }] },
  ],
})
const ACCOUNT = '123456789012'

async function createRule(input: Partial<CreatePullThroughCacheRuleCommandInput> = {}) {
  return client().send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'ecr-public', upstreamRegistryUrl: 'public.ecr.aws', ...input }))
}

const pull = (repositoryName: string, imageTag: string) => client().send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag }] }))

describe('pull through cache rules', () => {
  it('creates a rule, naming the upstream registry its URL belongs to, and describes it', async () => {
    const created = await createRule()
    expect(created).toMatchObject({
      ecrRepositoryPrefix: 'ecr-public',
      upstreamRegistryUrl: 'public.ecr.aws',
      upstreamRegistry: 'ecr-public',
      registryId: ACCOUNT,
      createdAt: new Date(clock),
    })
    expect(created).not.toHaveProperty('upstreamRepositoryPrefix')
    const { pullThroughCacheRules } = await client().send(new DescribePullThroughCacheRulesCommand({ ecrRepositoryPrefixes: ['ecr-public'] }))
    expect(pullThroughCacheRules).toEqual([
      {
        ecrRepositoryPrefix: 'ecr-public',
        upstreamRegistryUrl: 'public.ecr.aws',
        upstreamRegistry: 'ecr-public',
        registryId: ACCOUNT,
        createdAt: new Date(clock),
        updatedAt: new Date(clock),
      },
    ])
  })

  it('refuses what ECR refuses, with its errors', async () => {
    await createRule()
    const cases: Array<[Partial<CreatePullThroughCacheRuleCommandInput>, new (...args: never[]) => Error, string?]> = [
      [{}, PullThroughCacheRuleAlreadyExistsException, `A pull through cache rule with the prefix 'ecr-public' already exists in the registry with id '${ACCOUNT}'`],
      [{ ecrRepositoryPrefix: 'ecr-public/' }, PullThroughCacheRuleAlreadyExistsException],
      [{ ecrRepositoryPrefix: 'harbor', upstreamRegistryUrl: 'harbor.example.com' }, UnsupportedUpstreamRegistryException, 'The upstream registry URL harbor.example.com is invalid. Specify a valid upstream registry URL and try again'],
      [{ ecrRepositoryPrefix: 'quay', upstreamRegistryUrl: 'quay.io', upstreamRegistry: 'docker-hub' }, UnsupportedUpstreamRegistryException],
      [{ ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: 'registry-1.docker.io' }, UnsupportedUpstreamRegistryException, 'The specified upstream registry requires authentication. Specify a valid Secrets Manager ARN and try again'],
      [{ ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: 'ghcr.io', credentialArn: DOCKER_HUB_SECRET.replace('eu-west-1', 'us-east-1') }, SecretNotFoundException],
      [{ ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: 'ghcr.io', credentialArn: DOCKER_HUB_SECRET.replace(ACCOUNT, '210987654321') }, UnableToAccessSecretException],
      [{ ecrRepositoryPrefix: 'ROOT', upstreamRegistryUrl: 'quay.io' }, InvalidParameterException],
      [{ ecrRepositoryPrefix: 'quay', upstreamRegistryUrl: 'quay.io', upstreamRepositoryPrefix: 'team' }, InvalidParameterException],
      [{ ecrRepositoryPrefix: 'quay', upstreamRegistryUrl: 'quay.io', customRoleArn: `arn:aws:iam::${ACCOUNT}:role/pull` }, InvalidParameterException],
      [{ ecrRepositoryPrefix: 'mirror', upstreamRegistryUrl: '210987654321.dkr.ecr.eu-west-1.amazonaws.com' }, InvalidParameterException],
      [{ ecrRepositoryPrefix: 'mirror', upstreamRegistryUrl: '210987654321.dkr.ecr.eu-west-1.amazonaws.com', customRoleArn: 'arn:aws:iam::210987654321:role/pull' }, InvalidParameterException],
      [{ ecrRepositoryPrefix: 'mirror', upstreamRegistryUrl: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com` }, InvalidParameterException],
      [{ ecrRepositoryPrefix: 'mirror', upstreamRegistryUrl: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com`, credentialArn: DOCKER_HUB_SECRET }, InvalidParameterException],
    ]
    for (const [input, type, message] of cases) {
      const error = await createRule(input).catch((caught) => caught)
      expect(error, JSON.stringify(input)).toBeInstanceOf(type)
      if (message !== undefined) expect(error.message).toBe(message)
    }
    const { pullThroughCacheRules } = await client().send(new DescribePullThroughCacheRulesCommand({}))
    expect(pullThroughCacheRules?.map((rule) => rule.ecrRepositoryPrefix)).toEqual(['ecr-public'])
  })

  it('accepts every upstream ECR documents, with a secret where one is needed', async () => {
    const upstreams: Array<Partial<CreatePullThroughCacheRuleCommandInput>> = [
      { upstreamRegistryUrl: 'quay.io' },
      { upstreamRegistryUrl: 'registry.k8s.io' },
      { upstreamRegistryUrl: 'registry-1.docker.io', credentialArn: DOCKER_HUB_SECRET },
      { upstreamRegistryUrl: 'ghcr.io', credentialArn: DOCKER_HUB_SECRET },
      { upstreamRegistryUrl: 'registry.gitlab.com', credentialArn: DOCKER_HUB_SECRET },
      { upstreamRegistryUrl: 'myregistry.azurecr.io', credentialArn: DOCKER_HUB_SECRET },
      { upstreamRegistryUrl: 'cgr.dev', credentialArn: DOCKER_HUB_SECRET },
      { upstreamRegistryUrl: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com` },
      { upstreamRegistryUrl: '210987654321.dkr.ecr.us-west-2.amazonaws.com', customRoleArn: `arn:aws:iam::${ACCOUNT}:role/pull` },
    ]
    const registries = []
    for (const [index, input] of upstreams.entries()) {
      registries.push((await createRule({ ecrRepositoryPrefix: `upstream-${index}`, ...input })).upstreamRegistry)
    }
    expect(registries).toEqual(['quay', 'k8s', 'docker-hub', 'github-container-registry', 'gitlab-container-registry', 'azure-container-registry', 'chainguard', 'ecr', 'ecr'])
    const ecrRule = await createRule({ ecrRepositoryPrefix: 'ROOT', upstreamRegistryUrl: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com` })
    expect(ecrRule.upstreamRepositoryPrefix).toBe('ROOT')
  })

  it('pages through the rules; a prefix without a rule is PullThroughCacheRuleNotFoundException; the quota holds', async () => {
    const prefixes = Array.from({ length: 20 }, (_, index) => `cache-${index}`)
    for (const prefix of prefixes) await createRule({ ecrRepositoryPrefix: prefix })
    const seen: string[] = []
    for await (const page of paginateDescribePullThroughCacheRules({ client: client(), pageSize: 6 }, {})) {
      seen.push(...page.pullThroughCacheRules!.map((rule) => rule.ecrRepositoryPrefix!))
    }
    expect(seen).toEqual(prefixes)
    const missing = await client().send(new DescribePullThroughCacheRulesCommand({ ecrRepositoryPrefixes: ['cache-1', 'nothing'] })).catch((error) => error)
    expect(missing).toBeInstanceOf(PullThroughCacheRuleNotFoundException)
    expect(missing.message).toBe(`The pull through cache rule with the prefix 'nothing' does not exist in the registry with id '${ACCOUNT}'`)
    const full = await createRule({ ecrRepositoryPrefix: 'one-more' }).catch((error) => error)
    expect(full).toBeInstanceOf(LimitExceededException)
    expect(full.message).toBe(`The registry with id '${ACCOUNT}' already has the maximum allowed number of pull through cache rules which is '20'`)
  })

  it('updates a rule’s secret or role, and deletes it', async () => {
    await createRule({ ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: 'registry-1.docker.io', credentialArn: `${DOCKER_HUB_SECRET}-old` })
    clock += 60_000
    const updated = await client().send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'hub', credentialArn: DOCKER_HUB_SECRET }))
    expect(updated).toEqual({ ecrRepositoryPrefix: 'hub', registryId: ACCOUNT, credentialArn: DOCKER_HUB_SECRET, updatedAt: new Date(clock), $metadata: expect.anything() })
    await expect(
      client().send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'hub', customRoleArn: `arn:aws:iam::${ACCOUNT}:role/pull` })),
    ).rejects.toThrow(InvalidParameterException)
    await createRule({ ecrRepositoryPrefix: 'west', upstreamRegistryUrl: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com` })
    const withRole = await client().send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'west', customRoleArn: `arn:aws:iam::${ACCOUNT}:role/pull` }))
    expect(withRole).toMatchObject({ customRoleArn: `arn:aws:iam::${ACCOUNT}:role/pull`, upstreamRepositoryPrefix: 'ROOT' })

    const deleted = await client().send(new DeletePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'hub' }))
    expect(deleted).toMatchObject({ ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: 'registry-1.docker.io', credentialArn: DOCKER_HUB_SECRET, registryId: ACCOUNT })
    expect(deleted).not.toHaveProperty('upstreamRegistry')
    await expect(client().send(new DeletePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'hub' }))).rejects.toThrow(PullThroughCacheRuleNotFoundException)
    await expect(client().send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'hub', credentialArn: DOCKER_HUB_SECRET }))).rejects.toThrow(
      PullThroughCacheRuleNotFoundException,
    )
  })

  it('validates a rule against the secret its upstream accepts', async () => {
    await createRule({ ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: 'registry-1.docker.io', credentialArn: `${DOCKER_HUB_SECRET}-wrong` })
    const invalid = await client().send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'hub' }))
    expect(invalid).toMatchObject({
      ecrRepositoryPrefix: 'hub',
      registryId: ACCOUNT,
      upstreamRegistryUrl: 'registry-1.docker.io',
      credentialArn: `${DOCKER_HUB_SECRET}-wrong`,
      isValid: false,
      failure: 'The authentication to the upstream registry failed. Verify that the credentials are valid and try again',
    })
    await client().send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'hub', credentialArn: DOCKER_HUB_SECRET }))
    const valid = await client().send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'hub' }))
    expect(valid.isValid).toBe(true)
    expect(valid).not.toHaveProperty('failure')
    await expect(client().send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'nothing' }))).rejects.toThrow(PullThroughCacheRuleNotFoundException)
  })
})

describe('pulling through a rule', () => {
  it('creates the repository with ECR’s defaults on the first pull and caches the upstream image', async () => {
    await createRule()
    const alpine = await ecr.seed.upstream('public.ecr.aws', 'docker/library/alpine', { tag: '3.20', layers: [100, 200] })
    const { images, failures } = await pull('ecr-public/docker/library/alpine', '3.20')
    expect(failures).toEqual([])
    expect(images).toEqual([
      {
        registryId: ACCOUNT,
        repositoryName: 'ecr-public/docker/library/alpine',
        imageId: { imageDigest: alpine.imageDigest, imageTag: '3.20' },
        imageManifest: alpine.imageManifest,
        imageManifestMediaType: alpine.imageManifestMediaType,
      },
    ])
    const { repositories } = await client().send(new DescribeRepositoriesCommand({ repositoryNames: ['ecr-public/docker/library/alpine'] }))
    expect(repositories![0]).toMatchObject({ imageTagMutability: 'MUTABLE', encryptionConfiguration: { encryptionType: 'AES256' } })
    const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName: 'ecr-public/docker/library/alpine' }))
    expect(imageDetails).toMatchObject([{ imageDigest: alpine.imageDigest, imageTags: ['3.20'], imageSizeInBytes: alpine.imageSizeInBytes }])
    // The layers are there, byte for byte.
    const layer = (JSON.parse(alpine.imageManifest) as { layers: Array<{ digest: string }> }).layers[1]!.digest
    const { downloadUrl } = await client().send(new GetDownloadUrlForLayerCommand({ repositoryName: 'ecr-public/docker/library/alpine', layerDigest: layer }))
    const download = await ecr.openDownload(downloadUrl!)
    expect(download?.status).toBe('ok')
    if (download?.status === 'ok') expect(sha256(await download.read())).toBe(layer)
  })

  it('applies the PULL_THROUGH_CACHE template of the prefix to the repositories it creates', async () => {
    await createRule()
    await client().send(
      new CreateRepositoryCreationTemplateCommand({
        prefix: 'ecr-public',
        appliedFor: ['PULL_THROUGH_CACHE'],
        imageTagMutability: 'IMMUTABLE',
        repositoryPolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' }] }),
      }),
    )
    await ecr.seed.upstream('public.ecr.aws', 'docker/library/alpine', { tag: '3.20' })
    await pull('ecr-public/docker/library/alpine', '3.20')
    const { repositories } = await client().send(new DescribeRepositoriesCommand({ repositoryNames: ['ecr-public/docker/library/alpine'] }))
    expect(repositories![0]!.imageTagMutability).toBe('IMMUTABLE')
    const { policyText } = await client().send(new GetRepositoryPolicyCommand({ repositoryName: 'ecr-public/docker/library/alpine' }))
    expect(policyText).toContain('"Action" : "ecr:BatchGetImage"')
  })

  it('fails with UnableToGetUpstreamImageException for an image the upstream lacks, creating nothing', async () => {
    await createRule()
    await ecr.seed.upstream('public.ecr.aws', 'docker/library/alpine', { tag: '3.20' })
    const before = ecr.snapshot()
    const error = await pull('ecr-public/docker/library/alpine', '9.99').catch((caught) => caught)
    expect(error).toBeInstanceOf(UnableToGetUpstreamImageException)
    expect(error.message).toBe(
      "The image with imageId {imageDigest:'null', imageTag:'9.99'} does not exist within the upstream repository with name 'docker/library/alpine' in the upstream registry 'public.ecr.aws'",
    )
    await expect(pull('ecr-public/docker/library/nothing', 'latest')).rejects.toThrow(UnableToGetUpstreamImageException)
    expect(ecr.snapshot()).toEqual(before)
    // Outside any rule's namespace, a missing repository is what it always was.
    await expect(pull('elsewhere/alpine', '3.20')).rejects.toThrow(RepositoryNotFoundException)
  })

  it('fetches later tags, digests and whole multi-platform images into the cached repository', async () => {
    await createRule()
    const first = await ecr.seed.upstream('public.ecr.aws', 'team/app', { tag: 'v1' })
    const second = await ecr.seed.upstream('public.ecr.aws', 'team/app', { tags: ['v2', 'latest'], platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] })
    await pull('ecr-public/team/app', 'v1')
    const byDigest = await client().send(
      new BatchGetImageCommand({ repositoryName: 'ecr-public/team/app', imageIds: [{ imageDigest: second.children![1]!.imageDigest }, { imageTag: 'latest' }] }),
    )
    expect(byDigest.images?.map((image) => image.imageId)).toEqual([
      { imageDigest: second.children![1]!.imageDigest },
      { imageDigest: second.imageDigest, imageTag: 'latest' },
    ])
    const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName: 'ecr-public/team/app' }))
    expect(new Map(imageDetails!.map((image) => [image.imageDigest, image.imageTags ?? []]))).toEqual(
      new Map([
        [first.imageDigest, ['v1']],
        [second.children![0]!.imageDigest, []],
        [second.children![1]!.imageDigest, []],
        [second.imageDigest, ['latest']],
      ]),
    )
  })

  it('authenticates with the rule’s secret: a secret the upstream does not accept fails the pull', async () => {
    await createRule({ ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: 'registry-1.docker.io', credentialArn: `${DOCKER_HUB_SECRET}-wrong` })
    const error = await pull('hub/library/nginx', 'latest').catch((caught) => caught)
    expect(error).toBeInstanceOf(UnableToGetUpstreamImageException)
    expect(error.message).toBe('The authentication to the upstream registry failed. Verify that the credentials are valid and try again')
    await client().send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'hub', credentialArn: DOCKER_HUB_SECRET }))
    const { images } = await pull('hub/library/nginx', 'latest')
    expect(images).toHaveLength(1)
  })

  it('fetches a layer the cache lacks with the image that holds it; one the upstream lacks is UnableToGetUpstreamLayerException', async () => {
    await createRule()
    const image = await ecr.seed.upstream('public.ecr.aws', 'team/app', { tag: 'v1', layers: [50] })
    const layer = (JSON.parse(image.imageManifest) as { layers: Array<{ digest: string }> }).layers[0]!.digest
    const { layerDigest } = await client().send(new GetDownloadUrlForLayerCommand({ repositoryName: 'ecr-public/team/app', layerDigest: layer }))
    expect(layerDigest).toBe(layer)
    const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName: 'ecr-public/team/app' }))
    expect(imageDetails?.map((detail) => detail.imageDigest)).toEqual([image.imageDigest])
    const error = await client()
      .send(new GetDownloadUrlForLayerCommand({ repositoryName: 'ecr-public/team/app', layerDigest: `sha256:${'2'.repeat(64)}` }))
      .catch((caught) => caught)
    expect(error).toBeInstanceOf(UnableToGetUpstreamLayerException)
  })

  it('pulls from another ECR registry of the engine, mapping the upstream repository prefix', async () => {
    const upstream = await ecr.seed.image('upstream-app/web', { tag: 'v1', context: { region: 'us-west-2' } })
    await createRule({
      ecrRepositoryPrefix: 'mirror',
      upstreamRegistryUrl: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com`,
      upstreamRepositoryPrefix: 'upstream-app',
    })
    const { images } = await pull('mirror/web', 'v1')
    expect(images?.[0]?.imageId).toEqual({ imageDigest: upstream.imageDigest, imageTag: 'v1' })
    const layer = (JSON.parse(upstream.imageManifest) as { layers: Array<{ digest: string }> }).layers[0]!.digest
    const { downloadUrl } = await client().send(new GetDownloadUrlForLayerCommand({ repositoryName: 'mirror/web', layerDigest: layer }))
    const download = await ecr.openDownload(downloadUrl!)
    if (download?.status !== 'ok') throw new Error(`layer not served: ${download?.status}`)
    expect(sha256(await download.read())).toBe(layer)
  })

  it('keeps what it cached after the rule is deleted and across a restart on the same storage', async () => {
    const storage = memoryStorage()
    const upstreams = [{ registryUrl: 'quay.io', repositories: [{ name: 'org/tool', images: [{ tag: '1.0', layers: [300] }] }] }]
    const first = createEcr({ storage, upstreams })
    await first.call('CreatePullThroughCacheRule', { ecrRepositoryPrefix: 'quay', upstreamRegistryUrl: 'quay.io' })
    const { images } = await first.call('BatchGetImage', { repositoryName: 'quay/org/tool', imageIds: [{ imageTag: '1.0' }] })
    await first.call('DeletePullThroughCacheRule', { ecrRepositoryPrefix: 'quay' })
    const second = createEcr({ storage })
    const again = await second.call('BatchGetImage', { repositoryName: 'quay/org/tool', imageIds: [{ imageTag: '1.0' }] })
    expect(again.images?.[0]?.imageManifest).toBe(images?.[0]?.imageManifest)
    const layer = (JSON.parse(images![0]!.imageManifest!) as { layers: Array<{ digest: string }> }).layers[0]!.digest
    const { downloadUrl } = await second.call('GetDownloadUrlForLayer', { repositoryName: 'quay/org/tool', layerDigest: layer })
    const download = await second.openDownload(downloadUrl!)
    if (download?.status !== 'ok') throw new Error(`layer not served: ${download?.status}`)
    expect(sha256(await download.read())).toBe(layer)
  })
})
