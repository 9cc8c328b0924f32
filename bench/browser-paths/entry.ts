import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr'
import { http, HttpResponse } from 'msw'
import { handleApiRequest } from '../../handlers/api.js'
import { indexedDbStorage } from '../../handlers/browser/indexeddb-storage.js'
import { setupEcrWorker } from '../../handlers/browser/setup-ecr-worker.js'
import { ecrRequestHandler } from '../../handlers/sdk/request-handler.js'
import type { EcrRequestHandler } from '../../handlers/sdk/glossary.js'
import { createEcr, type Ecr } from '../../src/index.js'
import { benchManifest, credentials } from '../fixtures.js'

// The page bench/browser-paths.bench.ts drives in Chromium. An engine on IndexedDB answering an
// ECRClient through `ecrRequestHandler` (no service worker), and another behind MSW's service
// worker as `setupEcrWorker` starts it; the same worker can instead answer with a trivial
// handler replaying the bytes of the engine's answer, MSW's own cost. For context, the SDK with
// a constant in-process handler (its floor here), `ecrRequestHandler` on an engine in memory, and
// `ecr.call` on IndexedDB: where a call's time goes. Calls are timed with the page's own clock.

const region = 'us-east-1'
/** Repositories DescribeRepositories names: a constant answer, whatever else a run created. */
const LISTED = ['web', 'api', 'worker', 'cron', 'docs']

export type Path = 'sdkFloor' | 'ecrRequestHandler' | 'inMemory' | 'engineCall' | 'ecrHandlers' | 'trivial'
export type Operation = 'CreateRepository' | 'PutImage' | 'DescribeRepositories'

export interface BrowserPathsBench {
  /** Starts the engines on fresh databases and the service worker; resolves once all answer. */
  prepare(): Promise<void>
  /** Makes `count` calls of `operation` one after another through `path`; their total ms. */
  run(path: Path, operation: Operation, count: number): Promise<number>
}

declare global {
  interface Window {
    browserPathsBench: BrowserPathsBench
  }
}

const OPERATIONS: readonly Operation[] = ['CreateRepository', 'PutImage', 'DescribeRepositories']
const COMMANDS = { CreateRepository: CreateRepositoryCommand, PutImage: PutImageCommand, DescribeRepositories: DescribeRepositoriesCommand }

const client = (requestHandler?: EcrRequestHandler) => new ECRClient({ region, credentials, maxAttempts: 1, ...(requestHandler !== undefined && { requestHandler }) })

/** A call's input: a new name or tag each time, so that every write is a new repository or image. */
function input(operation: Operation, n: number) {
  switch (operation) {
    case 'CreateRepository':
      return { repositoryName: `created-${n}` }
    case 'PutImage':
      return { repositoryName: 'images', imageManifest: benchManifest(n), imageTag: `v${n}` }
    case 'DescribeRepositories':
      return { repositoryNames: LISTED }
  }
}

/** An engine with the repositories the calls expect. */
async function stocked(ecr: Ecr): Promise<Ecr> {
  await ecr.ready
  for (const repositoryName of ['images', ...LISTED]) await ecr.call('CreateRepository', { repositoryName })
  return ecr
}

async function deleteDatabase(name: string): Promise<void> {
  await new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = resolve
    request.onerror = () => reject(request.error)
  })
}

/** What the API handlers answer to `operation` (its first call) on `ecr`: status, headers and bytes, to replay. */
async function answerOf(ecr: Ecr, operation: Operation) {
  const request = new Request(`https://api.ecr.${region}.amazonaws.com/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerRegistry_V20150921.${operation}` },
    body: JSON.stringify(input(operation, -1)),
  })
  const response = await handleApiRequest(ecr, request)
  if (response === undefined || !response.ok) throw new Error(`${operation}: no answer to replay (${response?.status})`)
  return { status: response.status, headers: [...response.headers], body: new Uint8Array(await response.arrayBuffer()) }
}

interface Paths {
  clients: Map<Path, ECRClient>
  engine: Ecr
  worker: Awaited<ReturnType<typeof setupEcrWorker>>['worker']
  /** The trivial service-worker handler, and the SDK's constant in-process handler, by operation. */
  trivial: Map<Operation, ReturnType<typeof http.post>>
  floors: Map<Operation, ECRClient>
}
let paths: Paths | undefined
let serial = 0

async function prepare(): Promise<void> {
  await Promise.all([deleteDatabase('bench-direct'), deleteDatabase('bench-worker')])
  const engine = await stocked(createEcr({ storage: indexedDbStorage({ databaseName: 'bench-direct' }), verifyReferences: false, region }))
  const inMemory = await stocked(createEcr({ verifyReferences: false, region }))
  const { worker, ecr } = await setupEcrWorker({ databaseName: 'bench-worker', region, verifyReferences: false, quiet: true })
  await stocked(ecr)
  const replayed = await stocked(createEcr({ verifyReferences: false, region }))
  const trivial = new Map<Operation, ReturnType<typeof http.post>>()
  const floors = new Map<Operation, ECRClient>()
  for (const operation of OPERATIONS) {
    const { status, headers, body } = await answerOf(replayed, operation)
    trivial.set(operation, http.post('*', () => new HttpResponse(body, { status, headers })))
    const response = { statusCode: status, headers: Object.fromEntries(headers), body }
    floors.set(operation, client({ ...ecrRequestHandler(replayed), handle: async () => ({ response }) }))
  }
  const fetching = client()
  paths = {
    clients: new Map([
      ['ecrRequestHandler', client(ecrRequestHandler(engine))],
      ['inMemory', client(ecrRequestHandler(inMemory))],
      ['ecrHandlers', fetching],
      ['trivial', fetching],
    ]),
    engine,
    worker,
    trivial,
    floors,
  }
}

async function run(path: Path, operation: Operation, count: number): Promise<number> {
  const { clients, engine, worker, trivial, floors } = paths!
  // Built before timing: making inputs and commands is not what is compared.
  const inputs = Array.from({ length: count }, () => input(operation, serial++))
  if (path === 'engineCall') {
    const started = performance.now()
    for (const each of inputs) await engine.call(operation, each as never)
    return performance.now() - started
  }
  const sender = path === 'sdkFloor' ? floors.get(operation)! : clients.get(path)!
  const Command = COMMANDS[operation] as new (input: object) => CreateRepositoryCommand
  const commands = inputs.map((each) => new Command(each))
  if (path === 'trivial') worker.resetHandlers(trivial.get(operation)!)
  try {
    const started = performance.now()
    for (const each of commands) await sender.send(each)
    return performance.now() - started
  } finally {
    if (path === 'trivial') worker.resetHandlers()
  }
}

window.browserPathsBench = { prepare, run }
