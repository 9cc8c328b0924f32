import {
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  TagResourceCommand,
  UploadLayerPartCommand,
} from '@aws-sdk/client-ecr'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256 } from '../fixtures.js'
import { credentials } from '../sdk/harness.js'
import { MediaTypes } from '../../src/index.js'
import { useCli } from './cli-harness.js'

// The standalone server with --data, as real processes: what it answered survives `kill -9`.

const { run, start } = useCli()
const directories: string[] = []
const children: ChildProcess[] = []

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true })
})

async function dataDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'fake-ecr-data-'))
  directories.push(directory)
  return directory
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function startServer(data: string, port: number) {
  const started = await start(['--data', data, '--port', String(port)])
  children.push(started.child)
  expect(started.firstLine).toContain(`(state in ${data};`)
  return { ...started, client: new ECRClient({ endpoint: started.url, region: 'us-east-1', credentials, maxAttempts: 1 }) }
}

async function kill9(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL')
  await once(child, 'exit')
}

/** Every file of a directory with its bytes: what "left untouched" is checked against. */
async function contentsOf(directory: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  const walk = async (path: string) => {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const child = join(path, entry.name)
      if (entry.isDirectory()) await walk(child)
      else files.set(relative(directory, child), `${(await stat(child)).mtimeMs} ${(await readFile(child)).toString('base64')}`)
    }
  }
  await walk(directory)
  return files
}

const MiB = 1024 * 1024

function layerBytes(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + seed) & 0xff
  return bytes
}

/** Uploads a blob in parts of `partSize` (the last one shorter), as docker does. */
async function upload(client: ECRClient, repositoryName: string, bytes: Uint8Array, partSize = bytes.byteLength): Promise<string> {
  const { uploadId } = await client.send(new InitiateLayerUploadCommand({ repositoryName }))
  for (let first = 0; first < bytes.byteLength; first += partSize) {
    const part = bytes.subarray(first, Math.min(first + partSize, bytes.byteLength))
    await client.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: first, partLastByte: first + part.byteLength - 1, layerPartBlob: part }))
  }
  const { layerDigest } = await client.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha256(bytes)] }))
  return layerDigest!
}

function manifestOf(config: Uint8Array, layers: Uint8Array[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: sha256(config), size: config.byteLength },
    layers: layers.map((layer) => ({ mediaType: MediaTypes.ociLayer, digest: sha256(layer), size: layer.byteLength })),
  })
}

describe('fake-ecr --data', () => {
  it('keeps everything a killed server acknowledged: images, tags, blobs, page tokens and download URLs', async () => {
    const data = await dataDirectory()
    const port = await freePort()
    const first = await startServer(data, port)
    const layer = layerBytes(12 * MiB, 1)
    const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}')
    await first.client.send(new CreateRepositoryCommand({ repositoryName: 'web' }))
    await first.client.send(new CreateRepositoryCommand({ repositoryName: 'api' }))
    await upload(first.client, 'web', layer, 5 * MiB)
    await upload(first.client, 'web', config)
    const manifest = manifestOf(config, [layer])
    await first.client.send(new PutImageCommand({ repositoryName: 'web', imageManifest: manifest, imageTag: 'v1' }))
    await first.client.send(new TagResourceCommand({ resourceArn: 'arn:aws:ecr:us-east-1:123456789012:repository/web', tags: [{ Key: 'team', Value: 'a' }] }))
    const { nextToken } = await first.client.send(new DescribeRepositoriesCommand({ maxResults: 1 }))
    const { downloadUrl } = await first.client.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'web', layerDigest: sha256(layer) }))
    first.client.destroy()
    await kill9(first.child)

    const second = await startServer(data, port)
    const { imageDetails } = await second.client.send(new DescribeImagesCommand({ repositoryName: 'web' }))
    expect(imageDetails?.map((image) => [image.imageTags, image.imageSizeInBytes])).toEqual([[['v1'], layer.byteLength + config.byteLength]])
    const { images } = await second.client.send(new BatchGetImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] }))
    expect(images?.[0]?.imageManifest).toBe(manifest)
    // A page token and a download URL issued before the restart still work.
    const { repositories } = await second.client.send(new DescribeRepositoriesCommand({ maxResults: 1, nextToken }))
    expect(repositories?.map((repository) => repository.repositoryName)).toEqual(['api'])
    const response = await fetch(downloadUrl!)
    expect(response.status).toBe(200)
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(layer))
    const ranged = await fetch(downloadUrl!, { headers: { Range: 'bytes=5242878-5242881' } })
    expect([ranged.status, ranged.headers.get('content-range')]).toEqual([206, `bytes 5242878-5242881/${layer.byteLength}`])
    expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(layer.slice(5242878, 5242882))
    second.client.destroy()
    second.child.kill('SIGTERM')
    expect((await once(second.child, 'exit'))[0]).toBe(0)
    // A clean stop releases the directory.
    expect((await readdir(data)).sort()).not.toContain('lock')
  })

  it('loses no acknowledged call across 20 kill -9 under a write load, and ends loadable', async () => {
    const data = await dataDirectory()
    const port = await freePort()
    const acknowledged = new Map<string, 'repository' | 'image'>()
    let sequence = 0
    for (let cycle = 0; cycle < 20; cycle++) {
      const server = await startServer(data, port)
      // Everything acknowledged so far is there.
      const { repositories = [] } = await server.client.send(new DescribeRepositoriesCommand({ maxResults: 1000 }))
      const names = new Set(repositories.map((repository) => repository.repositoryName))
      for (const [name, what] of acknowledged) {
        expect(names.has(name), `cycle ${cycle}: ${name}`).toBe(true)
        if (what === 'image') {
          const { imageDetails = [] } = await server.client.send(new DescribeImagesCommand({ repositoryName: name }))
          expect(imageDetails.map((image) => image.imageTags), `cycle ${cycle}: image in ${name}`).toEqual([['v1']])
        }
      }
      // Writers that never stop on their own: the kill comes in the middle of their calls.
      let killed = false
      const writer = async (lane: number) => {
        while (!killed) {
          const name = `repo-${cycle}-${lane}-${sequence++}`
          try {
            await server.client.send(new CreateRepositoryCommand({ repositoryName: name }))
            acknowledged.set(name, 'repository')
            if (lane === 0) {
              const layer = layerBytes(64 * 1024, sequence)
              const config = new TextEncoder().encode(`{"os":"linux","n":${sequence}}`)
              await upload(server.client, name, layer)
              await upload(server.client, name, config)
              await server.client.send(new PutImageCommand({ repositoryName: name, imageManifest: manifestOf(config, [layer]), imageTag: 'v1' }))
              acknowledged.set(name, 'image')
            }
          } catch {
            // The server died under this call: it was never acknowledged.
            return
          }
        }
      }
      const writers = [0, 1, 2].map(writer)
      await new Promise((resolve) => setTimeout(resolve, 100 + ((cycle * 37) % 200)))
      killed = true
      await kill9(server.child)
      server.client.destroy()
      await Promise.all(writers)
    }
    expect(acknowledged.size).toBeGreaterThan(100)
    const last = await startServer(data, port)
    const { repositories = [] } = await last.client.send(new DescribeRepositoriesCommand({ maxResults: 1000 }))
    const present = new Set(repositories.map((repository) => repository.repositoryName))
    // Calls that committed just before a kill, unanswered, may be there too: the client never heard.
    expect([...acknowledged.keys()].filter((name) => !present.has(name))).toEqual([])
    expect(present.size - acknowledged.size).toBeLessThanOrEqual(20 * 3)
    // The log was folded into a snapshot along the way (a compaction may have been killed too).
    expect(await readdir(join(data, 'snapshot'))).not.toEqual([])
    last.client.destroy()
  }, 120_000)

  it('refuses a second server on the same directory while the first runs', async () => {
    const data = await dataDirectory()
    const first = await startServer(data, 0)
    const second = await run(['--data', data, '--port', '0'])
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(
      new RegExp(`^Failed to start fake-ecr on directory ${data}: it is in use by another fake-ecr \\(process ${first.child.pid} on .+\\)\\. Suggested fix: stop that server first, or pass another data directory\\.`),
    )
    first.client.destroy()
  })

  it.each([
    [
      'written by a newer fake-ecr',
      async (data: string) => writeFile(join(data, 'format'), JSON.stringify({ writer: 'fake-ecr', version: 99 })),
      /it was written by a newer fake-ecr \(storage format 99; this version reads format \d+\)\. Suggested fix: upgrade fake-ecr to the version that wrote it, or pass another data directory\. Nothing stored was changed\./,
    ],
    [
      'with a damaged log entry',
      async (data: string) => {
        const [entry] = (await readdir(join(data, 'log'))).sort()
        await writeFile(join(data, 'log', entry!), '[{"kind":"repository","scope":["1234')
      },
      /its entry log\/\d{16} is not valid JSON\. Suggested fix: restore it from a backup, or move .+ aside \(or delete it\) to start afresh\. Nothing stored was changed\./,
    ],
    [
      'with a record of an impossible shape',
      async (data: string) => {
        const [entry] = (await readdir(join(data, 'log'))).sort()
        const records = JSON.parse(await readFile(join(data, 'log', entry!), 'utf8')) as Array<{ value?: { seq?: unknown } }>
        records[0]!.value!.seq = 'first'
        await writeFile(join(data, 'log', entry!), JSON.stringify(records))
      },
      /the stored repository record "web" in 123456789012\/us-east-1 is not valid \(seq: .+\)\. Suggested fix: restore it from a backup, or start afresh with empty storage\. Nothing stored was changed\./,
    ],
    [
      'with the bytes of a blob missing',
      async (data: string) => {
        const [chunk] = await readdir(join(data, 'chunk'))
        await rm(join(data, 'chunk', chunk!))
      },
      /the bytes of chunk upload-[0-9a-f-]+-0 are missing, so a blob or upload it holds is lost\./,
    ],
  ])('refuses a directory %s, saying which and what to do, and leaves it untouched', async (_name, damage, message) => {
    const data = await dataDirectory()
    const server = await startServer(data, 0)
    await server.client.send(new CreateRepositoryCommand({ repositoryName: 'web' }))
    await upload(server.client, 'web', layerBytes(100, 1))
    server.client.destroy()
    server.child.kill('SIGTERM')
    await once(server.child, 'exit')
    await damage(data)
    const before = await contentsOf(data)
    const refused = await run(['--data', data, '--port', '0'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`Failed to load fake-ecr state from directory ${data}: `)
    expect(refused.stderr).toMatch(message)
    expect(await contentsOf(data)).toEqual(before)
  })

  it('refuses a directory that holds files of something else', async () => {
    const data = await dataDirectory()
    await writeFile(join(data, 'notes.txt'), 'mine')
    const refused = await run(['--data', data, '--port', '0'])
    expect(refused).toMatchObject({ code: 1 })
    expect(refused.stderr).toContain(`Failed to load fake-ecr state from directory ${data}: it holds data but no format entry, so it was not written by fake-ecr or is damaged. Suggested fix: pass another data directory.`)
    expect(await readdir(data)).toEqual(['notes.txt'])
  })
})
