import type { Ecr } from '../src/glossary.js'
import { answerApiRequest, type EcrHandlersOptions } from './api.js'
import { handleDownloadRequest } from './downloads.js'
import { handleRegistryRequest } from './registry.js'
import { createRequestVerifier } from './sigv4.js'

/** Answers a request, or `undefined` when it is not one fake-ecr takes. */
export type RequestAnswerer = (request: Request) => Promise<Response | undefined>

/**
 * Answers requests as fake-ecr does, in one order: the registry API (`/v2/…`), the ECR API
 * (POST), then layer download URLs (GET, HEAD). `ecrHandlers` wraps it for MSW; the standalone
 * server calls it without MSW. The verifier of `credentials` is made once, here.
 */
export function requestAnswerer(ecr: Ecr, options: EcrHandlersOptions = {}): RequestAnswerer {
  const verify = options.credentials === undefined ? undefined : createRequestVerifier(options.credentials, ecr.accountId)
  const registry = { anyHost: options.registryOnAnyHost ?? false }
  return async (request) => {
    const { method } = request
    return (
      (await handleRegistryRequest(ecr, request, registry)) ??
      (method === 'POST' ? await answerApiRequest(ecr, request, verify, options.registryAddresses) : undefined) ??
      (method === 'GET' || method === 'HEAD' ? await handleDownloadRequest(ecr, request) : undefined)
    )
  }
}
