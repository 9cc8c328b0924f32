import type { Ecr } from '../src/ecr.js'

/**
 * Serves the layer download URLs GetDownloadUrlForLayer hands out (presigned-S3-like URLs that
 * the engine signed), or returns `undefined` for any other request. Expired or unknown URLs get
 * S3's XML errors.
 */
export function handleDownloadRequest(ecr: Ecr, request: Request): Response | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined
  const download = ecr.openDownload(request.url)
  if (download === undefined) return undefined
  switch (download.status) {
    case 'ok':
      return new Response(request.method === 'HEAD' ? null : download.bytes, {
        status: 200,
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(download.bytes.byteLength),
          ETag: `"${download.digest}"`,
        },
      })
    case 'expired':
      return s3Error(403, 'AccessDenied', 'Request has expired')
    case 'not-found':
      return s3Error(404, 'NoSuchKey', 'The specified key does not exist.')
  }
}

function s3Error(status: number, code: string, message: string): Response {
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    { status, headers: { 'Content-Type': 'application/xml' } },
  )
}
