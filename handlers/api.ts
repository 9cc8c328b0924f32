import type { Ecr } from '../src/glossary.js'
import { concatenate } from '../src/bytes.js'
import { EcrError } from '../src/errors.js'
import { frontEndDispatch } from '../src/front-end.js'
import { randomId } from '../src/random-id.js'
import type { Caller, OperationName } from '../src/glossary.js'
import { wireInputs } from '../src/model/wire-shapes.generated.js'
import { awsJsonError, awsJsonOutput, toResponse, type ApiAnswer } from './aws-json.js'
import { readJsonInput } from './aws-json-reader.js'
import { ECR_TARGET_PREFIX, regionOfApiHost, regionOfSignature } from './hosts.js'
import { wireRequestOf, type WireRequest } from './wire-request.js'
import { createRequestVerifier, type EcrCredentials, type RequestVerifier, type VerifiedCaller } from './sigv4.js'

/**
 * The largest request body answered, in bytes (28 MiB). The largest valid request is an
 * UploadLayerPart of 20 MiB, which is 27,962,028 bytes of base64 plus a little JSON; anything
 * bigger is refused before it is read whole (see decisions/limits.md).
 */
export const MAX_REQUEST_BYTES = 28 * 1024 * 1024

/** Options of `ecrHandlers` and `handleApiRequest`. */
export interface EcrHandlersOptions {
  /**
   * Verify SigV4 signatures: requests must be signed by one of these keys and act as its
   * account. Off by default (any signature, or none, is accepted).
   */
  credentials?: readonly EcrCredentials[]
  /**
   * The registry address that repositoryUri and GetAuthorizationToken's proxyEndpoint name for
   * API calls through a custom endpoint: `'aws'` (default) ECR's registry host
   * (`<account>.dkr.ecr.<region>.amazonaws.com`), which MSW intercepts; `'endpoint'` the custom
   * endpoint's own origin (e.g. `127.0.0.1:4566/<name>`, what the standalone server answers), for
   * every account and region, where the registry API must then answer too (`registryOnAnyHost`).
   * Calls to ECR's own API hosts always get ECR's registry host (decisions/registry-addresses.md).
   */
  registryAddresses?: 'aws' | 'endpoint'
  /**
   * Answer the registry API (`/v2/…`, docker, skopeo, crane) on any host, not only on ECR's
   * registry hosts (`<account>.dkr.ecr.<region>.amazonaws.com`): the account and region then come
   * from the token. The standalone server sets it.
   */
  registryOnAnyHost?: boolean
}

/**
 * Answers one ECR API request (AWS JSON 1.1: `POST /` with `X-Amz-Target`), or returns
 * `undefined` when the request is not for ECR. A request is ECR's when it goes to an ECR API host
 * of any partition, or to any host (a custom endpoint) with an ECR `X-Amz-Target`. The region
 * comes from the host, else from the SigV4 credential scope, else the engine's default. Bodies
 * over {@link MAX_REQUEST_BYTES} get 413 before they are read whole.
 *
 * @example
 * const response = await handleApiRequest(ecr, request, { credentials: [{ accessKeyId, secretAccessKey }] })
 */
export async function handleApiRequest(ecr: Ecr, request: Request, options: EcrHandlersOptions = {}): Promise<Response | undefined> {
  const verify = options.credentials === undefined ? undefined : createRequestVerifier(options.credentials, ecr.accountId)
  return answerApiRequest(ecr, request, verify, options.registryAddresses)
}

/** {@link handleApiRequest} with its verifier made once (by `ecrHandlers`), not per request. */
export async function answerApiRequest(
  ecr: Ecr,
  request: Request,
  verify: RequestVerifier | undefined,
  registryAddresses: EcrHandlersOptions['registryAddresses'] = 'aws',
): Promise<Response | undefined> {
  if (request.method !== 'POST') return undefined
  const wire = wireRequestOf(request)
  const call = apiCallOf(wire)
  if (call === undefined) return undefined
  let body: Uint8Array
  try {
    body = await readBody(request, call.operation)
  } catch (error) {
    return toResponse(awsJsonError(error))
  }
  return toResponse(await answerApiCall(ecr, wire, call, body, verify, registryAddresses))
}

/** An ECR API call as its request's target and host name it, before its body is read. */
export interface ApiCall {
  /** The X-Amz-Target header. */
  target: string | null
  /** The operation the target names, `undefined` when it names no ECR operation. */
  operation: string | undefined
  /** The region of the ECR API host the request went to; `undefined` for a custom endpoint. */
  hostRegion: string | undefined
}

/**
 * The ECR API call a request makes, or `undefined` when the request is not for ECR: it goes to
 * an ECR API host of any partition, or to any host (a custom endpoint) with an ECR `X-Amz-Target`.
 */
export function apiCallOf(request: WireRequest): ApiCall | undefined {
  if (request.method !== 'POST') return undefined
  const target = request.header('x-amz-target')
  const hostRegion = regionOfApiHost(request.hostname)
  const forEcr = target?.startsWith(ECR_TARGET_PREFIX) ?? false
  if (hostRegion === undefined && !forEcr) return undefined
  return { target, operation: forEcr ? target!.slice(ECR_TARGET_PREFIX.length) : undefined, hostRegion }
}

/**
 * Answers an ECR API call whose body has been read (bytes, or the text the SDK serialized): the
 * one path from request to answer, whatever carried the request. A body over
 * {@link MAX_REQUEST_BYTES} gets 413; a body that is not JSON by its Content-Type gets Coral's
 * 404; then, with `verify`, the signature is checked before anything else is looked at.
 */
export async function answerApiCall(
  ecr: Ecr,
  request: WireRequest,
  { target, operation, hostRegion }: ApiCall,
  body: Uint8Array | string,
  verify: RequestVerifier | undefined,
  registryAddresses: EcrHandlersOptions['registryAddresses'] = 'aws',
): Promise<ApiAnswer> {
  try {
    if (byteLengthOver(body, MAX_REQUEST_BYTES)) throw tooLarge(operation)
    // A body in another format is not an AWS JSON call at all, as Coral's front door answers.
    if (body.length > 0 && !isJsonType(request.header('content-type'))) return unknownOperation()
    // Authentication comes first, as at AWS's front door: unsigned requests learn nothing else.
    const caller = verify === undefined ? undefined : await verify(request, typeof body === 'string' ? encoder.encode(body) : body)
    if (operation === undefined) {
      throw new EcrError('UnknownOperationException', `The X-Amz-Target header '${target ?? ''}' names no ECR operation`)
    }
    const wire = Object.hasOwn(wireInputs, operation) ? wireInputs[operation as OperationName] : undefined
    const input = readJsonInput(typeof body === 'string' ? body : decoder.decode(body), wire)
    const origin = hostRegion === undefined ? `${request.protocol}//${request.host}` : undefined
    const output = await frontEndDispatch(ecr)(operation, input, {
      region: hostRegion ?? caller?.region ?? regionOfSignature(request.header('authorization')) ?? ecr.region,
      ...(caller !== undefined && { accountId: caller.accountId, caller: callerOf(caller) }),
      ...(origin !== undefined && { endpoint: origin }),
      ...(origin !== undefined && registryAddresses === 'endpoint' && { registryEndpoint: origin }),
    })
    return awsJsonOutput(output)
  } catch (error) {
    return awsJsonError(error)
  }
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Whether a body is over `limit` bytes; a string's UTF-8 size is only counted when it could be. */
function byteLengthOver(body: Uint8Array | string, limit: number): boolean {
  if (typeof body !== 'string') return body.byteLength > limit
  return body.length * 3 > limit && encoder.encode(body).byteLength > limit
}

/** The caller the engine is told of: the verified key, its account and its IAM principal, if known. */
function callerOf({ accessKeyId, accountId, principalArn }: VerifiedCaller): Caller {
  return { accessKeyId, accountId, ...(principalArn !== undefined && { principalArn }) }
}

/**
 * The request body, refused with 413 when it is over {@link MAX_REQUEST_BYTES}: by its declared
 * Content-Length before any of it is read, else as soon as the bytes read pass the cap.
 */
function readBody(request: Request, operation: string | undefined): Promise<Uint8Array> {
  return readBounded(request, MAX_REQUEST_BYTES, () => tooLarge(operation))
}

/**
 * A request body read whole, up to `limit` bytes: a larger one is refused with `tooLarge()` by
 * its declared Content-Length before any of it is read, else as soon as the bytes read pass the
 * limit.
 */
export async function readBounded(request: Request, limit: number, tooLarge: () => Error): Promise<Uint8Array> {
  if (Number(request.headers.get('content-length')) > limit) throw tooLarge()
  if (request.body === null) return new Uint8Array()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      // Not awaited: a branch of a teed body (MSW hands handlers one) settles its cancel only
      // once every branch is cancelled, which may be never.
      void reader.cancel().catch(() => undefined)
      throw tooLarge()
    }
    chunks.push(value)
  }
  return concatenate(chunks, size)
}

function tooLarge(operation: string | undefined): EcrError {
  return new EcrError(
    'RequestEntityTooLargeException',
    `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the ${operation ?? 'requested'} operation`,
    {},
    413,
  )
}

/** The content types Coral reads as JSON (the SDKs send `application/x-amz-json-1.1`). */
const JSON_TYPES = new Set(['application/x-amz-json-1.1', 'application/x-amz-json-1.0', 'application/json'])

/** Whether a Content-Type is one Coral reads as JSON; the SDK's own, exactly as it sends it, is looked up first. */
function isJsonType(header: string | null): boolean {
  return header !== null && (JSON_TYPES.has(header) || JSON_TYPES.has(mediaType(header)))
}

/** A Content-Type without its parameters, lower-cased. */
function mediaType(header: string): string {
  return header.split(';')[0]!.trim().toLowerCase()
}

/**
 * Coral's answer to a body that is not JSON by its Content-Type: 404 and `<UnknownOperationException/>`
 * (as recorded from DynamoDB's front door; discoveries/wire-protocol.md §1).
 */
function unknownOperation(): ApiAnswer {
  return { status: 404, headers: { 'x-amzn-requestid': randomId() }, body: '<UnknownOperationException/>\n' }
}
