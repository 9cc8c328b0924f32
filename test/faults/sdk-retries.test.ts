import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRServiceException,
  PutImageCommand,
  ServerException,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { rejection } from '../fixtures.js'
import { useFakeEcr } from '../sdk/harness.js'

// The harness resets the engine after each test, which removes injected faults too.
const { ecr, client } = useFakeEcr()

describe('injected faults through the SDK', () => {
  it('throttles twice, and the standard retry succeeds on the third attempt', async () => {
    const fault = ecr.faults.add({ operations: ['CreateRepository'], error: { code: 'ThrottlingException' }, times: 2 })
    const { repository, $metadata } = await client({ maxAttempts: 3 }).send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    expect(repository?.repositoryName).toBe('app')
    expect($metadata.attempts).toBe(3)
    expect(fault.affected).toBe(2)
  })

  it('fails with the last throttle when the retries run out, having created nothing', async () => {
    ecr.faults.add({ operations: ['CreateRepository'], error: { code: 'ThrottlingException' }, times: 1 })
    const error = await rejection(client({ maxAttempts: 1 }).send(new CreateRepositoryCommand({ repositoryName: 'app' })))
    expect(error.name).toBe('ThrottlingException')
    expect(error.message).toBe('Rate exceeded')
    expect(error.$metadata.httpStatusCode).toBe(400)
    expect(ecr.snapshot()).toEqual([])
  })

  it('answers ServerException with 500, which the SDK retries', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'app' }, { region: 'eu-west-1' })
    const fault = ecr.faults.add({ operations: ['DescribeRepositories'], error: { code: 'ServerException' }, times: 1 })
    const once = await rejection(client().send(new DescribeRepositoriesCommand({})))
    expect(once).toBeInstanceOf(ServerException)
    expect(once.$metadata.httpStatusCode).toBe(500)
    expect(once.$fault).toBe('server')

    fault.remove()
    ecr.faults.add({ operations: ['DescribeRepositories'], error: { code: 'ServerException' }, times: 1 })
    const { repositories, $metadata } = await client({ maxAttempts: 2 }).send(new DescribeRepositoriesCommand({}))
    expect(repositories?.map((repository) => repository.repositoryName)).toEqual(['app'])
    expect($metadata.attempts).toBe(2)
  })

  it('surfaces an error ECR does not model (AccessDeniedException) as ECRServiceException with its name', async () => {
    ecr.faults.add({
      operations: ['PutImage'],
      error: { code: 'AccessDeniedException', message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:PutImage' },
    })
    await ecr.call('CreateRepository', { repositoryName: 'app' }, { region: 'eu-west-1' })
    const before = ecr.snapshot()
    const error = await rejection(client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: '{}', imageTag: 'v1' })))
    expect(error.constructor).toBe(ECRServiceException)
    expect(error.name).toBe('AccessDeniedException')
    expect(error.message).toMatch(/is not authorized to perform: ecr:PutImage$/)
    expect(ecr.snapshot()).toEqual(before)
  })

  it('delays a call by its latency and then answers it normally', async () => {
    const fault = ecr.faults.add({ operations: ['DescribeRepositories'], latencyMs: 20 })
    const { repositories } = await client().send(new DescribeRepositoriesCommand({}))
    expect(repositories).toEqual([])
    expect(fault.affected).toBe(1)
  })
})
