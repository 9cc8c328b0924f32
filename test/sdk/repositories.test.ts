import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  InvalidParameterException,
  RepositoryAlreadyExistsException,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  paginateDescribeRepositories,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { createEcr, memoryStorage } from '../../src/index.js'
import { useFakeEcr } from './harness.js'

const { ecr, client, registryHost } = useFakeEcr()

describe('repositories', () => {
  it('creates and describes a repository with ECR defaults', async () => {
    const ecrClient = client()
    const { repository } = await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }))
    expect(repository).toMatchObject({
      repositoryName: 'team/app',
      registryId: '123456789012',
      repositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/team/app',
      repositoryUri: `${registryHost('123456789012.dkr.ecr.eu-west-1.amazonaws.com')}/team/app`,
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    })
    expect(repository?.createdAt).toBeInstanceOf(Date)
    const { repositories } = await ecrClient.send(new DescribeRepositoriesCommand({}))
    expect(repositories?.map((r) => r.repositoryName)).toEqual(['team/app'])
  })

  it('refuses a duplicate and an invalid name', async () => {
    const ecrClient = client()
    await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    await expect(ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'app' }))).rejects.toThrow(
      RepositoryAlreadyExistsException,
    )
    const error = await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'A!' })).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe(
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*''",
    )
    expect(error.$metadata.httpStatusCode).toBe(400)
  })

  it('pages through 250 repositories exactly once each', async () => {
    const ecrClient = client()
    for (let i = 0; i < 250; i++) await ecrClient.send(new CreateRepositoryCommand({ repositoryName: `repo-${i}` }))
    const seen: string[] = []
    for await (const page of paginateDescribeRepositories({ client: ecrClient, pageSize: 40 }, {})) {
      seen.push(...(page.repositories ?? []).map((r) => r.repositoryName!))
    }
    expect(seen).toHaveLength(250)
    expect(new Set(seen).size).toBe(250)
  })

  it('deletes, and a second delete is RepositoryNotFound', async () => {
    const ecrClient = client()
    await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'gone' }))
    await ecrClient.send(new DeleteRepositoryCommand({ repositoryName: 'gone' }))
    await expect(ecrClient.send(new DeleteRepositoryCommand({ repositoryName: 'gone' }))).rejects.toThrow(
      RepositoryNotFoundException,
    )
  })

  it('keeps a repository with images unless forced, then deletes it with its images', async () => {
    const ecrClient = client()
    await ecr.seed.image('app', { tag: 'v1', context: { region: 'eu-west-1' } })
    const error = await ecrClient.send(new DeleteRepositoryCommand({ repositoryName: 'app' })).catch((e) => e)
    expect(error).toBeInstanceOf(RepositoryNotEmptyException)
    expect(error.message).toBe(
      "The repository with name 'app' in registry with id '123456789012' cannot be deleted because it still contains images",
    )
    const { repository } = await ecrClient.send(new DeleteRepositoryCommand({ repositoryName: 'app', force: true }))
    expect(repository?.repositoryName).toBe('app')
    // A repository created again under the same name starts empty.
    await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    expect((await ecr.call('ListImages', { repositoryName: 'app' }, { region: 'eu-west-1' })).imageIds).toEqual([])
  })

  it('describes named repositories, failing the whole call for a missing one', async () => {
    const ecrClient = client()
    await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'one' }))
    await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'two' }))
    const { repositories } = await ecrClient.send(new DescribeRepositoriesCommand({ repositoryNames: ['two', 'one'] }))
    expect(repositories?.map((r) => r.repositoryName)).toEqual(['two', 'one'])
    const error = await ecrClient.send(new DescribeRepositoriesCommand({ repositoryNames: ['one', 'three'] })).catch((e) => e)
    expect(error).toBeInstanceOf(RepositoryNotFoundException)
    expect(error.message).toBe("The repository with name 'three' does not exist in the registry with id '123456789012'")
    await expect(
      ecrClient.send(new DescribeRepositoriesCommand({ repositoryNames: ['one'], maxResults: 1 })),
    ).rejects.toThrow(InvalidParameterException)
  })

  it('updates tag mutability and scan-on-push, visible in DescribeRepositories', async () => {
    const ecrClient = client()
    await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'app', encryptionConfiguration: { encryptionType: 'KMS' } }))
    const mutability = await ecrClient.send(
      new PutImageTagMutabilityCommand({
        repositoryName: 'app',
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
      }),
    )
    expect(mutability).toMatchObject({
      registryId: '123456789012',
      repositoryName: 'app',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
    })
    const scanning = await ecrClient.send(
      new PutImageScanningConfigurationCommand({ repositoryName: 'app', imageScanningConfiguration: { scanOnPush: true } }),
    )
    expect(scanning.imageScanningConfiguration).toEqual({ scanOnPush: true })
    const { repositories } = await ecrClient.send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] }))
    expect(repositories?.[0]).toMatchObject({
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS' },
    })
    await expect(
      ecrClient.send(new PutImageTagMutabilityCommand({ repositoryName: 'ghost', imageTagMutability: 'MUTABLE' })),
    ).rejects.toThrow(RepositoryNotFoundException)
    await expect(
      ecrClient.send(
        new CreateRepositoryCommand({ repositoryName: 'aes', encryptionConfiguration: { encryptionType: 'AES256', kmsKey: 'arn:aws:kms:eu-west-1:123456789012:key/abc' } }),
      ),
    ).rejects.toThrow(InvalidParameterException)
  })
})

describe('repositories: encryption with the AWS managed KMS key', () => {
  // The key ARN shape real ECR answers with (discoveries §20): a version-4 UUID key id.
  const managedKey = (region: string, account = '123456789012') =>
    new RegExp(`^arn:aws:kms:${region}:${account}:key/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

  it('names the account’s AWS managed key when KMS is asked for without a key, and keeps naming it', async () => {
    const ecrClient = client()
    const created = await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'app', encryptionConfiguration: { encryptionType: 'KMS' } }))
    const kmsKey = created.repository?.encryptionConfiguration?.kmsKey
    expect(kmsKey).toMatch(managedKey('eu-west-1'))
    expect(created.repository?.encryptionConfiguration).toEqual({ encryptionType: 'KMS', kmsKey })
    const { repositories } = await ecrClient.send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] }))
    expect(repositories?.[0]?.encryptionConfiguration).toEqual({ encryptionType: 'KMS', kmsKey })
    const deleted = await ecrClient.send(new DeleteRepositoryCommand({ repositoryName: 'app' }))
    expect(deleted.repository?.encryptionConfiguration).toEqual({ encryptionType: 'KMS', kmsKey })
  })

  it('is one key per account and region, for KMS and KMS_DSSE alike', async () => {
    const send = (repositoryName: string, encryptionType: 'KMS' | 'KMS_DSSE', region = 'eu-west-1', registryId?: string) =>
      client({ region })
        .send(new CreateRepositoryCommand({ repositoryName, encryptionConfiguration: { encryptionType }, ...(registryId && { registryId }) }))
        .then(({ repository }) => repository?.encryptionConfiguration?.kmsKey)
    const first = await send('one', 'KMS')
    expect(await send('two', 'KMS_DSSE')).toBe(first)
    const elsewhere = await send('three', 'KMS', 'us-west-2')
    expect(elsewhere).toMatch(managedKey('us-west-2'))
    const otherAccount = await send('four', 'KMS', 'eu-west-1', '111122223333')
    expect(otherAccount).toMatch(managedKey('eu-west-1', '111122223333'))
    expect(new Set([first, elsewhere, otherAccount]).size).toBe(3)
  })

  it('keeps a key the caller names, and names none for AES256', async () => {
    const ecrClient = client()
    const kmsKey = 'arn:aws:kms:eu-west-1:123456789012:key/0b6a2b1e-1c3d-4e5f-8a9b-0c1d2e3f4a5b'
    const named = await ecrClient.send(
      new CreateRepositoryCommand({ repositoryName: 'named', encryptionConfiguration: { encryptionType: 'KMS', kmsKey } }),
    )
    expect(named.repository?.encryptionConfiguration).toEqual({ encryptionType: 'KMS', kmsKey })
    const aes = await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'aes', encryptionConfiguration: { encryptionType: 'AES256' } }))
    expect(aes.repository?.encryptionConfiguration).toEqual({ encryptionType: 'AES256' })
  })

  it('is the same key after a restart on the same storage', async () => {
    const storage = memoryStorage()
    const kmsKey = async (repositoryName: string) => {
      const { repository } = await createEcr({ storage }).call('CreateRepository', {
        repositoryName,
        encryptionConfiguration: { encryptionType: 'KMS' },
      })
      return repository?.encryptionConfiguration?.kmsKey
    }
    const before = await kmsKey('before')
    expect(before).toMatch(managedKey('us-east-1'))
    expect(await kmsKey('after')).toBe(before)
  })
})
