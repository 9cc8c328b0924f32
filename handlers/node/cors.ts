import type { IncomingHttpHeaders } from 'node:http'

// CORS for the standalone server: a web page served from another origin (a dev server on
// http://localhost:5173) calls the fake with the AWS SDK for JavaScript in the browser. The
// browser first sends a preflight (OPTIONS) for the SDK's headers, then the call; both need the
// server's consent in Access-Control-* headers. Loopback origins have it by default; others when
// the user names them. MSW in the page (setupWorker) needs none of this: nothing crosses origins.

/** What a page may read of an answer besides the CORS-safelisted headers: what the SDK and registry clients read. */
const EXPOSED_HEADERS = [
  'x-amzn-requestid',
  'x-amzn-errortype',
  'date',
  'content-length',
  'content-range',
  'docker-content-digest',
  'docker-upload-uuid',
  'location',
  'link',
  'oci-subject',
  'range',
  'www-authenticate',
].join(', ')
const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE'
/** How long a browser may reuse a preflight's answer (seconds). */
const PREFLIGHT_MAX_AGE = '600'

/** Which page origins may call the server: loopback origins, and the ones given (`'*'`: any). */
export function corsPolicy(allowedOrigins: readonly string[]): (origin: string) => boolean {
  for (const origin of allowedOrigins) {
    if (origin !== '*' && !isOrigin(origin)) {
      throw new TypeError(
        `fake-ecr: '${origin}' is not an origin. A CORS origin is a scheme, a host and an optional port, as a browser sends it (http://localhost:5173, https://console.example.test), or '*'.`,
      )
    }
  }
  const named = new Set(allowedOrigins.map((origin) => origin.toLowerCase()))
  return (origin) => named.has('*') || named.has(origin.toLowerCase()) || isLoopbackOrigin(origin)
}

function isOrigin(text: string): boolean {
  return URL.canParse(text) && new URL(text).origin === text.toLowerCase()
}

function isLoopbackOrigin(origin: string): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  const host = url.hostname
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    (host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]')
  )
}

/** A CORS preflight's answer: its status and headers, or a refusal's message. */
export interface Preflight {
  status: number
  headers: Record<string, string>
  message?: string
}

/**
 * The answer to a CORS preflight (an OPTIONS request with `Origin` and
 * `Access-Control-Request-Method`), or `undefined` when the request is not one. An allowed origin
 * may send the headers it asks for (the SDK's: authorization, content-type, x-amz-target,
 * x-amz-date, x-amz-user-agent, x-amz-content-sha256, x-amz-security-token,
 * amz-sdk-invocation-id, amz-sdk-request; a registry client's), also from a public page to this
 * private address (Private Network Access); another origin is refused with a message that says
 * how to allow it.
 */
export function preflight(method: string | undefined, headers: IncomingHttpHeaders, allowed: (origin: string) => boolean): Preflight | undefined {
  const { origin } = headers
  if (method !== 'OPTIONS' || origin === undefined || headers['access-control-request-method'] === undefined) return undefined
  if (!allowed(origin)) {
    return {
      status: 403,
      headers: { Vary: 'Origin' },
      message:
        `fake-ecr does not answer pages of the origin ${origin}: it allows loopback origins and the ones it is given. ` +
        `Suggested fix: allow it (fake-ecr --cors-origin ${origin}, or createEcrServer({ corsOrigins: ['${origin}'] })).`,
    }
  }
  return {
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': METHODS,
      'Access-Control-Allow-Headers': headers['access-control-request-headers'] ?? '',
      ...(headers['access-control-request-private-network'] === 'true' && { 'Access-Control-Allow-Private-Network': 'true' }),
      'Access-Control-Max-Age': PREFLIGHT_MAX_AGE,
      Vary: 'Origin',
    },
  }
}

/** The headers that let an allowed origin's page read an answer; none for another origin or no origin. */
export function corsHeaders(origin: string | undefined, allowed: (origin: string) => boolean): Record<string, string> {
  if (origin === undefined || !allowed(origin)) return {}
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS, Vary: 'Origin' }
}
