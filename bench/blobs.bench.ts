import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { afterAll, bench, describe } from 'vitest'
import { handleApiRequest, handleRegistryRequest } from '../handlers/index.js'
import { fileSystemStorage, type FileSystemStorage } from '../handlers/node/index.js'
import { createContentHash } from '../src/digest.js'
import { createEcr, type Ecr } from '../src/index.js'
import { measuredClock } from './measured-clock.js'

// Layer upload throughput against its physical bound: the engine must hash every byte, so no
// upload path can beat SHA-256 over the same bytes in the same runtime. Each path takes the same
// 100 MiB layer in parts of 10 MiB (the part size InitiateLayerUpload recommends) or as a stream,
// into a fresh repository that is deleted afterwards (so every upload stores new content).
// MB/s are 10^6 bytes a second; the ratio is a path's speed over SHA-256's (the goal: at least 0.5).

const MIB = 1024 * 1024
const LAYER_BYTES = 100 * MIB
const PART_BYTES = 10 * MIB
const ITERATIONS = 5
const ACCOUNT = '123456789012'
const REGION = 'us-east-1'

/** The layer: bytes that change every MiB, so that misplaced bytes would change the digest. */
const layer = new Uint8Array(LAYER_BYTES)
for (let at = 0; at < LAYER_BYTES; at++) layer[at] = (at * 31 + (at >>> 20)) % 251
const parts = Array.from({ length: LAYER_BYTES / PART_BYTES }, (_, index) => layer.subarray(index * PART_BYTES, (index + 1) * PART_BYTES))
const digest = `sha256:${createHash('sha256').update(layer).digest('hex')}`

const directories: string[] = []
const opened: FileSystemStorage[] = []
afterAll(async () => {
  for (const storage of opened.splice(0)) await storage.close()
  for (const path of directories.splice(0)) await rm(path, { recursive: true, force: true })
})

async function onDisk(): Promise<Ecr> {
  const path = await mkdtemp(join(tmpdir(), 'fake-ecr-bench-blobs-'))
  directories.push(path)
  const storage = await fileSystemStorage(path)
  opened.push(storage)
  return createEcr({ accountId: ACCOUNT, region: REGION, storage })
}

const engines = { memory: createEcr({ accountId: ACCOUNT, region: REGION }), 'data directory': await onDisk() }

/** The engine's SHA-256 of the layer, in the parts the uploads send: the bound every path is judged against. */
function hashLayer(): void {
  const hash = createContentHash('sha256')
  for (const part of parts) hash.update(part)
  hash.hex()
}

/** Each run of each path: its seconds, and those of the engine's SHA-256 of the layer just before it. */
const runs = new Map<string, Array<{ seconds: number; hashSeconds: number }>>()
/** tinybench's clock for these benches: it moves only by the measured upload. */
const clock = measuredClock(ITERATIONS)
let repositories = 0

/**
 * Benches `upload` (given a fresh repository's name on `ecr`) under `label`: it alone is timed,
 * not the repository's creation and deletion, and so is the engine's SHA-256 of the layer just
 * before it, so that each run is judged against the bound as the shared machine ran then.
 */
function benchUpload(label: string, ecr: Ecr | undefined, upload: (repositoryName: string) => Promise<void> | void): void {
  runs.set(label, [])
  bench(
    label,
    async () => {
      const repositoryName = `layers-${repositories++}`
      if (ecr !== undefined) await ecr.call('CreateRepository', { repositoryName })
      const hashStarted = performance.now()
      hashLayer()
      const started = performance.now()
      await upload(repositoryName)
      const elapsed = performance.now() - started
      if (clock.record(elapsed)) runs.get(label)!.push({ seconds: elapsed / 1000, hashSeconds: (started - hashStarted) / 1000 })
      if (ecr !== undefined) await ecr.call('DeleteRepository', { repositoryName, force: true })
    },
    clock.options,
  )
}

/** InitiateLayerUpload, UploadLayerPart for each part, CompleteLayerUpload, as `ecr.call`. */
async function uploadThroughCall(ecr: Ecr, repositoryName: string): Promise<void> {
  const { uploadId } = await ecr.call('InitiateLayerUpload', { repositoryName })
  let first = 0
  for (const part of parts) {
    await ecr.call('UploadLayerPart', { repositoryName, uploadId, partFirstByte: first, partLastByte: first + part.byteLength - 1, layerPartBlob: part })
    first += part.byteLength
  }
  const { layerDigest } = await ecr.call('CompleteLayerUpload', { repositoryName, uploadId, layerDigests: [digest] })
  if (layerDigest !== digest) throw new Error(`the upload stored ${layerDigest}, not ${digest}`)
}

/**
 * Each part in base64 as the bytes of a JSON string, made once: encoding is the client's cost.
 * Kept as bytes, not strings: 140 MB of strings on the heap would slow every collection.
 */
const base64Parts = parts.map((part) => new TextEncoder().encode(JSON.stringify(Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('base64'))))
const API_URL = `https://api.ecr.${REGION}.amazonaws.com/`

async function apiCall(ecr: Ecr, operation: string, body: BodyInit): Promise<Record<string, unknown>> {
  const request = new Request(API_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AmazonEC2ContainerRegistry_V20150921.${operation}` },
    body,
  })
  const response = (await handleApiRequest(ecr, request))!
  const output = (await response.json()) as Record<string, unknown>
  if (response.status !== 200) throw new Error(`${operation}: ${response.status} ${JSON.stringify(output)}`)
  return output
}

/** The same calls as AWS JSON requests, base64 parts and all, through `handleApiRequest`. */
async function uploadThroughApi(ecr: Ecr, repositoryName: string): Promise<void> {
  const { uploadId } = (await apiCall(ecr, 'InitiateLayerUpload', JSON.stringify({ repositoryName }))) as { uploadId: string }
  let first = 0
  for (const [index, part] of parts.entries()) {
    const members = JSON.stringify({ repositoryName, uploadId, partFirstByte: first, partLastByte: first + part.byteLength - 1 })
    await apiCall(ecr, 'UploadLayerPart', new Blob([`${members.slice(0, -1)},"layerPartBlob":`, base64Parts[index]!, '}']))
    first += part.byteLength
  }
  await apiCall(ecr, 'CompleteLayerUpload', JSON.stringify({ repositoryName, uploadId, layerDigests: [digest] }))
}

const places = new Map<Ecr, Awaited<ReturnType<Ecr['registry']['authenticate']>>>()
const logins = new Map<Ecr, string>()
for (const ecr of Object.values(engines)) {
  const { authorizationData } = await ecr.call('GetAuthorizationToken', {})
  const login = `Basic ${authorizationData![0]!.authorizationToken!}`
  logins.set(ecr, login)
  places.set(ecr, await ecr.registry.authenticate(login, { accountId: ACCOUNT, region: REGION }))
}

/** The registry API's steps, called directly: start, append each part, finish. */
async function uploadThroughRegistryApi(ecr: Ecr, repositoryName: string): Promise<void> {
  const place = places.get(ecr)!
  const started = await ecr.registry.startUpload(place, repositoryName)
  if (!('uploadId' in started)) throw new Error('the upload was mounted')
  let size = 0
  for (const part of parts) size = (await ecr.registry.appendUpload(place, repositoryName, started.uploadId, part, size)).size
  await ecr.registry.finishUpload(place, repositoryName, started.uploadId, digest)
}

const REGISTRY = `https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`

/** The registry API over HTTP semantics: POST, one PATCH whose body streams the layer in 1 MiB pieces, PUT with the digest. */
async function uploadThroughRegistryRequests(ecr: Ecr, repositoryName: string): Promise<void> {
  const send = async (path: string, init: RequestInit, status: number) => {
    const response = (await handleRegistryRequest(ecr, new Request(new URL(path, REGISTRY), { ...init, headers: { Authorization: logins.get(ecr)!, ...init.headers } })))!
    if (response.status !== status) throw new Error(`${init.method} ${path}: ${response.status} ${await response.text()}`)
    return response
  }
  const started = await send(`/v2/${repositoryName}/blobs/uploads/`, { method: 'POST' }, 202)
  let next = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next === LAYER_BYTES) controller.close()
      else controller.enqueue(layer.subarray(next, (next += MIB)))
    },
  })
  const patched = await send(
    started.headers.get('location')!,
    { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' }, body, duplex: 'half' } as RequestInit,
    202,
  )
  await send(`${patched.headers.get('location')!}?digest=${digest}`, { method: 'PUT' }, 201)
}

describe(`upload of a ${LAYER_BYTES / MIB} MiB layer`, () => {
  benchUpload("SHA-256 of the layer: the engine's (node:crypto here)", undefined, hashLayer)
  benchUpload('SHA-256 of the layer: @noble/hashes (what browsers use)', undefined, () => {
    const hash = sha256.create()
    for (const part of parts) hash.update(part)
    hash.digest()
  })
  benchUpload('floor with a data directory: node:fs writes the parts as files, reads them back, hashes them', undefined, async () => {
    const directory = await mkdtemp(join(tmpdir(), 'fake-ecr-bench-files-'))
    const hash = createContentHash('sha256')
    for (const [index, part] of parts.entries()) await writeFile(join(directory, String(index)), part)
    for (const index of parts.keys()) hash.update(await readFile(join(directory, String(index))))
    hash.hex()
    await rm(directory, { recursive: true })
  })
  for (const [where, ecr] of Object.entries(engines)) {
    benchUpload(`ecr.call, 10 MiB parts, ${where}`, ecr, (name) => uploadThroughCall(ecr, name))
    benchUpload(`handleApiRequest (AWS JSON, base64), 10 MiB parts, ${where}`, ecr, (name) => uploadThroughApi(ecr, name))
    benchUpload(`ecr.registry, 10 MiB parts, ${where}`, ecr, (name) => uploadThroughRegistryApi(ecr, name))
    benchUpload(`handleRegistryRequest, streamed PATCH, ${where}`, ecr, (name) => uploadThroughRegistryRequests(ecr, name))
  }
})

afterAll(() => {
  const mbPerSecond = (seconds: number) => LAYER_BYTES / 1e6 / seconds
  /** The median of some figures, and their range. */
  const summary = (values: number[], digits: number) => {
    const sorted = values.toSorted((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)]!
    return `${median.toFixed(digits)} (${sorted[0]!.toFixed(digits)}–${sorted.at(-1)!.toFixed(digits)})`
  }
  const rows = [
    ['path', 'MB/s: median (range)', "the engine's SHA-256 in the same runs", 'ratio to it (goal ≥ 0.5)'],
    ...[...runs].filter(([, measured]) => measured.length > 0).map(([label, measured]) => [
      label,
      summary(measured.map(({ seconds }) => mbPerSecond(seconds)), 0),
      summary(measured.map(({ hashSeconds }) => mbPerSecond(hashSeconds)), 0),
      summary(measured.map(({ seconds, hashSeconds }) => hashSeconds / seconds), 2),
    ]),
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  console.log(
    [
      `Upload of a ${LAYER_BYTES / MIB} MiB layer, ${ITERATIONS} runs of each path after one to warm up (MB/s: 10^6 bytes a second)`,
      ...rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd()),
    ].join('\n'),
  )
})
