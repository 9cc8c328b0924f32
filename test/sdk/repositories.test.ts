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
import { useFakeEcr } from './harness.js'

const { ecr, client } = useFakeEcr()

describe('repositories', () => {
  it('creates and describes a repository with ECR defaults', async () => {
    const ecrClient = client()
    const { repository } = await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }))
    expect(repository).toMatchObject({
      repositoryName: 'team/app',
      registryId: '123456789012',
      repositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/team/app',
      repositoryUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app',
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
