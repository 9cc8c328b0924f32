import { ECRClient, type ECRClientConfig } from '@aws-sdk/client-ecr'
import { setupWorker } from 'msw/browser'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { ecrHandlers } from '../../handlers/index.js'
import { createEcr, type EcrOptions } from '../../src/index.js'

// test/sdk/harness.ts for the `browser` project, which runs some of the same SDK test files in
// Chromium: the SDK's browser build sends real fetches, MSW's service worker hands them to the
// engine running in the page. Same exports, same defaults.

/** Static credentials: a browser has none for the SDK to find. */
export const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }

/** Requests reach the engine through MSW (here, its service worker). */
export const transport = 'msw' as const

/**
 * An engine for the test file, answered by MSW's service worker and reset after each test, and
 * a factory of real SDK clients (region eu-west-1, no retries unless asked).
 */
export function useFakeEcr(options: EcrOptions = {}) {
  const ecr = createEcr(options)
  const worker = setupWorker(...ecrHandlers(ecr))
  beforeAll(async () => {
    await worker.start({
      quiet: true,
      // Vitest's own module requests pass; a request for AWS that nothing answered is a failure.
      onUnhandledRequest: (request, print) => {
        if (new URL(request.url).hostname.endsWith('.amazonaws.com')) print.error()
      },
    })
  })
  afterEach(() => ecr.reset())
  afterAll(() => worker.stop())
  const client = (config: ECRClientConfig = {}) => new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1, ...config })
  // MSW answers ECR's own registry hosts, which are what the engine names here.
  const registryHost = (ecrHost: string) => ecrHost
  const proxyEndpoint = (ecrHost: string) => `https://${ecrHost}`
  const download = (url: string | URL) => fetch(url)
  return { ecr, server: undefined, client, transport, registryHost, proxyEndpoint, download }
}
