import { EcrError } from '../src/errors.js'
import type { Ecr, RegistryPlace } from '../src/glossary.js'
import { RegistryError } from '../src/registry/errors.js'
import { MAX_REQUEST_BYTES, readBounded } from './api.js'
import { registryOfHost } from './hosts.js'

/**
 * How many bytes of an upload body are gathered before they are appended to the upload as one
 * stored part: a request holds at most this much (plus one network chunk) in memory, and ECR's
 * largest layer (52,000 MiB) stays within its 4,200 parts.
 */
export const REGISTRY_PART_BYTES = 16 * 1024 * 1024

const VERSION_HEADER = { 'Docker-Distribution-API-Version': 'registry/2.0' }

type Route =
  | { kind: 'ping' }
  | { kind: 'catalog' }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; uploadId: string }
  | { kind: 'tags'; name: string }
  | { kind: 'referrers'; name: string; digest: string }

/** The registry API route of a path, most specific first (repository names hold slashes). */
function routeOf(pathname: string): Route | undefined {
  if (pathname === '/v2/' || pathname === '/v2') return { kind: 'ping' }
  if (pathname === '/v2/_catalog') return { kind: 'catalog' }
  let match: RegExpExecArray | null
  if ((match = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(pathname))) return { kind: 'uploads', name: match[1]! }
  if ((match = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(pathname))) return { kind: 'upload', name: match[1]!, uploadId: decode(match[2]!) }
  if ((match = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(pathname))) return { kind: 'blob', name: match[1]!, digest: decode(match[2]!) }
  if ((match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(pathname))) return { kind: 'manifest', name: match[1]!, reference: decode(match[2]!) }
  if ((match = /^\/v2\/(.+)\/tags\/list$/.exec(pathname))) return { kind: 'tags', name: match[1]! }
  if ((match = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(pathname))) return { kind: 'referrers', name: match[1]!, digest: decode(match[2]!) }
  return undefined
}

/**
 * Answers a Docker Registry HTTP API v2 / OCI distribution request (`/v2/…`) on an ECR registry
 * host (account and region from the host), or on any host when `anyHost` is set (account and
 * region from the token; download redirects then point at the request's origin). Returns
 * `undefined` for any other request. Authentication comes first, as at ECR: `Basic` with the
 * token of GetAuthorizationToken. Upload bodies are read as streams and appended in parts of at
 * most {@link REGISTRY_PART_BYTES}; blob GETs redirect (307) to a presigned download URL, as ECR
 * redirects to S3.
 *
 * @example
 * const response = await handleRegistryRequest(ecr, request, { anyHost: true })
 */
export async function handleRegistryRequest(ecr: Ecr, request: Request, options: { anyHost?: boolean } = {}): Promise<Response | undefined> {
  const url = new URL(request.url)
  if (!url.pathname.startsWith('/v2/') && url.pathname !== '/v2') return undefined
  const host = registryOfHost(url.hostname)
  if (host === undefined && options.anyHost !== true) return undefined
  try {
    const place = await ecr.registry.authenticate(request.headers.get('authorization'), host, host === undefined ? url.origin : undefined)
    const route = routeOf(url.pathname)
    if (route === undefined) throw unsupported()
    return await answer(ecr, place, route, request, url)
  } catch (error) {
    return registryErrorResponse(error)
  }
}

async function answer(ecr: Ecr, place: RegistryPlace, route: Route, request: Request, url: URL): Promise<Response> {
  const { registry } = ecr
  const method = request.method
  const query = url.searchParams
  switch (route.kind) {
    case 'ping':
      if (method !== 'GET' && method !== 'HEAD') throw unsupported()
      return respond(200, {}, method === 'HEAD' ? null : '{}', 'application/json; charset=utf-8')

    case 'manifest': {
      const { name, reference } = route
      if (method === 'GET' || method === 'HEAD') {
        const manifest = await registry.getManifest(place, name, reference, {
          head: method === 'HEAD',
          accept: acceptedMediaTypes(request.headers.get('accept')),
        })
        return respond(
          200,
          { 'Docker-Content-Digest': manifest.digest, 'Content-Length': String(manifest.size) },
          method === 'HEAD' ? null : manifest.manifest,
          manifest.mediaType,
        )
      }
      if (method === 'PUT') {
        const body = await readBounded(request, MAX_REQUEST_BYTES, () => new RegistryError('SIZE_INVALID', 413, `Request must be smaller than ${MAX_REQUEST_BYTES} bytes`))
        const text = new TextDecoder().decode(body)
        const { digest, subject } = await registry.putManifest(place, name, reference, text, manifestMediaType(request.headers.get('content-type')))
        return respond(201, {
          Location: `/v2/${name}/manifests/${digest}`,
          'Docker-Content-Digest': digest,
          'Content-Length': '0',
          ...(subject !== undefined && { 'OCI-Subject': subject }),
        })
      }
      if (method === 'DELETE') {
        await registry.deleteManifest(place, name, reference)
        return respond(202, { 'Content-Length': '0' })
      }
      throw unsupported()
    }

    case 'blob': {
      const { name, digest } = route
      if (method !== 'GET' && method !== 'HEAD') throw unsupported()
      const blob = await registry.getBlob(place, name, digest)
      if (method === 'GET') return respond(307, { Location: blob.downloadUrl, 'Docker-Content-Digest': blob.digest })
      return respond(200, {
        'Docker-Content-Digest': blob.digest,
        'Content-Length': String(blob.size),
        'Content-Type': 'application/octet-stream',
        'Accept-Ranges': 'bytes',
      })
    }

    case 'uploads': {
      const { name } = route
      if (method !== 'POST') throw unsupported()
      const mount = query.get('mount')
      const from = query.get('from')
      const started = await registry.startUpload(place, name, mount === null ? undefined : { digest: mount, ...(from !== null && { from }) })
      if ('mounted' in started) return blobCreated(name, started.mounted)
      const { uploadId } = started
      const digest = query.get('digest')
      if (digest === null) return uploadAccepted(name, uploadId, 0)
      // A monolithic upload: the body is the blob; nothing of it stays behind if it fails.
      try {
        await appendBody(ecr, place, name, uploadId, request, undefined)
        return blobCreated(name, (await registry.finishUpload(place, name, uploadId, digest)).digest)
      } catch (error) {
        await registry.cancelUpload(place, name, uploadId).catch(() => undefined)
        throw error
      }
    }

    case 'upload': {
      const { name, uploadId } = route
      if (method === 'GET') return uploadAccepted(name, uploadId, (await registry.uploadStatus(place, name, uploadId)).size, 204)
      if (method === 'DELETE') {
        await registry.cancelUpload(place, name, uploadId)
        return respond(204, {})
      }
      if (method === 'PATCH') {
        const size = await appendBody(ecr, place, name, uploadId, request, contentRangeStart(request.headers.get('content-range')))
        return uploadAccepted(name, uploadId, size)
      }
      if (method === 'PUT') {
        const digest = query.get('digest')
        if (digest === null) throw new RegistryError('DIGEST_INVALID', 400, 'A digest is required to complete an upload')
        await appendBody(ecr, place, name, uploadId, request, contentRangeStart(request.headers.get('content-range')))
        return blobCreated(name, (await registry.finishUpload(place, name, uploadId, digest)).digest)
      }
      throw unsupported()
    }

    case 'tags': {
      if (method !== 'GET') throw unsupported()
      const page = await registry.listTags(place, route.name, pageQuery(query))
      return listing(`/v2/${route.name}/tags/list`, { name: page.name, tags: page.tags }, page.tags.length, page.last)
    }

    case 'catalog': {
      if (method !== 'GET') throw unsupported()
      const page = await registry.listRepositories(place, pageQuery(query))
      return listing('/v2/_catalog', { repositories: page.repositories }, page.repositories.length, page.last)
    }

    case 'referrers': {
      if (method !== 'GET') throw unsupported()
      const artifactType = query.get('artifactType') ?? undefined
      const manifests = await registry.listReferrers(place, route.name, route.digest, artifactType)
      const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }
      return respond(
        200,
        artifactType === undefined ? {} : { 'OCI-Filters-Applied': 'artifactType' },
        JSON.stringify(index),
        'application/vnd.oci.image.index.v1+json',
      )
    }
  }
}

/** The media types an `Accept` header lists (parameters and quality values dropped). */
function acceptedMediaTypes(header: string | null): string[] {
  return (header ?? '')
    .split(',')
    .map((type) => type.split(';')[0]!.trim().toLowerCase())
    .filter((type) => type !== '')
}

/** The `n` and `last` of a listing's query (an `n` that is no number is refused by the engine). */
function pageQuery(query: URLSearchParams): { n?: number; last?: string } {
  const n = query.get('n')
  const last = query.get('last')
  return { ...(n !== null && { n: /^\d+$/.test(n) ? Number(n) : Number.NaN }), ...(last !== null && { last }) }
}

/** A page of a listing, with a `Link` to the next page when more follow. */
function listing(path: string, body: object, count: number, last: string | undefined): Response {
  const link: Record<string, string> =
    last === undefined ? {} : { Link: `<${path}?${new URLSearchParams({ n: String(count), last })}>; rel="next"` }
  return respond(200, link, JSON.stringify(body), 'application/json; charset=utf-8')
}

/**
 * Appends a request body to an upload as it arrives, in parts of at most
 * {@link REGISTRY_PART_BYTES} (the first at `start`, when the request names it), and returns the
 * upload's size after the last.
 */
async function appendBody(ecr: Ecr, place: RegistryPlace, name: string, uploadId: string, request: Request, start: number | undefined): Promise<number> {
  // With a start, appendUpload checks it before a byte is read (416 with the upload's range).
  let size = (
    start === undefined
      ? await ecr.registry.uploadStatus(place, name, uploadId)
      : await ecr.registry.appendUpload(place, name, uploadId, new Uint8Array(), start)
  ).size
  if (request.body === null) return size
  const reader = request.body.getReader()
  // Bytes are copied once, into the part being filled; a full part is handed to the engine as it is.
  let part = new Uint8Array(REGISTRY_PART_BYTES)
  let filled = 0
  const flush = async (bytes: Uint8Array) => {
    size = (await ecr.registry.appendUpload(place, name, uploadId, bytes, size)).size
  }
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      for (let at = 0; at < value.byteLength; ) {
        const taken = Math.min(value.byteLength - at, REGISTRY_PART_BYTES - filled)
        part.set(value.subarray(at, at + taken), filled)
        filled += taken
        at += taken
        if (filled === REGISTRY_PART_BYTES) {
          await flush(part)
          part = new Uint8Array(REGISTRY_PART_BYTES)
          filled = 0
        }
      }
    }
    if (filled > 0) await flush(part.slice(0, filled))
  } catch (error) {
    // Not awaited: a branch of a teed body settles its cancel only once every branch is cancelled.
    void reader.cancel().catch(() => undefined)
    throw error
  }
  return size
}

/** The first byte a `Content-Range` names (`<start>-<end>`, with or without `bytes `), if the request has one. */
function contentRangeStart(header: string | null): number | undefined {
  if (header === null) return undefined
  const match = /^(?:bytes\s+)?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim())
  if (match === null || Number(match[2]) < Number(match[1])) {
    throw new RegistryError('RANGE_INVALID', 416, `The Content-Range '${header}' is not a range of bytes <start>-<end>`)
  }
  return Number(match[1])
}

/** The media type a manifest PUT names, unless it names none worth passing on (then the manifest's own `mediaType` decides). */
function manifestMediaType(header: string | null): string | undefined {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase()
  return type === '' || type === 'application/json' || type === 'application/octet-stream' ? undefined : type
}

function uploadAccepted(name: string, uploadId: string, size: number, status = 202): Response {
  return respond(status, {
    Location: `/v2/${name}/blobs/uploads/${uploadId}`,
    Range: `0-${Math.max(size - 1, 0)}`,
    'Docker-Upload-UUID': uploadId,
    'Content-Length': '0',
  })
}

function blobCreated(name: string, digest: string): Response {
  return respond(201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': '0' })
}

function respond(status: number, headers: Record<string, string>, body: string | null = null, contentType?: string): Response {
  return new Response(body, { status, headers: { ...VERSION_HEADER, ...(contentType !== undefined && { 'Content-Type': contentType }), ...headers } })
}

function unsupported(): RegistryError {
  return new RegistryError('UNSUPPORTED', 405, 'The operation is unsupported.')
}

/**
 * A registry error as ECR writes it: `{"errors":[{code, message, detail}]}`, except 401, which ECR
 * answers with its challenge and a plain `Not Authorized`. Engine failures are 500 `UNKNOWN`.
 */
export function registryErrorResponse(error: unknown): Response {
  if (error instanceof RegistryError && error.status === 401) {
    return respond(401, { ...error.headers }, 'Not Authorized', 'text/plain; charset=utf-8')
  }
  const failure =
    error instanceof RegistryError
      ? error
      : { code: 'UNKNOWN', status: error instanceof EcrError ? error.status : 500, message: error instanceof Error ? error.message : String(error), detail: undefined, headers: {} }
  const body = { errors: [{ code: failure.code, message: failure.message, ...(failure.detail !== undefined && { detail: failure.detail }) }] }
  return respond(failure.status, { ...failure.headers }, JSON.stringify(body), 'application/json; charset=utf-8')
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
