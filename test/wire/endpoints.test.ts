import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, RepositoryNotFoundException } from '@aws-sdk/client-ecr'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ecrHandlers } from '../../handlers/index.js'
import { createEcr } from '../../src/index.js'
import { credentials } from '../sdk/harness.js'

// The SDK resolves each region and endpoint variant to a host; MSW must answer every one of them.
const ecr = createEcr()
const server = setupServer(...ecrHandlers(ecr))
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => ecr.reset())
afterAll(() => server.close())

const client = (region: string, options: { useFipsEndpoint?: boolean; useDualstackEndpoint?: boolean; endpoint?: string } = {}) =>
  new ECRClient({ region, credentials, maxAttempts: 1, ...options })

describe('endpoint hosts of every partition', () => {
  it.each([
    ['us-east-1', {}, 'aws', 'amazonaws.com'],
    ['us-east-1', { useFipsEndpoint: true }, 'aws', 'amazonaws.com'],
    ['eu-west-1', { useDualstackEndpoint: true }, 'aws', 'amazonaws.com'],
    ['eu-west-1', { useFipsEndpoint: true, useDualstackEndpoint: true }, 'aws', 'amazonaws.com'],
    ['cn-north-1', {}, 'aws-cn', 'amazonaws.com.cn'],
    ['cn-northwest-1', { useDualstackEndpoint: true }, 'aws-cn', 'amazonaws.com.cn'],
    ['us-gov-west-1', { useFipsEndpoint: true }, 'aws-us-gov', 'amazonaws.com'],
    ['us-iso-east-1', {}, 'aws-iso', 'c2s.ic.gov'],
    ['us-isob-east-1', {}, 'aws-iso-b', 'sc2s.sgov.gov'],
    ['eu-isoe-west-1', {}, 'aws-iso-e', 'cloud.adc-e.uk'],
    ['us-isof-south-1', {}, 'aws-iso-f', 'csp.hci.ic.gov'],
    ['eusc-de-east-1', {}, 'aws-eusc', 'amazonaws.eu'],
  ])('%s %j', async (region, options, partition, dnsSuffix) => {
    const { repository } = await client(region, options).send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    expect(repository?.repositoryArn).toBe(`arn:${partition}:ecr:${region}:123456789012:repository/app`)
    expect(repository?.repositoryUri).toBe(`123456789012.dkr.ecr.${region}.${dnsSuffix}/app`)
  })

  it('pseudo-regions such as fips-us-east-1 reach us-east-1', async () => {
    await client('fips-us-east-1').send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    const { repositories } = await client('us-east-1').send(new DescribeRepositoriesCommand({}))
    expect(repositories?.map((repository) => repository.repositoryName)).toEqual(['app'])
  })

  it('keeps regions apart', async () => {
    await client('eu-west-1').send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    await expect(
      client('eu-central-1').send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] })),
    ).rejects.toThrow(RepositoryNotFoundException)
  })

  it('answers a custom endpoint on any host, in the region the request is signed for', async () => {
    const { repository } = await client('ap-south-1', { endpoint: 'http://ecr.internal.example:8080' }).send(
      new CreateRepositoryCommand({ repositoryName: 'app' }),
    )
    expect(repository?.repositoryArn).toBe('arn:aws:ecr:ap-south-1:123456789012:repository/app')
  })
})

describe('accounts', () => {
  it('keeps accounts apart; registryId addresses another account’s registry', async () => {
    const other = '210987654321'
    await ecr.call('CreateRepository', { repositoryName: 'shared' }, { accountId: other, region: 'eu-west-1' })
    const ours = client('eu-west-1')
    await expect(ours.send(new DescribeRepositoriesCommand({ repositoryNames: ['shared'] }))).rejects.toThrow(
      RepositoryNotFoundException,
    )
    const { repositories } = await ours.send(new DescribeRepositoriesCommand({ registryId: other }))
    expect(repositories?.[0]?.repositoryArn).toBe(`arn:aws:ecr:eu-west-1:${other}:repository/shared`)
  })
})
