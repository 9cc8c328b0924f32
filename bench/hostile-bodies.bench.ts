import { afterAll, bench, describe } from 'vitest'
import { createEcrServer } from '../handlers/node/index.js'

// What a hostile body costs the server: the time to answer bodies just under the 28 MiB cap that
// are built to be expensive (a list far past its maximum, a huge string, a huge unknown member),
// next to an ordinary request, all over real HTTP to the standalone server in this process (so the
// client's sending is in the figures too). Reading a body is synchronous: a request sent alongside
// waits while the bodies ahead of it are read, and no longer, since the engine never sees a refused one.

const server = await createEcrServer({ port: 0 })
afterAll(() => server.close())

const BODY_BYTES = 27 * 1024 * 1024
const bodies = {
  'list of 14 million numbers (SerializationException)': `{"repositoryNames":[${'0,'.repeat(BODY_BYTES / 2 - 20)}0]}`,
  'list of 7 million names (InvalidParameterException)': `{"repositoryNames":[${'"a",'.repeat(BODY_BYTES / 4 - 20)}"a"]}`,
  'unknown member of 9 million lists (ignored: 200)': `{"x":[${'[],'.repeat(BODY_BYTES / 3 - 20)}[]]}`,
}

const describeRepositories = (body: string) =>
  fetch(server.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories' },
    body,
  })

describe('hostile bodies of 27 MiB over HTTP (DescribeRepositories)', () => {
  bench('an ordinary request', async () => {
    await (await describeRepositories('{}')).text()
  })
  for (const [name, body] of Object.entries(bodies)) {
    bench(name, async () => {
      await (await describeRepositories(body)).text()
    }, { iterations: 10, time: 0 })
  }
})
