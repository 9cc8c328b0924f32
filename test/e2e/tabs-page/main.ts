import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRegistryPolicyCommand,
  GetRegistryScanningConfigurationCommand,
  GetRepositoryPolicyCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  PutRegistryPolicyCommand,
  PutRegistryScanningConfigurationCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecr'
import { indexedDbStorage, setupEcrWorker } from '../../../handlers/browser/index.js'
import { createEcr, type StoredRecord } from '../../../src/index.js'

// The page test/e2e/tabs.test.ts opens in several tabs of one browser context (and
// bench/browser-calls.bench.ts times calls in): the fake in IndexedDB behind MSW's service worker,
// and the AWS SDK in front of it, driven through `window.tabs`. Nothing here throws across
// `page.evaluate`: results say how calls ended.

const databaseName = 'fake-ecr-tabs'
const region = 'us-east-1'

const commands = {
  BatchDeleteImage: BatchDeleteImageCommand,
  BatchGetImage: BatchGetImageCommand,
  CreateRepository: CreateRepositoryCommand,
  DeleteRepository: DeleteRepositoryCommand,
  DescribeRepositories: DescribeRepositoriesCommand,
  GetLifecyclePolicy: GetLifecyclePolicyCommand,
  GetRegistryPolicy: GetRegistryPolicyCommand,
  GetRegistryScanningConfiguration: GetRegistryScanningConfigurationCommand,
  GetRepositoryPolicy: GetRepositoryPolicyCommand,
  ListImages: ListImagesCommand,
  ListTagsForResource: ListTagsForResourceCommand,
  PutImage: PutImageCommand,
  PutLifecyclePolicy: PutLifecyclePolicyCommand,
  PutRegistryPolicy: PutRegistryPolicyCommand,
  PutRegistryScanningConfiguration: PutRegistryScanningConfigurationCommand,
  SetRepositoryPolicy: SetRepositoryPolicyCommand,
  TagResource: TagResourceCommand,
}

export type CommandName = keyof typeof commands
type CommandOf<C extends CommandName> = InstanceType<(typeof commands)[C]>
export type Input<C extends CommandName> = CommandOf<C>['input']
/** What the SDK resolves a command with (its middleware handler's `output`). */
export type Output<C extends CommandName> = Awaited<ReturnType<ReturnType<CommandOf<C>['resolveMiddleware']>>>['output']
export type Result<C extends CommandName> = { ok: true; output: Output<C> } | { ok: false; name: string; message: string }

export interface TabsPage {
  /** Resolves once the worker answers and the stored state is loaded; rejects with why not. */
  started: Promise<void>
  /** Sends one command through the SDK. */
  send<C extends CommandName>(command: C, input: Input<C>): Promise<Result<C>>
  /** Sends one command once `Date.now()` reaches `at`, so that calls of several tabs start in the same millisecond. */
  fireAt<C extends CommandName>(at: number, command: C, input: Input<C>): Promise<Result<C>>
  /** Sends one command, timed in the page: its result, and how many milliseconds it took. */
  sendTimed<C extends CommandName>(command: C, input: Input<C>): Promise<{ result: Result<C>; ms: number }>
  /** Pushes an image of new content (a layer of 64 bytes) through the engine, so that its manifest can be put again. */
  seedImage(repositoryName: string, tag?: string): Promise<{ imageManifest: string; imageDigest: string }>
  /** This tab's engine state, as it is now (no call, so no catching up). */
  snapshot(): Promise<StoredRecord[]>
  /** The state a tab opened now would load: a new engine's, on the same database. */
  storedSnapshot(): Promise<StoredRecord[]>
  /** While on, every IndexedDB put of this tab throws, as when the origin's quota is exceeded. */
  failWrites(on: boolean): void
}

declare global {
  interface Window {
    tabs: TabsPage
  }
}

// Before the fake opens the database: every write of this tab goes through it.
let failingWrites = false
const put = IDBObjectStore.prototype.put
IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
  if (failingWrites) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
  return put.apply(this, args)
}

const setup = setupEcrWorker({ databaseName, region, quiet: true })
const client = new ECRClient({
  region,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  // A refusal is an answer to check, not something to retry.
  maxAttempts: 1,
})

const send = async <C extends CommandName>(command: C, input: Input<C>): Promise<Result<C>> => {
  await setup
  const Command = commands[command] as new (input: Input<C>) => Parameters<ECRClient['send']>[0]
  try {
    return { ok: true, output: (await client.send(new Command(input))) as Output<C> }
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error))
    return { ok: false, name, message }
  }
}

/** Records as plain JSON: what crosses `page.evaluate` is then exactly what is compared. */
const plain = (records: StoredRecord[]): StoredRecord[] => JSON.parse(JSON.stringify(records)) as StoredRecord[]

window.tabs = {
  started: setup.then(() => undefined),
  send,
  async fireAt(at, command, input) {
    await setup
    // Timers fire late, never early: wake a little before the instant and spin through the rest.
    const early = at - Date.now() - 4
    if (early > 0) await new Promise((resolve) => setTimeout(resolve, early))
    while (Date.now() < at);
    return send(command, input)
  },
  async sendTimed(command, input) {
    // Once started, so that only the call is timed.
    await setup
    const start = performance.now()
    const result = await send(command, input)
    return { result, ms: performance.now() - start }
  },
  async seedImage(repositoryName, tag) {
    const { ecr } = await setup
    const { imageManifest, imageDigest } = await ecr.seed.image(repositoryName, { layers: [64], ...(tag !== undefined && { tag }) })
    return { imageManifest, imageDigest }
  },
  async snapshot() {
    const { ecr } = await setup
    return plain(ecr.snapshot())
  },
  async storedSnapshot() {
    const storage = indexedDbStorage({ databaseName, broadcast: false })
    try {
      const ecr = createEcr({ storage, region })
      await ecr.ready
      return plain(ecr.snapshot())
    } finally {
      storage.close()
    }
  },
  failWrites(on) {
    failingWrites = on
  },
}
