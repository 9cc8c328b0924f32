import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr'
import { setupServer } from 'msw/node'
import { afterAll, bench, describe } from 'vitest'
import { ecrHandlers } from '../handlers/index.js'
import { attachEcr, ecrRequestHandler } from '../handlers/sdk/index.js'
import { createEcr } from '../src/index.js'
import { benchManifest, credentials } from './fixtures.js'

// Writes through each way into the engine: PutImage of a new tagged image. (Reads and their
// floors are in bench/paths.bench.ts, printed as one table.)

const region = 'us-east-1'

const ecr = createEcr({ region, verifyReferences: false })
await ecr.seed.repository('app')

const server = setupServer(...ecrHandlers(ecr))
server.listen({ onUnhandledRequest: 'error' })
afterAll(() => server.close())

const throughMsw = new ECRClient({ region, credentials, maxAttempts: 1 })
const throughHandler = new ECRClient({ region, credentials, maxAttempts: 1, requestHandler: ecrRequestHandler(ecr) })
const attached = new ECRClient({ region, credentials, maxAttempts: 1 })
attachEcr(attached, ecr)

const options = { time: 1000 }
let pushed = 0
const put = (client: ECRClient) => async () => {
  const n = pushed++
  await client.send(new PutImageCommand({ repositoryName: 'app', imageManifest: benchManifest(n), imageTag: `v${n}` }))
}

describe('writes: PutImage of a new tagged image', () => {
  bench('SDK → MSW → engine', put(throughMsw), options)
  bench('SDK → ecrRequestHandler', put(throughHandler), options)
  bench('SDK → attachEcr', put(attached), options)
  bench('ecr.call (engine only)', async () => {
    const n = pushed++
    await ecr.call('PutImage', { repositoryName: 'app', imageManifest: benchManifest(n), imageTag: `v${n}` })
  }, options)
})
