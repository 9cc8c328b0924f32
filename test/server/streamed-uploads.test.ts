import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REGISTRY_PART_BYTES } from '../../handlers/registry.js'
import { useCli } from './cli-harness.js'

// Registry uploads through the real `fake-ecr` process, its state on disk: a layer of 256 MiB
// streams through the server into the blob store, and the server's memory stays a small multiple
// of a chunk; a client that gives up mid-body leaves the server serving.

const { start } = useCli()

const MIB = 1024 * 1024
const LAYER_MIB = 256
/**
 * The most the server's resident memory may grow by while it takes a layer: a few of the parts the
 * handler gathers before it stores them (it copies one to store it), and the garbage they leave
 * until the next collection; never the layer. Measured: 80 to 110 MiB for layers of 100, 200 and
 * 600 MiB alike (and the layer's size plus that when MSW's clone of the request kept the body).
 */
const MEMORY_ALLOWANCE = 8 * REGISTRY_PART_BYTES

/** MiB `index` of a test layer: a pattern that changes every MiB, so that misplaced bytes show. */
const layerChunk = (index: number) => new Uint8Array(MIB).fill(index % 251)

function layerDigest(mib: number): string {
  const hash = createHash('sha256')
  for (let i = 0; i < mib; i++) hash.update(layerChunk(i))
  return `sha256:${hash.digest('hex')}`
}

/** The layer as a request body the client produces as it is sent, never whole. */
function layerBody(mib: number): ReadableStream<Uint8Array> {
  let next = 0
  return new ReadableStream({
    pull(controller) {
      if (next === mib) controller.close()
      else controller.enqueue(layerChunk(next++))
    },
  })
}

/** Starts a new peak of a process's resident memory (Linux: `5` to clear_refs resets VmHWM). */
const resetPeak = (pid: number) => writeFile(`/proc/${pid}/clear_refs`, '5')

/** A process's resident memory now and at its peak, in bytes. */
async function memoryOf(pid: number): Promise<{ now: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) * 1024
  return { now: kib('VmRSS'), peak: kib('VmHWM') }
}

describe('registry uploads through the standalone server', () => {
  let dataDir: string
  let server: Awaited<ReturnType<typeof start>>
  let authorization: string
  const digest = layerDigest(LAYER_MIB)

  const api = async (operation: string, input: object) => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AmazonEC2ContainerRegistry_V20150921.${operation}` },
      body: JSON.stringify(input),
    })
    expect(response.status).toBe(200)
    return response.json()
  }
  const registry = (path: string, init: RequestInit = {}) =>
    fetch(new URL(path, server.url), { ...init, headers: { Authorization: authorization, ...init.headers } })

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fake-ecr-uploads-'))
    server = await start(['--port', '0', '--data', dataDir])
    await api('CreateRepository', { repositoryName: 'app' })
    const { authorizationData } = await api('GetAuthorizationToken', {})
    authorization = `Basic ${authorizationData[0].authorizationToken}`
  })
  afterAll(async () => {
    server?.child.kill('SIGTERM')
    if (server !== undefined) await once(server.child, 'exit')
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  })

  /** Starts an upload; its URL's path and query. */
  async function startUpload(): Promise<string> {
    const started = await registry('/v2/app/blobs/uploads/', { method: 'POST' })
    expect(started.status).toBe(202)
    const location = new URL(started.headers.get('location')!, server.url)
    return location.pathname + location.search
  }

  it('streams a 256 MiB layer in one PATCH into the blob store, in memory a small multiple of a chunk', async () => {
    // Warm up: the baseline holds what any upload needs.
    const warm = await startUpload()
    expect((await registry(warm, { method: 'DELETE' })).status).toBe(204)
    await resetPeak(server.child.pid!)
    const before = await memoryOf(server.child.pid!)

    const location = await startUpload()
    const patched = await registry(location, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: layerBody(LAYER_MIB),
      duplex: 'half',
    } as RequestInit)
    expect(patched.status).toBe(202)
    expect(patched.headers.get('range')).toBe(`0-${LAYER_MIB * MIB - 1}`)
    const finished = new URL(patched.headers.get('location')!, server.url)
    finished.searchParams.set('digest', digest)
    expect((await registry(finished.href, { method: 'PUT' })).status).toBe(201)

    const after = await memoryOf(server.child.pid!)
    expect(after.peak - before.now).toBeLessThan(MEMORY_ALLOWANCE)
    const stored = await registry(`/v2/app/blobs/${digest}`, { method: 'HEAD' })
    expect([stored.status, stored.headers.get('content-length')]).toEqual([200, String(LAYER_MIB * MIB)])
  })

  it('streams a monolithic PUT of the same size the same way', async () => {
    await resetPeak(server.child.pid!)
    const before = await memoryOf(server.child.pid!)
    const location = new URL(await startUpload(), server.url)
    location.searchParams.set('digest', layerDigest(LAYER_MIB + 1))
    const put = await registry(location.href, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: layerBody(LAYER_MIB + 1),
      duplex: 'half',
    } as RequestInit)
    expect(put.status).toBe(201)
    const after = await memoryOf(server.child.pid!)
    expect(after.peak - before.now).toBeLessThan(MEMORY_ALLOWANCE)
  })

  it('keeps serving after clients abandon uploads mid-body, declared or chunked', async () => {
    const { port } = new URL(server.url)
    const abandon = async (framing: string, sent: Uint8Array) => {
      const location = await startUpload()
      const socket = connect(Number(port), '127.0.0.1')
      await once(socket, 'connect')
      socket.on('error', () => {})
      socket.write(`PATCH ${location} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${authorization}\r\n${framing}\r\n\r\n`)
      socket.write(sent)
      await new Promise((resolve) => setTimeout(resolve, 300))
      socket.destroy()
    }
    await abandon(`Content-Length: ${100 * MIB}`, new Uint8Array(20 * MIB))
    // A chunked body cut inside its first chunk of 1 MiB.
    await abandon('Transfer-Encoding: chunked', Buffer.concat([Buffer.from(`${MIB.toString(16)}\r\n`), Buffer.alloc(MIB / 2)]))
    // The server still takes a whole upload.
    const location = await startUpload()
    const small = new TextEncoder().encode('a small layer')
    const done = new URL(location, server.url)
    done.searchParams.set('digest', `sha256:${createHash('sha256').update(small).digest('hex')}`)
    expect((await registry(done.href, { method: 'PUT', body: small })).status).toBe(201)
  })
})
