import { http, type RequestHandler } from 'msw'
import type { Ecr } from '../src/ecr.js'
import { handleApiRequest } from './api.js'
import { handleDownloadRequest } from './downloads.js'

/**
 * MSW request handlers that answer the ECR API (AWS JSON 1.1) on every ECR endpoint host of
 * every partition, and on any host when `X-Amz-Target` names ECR (custom endpoints), plus the
 * layer download URLs the engine hands out. Requests that are not for ECR pass through.
 *
 * @example
 * import { setupServer } from 'msw/node'
 * import { createEcr } from 'fake-ecr'
 * import { ecrHandlers } from 'fake-ecr/handlers'
 *
 * const ecr = createEcr()
 * const server = setupServer(...ecrHandlers(ecr))
 */
export function ecrHandlers(ecr: Ecr): RequestHandler[] {
  return [
    http.post('*', ({ request }) => handleApiRequest(ecr, request)),
    http.get('*', ({ request }) => handleDownloadRequest(ecr, request)),
    http.head('*', ({ request }) => handleDownloadRequest(ecr, request)),
  ]
}

export { handleApiRequest } from './api.js'
export { handleDownloadRequest } from './downloads.js'
