import { ECRClient, type ECRClientConfig } from '@aws-sdk/client-ecr'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { createEcr, type EcrOptions } from '../../src/index.js'
import { ecrHandlers } from '../../handlers/index.js'

/** Static credentials: without them the SDK probes the EC2 metadata endpoint. */
export const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }

/**
 * An engine behind MSW's `setupServer` for the file that calls it, reset after each test, and a
 * factory of real SDK clients (default region eu-west-1, no retries unless asked).
 */
export function useFakeEcr(options: EcrOptions = {}) {
  const ecr = createEcr(options)
  const server = setupServer(...ecrHandlers(ecr))
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => ecr.reset())
  afterAll(() => server.close())
  const client = (config: ECRClientConfig = {}) =>
    new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1, ...config })
  return { ecr, server, client }
}
