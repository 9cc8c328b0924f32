import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  type ECRClientConfig,
} from '@aws-sdk/client-ecr'
import { http, type RequestHandler } from 'msw'
import { setupServer } from 'msw/node'
import { ecrHandlers } from '../handlers/index.js'
import { createEcrServer } from '../handlers/node/index.js'
import { mockClient } from 'aws-sdk-client-mock'
import { attachEcr, ecrRequestHandler } from '../handlers/sdk/index.js'
import type { Ecr } from '../src/index.js'
import { createEcr } from '../src/index.js'
import { benchManifest, credentials } from './fixtures.js'
import { PATHS, type PathFigure, type PathName, type ScenarioName } from './paths-table.js'

/** One way into the engine, ready to call for one scenario. */
export interface BenchPath {
  name: PathName
  /** Makes the call; the answer is what `Scenario.check` accepts. */
  call(): Promise<unknown>
  /**
   * Runs before the path is measured (and warmed up), and `teardown` after: MSW intercepts only
   * while its own paths run, and each path starts from the scenario's first state.
   */
  setup(): Promise<void>
  teardown(): Promise<void>
}

export interface Scenario {
  name: ScenarioName
  paths: BenchPath[]
  /** Throws unless `output` is a right answer to the scenario's call. */
  check(output: unknown): void
}

/** What one scenario asks, in the SDK's words and the engine's. */
interface Call {
  name: ScenarioName
  /** Each scenario acts in a region of its own: creations do not grow the other answers. */
  region: string
  send(sdk: ECRClient): Promise<unknown>
  engine(ecr: Ecr): Promise<unknown>
  check(output: unknown): void
  /**
   * Takes the region back to its first state. Creations are retained (about 3 KB a repository),
   * and a heap grown by one path's thousands of them would slow the next path's GCs.
   */
  reset?(ecr: Ecr): Promise<void>
}

const PAGE = 1_000
let created = 0

const CALLS: Call[] = [
  {
    name: 'DescribeRepositories',
    region: 'eu-west-1',
    send: (sdk) => sdk.send(new DescribeRepositoriesCommand({})),
    engine: (ecr) => ecr.call('DescribeRepositories', {}, { region: 'eu-west-1' }),
    check: (output) => {
      const { repositories } = output as { repositories?: Array<{ repositoryName?: string; createdAt?: unknown }> }
      expect(repositories?.length === 1 && repositories[0]!.repositoryName === 'app' && repositories[0]!.createdAt instanceof Date, output)
    },
  },
  {
    name: 'CreateRepository',
    region: 'us-east-1',
    send: (sdk) => sdk.send(new CreateRepositoryCommand({ repositoryName: `r${created++}` })),
    engine: (ecr) => ecr.call('CreateRepository', { repositoryName: `r${created++}` }, { region: 'us-east-1' }),
    check: (output) => {
      const { repository } = output as { repository?: { repositoryName?: string; createdAt?: unknown } }
      expect(/^r\d+$/.test(repository?.repositoryName ?? '') && repository!.createdAt instanceof Date, output)
    },
    reset: async (ecr) => {
      const context = { region: 'us-east-1' }
      for (;;) {
        const { repositories = [] } = await ecr.call('DescribeRepositories', { maxResults: 1000 }, context)
        if (repositories.length === 0) return
        for (const { repositoryName } of repositories) await ecr.call('DeleteRepository', { repositoryName: repositoryName! }, context)
      }
    },
  },
  {
    name: 'DescribeImages, 1 page of 1,000 images',
    region: 'eu-central-1',
    send: (sdk) => sdk.send(new DescribeImagesCommand({ repositoryName: 'big', maxResults: PAGE })),
    engine: (ecr) => ecr.call('DescribeImages', { repositoryName: 'big', maxResults: PAGE }, { region: 'eu-central-1' }),
    check: (output) => {
      const { imageDetails } = output as { imageDetails?: Array<{ imagePushedAt?: unknown }> }
      expect(imageDetails?.length === PAGE && imageDetails.every((image) => image.imagePushedAt instanceof Date), `${imageDetails?.length} images`)
    },
  },
]

function expect(condition: boolean, output: unknown): void {
  if (!condition) throw new Error(`Unexpected answer: ${JSON.stringify(output).slice(0, 500)}`)
}

/** AWS JSON answers as the SDK reads them: the constant floors answer with these headers. */
const HEADERS = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': '7f6c2a1e-0000-4000-8000-000000000001' }

/**
 * Every path of {@link PATHS} for every scenario, over one engine (a repository `app` in
 * eu-west-1, 1,000 images in `big` in eu-central-1), one MSW server and one standalone server.
 * `close()` stops the servers.
 */
export async function preparePaths(): Promise<{ scenarios: Scenario[]; close(): Promise<void> }> {
  const ecr = createEcr({ verifyReferences: false })
  await ecr.seed.repository('app', {}, { region: 'eu-west-1' })
  await ecr.seed.repository('big', {}, { region: 'eu-central-1' })
  for (let i = 0; i < PAGE; i++) {
    await ecr.call('PutImage', { repositoryName: 'big', imageManifest: benchManifest(i), imageTag: `t${i}` }, { region: 'eu-central-1' })
  }
  const requestHandler = ecrRequestHandler(ecr)

  // The floors' bytes are the fake's own answers, recorded once through the request handler.
  const answers = new Map<ScenarioName, string>()
  for (const call of CALLS) {
    const recording: ECRClientConfig['requestHandler'] = {
      handle: async (request: Parameters<typeof requestHandler.handle>[0]) => {
        const answer = await requestHandler.handle(request)
        answers.set(call.name, new TextDecoder().decode(answer.response.body))
        return answer
      },
    }
    call.check(await call.send(client(call.region, { requestHandler: recording })))
  }
  const answerOf = (name: ScenarioName) => answers.get(name)!
  // aws-sdk-client-mock's stubs answer with what the SDK made of those bytes.
  const stubbedAnswers = new Map<ScenarioName, unknown>()
  for (const call of CALLS) {
    const bytes = new TextEncoder().encode(answerOf(call.name))
    const replay: ECRClientConfig['requestHandler'] = { handle: async () => ({ response: { statusCode: 200, headers: HEADERS, body: bytes } }) }
    stubbedAnswers.set(call.name, await call.send(client(call.region, { requestHandler: replay })))
  }

  // MSW answers ECR's hosts from the engine, and one host per scenario with constant bytes.
  const trivialHost = (call: Call) => `https://${call.region}.msw-trivial.test`
  const trivial: RequestHandler[] = CALLS.map((call) => {
    const text = answerOf(call.name)
    return http.post(`${trivialHost(call)}/`, () => new Response(text, { headers: HEADERS }))
  })
  const msw = setupServer(...trivial, ...ecrHandlers(ecr))
  const standalone = await createEcrServer({ ecr, port: 0 })

  const scenarios = CALLS.map((call): Scenario => {
    const bytes = new TextEncoder().encode(answerOf(call.name))
    const constant: ECRClientConfig['requestHandler'] = {
      // A plain response: the SDK reads only statusCode, headers and body.
      handle: async () => ({ response: { statusCode: 200, headers: HEADERS, body: bytes } }),
    }
    const send = (sdk: ECRClient) => () => call.send(sdk)
    const attached = client(call.region)
    attachEcr(attached, ecr)
    // The stub answers every call with the engine's first answer, as a test stubs a client.
    const stubbed = client(call.region)
    const { $metadata: _, ...stubbedOutput } = stubbedAnswers.get(call.name) as { $metadata: unknown }
    mockClient(stubbed).onAnyCommand().resolves(stubbedOutput)
    const implementations: Record<PathName, { call: BenchPath['call']; intercepted?: true }> = {
      'SDK floor: constant handler': { call: send(client(call.region, { requestHandler: constant })) },
      'SDK → ecrRequestHandler': { call: send(client(call.region, { requestHandler })) },
      'SDK → MSW trivial handler': { call: send(client(call.region, { endpoint: trivialHost(call) })), intercepted: true },
      'SDK → MSW → ecrHandlers': { call: send(client(call.region)), intercepted: true },
      'SDK → standalone server (loopback HTTP)': { call: send(client(call.region, { endpoint: standalone.url })) },
      'SDK stubbed by aws-sdk-client-mock (no state)': { call: send(stubbed) },
      'SDK → attachEcr': { call: send(attached) },
      'ecr.call (engine only)': { call: () => call.engine(ecr) },
    }
    const paths = PATHS.map(({ name }): BenchPath => {
      const intercepted = implementations[name].intercepted === true
      return {
        name,
        call: implementations[name].call,
        setup: async () => {
          await call.reset?.(ecr)
          if (intercepted) msw.listen({ onUnhandledRequest: 'error' })
        },
        teardown: async () => {
          if (intercepted) msw.close()
        },
      }
    })
    return { name: call.name, check: call.check, paths }
  })
  return {
    scenarios,
    close: async () => {
      msw.close()
      await standalone.close()
    },
  }
}

function client(region: string, config: ECRClientConfig = {}): ECRClient {
  return new ECRClient({ region, credentials, maxAttempts: 1, ...config })
}

/** How long {@link measurePaths} measures: rounds per path, and the time each batch of calls runs. */
export interface Measuring {
  rounds: number
  batchMs: number
}

/**
 * Every path's calls per second in every scenario, each path measured in turns with the floor it
 * is judged against: floor, path, floor, path… in batches of `batchMs`, `rounds` times. A path's
 * figure is the median of its batches; its ratio is the median, over its batches, of its rate over
 * the mean of the floor's batches just before and after it. On a shared machine whose speed
 * drifts from one second to the next, paths timed one after the other (as vitest's groups are)
 * gave ratios 0.6–1.2 for the same code; in turns, the ratio moves a few percent.
 */
export async function measurePaths(scenarios: readonly Scenario[], { rounds, batchMs }: Measuring): Promise<PathFigure[]> {
  const figures: PathFigure[] = []
  for (const scenario of scenarios) {
    const byName = new Map(scenario.paths.map((path) => [path.name, path]))
    for (const { name, floor } of PATHS) {
      const path = byName.get(name)!
      const floorPath = floor === undefined ? undefined : byName.get(floor)!
      const rates: number[] = []
      const ratios: number[] = []
      let floorBefore = floorPath === undefined ? undefined : await batchRate(floorPath, batchMs)
      for (let round = 0; round < rounds; round++) {
        const rate = await batchRate(path, batchMs)
        rates.push(rate)
        if (floorPath === undefined || floorBefore === undefined) continue
        const floorAfter = await batchRate(floorPath, batchMs)
        ratios.push(rate / ((floorBefore + floorAfter) / 2))
        floorBefore = floorAfter
      }
      figures.push({ scenario: scenario.name, path: name, hz: median(rates), ...(ratios.length > 0 && { ratio: median(ratios) }) })
    }
  }
  return figures
}

/** Calls per second of one batch: the path's calls for at least `batchMs` (at least one), set up and torn down around it. */
async function batchRate(path: BenchPath, batchMs: number): Promise<number> {
  await path.setup()
  try {
    let calls = 0
    const started = performance.now()
    let elapsed = 0
    do {
      await path.call()
      calls++
      elapsed = performance.now() - started
    } while (elapsed < batchMs)
    return (calls * 1000) / elapsed
  } finally {
    await path.teardown()
  }
}

function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
