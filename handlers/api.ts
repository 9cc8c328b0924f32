import type { Ecr } from '../src/ecr.js'
import { EcrError } from '../src/errors.js'
import { ECR_TARGET_PREFIX, regionOfApiHost, regionOfSignature } from './hosts.js'

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1'

/**
 * Answers one ECR API request (AWS JSON 1.1: `POST /` with `X-Amz-Target`), or returns
 * `undefined` when the request is not for ECR. A request is ECR's when it goes to an ECR API host
 * of any partition, or to any host (a custom endpoint) with an ECR `X-Amz-Target`. The region
 * comes from the host, else from the SigV4 credential scope, else the engine's default.
 */
export async function handleApiRequest(ecr: Ecr, request: Request): Promise<Response | undefined> {
  if (request.method !== 'POST') return undefined
  const url = new URL(request.url)
  const target = request.headers.get('x-amz-target')
  const hostRegion = regionOfApiHost(url.hostname)
  const forEcr = target?.startsWith(ECR_TARGET_PREFIX) ?? false
  if (hostRegion === undefined && !forEcr) return undefined

  const region = hostRegion ?? regionOfSignature(request.headers.get('authorization')) ?? ecr.region
  try {
    if (!forEcr) {
      throw new EcrError('UnknownOperationException', `The X-Amz-Target header '${target ?? ''}' names no ECR operation`)
    }
    const operation = target!.slice(ECR_TARGET_PREFIX.length)
    const input = parseBody(await request.text())
    const output = await ecr.call(operation as never, input as never, {
      region,
      ...(hostRegion === undefined && { endpoint: url.origin }),
    })
    return reply(200, JSON.stringify(output, epochSeconds))
  } catch (error) {
    const ecrError =
      error instanceof EcrError ? error : new EcrError('ServerException', `fake-ecr failed: ${String(error)}`)
    return reply(ecrError.status, JSON.stringify(ecrError.toJSON()))
  }
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new EcrError('SerializationException', 'The request body is not valid JSON')
  }
}

/** AWS JSON sends timestamps as epoch seconds (with a fraction for milliseconds). */
function epochSeconds(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key]
  return raw instanceof Date ? raw.getTime() / 1000 : value
}

function reply(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, 'x-amzn-RequestId': crypto.randomUUID() },
  })
}
