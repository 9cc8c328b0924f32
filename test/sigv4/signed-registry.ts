import { ECRClient } from '@aws-sdk/client-ecr'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { ecrHandlers, type EcrCredentials } from '../../handlers/index.js'
import { createEcr, type EcrOptions, type SeededImage } from '../../src/index.js'

export const REGION = 'eu-west-1'
export const ALICE = '111111111111'
export const BOB = '222222222222'

/** A real SDK client in {@link REGION} signing with this key. */
export const client = (key: { accessKeyId: string; secretAccessKey: string }) =>
  new ECRClient({ region: REGION, credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }, maxAttempts: 1 })

/**
 * An engine behind MSW that checks signatures against `credentials`. Before each test alice's
 * registry holds `app:v1` (`seeded()`); after each, the engine is reset.
 */
export function useSignedRegistry(credentials: readonly EcrCredentials[], options: EcrOptions = {}) {
  const ecr = createEcr(options)
  const server = setupServer(...ecrHandlers(ecr, { credentials }))
  let image: SeededImage | undefined
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  beforeEach(async () => {
    image = await ecr.seed.image('app', { tag: 'v1', context: { accountId: ALICE, region: REGION } })
  })
  afterEach(() => ecr.reset())
  afterAll(() => server.close())
  return { ecr, seeded: () => image! }
}
