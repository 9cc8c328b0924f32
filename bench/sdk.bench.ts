import { DescribeRepositoriesCommand, ECRClient, PutImageCommand, type ECRClientConfig } from '@aws-sdk/client-ecr'
import { setupServer } from 'msw/node'
import { afterAll, bench, describe } from 'vitest'
import { ECR_TARGET_PREFIX } from '../handlers/hosts.js'
import { ecrHandlers, handleApiRequest } from '../handlers/index.js'
import { createEcr } from '../src/index.js'
import { benchManifest, credentials } from './fixtures.js'

const region = 'us-east-1'

const ecr = createEcr({ region, verifyReferences: false })
await ecr.seed.repository('app')

const server = setupServer(...ecrHandlers(ecr))
server.listen({ onUnhandledRequest: 'error' })
afterAll(() => server.close())

/**
 * The SDK's floor: a request handler that answers every request at once with the bytes the fake
 * sends for the same call, so the two SDK figures differ only by MSW and the fake (handler and engine).
 */
const answer = new Uint8Array(
  await (
    await handleApiRequest(
      ecr,
      new Request(`https://api.ecr.${region}.amazonaws.com/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${ECR_TARGET_PREFIX}DescribeRepositories` },
        body: '{}',
      }),
    )
  )!.arrayBuffer(),
)
const constantHandler: NonNullable<ECRClientConfig['requestHandler']> = {
  // A plain response: the SDK reads only statusCode, headers and body, and @smithy/protocol-http's
  // HttpResponse (a wrapper of those fields) is not a dependency this project can import.
  handle: async () => ({
    response: {
      statusCode: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': '7f6c2a1e-0000-4000-8000-000000000001' },
      body: answer,
    },
  }),
}

const throughMsw = new ECRClient({ region, credentials, maxAttempts: 1 })
const throughConstant = new ECRClient({ region, credentials, maxAttempts: 1, requestHandler: constantHandler })

// Both clients must see the same repository, or the comparison is meaningless.
for (const client of [throughMsw, throughConstant]) {
  const { repositories } = await client.send(new DescribeRepositoriesCommand({}))
  if (repositories?.length !== 1 || repositories[0]?.repositoryName !== 'app' || !(repositories[0].createdAt instanceof Date)) {
    throw new Error(`Unexpected DescribeRepositories answer: ${JSON.stringify(repositories)}`)
  }
}

const options = { time: 1000 }
let pushed = 0

describe('reads: DescribeRepositories of one repository', () => {
  bench('SDK → MSW → engine', async () => {
    await throughMsw.send(new DescribeRepositoriesCommand({}))
  }, options)

  bench('SDK → constant handler (SDK floor)', async () => {
    await throughConstant.send(new DescribeRepositoriesCommand({}))
  }, options)

  bench('ecr.call (engine only)', async () => {
    await ecr.call('DescribeRepositories', {})
  }, options)
})

describe('writes: PutImage of a new tagged image', () => {
  bench('SDK → MSW → engine', async () => {
    const n = pushed++
    await throughMsw.send(new PutImageCommand({ repositoryName: 'app', imageManifest: benchManifest(n), imageTag: `v${n}` }))
  }, options)

  bench('ecr.call (engine only)', async () => {
    const n = pushed++
    await ecr.call('PutImage', { repositoryName: 'app', imageManifest: benchManifest(n), imageTag: `v${n}` })
  }, options)
})
