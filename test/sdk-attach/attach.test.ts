import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  InvalidParameterException,
  PutImageCommand,
  RepositoryNotFoundException,
  ServerException,
  StartImageScanCommand,
  paginateDescribeImages,
  waitUntilImageScanComplete,
  type DescribeRepositoriesCommandOutput,
} from '@aws-sdk/client-ecr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { attachEcr } from '../../handlers/sdk/index.js'
import { createEcr } from '../../src/index.js'
import { credentials } from '../sdk/harness.js'
import { rejection } from '../fixtures.js'

// No MSW here: a call that escaped attachEcr would go to the real ECR host, and fail.
const ecr = createEcr({ verifyReferences: false })
afterEach(() => ecr.reset())

function attachedClient(region = 'eu-west-1') {
  const client = new ECRClient({ region, credentials, maxAttempts: 1 })
  return { client, detach: attachEcr(client, ecr) }
}

describe('attachEcr', () => {
  it('answers from the engine, in the client’s region and the engine’s account', async () => {
    const { client } = attachedClient('ap-south-1')
    const { repository, $metadata } = await client.send(new CreateRepositoryCommand({ repositoryName: 'web' }))
    expect(repository?.repositoryArn).toBe('arn:aws:ecr:ap-south-1:123456789012:repository/web')
    expect(repository?.createdAt).toBeInstanceOf(Date)
    expect($metadata).toStrictEqual({
      httpStatusCode: 200,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      extendedRequestId: undefined,
      cfId: undefined,
      attempts: 1,
      totalRetryDelay: 0,
    })
    expect(await ecr.call('DescribeRepositories', {}, { region: 'ap-south-1' })).toMatchObject({ repositories: [{ repositoryName: 'web' }] })
  })

  it('throws the SDK’s exception classes, as its deserializer sets them', async () => {
    const { client } = attachedClient()
    const error = await rejection(client.send(new DescribeRepositoriesCommand({ repositoryNames: ['missing'] })))
    expect(error).toBeInstanceOf(RepositoryNotFoundException)
    expect(error).toBeInstanceOf(ECRServiceException)
    expect(error.name).toBe('RepositoryNotFoundException')
    expect(error.message).toBe("The repository with name 'missing' does not exist in the registry with id '123456789012'")
    expect(error.$fault).toBe('client')
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 })
    expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('validates the input through the engine', async () => {
    const { client } = attachedClient()
    const error = await rejection(client.send(new CreateRepositoryCommand({ repositoryName: 'Web' })))
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toMatch(/^Invalid parameter at 'repositoryName' failed to satisfy constraint/)
    expect(ecr.snapshot()).toEqual([])
  })

  it('fails a call with an injected fault, once (no retries), as the SDK’s first attempt sees it', async () => {
    const { client } = attachedClient()
    ecr.faults.add({ operations: ['DescribeRepositories'], error: { code: 'ServerException' }, times: 1 })
    const server = await rejection(client.send(new DescribeRepositoriesCommand({})))
    expect(server).toBeInstanceOf(ServerException)
    expect(server.$fault).toBe('server')
    expect(server.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 1 })

    // A code ECR does not model is the service's base exception with that name, as the SDK makes it.
    ecr.faults.add({ operations: ['PutImage'], error: { code: 'AccessDeniedException', message: 'not you' } })
    const denied = await rejection(client.send(new PutImageCommand({ repositoryName: 'web', imageManifest: '{}' })))
    expect(denied.constructor).toBe(ECRServiceException)
    expect({ name: denied.name, message: denied.message, $fault: denied.$fault }).toEqual({ name: 'AccessDeniedException', message: 'not you', $fault: 'client' })
  })

  it('waits out an injected latency, and the engine’s events fire', async () => {
    const { client } = attachedClient()
    const changes = vi.fn()
    const off = ecr.on('change', changes)
    const fault = ecr.faults.add({ operations: ['CreateRepository'], latencyMs: 20 })
    const started = performance.now()
    await client.send(new CreateRepositoryCommand({ repositoryName: 'web' }))
    expect(performance.now() - started).toBeGreaterThanOrEqual(19)
    expect(fault.affected).toBe(1)
    expect(changes).toHaveBeenCalledOnce()
    off()
  })

  it('serves the SDK’s paginators and waiters, which call send', async () => {
    const { client } = attachedClient()
    await ecr.seed.repository('web', {}, { region: 'eu-west-1' })
    for (let n = 0; n < 5; n++) await ecr.seed.image('web', { tag: `v${n}`, context: { region: 'eu-west-1' } })
    const tags: string[] = []
    for await (const page of paginateDescribeImages({ client, pageSize: 2 }, { repositoryName: 'web' })) {
      expect(page.imageDetails!.length).toBeLessThanOrEqual(2)
      tags.push(...page.imageDetails!.flatMap((detail) => detail.imageTags ?? []))
    }
    expect(tags.sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4'])

    await client.send(new StartImageScanCommand({ repositoryName: 'web', imageId: { imageTag: 'v0' } }))
    const { state } = await waitUntilImageScanComplete({ client, maxWaitTime: 30 }, { repositoryName: 'web', imageId: { imageTag: 'v0' } })
    expect(state).toBe('SUCCESS')
  })

  it('calls back when given a callback, as the SDK’s send does', async () => {
    const { client } = attachedClient()
    const answer = await new Promise<unknown>((resolve) =>
      client.send(new DescribeRepositoriesCommand({ repositoryNames: ['missing'] }), (error) => resolve(error)),
    )
    expect(answer).toBeInstanceOf(RepositoryNotFoundException)
    const output = await new Promise<DescribeRepositoriesCommandOutput | undefined>((resolve) =>
      client.send(new DescribeRepositoriesCommand({}), {}, (_error, data) => resolve(data)),
    )
    expect(output?.repositories).toEqual([])
  })

  it('skips middleware added to the client', async () => {
    const { client } = attachedClient()
    const middleware = vi.fn()
    client.middlewareStack.add((next) => (args) => (middleware(), next(args)), { step: 'initialize' })
    await client.send(new DescribeImagesCommand({ repositoryName: 'missing' })).catch(() => undefined)
    expect(middleware).not.toHaveBeenCalled()
  })

  it('detaches: the client’s own send is back, and the client can be attached again', async () => {
    const client = new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1 })
    const ownSend = client.send
    const detach = attachEcr(client, ecr)
    expect(client.send).not.toBe(ownSend)
    detach()
    expect(client.send).toBe(ownSend)
    expect(Object.hasOwn(client, 'send')).toBe(false)
    detach()
    attachEcr(client, ecr)()
    expect(client.send).toBe(ownSend)
  })

  it('leaves alone a send put in place after it was attached', () => {
    const client = new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1 })
    const detach = attachEcr(client, ecr)
    const stub = vi.fn()
    client.send = stub
    detach()
    expect(client.send).toBe(stub)
  })

  it('refuses to attach a client twice', () => {
    const { client } = attachedClient()
    expect(() => attachEcr(client, createEcr())).toThrow(
      'Failed to attach fake-ecr: this client is already attached to an engine. Call the function the first attachEcr returned to detach it, then attach again.',
    )
  })
})
