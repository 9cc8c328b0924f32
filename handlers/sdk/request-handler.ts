import type { Ecr } from '../../src/glossary.js'
import { answerApiCall, apiCallOf } from '../api.js'
import { createRequestVerifier } from '../sigv4.js'
import type { WireRequest } from '../wire-request.js'
import type { EcrRequestHandler, EcrRequestHandlerOptions, LegacyAbortSignal, SdkHttpRequest } from './glossary.js'

/**
 * A request handler for `@aws-sdk/client-ecr` that answers from `ecr` directly: no interception,
 * no sockets, no msw. Requests take the same path from request to answer as through
 * `ecrHandlers`, so signatures (with `credentials`), faults and errors behave the same on the
 * wire; only the HTTP transport is skipped. Works in Node and in browsers.
 *
 * @example
 * import { ECRClient } from '@aws-sdk/client-ecr'
 * import { createEcr } from 'fake-ecr'
 * import { ecrRequestHandler } from 'fake-ecr/sdk'
 *
 * const ecr = createEcr()
 * const client = new ECRClient({ region: 'eu-west-1', requestHandler: ecrRequestHandler(ecr) })
 */
export function ecrRequestHandler(ecr: Ecr, options: EcrRequestHandlerOptions = {}): EcrRequestHandler {
  const verify = options.credentials === undefined ? undefined : createRequestVerifier(options.credentials, ecr.accountId)
  const registryAddresses = options.registryAddresses ?? 'aws'
  return {
    metadata: { handlerProtocol: 'fake-ecr' },
    async handle(request, { abortSignal } = {}) {
      if (abortSignal?.aborted) throw abortError(abortSignal)
      const wire = wireRequestOf(request)
      const call = apiCallOf(wire)
      if (call === undefined) {
        throw new Error(
          `fake-ecr: ecrRequestHandler answers ECR API calls only, not ${request.method} ${wire.protocol}//${wire.host}${request.path}. Suggested fix: give it to an ECRClient only.`,
        )
      }
      const answering = answerApiCall(ecr, wire, call, bodyOf(request.body), verify, registryAddresses)
      const { status, headers, body } = await (abortSignal === undefined ? answering : raceAbort(answering, abortSignal))
      return { response: { statusCode: status, headers, body: typeof body === 'string' ? encoder.encode(body) : body } }
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  }
}

const encoder = new TextEncoder()

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'https:': 443, 'http:': 80 }

/** The SDK's request as the API front end reads it; nothing is copied but the host. */
function wireRequestOf({ method, protocol, hostname, port, path, query, headers }: SdkHttpRequest): WireRequest {
  const scheme = protocol.endsWith(':') ? protocol : `${protocol}:`
  return {
    method,
    protocol: scheme,
    hostname,
    host: port === undefined || port === DEFAULT_PORTS[scheme] ? hostname : `${hostname}:${port}`,
    path,
    query: () => queryOf(query),
    header: (name) => (Object.hasOwn(headers, name) ? headers[name]! : headerByAnyCase(headers, name)),
  }
}

/** A header whose name the SDK (or a middleware) did not write in lower case. */
function headerByAnyCase(headers: Record<string, string>, name: string): string | null {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key]!
  return null
}

/** The SDK's query as the signer reads it: parameters without a value take no part. */
function queryOf(query: SdkHttpRequest['query']): Record<string, string | string[]> {
  const parameters: Record<string, string | string[]> = Object.create(null)
  for (const [name, value] of Object.entries(query ?? {})) if (value !== null) parameters[name] = value
  return parameters
}

/** The serialized input: bytes (of this realm or another), text, or nothing. */
function bodyOf(body: unknown): Uint8Array | string {
  if (body === undefined || body === null) return ''
  if (typeof body === 'string') return body
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  throw new TypeError('fake-ecr: ecrRequestHandler takes request bodies as bytes or text; ECR has no streamed inputs.')
}

/** The answer, or the abort error as soon as the signal fires (the engine finishes the call regardless, as a server would). */
function raceAbort<T>(answering: Promise<T>, signal: AbortSignal | LegacyAbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal))
    if ('addEventListener' in signal) signal.addEventListener('abort', onAbort, { once: true })
    else signal.onabort = onAbort
    answering.then(resolve, reject).finally(() => {
      if ('removeEventListener' in signal) signal.removeEventListener('abort', onAbort)
      else if (signal.onabort === onAbort) signal.onabort = null
    })
  })
}

/** The error the SDK's own handlers reject with on abort: named `AbortError`, with the signal's reason. */
function abortError(signal: AbortSignal | LegacyAbortSignal): Error {
  const reason = 'reason' in signal ? (signal.reason as unknown) : undefined
  const error = new Error(reason instanceof Error || reason === undefined ? 'Request aborted' : String(reason))
  error.name = 'AbortError'
  if (reason instanceof Error) error.cause = reason
  return error
}
