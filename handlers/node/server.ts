import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { createEcr, type Ecr } from '../../src/index.js'
import { requestAnswerer, type RequestAnswerer } from '../answer-request.js'
import { MAX_REQUEST_BYTES } from '../api.js'
import { isEcrHostName } from '../hosts.js'
import { corsHeaders, corsPolicy, preflight } from './cors.js'
import { fileSystemStorage } from './file-system-storage.js'
import type { EcrServer, EcrServerOptions, FileSystemStorage } from './glossary.js'

const DEFAULT_PORT = 4566
const DEFAULT_HOST = '127.0.0.1'
/** How long `close()` lets requests in flight finish before it cuts their connections. */
const DEFAULT_SHUTDOWN_GRACE_MS = 5_000

/**
 * Starts the standalone server: a Node HTTP server that answers every request as the MSW
 * handlers tests use (`ecrHandlers`) do, so AWS CLI, boto3 or any SDK can talk to the engine with
 * `--endpoint-url`. Requests the handlers do not take get a 404 with a JSON message. With
 * `dataDir`, state is loaded from that directory and kept there. Rejects when the port is taken,
 * or the data directory is in use or cannot be loaded.
 *
 * @example
 * import { createEcrServer } from 'fake-ecr/node'
 *
 * const server = await createEcrServer({ port: 0, dataDir: '.fake-ecr' })
 * // aws ecr describe-repositories --endpoint-url ${server.url} --region us-east-1
 * await server.close()
 */
export async function createEcrServer(options: EcrServerOptions = {}): Promise<EcrServer> {
  const {
    ecr: givenEcr,
    dataDir,
    port = DEFAULT_PORT,
    host = DEFAULT_HOST,
    allowedHosts = [],
    corsOrigins = [],
    shutdownGraceMs = DEFAULT_SHUTDOWN_GRACE_MS,
    credentials,
    registryAddresses = 'endpoint',
    ...engineOptions
  } = options
  if (dataDir !== undefined && (givenEcr !== undefined || engineOptions.storage !== undefined)) {
    throw new TypeError('fake-ecr: dataDir makes the server its own storage; give either dataDir, or ecr / storage, not both.')
  }
  const storage = dataDir === undefined ? undefined : await fileSystemStorage(dataDir)
  let ecr: Ecr
  let server: Server
  try {
    ecr = givenEcr ?? createEcr({ ...engineOptions, ...(storage !== undefined && { storage }) })
    // A directory that cannot be loaded stops the server from starting (and is left as it was).
    if (storage !== undefined) await ecr.ready
    // The server is the registry on every name it is reached by (decisions/registry-addresses.md).
    const answer = requestAnswerer(ecr, { registryOnAnyHost: true, registryAddresses, ...(credentials !== undefined && { credentials }) })
    const policy: Policy = {
      hostAllowed: isLoopback(host) ? loopbackHostPolicy(allowedHosts) : () => true,
      originAllowed: corsPolicy(corsOrigins),
    }
    server = createServer((incoming, outgoing) => void respond(answer, policy, incoming, outgoing))
    await listen(server, port, host)
  } catch (error) {
    await storage?.close()
    throw error
  }
  const actualPort = (server.address() as AddressInfo).port
  let closed: Promise<void> | undefined
  return {
    ecr,
    url: `http://${urlHost(host)}:${actualPort}`,
    port: actualPort,
    dataDir: storage?.directory,
    close() {
      closed ??= stop(server, storage, shutdownGraceMs)
      return closed
    },
  }
}

/**
 * Stops accepting connections at once, lets requests in flight finish for `graceMs`, then cuts
 * the connections left (a stalled client cannot hold the server open), and releases the data
 * directory once its writes are done.
 */
async function stop(server: Server, storage: FileSystemStorage | undefined, graceMs: number): Promise<void> {
  const grace = setTimeout(() => server.closeAllConnections(), graceMs)
  try {
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error === undefined ? resolve() : reject(error)))
      // Idle keep-alive connections would otherwise hold the server open until they time out.
      server.closeIdleConnections()
    })
  } finally {
    clearTimeout(grace)
  }
  await storage?.close()
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? `${host}:${port} is already in use. Choose another port (port 0 picks a free one), or stop the process that holds it.`
          : `${error.message}.`
      reject(new Error(`Failed to start fake-ecr: ${reason}`, { cause: error }))
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
}

/** Who may use the server: the host names it answers, and the page origins it answers in browsers (CORS). */
interface Policy {
  hostAllowed: (hostname: string) => boolean
  originAllowed: (origin: string) => boolean
}

async function respond(
  answer: RequestAnswerer,
  { hostAllowed, originAllowed }: Policy,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  try {
    // The Host header gives the origin the client used, which the engine builds download URLs on.
    const url = requestUrl(incoming)
    if (url === undefined) {
      writeJson(outgoing, 400, { message: `fake-ecr cannot answer a request whose Host header is not a host: ${JSON.stringify(incoming.headers.host)}.` })
      return
    }
    if (!hostAllowed(url.hostname)) {
      writeJson(outgoing, 403, {
        message:
          `fake-ecr refused a request for host '${url.hostname}': it listens on this machine only, and answers loopback names and ECR's ` +
          `own host names, so that a web page cannot reach it through a name it controls. Suggested fix: allow the name ` +
          `(fake-ecr --allow-host ${url.hostname}, or createEcrServer({ allowedHosts: ['${url.hostname}'] })).`,
      })
      return
    }
    const cors = preflight(incoming.method, incoming.headers, originAllowed)
    if (cors !== undefined) {
      if (cors.message === undefined) outgoing.writeHead(cors.status, cors.headers).end()
      else writeJson(outgoing, cors.status, { message: cors.message }, cors.headers)
      return
    }
    const request = await toFetchRequest(incoming, outgoing, url)
    const response = (await answer(request)) ?? notFound(request)
    await writeResponse(response, incoming.method === 'HEAD', outgoing, corsHeaders(incoming.headers.origin, originAllowed))
  } catch (error) {
    // One failed request must never take the server down: answer it as the service would.
    if (outgoing.headersSent) {
      outgoing.destroy()
      return
    }
    writeJson(outgoing, 500, {
      __type: 'ServerException',
      message: `fake-ecr failed to answer ${incoming.method} ${incoming.url}: ${String(error)}`,
    })
  }
}

/** The URL a request names, on the origin its Host header gives, or `undefined` when that is no host. */
function requestUrl(incoming: IncomingMessage): URL | undefined {
  const host = incoming.headers.host ?? DEFAULT_HOST
  // A Host with a path, user info or anything else that is not host[:port] is no host either.
  if (!/^[^\s/?#@\\]+$/.test(host)) return undefined
  try {
    return new URL(incoming.url ?? '/', `http://${host}`)
  } catch {
    return undefined
  }
}

async function toFetchRequest(incoming: IncomingMessage, outgoing: ServerResponse, url: URL): Promise<Request> {
  const method = incoming.method ?? 'GET'
  const headers = new Headers()
  for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
    headers.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!)
  }
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers })
  // Registry uploads can be gigabytes: their bytes go to the handlers as they arrive.
  if (url.pathname.startsWith('/v2/')) {
    return new Request(url, { method, headers, body: streamedBody(incoming, outgoing), duplex: 'half' } as RequestInit)
  }
  // The chunks as they came: the handlers join them once.
  const chunks = await readCapped(incoming, MAX_REQUEST_BYTES)
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })
  return new Request(url, { method, headers, body, duplex: 'half' } as RequestInit)
}

/**
 * The request body as a web stream that reads from the socket only as fast as the handler reads
 * it (one chunk waits at most, so memory stays a small multiple of a chunk). A client that goes
 * away mid-body errors the stream. What the handler leaves unread, because it cancels the stream
 * or answers without reading it all, is read and dropped, which keeps the connection usable.
 */
function streamedBody(incoming: IncomingMessage, outgoing: ServerResponse): ReadableStream<Uint8Array> {
  let reading = true
  let onData: (chunk: Buffer) => void
  const drop = () => {
    if (!reading) return
    reading = false
    incoming.off('data', onData)
    incoming.resume()
  }
  outgoing.once('close', drop)
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        onData = (chunk) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          if ((controller.desiredSize ?? 0) <= 0) incoming.pause()
        }
        incoming.on('data', onData)
        incoming.once('end', () => reading && controller.close())
        incoming.on('error', (error) => reading && controller.error(error))
        incoming.pause()
      },
      pull() {
        incoming.resume()
      },
      cancel: drop,
    },
    { highWaterMark: 1 },
  )
}

/**
 * The body's chunks, or only the first ones once they pass `limit`: enough for the handlers to
 * answer 413, and never more in memory. A declared Content-Length over the limit answers at once.
 * The rest of an oversized body is read and dropped, which keeps the connection usable.
 */
function readCapped(incoming: IncomingMessage, limit: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const declaredTooLarge = Number(incoming.headers['content-length']) > limit
    let size = declaredTooLarge ? limit + 1 : 0
    if (declaredTooLarge) resolve([])
    incoming.on('data', (chunk: Buffer) => {
      if (size > limit) return
      chunks.push(chunk)
      size += chunk.byteLength
      if (size > limit) resolve(chunks)
    })
    incoming.on('end', () => resolve(chunks))
    incoming.on('error', reject)
  })
}

/**
 * Writes a Fetch response. A body of a declared length (a blob download) streams through as it
 * is read, so a large layer is never whole in memory; other bodies (API answers) are small and
 * are buffered, to send an exact Content-Length.
 */
async function writeResponse(response: Response, head: boolean, outgoing: ServerResponse, extraHeaders: Record<string, string>): Promise<void> {
  const streamed = response.headers.has('content-length')
  const body = head || response.body === null || streamed ? undefined : Buffer.from(await response.arrayBuffer())
  outgoing.statusCode = response.status
  if (response.statusText !== '') outgoing.statusMessage = response.statusText
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') outgoing.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) outgoing.setHeader('set-cookie', cookies)
  for (const [name, value] of Object.entries(extraHeaders)) outgoing.setHeader(name, value)
  if (streamed && !head && response.body !== null) {
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), outgoing)
    return
  }
  if (body !== undefined) outgoing.setHeader('content-length', body.byteLength)
  outgoing.end(body)
}

function notFound(request: Request): Response {
  const { pathname } = new URL(request.url)
  return Response.json(
    {
      message:
        `fake-ecr has no handler for ${request.method} ${pathname}. It answers ECR API calls ` +
        `(POST with an X-Amz-Target header naming an ECR operation), the registry API (/v2/) ` +
        `and the URLs its own responses hand out.`,
    },
    { status: 404 },
  )
}

function writeJson(outgoing: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  outgoing.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  outgoing.end(text)
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1'
}

/**
 * Which Host names a server on a loopback address answers (the guard against DNS rebinding: a
 * page on another site whose name now resolves to 127.0.0.1 must not reach the fake): loopback
 * names and addresses, ECR's own host names (API, registry, layer bucket) for clients that map
 * them to this machine, and the names the user allows.
 */
function loopbackHostPolicy(allowed: readonly string[]): (hostname: string) => boolean {
  const names = new Set(allowed.map((name) => name.toLowerCase()))
  return (hostname) =>
    names.has(hostname) ||
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname) ||
    hostname === '[::1]' ||
    isEcrHostName(hostname)
}

/** The host to put in the URL: unspecified addresses are reachable on loopback; IPv6 needs brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}
