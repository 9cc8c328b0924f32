import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEcrServer, fileSystemStorage } from '../../handlers/node/index.js'
import { createEcr } from '../../src/index.js'

const directories: string[] = []
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true })
})

async function dataDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'fake-ecr-fs-'))
  directories.push(directory)
  return directory
}

describe('fileSystemStorage', () => {
  it('keeps the signing key: an authorization token issued before a restart is still good after it', async () => {
    const directory = await dataDirectory()
    const storage = await fileSystemStorage(directory)
    const first = createEcr({ storage })
    const { authorizationData } = await first.call('GetAuthorizationToken', {}, { region: 'eu-west-1' })
    await storage.close()

    const again = await fileSystemStorage(directory)
    const second = createEcr({ storage: again })
    const password = atob(authorizationData![0]!.authorizationToken!).slice('AWS:'.length)
    expect(await second.verifyAuthorizationToken(password)).toEqual({
      accountId: '123456789012',
      region: 'eu-west-1',
      expiresAt: authorizationData![0]!.expiresAt,
    })
    // One made with another key is not.
    expect(await createEcr().verifyAuthorizationToken(password)).toBeUndefined()
    await again.close()
  })

  it('is locked while open, also against a second open in the same process, and free once closed', async () => {
    const directory = await dataDirectory()
    const storage = await fileSystemStorage(directory)
    await expect(fileSystemStorage(directory)).rejects.toThrow(`Failed to start fake-ecr on directory ${directory}: it is in use by another fake-ecr`)
    await expect(createEcrServer({ dataDir: directory, port: 0 })).rejects.toThrow('it is in use by another fake-ecr')
    await storage.close()
    const server = await createEcrServer({ dataDir: directory, port: 0 })
    expect(server.dataDir).toBe(directory)
    await server.close()
    expect(await readdir(directory)).not.toContain('lock')
  })

  it('takes over the lock of a process that died', async () => {
    const directory = await dataDirectory()
    // A process that has exited: its id names no live process (for a while at least).
    const child = spawn(process.execPath, ['-e', ''])
    await once(child, 'exit')
    await writeFile(join(directory, 'lock'), JSON.stringify({ pid: child.pid, host: hostname(), token: 'dead', since: '2025-01-01T00:00:00.000Z' }))
    const storage = await fileSystemStorage(directory)
    expect(JSON.parse(await readFile(join(directory, 'lock'), 'utf8'))).toMatchObject({ pid: process.pid })
    await storage.close()
  })

  it('drops what a process stopped half-way through a write left behind, once it writes again', async () => {
    const directory = await dataDirectory()
    const storage = await fileSystemStorage(directory)
    const ecr = createEcr({ storage })
    await ecr.seed.image('web', { tag: 'v1', layers: [100] })
    await storage.close()
    // Bytes stored for a call whose records never were, and a file that was being written.
    await writeFile(join(directory, 'chunk', 'upload-00000000-0000-4000-8000-000000000000-0'), 'orphan')
    await mkdir(join(directory, 'log'), { recursive: true })
    await writeFile(join(directory, 'log', '0000000000000099.partial-abcdef'), '[{"kind":')

    const reopened = await fileSystemStorage(directory)
    const again = createEcr({ storage: reopened })
    expect((await again.call('ListImages', { repositoryName: 'web' })).imageIds).toHaveLength(1)
    expect(await readdir(join(directory, 'chunk'))).not.toContain('upload-00000000-0000-4000-8000-000000000000-0')
    await again.call('CreateRepository', { repositoryName: 'api' })
    expect((await readdir(join(directory, 'log'))).filter((name) => name.includes('partial'))).toEqual([])
    await reopened.close()
  })

  it('refuses both a data directory and an engine or storage of its own', async () => {
    const directory = await dataDirectory()
    await expect(createEcrServer({ dataDir: directory, ecr: createEcr() })).rejects.toThrow(TypeError)
    expect(await readdir(directory)).toEqual([])
  })
})
