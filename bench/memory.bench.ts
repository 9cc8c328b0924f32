import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { ECRClient, paginateDescribeImages } from '@aws-sdk/client-ecr'
import { bench, describe } from 'vitest'
import { ecrRequestHandler } from '../handlers/sdk/index.js'
import { createEcr, type Ecr } from '../src/index.js'
import { benchManifest, credentials } from './fixtures.js'

/**
 * What the engine's state costs in memory (issue 11, item 7), measured after full garbage
 * collections and printed as a table: heap bytes retained per image, and what describing every
 * image through a front end adds (its JSON, kept: decisions/page-cost.md), bytes held per byte of layer
 * uploaded (heap and ArrayBuffers: blob bytes are kept as uploaded, in chunks), and the heap after
 * rounds of CreateRepository, 100 PutImage and DeleteRepository with `force`, which must stay flat.
 * The timed bench is one such round.
 *
 * vitest gives a bench file no `--expose-gc`; the flag set at run time exposes `gc` to a new context.
 */
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const IMAGES = 20_000
const BLOBS = 16
const BLOB_BYTES = 4 << 20
const ROUNDS = 50
const IMAGES_PER_ROUND = 100
const KIB = 1024

/** Heap and ArrayBuffer bytes in use once everything unreachable is collected. */
function retained(): { heap: number; buffers: number } {
  gc()
  gc()
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return { heap: heapUsed, buffers: arrayBuffers }
}

/**
 * Each measure makes its engine in a function of its own and uses it again after the last
 * reading: V8 may collect what a function no longer uses, even while it is running.
 */
async function perImage(): Promise<{ pushed: number; described: number }> {
  const ecr = createEcr({ verifyReferences: false })
  await ecr.seed.repository('images')
  const client = new ECRClient({ region: ecr.region, credentials, requestHandler: ecrRequestHandler(ecr) })
  const before = retained()
  await push(ecr, 'images', 0, IMAGES)
  const pushed = retained()
  let described = 0
  for await (const page of paginateDescribeImages({ client }, { repositoryName: 'images', maxResults: 1000 })) described += page.imageDetails!.length
  const after = retained()
  if (described !== IMAGES || ecr.snapshot().filter((record) => record.kind === 'image').length !== IMAGES) throw new Error('images went missing')
  const held = ({ heap, buffers }: { heap: number; buffers: number }) => heap + buffers
  return { pushed: (pushed.heap - before.heap) / IMAGES, described: (held(after) - held(pushed)) / IMAGES }
}

async function perLayerByte(): Promise<{ ratio: number; heap: number; buffers: number }> {
  const ecr = createEcr()
  await ecr.seed.repository('blobs')
  const before = retained()
  await upload(ecr)
  const after = retained()
  if (ecr.snapshot().filter((record) => record.kind === 'content').length !== BLOBS) throw new Error('blobs went missing')
  const heap = after.heap - before.heap
  const buffers = after.buffers - before.buffers
  return { ratio: (heap + buffers) / (BLOBS * BLOB_BYTES), heap, buffers }
}

async function upload(ecr: Ecr): Promise<void> {
  for (let i = 0; i < BLOBS; i++) {
    const bytes = new Uint8Array(BLOB_BYTES)
    bytes[0] = i
    await ecr.seed.blob('blobs', bytes)
  }
}

/** Heap after every tenth round of create, push and delete. */
async function heapOverRounds(): Promise<number[]> {
  const ecr = createEcr({ verifyReferences: false })
  const heaps: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    await oneRound(ecr, round)
    if (round % 10 === 9) heaps.push(retained().heap)
  }
  if (ecr.snapshot().length !== 0) throw new Error('a deleted repository left records behind')
  return heaps
}

async function oneRound(ecr: Ecr, round: number): Promise<void> {
  const repositoryName = `round-${round}`
  await ecr.call('CreateRepository', { repositoryName })
  await push(ecr, repositoryName, round * IMAGES_PER_ROUND, IMAGES_PER_ROUND)
  await ecr.call('DeleteRepository', { repositoryName, force: true })
}

/** Pushes `count` distinct images of one layer, half of them tagged (as in bench/pagination.bench.ts). */
async function push(ecr: Ecr, repositoryName: string, first: number, count: number): Promise<void> {
  for (let i = first; i < first + count; i++) {
    await ecr.call('PutImage', { repositoryName, imageManifest: benchManifest(i), ...(i % 2 === 0 && { imageTag: `t${i}` }) })
  }
}

const image = await perImage()
const layers = await perLayerByte()
const heaps = await heapOverRounds()
const growth = (heaps.at(-1)! - heaps[0]!) / (ROUNDS - 10)
console.table({
  [`heap per image (${IMAGES.toLocaleString('en')} images of one layer, half tagged)`]: { value: `${(image.pushed / KIB).toFixed(2)} KiB` },
  ['held in addition per image once described through ecrRequestHandler']: { value: `${(image.described / KIB).toFixed(2)} KiB` },
  [`bytes held per layer byte uploaded (${BLOBS} × ${BLOB_BYTES >> 20} MiB)`]: {
    value: `${layers.ratio.toFixed(4)} (heap ${(layers.heap / KIB).toFixed(0)} KiB, ArrayBuffers ${(layers.buffers / KIB / KIB).toFixed(1)} MiB)`,
  },
  [`heap after rounds 10, 20, … ${ROUNDS} of create, ${IMAGES_PER_ROUND} pushes, delete`]: {
    value: heaps.map((heap) => `${(heap / KIB / KIB).toFixed(1)} MiB`).join(', '),
  },
  ['heap growth per round after round 10']: { value: `${(growth / KIB).toFixed(1)} KiB` },
})

describe(`memory: one round of CreateRepository, ${IMAGES_PER_ROUND} PutImage, DeleteRepository (force)`, () => {
  const ecr = createEcr({ verifyReferences: false })
  let round = 0
  bench('create, push, delete (ecr.call)', async () => {
    await oneRound(ecr, round++)
  }, { time: 1000 })
})
