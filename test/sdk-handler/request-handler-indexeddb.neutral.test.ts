import { CreateRepositoryCommand, DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr'
import { expect, it } from 'vitest'
import { indexedDbStorage } from '../../handlers/browser/indexeddb-storage.js'
import { ecrRequestHandler } from '../../handlers/sdk/index.js'
import { createEcr } from '../../src/index.js'

// In Chromium (the `browser` project) this is the page's own IndexedDB; in Node, fake-indexeddb's.
// Its name is hidden from Vite: the browser never loads it, so Vite must not bundle it for the
// page on discovering it (which reloads the page and fails the file on a fresh cache).
const fakeIndexedDb = 'fake-indexeddb'
if (typeof indexedDB === 'undefined') {
  const { indexedDB, IDBKeyRange } = (await import(/* @vite-ignore */ fakeIndexedDb)) as typeof import('fake-indexeddb')
  Object.assign(globalThis, { indexedDB, IDBKeyRange })
}

const region = 'eu-west-1'
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }

/** A "page load": an engine on the database, loaded, and an ECRClient answered by it directly. */
async function open(databaseName: string) {
  const storage = indexedDbStorage({ databaseName })
  const ecr = createEcr({ storage, region })
  await ecr.ready
  const client = new ECRClient({ region, credentials, maxAttempts: 1, requestHandler: ecrRequestHandler(ecr) })
  return { ecr, client, storage }
}

it('keeps what an ECRClient did through ecrRequestHandler in IndexedDB, for the next engine on the database', async () => {
  const databaseName = `fake-ecr-request-handler-${Date.now()}`
  const first = await open(databaseName)
  await first.client.send(new CreateRepositoryCommand({ repositoryName: 'web' }))
  const { imageManifest, imageDigest } = await first.ecr.seed.image('web', { tag: 'v1', layers: [64] })
  await first.client.send(new PutImageCommand({ repositoryName: 'web', imageManifest, imageTag: 'v2' }))
  first.storage.close()

  const second = await open(databaseName)
  try {
    const { repositories } = await second.client.send(new DescribeRepositoriesCommand({}))
    expect(repositories?.map((each) => each.repositoryName)).toEqual(['web'])
    const { imageDetails } = await second.client.send(new DescribeImagesCommand({ repositoryName: 'web' }))
    expect(imageDetails?.map((each) => [each.imageDigest, each.imageTags?.toSorted()])).toEqual([[imageDigest, ['v1', 'v2']]])
  } finally {
    second.storage.close()
  }
})
