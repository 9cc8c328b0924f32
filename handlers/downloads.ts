import type { BlobContent, Ecr } from '../src/glossary.js'

/**
 * Serves the layer download URLs GetDownloadUrlForLayer hands out (presigned-S3-like URLs that
 * the engine signed), or returns `undefined` for any other request. Bytes stream from wherever
 * the engine keeps them; a `Range: bytes=…` request gets that range (206), as from S3. Forged,
 * expired or unknown URLs and unsatisfiable ranges get S3's XML errors.
 */
export async function handleDownloadRequest(ecr: Ecr, request: Request): Promise<Response | undefined> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined
  const download = await ecr.openDownload(request.url)
  if (download === undefined) return undefined
  switch (download.status) {
    case 'ok':
      return blobResponse(download, request)
    case 'forged':
      return s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.')
    case 'expired':
      return s3Error(403, 'AccessDenied', 'Request has expired')
    case 'not-found':
      return s3Error(404, 'NoSuchKey', 'The specified key does not exist.')
  }
}

function blobResponse(blob: BlobContent, request: Request): Response {
  const headers = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes', ETag: `"${blob.digest}"` }
  const range = parseRange(request.headers.get('range'), blob.size)
  if (range === 'unsatisfiable') {
    const response = s3Error(416, 'InvalidRange', 'The requested range is not satisfiable')
    response.headers.set('Content-Range', `bytes */${blob.size}`)
    return response
  }
  const [start, end] = range ?? [0, blob.size]
  const body = request.method === 'HEAD' ? null : blob.stream(start, end)
  return new Response(body, {
    status: range === undefined ? 200 : 206,
    headers: {
      ...headers,
      'Content-Length': String(end - start),
      ...(range !== undefined && { 'Content-Range': `bytes ${start}-${end - 1}/${blob.size}` }),
    },
  })
}

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/

/**
 * The one byte range a `Range` header asks for, as [start, end): `undefined` for the whole blob
 * (no header, or one S3 ignores: several ranges, another unit, malformed), `unsatisfiable` when it
 * starts past the end.
 */
function parseRange(header: string | null, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = header === null ? null : SINGLE_RANGE.exec(header.trim())
  if (match === null) return undefined
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return undefined
  if (first === '') {
    // The last N bytes.
    const suffix = Number(last)
    if (suffix === 0) return 'unsatisfiable'
    return [Math.max(0, size - suffix), size]
  }
  const start = Number(first)
  const end = last === '' ? size : Math.min(Number(last) + 1, size)
  if (last !== '' && Number(last) < start) return undefined
  if (start >= size) return 'unsatisfiable'
  return [start, end]
}

function s3Error(status: number, code: string, message: string): Response {
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    { status, headers: { 'Content-Type': 'application/xml' } },
  )
}
