import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, bench, describe } from 'vitest'
import { fileSystemStorage, type FileSystemStorage } from '../handlers/node/index.js'
import { createEcr, memoryStorage, type Ecr } from '../src/index.js'
import { benchManifest } from './fixtures.js'

// What persistence costs per call: the same writes with no storage, with memoryStorage (the
// storage layer's own cost: JSON, the log, compaction) and with a data directory (files written
// through to the OS before the call returns), and how long a directory of 10,000 images takes to load.

const directories: string[] = []
const opened: FileSystemStorage[] = []

async function directory(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'fake-ecr-bench-'))
  directories.push(path)
  return path
}

async function onDisk(path?: string): Promise<Ecr> {
  const storage = await fileSystemStorage(path ?? (await directory()))
  opened.push(storage)
  return createEcr({ storage, verifyReferences: false })
}

afterAll(async () => {
  for (const storage of opened.splice(0)) await storage.close()
  for (const path of directories.splice(0)) await rm(path, { recursive: true, force: true })
})

const engines = {
  memory: createEcr(),
  memoryStorage: createEcr({ storage: memoryStorage() }),
  directory: await onDisk(),
}
let created = 0

describe('writes: CreateRepository (ecr.call)', () => {
  for (const [name, ecr] of Object.entries(engines)) {
    bench(`state in ${name}`, async () => {
      await ecr.call('CreateRepository', { repositoryName: `repo-${created++}` })
    })
  }
})

const PART = new Uint8Array(1024 * 1024).fill(7)
/** Each engine's upload in progress and its size so far. */
const uploads = new Map<Ecr, { uploadId: string; size: number }>()
for (const ecr of Object.values(engines)) {
  await ecr.call('CreateRepository', { repositoryName: 'parts' })
  uploads.set(ecr, { uploadId: (await ecr.call('InitiateLayerUpload', { repositoryName: 'parts' })).uploadId!, size: 0 })
}

describe('writes: UploadLayerPart of 1 MiB (ecr.call)', () => {
  for (const [name, ecr] of Object.entries(engines)) {
    bench(
      `state in ${name}`,
      async () => {
        const upload = uploads.get(ecr)!
        const { size } = upload
        await ecr.call('UploadLayerPart', { repositoryName: 'parts', uploadId: upload.uploadId, partFirstByte: size, partLastByte: size + PART.byteLength - 1, layerPartBlob: PART })
        upload.size += PART.byteLength
      },
      // Parts stay (in memory for two of the three): a fixed count keeps that to about 60 MiB each.
      { iterations: 50, time: 0 },
    )
  }
})

// A directory holding 10,000 tagged images (20,000 records and more), written through an engine.
const bigDirectory = await directory()
{
  const started = performance.now()
  const ecr = await onDisk(bigDirectory)
  await ecr.call('CreateRepository', { repositoryName: 'big' })
  for (let i = 0; i < 10_000; i++) await ecr.call('PutImage', { repositoryName: 'big', imageManifest: benchManifest(i), imageTag: `v${i}` })
  await opened.pop()!.close()
  console.log(`wrote 10,000 images to ${bigDirectory} in ${((performance.now() - started) / 1000).toFixed(1)} s (not timed)`)
}

describe('start: a data directory of 10,000 images', () => {
  bench(
    'fileSystemStorage + createEcr + ready',
    async () => {
      const storage = await fileSystemStorage(bigDirectory)
      const ecr = createEcr({ storage, verifyReferences: false })
      await ecr.ready
      await storage.close()
    },
    { iterations: 10, time: 0 },
  )
})
