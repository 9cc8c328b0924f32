import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  RepositoryNotFoundException,
  type ECRClientConfig,
} from '@aws-sdk/client-ecr'
import { afterEach, describe, expect, it } from 'vitest'
import { rejection } from '../fixtures.js'
import { credentials } from '../sdk/harness.js'
import { MAX_REQUEST_BYTES } from '../../handlers/index.js'
import { ecrRequestHandler, type SdkHttpRequest } from '../../handlers/sdk/index.js'
import { createEcr } from '../../src/index.js'

const ecr = createEcr()
afterEach(() => ecr.reset())

const client = (config: ECRClientConfig = {}) =>
  new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1, requestHandler: ecrRequestHandler(ecr), ...config })

/** A request as the SDK hands it over, for an operation, with a body. */
function apiRequest(operation: string, body: unknown, headers: Record<string, string> = {}): SdkHttpRequest {
  return {
    method: 'POST',
    protocol: 'https:',
    hostname: 'api.ecr.eu-west-1.amazonaws.com',
    path: '/',
    query: {},
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerRegistry_V20150921.${operation}`, ...headers },
    body,
  }
}

async function answer(request: SdkHttpRequest) {
  const { response } = await ecrRequestHandler(ecr).handle(request)
  return { status: response.statusCode, headers: response.headers, text: new TextDecoder().decode(response.body) }
}

describe('ecrRequestHandler', () => {
  it('answers the SDK from the engine, with a request id the SDK reads', async () => {
    const { repository, $metadata } = await client().send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    expect(repository?.repositoryUri).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app')
    expect($metadata).toMatchObject({ httpStatusCode: 200, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) })
    expect((await ecr.call('DescribeRepositories', {}, { region: 'eu-west-1' })).repositories?.map((r) => r.repositoryName)).toEqual(['app'])
  })

  it('sends errors as AWS JSON with __type, which the SDK turns into its own exception classes', async () => {
    const error = await rejection(client().send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] })))
    expect(error).toBeInstanceOf(RepositoryNotFoundException)
    expect(error.$metadata.httpStatusCode).toBe(400)
    expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)

    const { status, headers, text } = await answer(apiRequest('DescribeRepositories', '{"repositoryNames":["nope"]}'))
    expect({ status, contentType: headers['content-type'] }).toEqual({ status: 400, contentType: 'application/x-amz-json-1.1' })
    expect(JSON.parse(text)).toEqual({
      __type: 'RepositoryNotFoundException',
      message: "The repository with name 'nope' does not exist in the registry with id '123456789012'",
    })
  })

  it('refuses a body that is not JSON with 400 SerializationException, in Coral’s words', async () => {
    const { status, text } = await answer(apiRequest('CreateRepository', new TextEncoder().encode('{"repositoryName":')))
    expect(status).toBe(400)
    expect(JSON.parse(text)).toEqual({ __type: 'com.amazon.coral.service#SerializationException', Message: expect.any(String) })
    expect(ecr.snapshot()).toEqual([])
  })

  it('answers a body of another Content-Type with Coral’s 404, and a body over the limit with 413', async () => {
    expect(await answer(apiRequest('CreateRepository', '{}', { 'content-type': 'text/plain' }))).toMatchObject({
      status: 404,
      text: '<UnknownOperationException/>\n',
    })
    const tooBig = await answer(apiRequest('UploadLayerPart', new Uint8Array(MAX_REQUEST_BYTES + 1)))
    expect(tooBig.status).toBe(413)
    expect(JSON.parse(tooBig.text).__type).toBe('RequestEntityTooLargeException')
  })

  it('reads bodies as bytes, as text (earlier SDK releases), and a missing one as empty', async () => {
    const input = '{"repositoryName":"app"}'
    expect((await answer(apiRequest('CreateRepository', input))).status).toBe(200)
    expect(JSON.parse((await answer(apiRequest('CreateRepository', new TextEncoder().encode(input)))).text).__type).toBe(
      'RepositoryAlreadyExistsException',
    )
    // An empty body is no JSON object, through MSW as here.
    expect(JSON.parse((await answer(apiRequest('DescribeRepositories', undefined))).text)).toEqual({
      __type: 'com.amazon.coral.service#SerializationException',
      Message: 'The request body is not valid JSON',
    })
  })

  it('injects the engine’s faults, which the SDK retries', async () => {
    const fault = ecr.faults.add({ operations: ['CreateRepository'], error: { code: 'ThrottlingException' }, times: 1 })
    const { $metadata } = await client({ maxAttempts: 2 }).send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    expect($metadata.attempts).toBe(2)
    expect(fault.affected).toBe(1)
  })

  it('gives up on an aborted call with the SDK’s AbortError, before or while the engine answers', async () => {
    const before = client().send(new DescribeRepositoriesCommand({}), { abortSignal: AbortSignal.abort() })
    await expect(before).rejects.toMatchObject({ name: 'AbortError' })

    // A read: the engine finishes the call after the test, as a server would, and changes nothing.
    ecr.faults.add({ operations: ['DescribeRepositories'], latencyMs: 5_000 })
    const controller = new AbortController()
    const pending = client().send(new DescribeRepositoriesCommand({}), { abortSignal: controller.signal })
    setTimeout(() => controller.abort(), 10)
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', message: 'Request aborted' })
  })

  it('names a custom endpoint in download URLs, and in repository URIs with registryAddresses: endpoint', async () => {
    const endpoint = 'http://localhost:4566'
    const custom = (options = {}) =>
      new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1, endpoint, requestHandler: ecrRequestHandler(ecr, options) })
    const { repository } = await custom({ registryAddresses: 'endpoint' }).send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    expect(repository?.repositoryUri).toBe('localhost:4566/app')

    const image = await ecr.seed.image('app', { tag: 'v1', layers: [8], context: { region: 'eu-west-1' } })
    const layerDigest = JSON.parse(image.imageManifest).layers[0].digest
    const { downloadUrl } = await custom().send(new GetDownloadUrlForLayerCommand({ repositoryName: 'app', layerDigest }))
    expect(new URL(downloadUrl!).origin).toBe(endpoint)
    const { downloadUrl: onAws } = await client().send(new GetDownloadUrlForLayerCommand({ repositoryName: 'app', layerDigest }))
    expect(new URL(onAws!).host).toBe('prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com')
  })

  it('refuses requests that are not ECR API calls, saying what to do', async () => {
    const request = { ...apiRequest('ListBuckets', '{}'), hostname: 's3.eu-west-1.amazonaws.com', headers: { 'x-amz-target': 'S3.ListBuckets' } }
    await expect(ecrRequestHandler(ecr).handle(request)).rejects.toThrow(
      'fake-ecr: ecrRequestHandler answers ECR API calls only, not POST https://s3.eu-west-1.amazonaws.com/. Suggested fix: give it to an ECRClient only.',
    )
  })

  it('is destroyed with its client', () => {
    const sdk = client()
    expect(() => sdk.destroy()).not.toThrow()
  })
})
