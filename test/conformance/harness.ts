import { handleApiRequest } from '../../handlers/api.js'
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
