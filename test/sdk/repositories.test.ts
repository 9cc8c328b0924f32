import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  InvalidParameterException,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
  paginateDescribeRepositories,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { useFakeEcr } from './harness.js'

const { client } = useFakeEcr()

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
})
