import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  type ECRClientConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-ecr'
import type { FinalizeRequestMiddleware } from '@smithy/types'
import { createHash } from 'node:crypto'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { rejection } from '../fixtures.js'
import { ecrHandlers, handleDownloadRequest, type EcrCredentials } from '../../handlers/index.js'
import { createEcrServer, type EcrServer } from '../../handlers/node/index.js'
import { ecrRequestHandler } from '../../handlers/sdk/index.js'
import { createEcr } from '../../src/index.js'

const alice = { accessKeyId: 'AKIAALICEEXAMPLE0001', secretAccessKey: 'alice/secret/key', accountId: '111111111111' }
const bob = { accessKeyId: 'AKIABOBEXAMPLE000002', secretAccessKey: 'bob/secret/key' }
const keys: EcrCredentials[] = [alice, bob]

const TRANSPORTS = ['msw', 'http', 'sdk'] as const

/** An engine served with signature verification, through MSW, over the standalone server, or by the SDK request handler. */
function useVerifyingEcr(transport: (typeof TRANSPORTS)[number], credentials: EcrCredentials[] | undefined) {
  const ecr = createEcr()
  const options = credentials === undefined ? {} : { credentials }
  const server = transport === 'msw' ? setupServer(...ecrHandlers(ecr, options)) : undefined
  const requestHandler = transport === 'sdk' ? ecrRequestHandler(ecr, options) : undefined
  let standalone: EcrServer | undefined
  beforeAll(async () => {
    if (server !== undefined) server.listen({ onUnhandledRequest: 'error' })
    else if (transport === 'http') standalone = await createEcrServer({ ecr, port: 0, ...options })
  })
  afterEach(() => ecr.reset())
  afterAll(async () => {
    server?.close()
    await standalone?.close()
  })
  const client = (key: { accessKeyId: string; secretAccessKey: string }, config: ECRClientConfig = {}) =>
    new ECRClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
      maxAttempts: 1,
      ...(standalone !== undefined && { endpoint: standalone.url }),
      ...(requestHandler !== undefined && { requestHandler }),
      ...config,
    })
  /** A raw API request, by `fetch` or, under `sdk`, straight to the request handler. */
  const post = async (headers: Record<string, string>, body: string): Promise<Response> => {
    if (requestHandler === undefined) return fetch(`${standalone?.url ?? 'https://api.ecr.eu-west-1.amazonaws.com'}/`, { method: 'POST', headers, body })
    const { response } = await requestHandler.handle({ method: 'POST', protocol: 'https:', hostname: 'api.ecr.eu-west-1.amazonaws.com', path: '/', headers, body })
    return new Response(response.body, { status: response.statusCode, headers: response.headers })
  }
  /** A GET of a layer download URL: nothing serves HTTP under `sdk`, so the download handler answers it there. */
  const download = async (url: string): Promise<Response> => (transport === 'sdk' ? (await handleDownloadRequest(ecr, new Request(url)))! : fetch(url))
  return { ecr, client, post, download }
}

describe.each(TRANSPORTS)('SigV4 verification (%s)', (transport) => {
  const { ecr, client, post, download } = useVerifyingEcr(transport, keys)

  it('accepts a request signed by a known key, acting as the account that key maps to', async () => {
    const { repository } = await client(alice).send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    expect(repository?.registryId).toBe('111111111111')
    expect(repository?.repositoryArn).toBe('arn:aws:ecr:eu-west-1:111111111111:repository/app')
    // A key without an account acts as the engine's account, which holds nothing yet.
    expect((await client(bob).send(new DescribeRepositoriesCommand({}))).repositories).toEqual([])
    await client(bob).send(new CreateRepositoryCommand({ repositoryName: 'app' }))
    expect(ecr.snapshot().filter((record) => record.kind === 'repository').map((record) => record.scope[0])).toEqual([
      '111111111111',
      '123456789012',
    ])
  })

  it('refuses a wrong secret with InvalidSignatureException and changes nothing', async () => {
    const error = await rejection(
      client({ ...alice, secretAccessKey: 'not/the/secret' }).send(new CreateRepositoryCommand({ repositoryName: 'app' })),
    )
    expect(error.name).toBe('InvalidSignatureException')
    expect(error.$metadata.httpStatusCode).toBe(400)
    expect(error.message).toBe(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    )
    expect(ecr.snapshot()).toEqual([])
  })

  it('refuses an unknown access key with UnrecognizedClientException', async () => {
    const error = await rejection(
      client({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'whatever' }).send(new DescribeRepositoriesCommand({})),
    )
    expect(error.name).toBe('UnrecognizedClientException')
    expect(error.$metadata.httpStatusCode).toBe(400)
    expect(error.message).toBe('The security token included in the request is invalid.')
  })

  it('refuses a body changed after signing, whether or not its payload hash header was changed to match', async () => {
    for (const rehash of [false, true]) {
      const tamper: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
        const request = args.request as { body: Uint8Array; headers: Record<string, string> }
        const body = new TextDecoder().decode(request.body).replace('"app"', '"apq"')
        request.body = new TextEncoder().encode(body)
        if (rehash) request.headers['x-amz-content-sha256'] = createHash('sha256').update(body).digest('hex')
        return next(args)
      }
      const tampering = client(alice)
      tampering.middlewareStack.addRelativeTo(tamper, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamperBody' })
      const error = await rejection(tampering.send(new CreateRepositoryCommand({ repositoryName: 'app' })))
      expect(error.name).toBe('InvalidSignatureException')
    }
    expect(ecr.snapshot()).toEqual([])
  })

  it('refuses a signature older than 15 minutes as expired; the SDK corrects its clock from the answer and retries', async () => {
    const late = client(alice, { systemClockOffset: -20 * 60 * 1000 })
    const error = await rejection(late.send(new DescribeRepositoriesCommand({})))
    expect(error.name).toBe('InvalidSignatureException')
    expect(error.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/)

    const retrying = client(alice, { systemClockOffset: -20 * 60 * 1000, maxAttempts: 2 })
    const { $metadata } = await retrying.send(new DescribeRepositoriesCommand({}))
    expect($metadata.attempts).toBe(2)
  })

  it('refuses a request without an Authorization header with MissingAuthenticationTokenException', async () => {
    const response = await post(
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories',
      },
      '{}',
    )
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    })
  })

  const HOST_UNSIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
  const MISMATCH =
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'
  it.each([
    ['names no header', '', HOST_UNSIGNED],
    ['names empty headers', ';;', HOST_UNSIGNED],
    ['names something that is no header', 'a b', HOST_UNSIGNED],
    ['signs the date but not the host', 'x-amz-date', HOST_UNSIGNED],
    ['also names empty headers', 'host;;x-amz-date', MISMATCH],
    // The date is in the string to sign whether or not the header is listed: a wrong signature is all that is left.
    ['signs the host but not the date', 'host', MISMATCH],
  ])('refuses an Authorization that %s with 400 InvalidSignatureException, as AWS does', async (_case, signedHeaders, message) => {
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
    const response = await post(
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DeleteRepository',
        'x-amz-date': amzDate,
        authorization: `AWS4-HMAC-SHA256 Credential=${alice.accessKeyId}/${amzDate.slice(0, 8)}/eu-west-1/ecr/aws4_request, SignedHeaders=${signedHeaders}, Signature=00`,
      },
      '{"repositoryName":"app"}',
    )
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ __type: 'InvalidSignatureException', message })
  })

  it('leaves layer download URLs alone: they carry the engine’s own signature', async () => {
    const image = await ecr.seed.image('app', { tag: 'v1', layers: [64], context: { accountId: '111111111111', region: 'eu-west-1' } })
    const layer = (JSON.parse(image.imageManifest) as { layers: Array<{ digest: string }> }).layers[0]!
    const { downloadUrl } = await client(alice).send(new GetDownloadUrlForLayerCommand({ repositoryName: 'app', layerDigest: layer.digest }))
    const response = await download(downloadUrl!)
    expect(response.status).toBe(200)
    expect((await response.arrayBuffer()).byteLength).toBe(64)
  })
})

describe.each(TRANSPORTS)('without credentials configured (%s)', (transport) => {
  const { client } = useVerifyingEcr(transport, undefined)

  it('accepts any key and secret, as before', async () => {
    const { repository } = await client({ accessKeyId: 'anything', secretAccessKey: 'at all' }).send(
      new CreateRepositoryCommand({ repositoryName: 'app' }),
    )
    expect(repository?.registryId).toBe('123456789012')
  })
})

describe('credentials option', () => {
  it('refuses lists that cannot work: empty, a repeated key, an account that is not 12 digits', () => {
    const ecr = createEcr()
    expect(() => ecrHandlers(ecr, { credentials: [] })).toThrow(/at least one access key/)
    expect(() => ecrHandlers(ecr, { credentials: [bob, { ...bob }] })).toThrow(/listed more than once/)
    expect(() => ecrHandlers(ecr, { credentials: [{ ...bob, accountId: '42' }] })).toThrow(/must be 12 digits/)
  })
})
