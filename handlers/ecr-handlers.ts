import { http, type RequestHandler } from 'msw'
import type { Ecr } from '../src/glossary.js'
import type { EcrHandlersOptions } from './api.js'
import { requestAnswerer } from './answer-request.js'

/**
 * MSW request handlers that answer the ECR API (AWS JSON 1.1) on every ECR endpoint host of
 * every partition, and on any host when `X-Amz-Target` names ECR (custom endpoints), plus the
 * layer download URLs the engine hands out, and the registry API (`/v2/…`) on ECR's registry
 * hosts (on any host with `registryOnAnyHost`). Requests that are not for ECR pass through.
 * With `credentials`, API requests must carry a valid SigV4 signature by one of those keys and
 * act as the key's account (download URLs carry the engine's own signature and stay as they are).
 * With `registryAddresses: 'endpoint'`, calls through a custom endpoint are told that the
 * registry is at that endpoint (repositoryUri `127.0.0.1:4566/<name>`), not at ECR's registry host.
 *
 * @example
 * import { setupServer } from 'msw/node'
 * import { createEcr } from 'fake-ecr'
 * import { ecrHandlers } from 'fake-ecr/handlers'
 *
 * const ecr = createEcr()
 * const server = setupServer(...ecrHandlers(ecr))
 * // or, checking signatures: ecrHandlers(ecr, { credentials: [{ accessKeyId: 'AKID', secretAccessKey: 'secret' }] })
 */
export function ecrHandlers(ecr: Ecr, options: EcrHandlersOptions = {}): RequestHandler[] {
  const answer = requestAnswerer(ecr, options)
  return [http.all('*', ({ request }) => answer(request))]
}
