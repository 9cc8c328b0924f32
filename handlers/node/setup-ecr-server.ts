import { setupServer } from 'msw/node'
import { createEcr } from '../../src/index.js'
import { ecrHandlers } from '../index.js'
import type { SetupEcrServerOptions, SetupEcrServerResult } from './glossary.js'

/**
 * Creates an engine and an MSW `setupServer` answering for it, for tests that call ECR from the
 * same Node process (no port, no endpoint configuration: the SDK's real ECR hosts are intercepted).
 *
 * @example
 * import { setupEcrServer } from 'fake-ecr/node'
 *
 * const { ecr, server } = setupEcrServer()
 * beforeAll(() => server.listen())
 * afterEach(() => ecr.reset())
 * afterAll(() => server.close())
 */
export function setupEcrServer(options: SetupEcrServerOptions = {}): SetupEcrServerResult {
  const { ecr: givenEcr, credentials, ...engineOptions } = options
  const ecr = givenEcr ?? createEcr(engineOptions)
  return { ecr, server: setupServer(...ecrHandlers(ecr, credentials === undefined ? {} : { credentials })) }
}
