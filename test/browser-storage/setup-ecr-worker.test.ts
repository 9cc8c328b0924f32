import 'fake-indexeddb/auto'
import { CreateRepositoryCommand, DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr'
import { createStore, entries, set } from 'idb-keyval'
import type { RequestHandler } from 'msw'
import { setupServer } from 'msw/node'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { setupEcrWorker } from '../../handlers/browser/index.js'
import type { SetupEcrWorkerOptions, SetupEcrWorkerResult } from '../../handlers/browser/index.js'
import { credentials } from '../sdk/harness.js'

// Node has no service workers: MSW's setupWorker is replaced by a stand-in that records what it
// was given, and requests reach the same handlers through msw/node's setupServer.
const workers = vi.hoisted(() => [] as Array<{ handlers: RequestHandler[]; start: ReturnType<typeof vi.fn>; stop: ReturnType<typeof vi.fn> }>)
const startFailure = vi.hoisted(() => ({ error: undefined as Error | undefined }))
vi.mock('msw/browser', () => ({
  setupWorker: (...handlers: RequestHandler[]) => {
    const worker = {
      handlers,
      start: vi.fn(async () => {
        if (startFailure.error !== undefined) throw startFailure.error
        return undefined
      }),
      stop: vi.fn(),
    }
    workers.push(worker)
    return worker
  },
}))

let databases = 0
const freshName = () => `fake-ecr-worker-test-${++databases}`
const SEED = { repositories: [{ name: 'web', images: [{ tag: 'v1', layers: [64] }] }] }

/** The page's SDK client, answered by the handlers the last setupEcrWorker gave its worker. */
async function withPage<T>(run: (client: ECRClient) => Promise<T>): Promise<T> {
  const server = setupServer(...workers.at(-1)!.handlers)
  server.listen({ onUnhandledRequest: 'error' })
  const client = new ECRClient({ region: 'us-east-1', credentials, maxAttempts: 1 })
  try {
    return await run(client)
  } finally {
    client.destroy()
    server.close()
  }
}

const started: SetupEcrWorkerResult[] = []
async function start(options: SetupEcrWorkerOptions): Promise<SetupEcrWorkerResult> {
  const result = await setupEcrWorker({ quiet: true, ...options })
  started.push(result)
  return result
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
  startFailure.error = undefined
  workers.length = 0
  for (const { worker } of started.splice(0)) worker.stop()
})

describe('setupEcrWorker', () => {
  it('starts the worker with the ECR handlers once state is loaded; state survives a reload and is seeded once', async () => {
    const databaseName = freshName()
    const first = await start({ databaseName, seed: SEED, serviceWorkerUrl: '/assets/mockServiceWorker.js', quiet: true })
    expect(first.persistence).toBe('indexeddb')
    expect(workers[0]?.start).toHaveBeenCalledWith({
      serviceWorker: { url: '/assets/mockServiceWorker.js' },
      quiet: true,
      onUnhandledRequest: 'bypass',
      onUnhandledFrame: 'bypass',
    })
    await withPage((client) => client.send(new CreateRepositoryCommand({ repositoryName: 'api' })))

    const reloaded = await start({ databaseName, seed: SEED })
    await withPage(async (client) => {
      const { repositories } = await client.send(new DescribeRepositoriesCommand({}))
      expect(repositories?.map((repository) => repository.repositoryName)).toEqual(['web', 'api'])
      const { imageDetails } = await client.send(new DescribeImagesCommand({ repositoryName: 'web' }))
      expect(imageDetails?.map((image) => image.imageTags)).toEqual([['v1']])
    })
    expect(reloaded.ecr.snapshot()).toEqual(first.ecr.snapshot())
  })

  it('without IndexedDB (private mode), warns and runs in memory', async () => {
    vi.stubGlobal('indexedDB', undefined)
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const { ecr, persistence, storageError } = await start({ databaseName: freshName(), seed: SEED })
    expect(persistence).toBe('memory')
    expect(storageError?.message).toMatch(/^Failed to load fake-ecr state from IndexedDB database ".+": IndexedDB is not available here\. Suggested fix: /)
    expect(warn).toHaveBeenCalledOnce()
    expect(String(warn.mock.calls[0]?.[0])).toContain("keeps this page's registry in memory: changes are lost on reload")
    expect((await ecr.call('ListImages', { repositoryName: 'web' })).imageIds).toHaveLength(1)
  })

  it('with stored data of a newer format, warns, runs in memory and leaves the data alone', async () => {
    const databaseName = freshName()
    const store = createStore(databaseName, 'records')
    await set('format', new TextEncoder().encode(JSON.stringify({ writer: 'fake-ecr', version: 999 })), store)
    await set('log/0000000000000000', new TextEncoder().encode(JSON.stringify([{ kind: 'repository', scope: ['123456789012', 'us-east-1'], id: 'old' }])), store)
    const before = await entries(store)
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const { ecr, persistence } = await start({ databaseName })
    expect(persistence).toBe('memory')
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/Failed to load fake-ecr state .* written by a newer fake-ecr .* Suggested fix: upgrade fake-ecr/)
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    expect(await entries(store)).toEqual(before)
  })

  it('when saving fails, the page sees the calls fail, is warned once per run of failures, and reads keep answering', async () => {
    const databaseName = freshName()
    const { ecr } = await start({ databaseName })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const failures: unknown[] = []
    ecr.on('storage-error', ({ error }) => failures.push(error))
    await withPage(async (client) => {
      await client.send(new CreateRepositoryCommand({ repositoryName: 'one' }))
      const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      })
      for (const repositoryName of ['two', 'three']) {
        await expect(client.send(new CreateRepositoryCommand({ repositoryName }))).rejects.toMatchObject({
          name: 'ServerException',
          $metadata: { httpStatusCode: 500 },
          message: expect.stringMatching(/^Failed to save fake-ecr state to IndexedDB database ".+": QuotaExceededError: The quota has been exceeded\. Nothing of the call is stored or kept/),
        })
      }
      expect(failures).toHaveLength(2)
      expect(warn).toHaveBeenCalledOnce()
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/^fake-ecr: Failed to save fake-ecr state .*QuotaExceededError/)
      const { repositories } = await client.send(new DescribeRepositoriesCommand({}))
      expect(repositories?.map((repository) => repository.repositoryName)).toEqual(['one'])
      put.mockRestore()
      await client.send(new CreateRepositoryCommand({ repositoryName: 'two' }))
    })
    expect(failures).toHaveLength(2)
    const reloaded = await start({ databaseName })
    expect((await reloaded.ecr.call('DescribeRepositories', {})).repositories?.map((repository) => repository.repositoryName)).toEqual(['one', 'two'])
  })

  it('says how to serve the worker script when the worker does not start', async () => {
    startFailure.error = new Error('Failed to register a ServiceWorker: A bad HTTP response code (404) was received')
    await expect(setupEcrWorker({ databaseName: freshName() })).rejects.toThrow(
      /^Failed to start fake-ecr's service worker from "\/mockServiceWorker\.js": .*404.*Suggested fix: run "npx msw init public\/ --save"/,
    )
  })

  it('with persist: false, keeps state in memory and touches no database', async () => {
    const databaseName = freshName()
    const { ecr, persistence } = await start({ databaseName, persist: false, seed: SEED })
    expect(persistence).toBe('memory')
    expect((await ecr.call('DescribeRepositories', {})).repositories).toHaveLength(1)
    expect((await indexedDB.databases()).map((database) => database.name)).not.toContain(databaseName)
  })
})
