import * as sdk from '@aws-sdk/client-ecr'
import { ECRClient, ECRServiceException, type DescribeRepositoriesCommand } from '@aws-sdk/client-ecr'
import { handleApiRequest } from '../../handlers/api.js'
import { attachEcr } from '../../handlers/sdk/index.js'
import { createEcr, type Ecr, type EcrOptions } from '../../src/index.js'

/** The engine's clock for the whole suite: calls made twice give the same answer. */
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0)
const ENDPOINT = 'https://api.ecr.us-east-1.amazonaws.com/'
const TARGET = 'AmazonEC2ContainerRegistry_V20150921'

export interface SuiteEngine {
  ecr: Ecr
  /** Empties the engine and restarts its ids, so the same setup builds the same state again. */
  restart(): Promise<void>
}

/**
 * An engine with a fixed clock and counted ids (and any further `options` a scenario needs): a
 * setup run twice yields the same upload ids, digests and timestamps, so a case can be compared
 * with the call it varies.
 *
 * @example
 * const { ecr, restart } = createSuiteEngine()
 * await restart()
 */
export function createSuiteEngine(options: EcrOptions = {}): SuiteEngine {
  let next = 0
  const ecr = createEcr({
    ...options,
    now: () => NOW,
    generateId: () => `00000000-0000-4000-8000-${(next++).toString(16).padStart(12, '0')}`,
  })
  return {
    ecr,
    async restart() {
      next = 0
      await ecr.reset()
    },
  }
}

export interface WireResponse {
  status: number
  body: unknown
}

/**
 * POSTs a raw body to the AWS JSON handler, as an SDK would send it to ECR in us-east-1, and
 * returns the status and the parsed JSON answer: what the SDK would deserialize.
 *
 * @example
 * const { status, body } = await send(ecr, 'ListImages', '{"repositoryName":"app"}')
 */
export async function send(ecr: Ecr, operation: string, body: string): Promise<WireResponse> {
  const request = new Request(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TARGET}.${operation}` },
    body,
  })
  const response = await handleApiRequest(ecr, request)
  if (response === undefined) throw new Error(`The handler did not take the ${operation} request`)
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
}

/**
 * What the suite sends its calls through: the AWS JSON handler (`wire`, the default), or an SDK
 * client with the engine attached (`attached`, env `FAKE_ECR_TRANSPORT=attached`), whose answers
 * are turned back into the JSON they stand for, so the same checks read them.
 */
export const through: 'wire' | 'attached' = process.env['FAKE_ECR_TRANSPORT'] === 'attached' ? 'attached' : 'wire'

const attachedClients = new WeakMap<Ecr, ECRClient>()

/**
 * {@link send} through `client.send` of an `ECRClient` attached to the engine (us-east-1): the
 * body is the command's input; an output comes back with Dates as epoch seconds and bytes as
 * base64, `$metadata` left out; an error as its status and `{ __type, message, …members }`, the
 * members the SDK's exception carries (those it holds as undefined left out).
 *
 * @example
 * const { status, body } = await sendAttached(ecr, 'ListImages', '{"repositoryName":"app"}')
 */
export async function sendAttached(ecr: Ecr, operation: string, body: string): Promise<WireResponse> {
  let client = attachedClients.get(ecr)
  if (client === undefined) {
    client = new ECRClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 })
    attachEcr(client, ecr)
    attachedClients.set(ecr, client)
  }
  const Command = (sdk as unknown as Record<string, new (input: unknown) => DescribeRepositoriesCommand>)[`${operation}Command`]
  if (Command === undefined) throw new Error(`@aws-sdk/client-ecr has no command for ${operation}`)
  try {
    const { $metadata, ...output } = await client.send(new Command(JSON.parse(body)))
    return { status: $metadata.httpStatusCode!, body: asJson(output) }
  } catch (error) {
    if (!(error instanceof ECRServiceException)) throw error
    const { $fault: _fault, $metadata, $retryable: _retryable, name: _name, ...members } = error as ECRServiceException & Record<string, unknown>
    // An exception class sets every member of its shape, those the body lacks as undefined.
    return { status: $metadata.httpStatusCode!, body: Object.fromEntries(Object.entries(members).filter(([, value]) => value !== undefined)) }
  }
}

/** An SDK output as the AWS JSON it was read from: Dates as epoch seconds, bytes as base64; nothing else changed. */
function asJson(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
  if (Array.isArray(value)) return value.map(asJson)
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asJson(item)]))
  return value
}
