import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { useCli } from './cli-harness.js'

// Hostile clients against the real `fake-ecr` process: each case gets its own process, so that its
// memory can be read from /proc and nothing one case leaves behind helps or hurts the next.

const { start } = useCli()

const TARGET = 'AmazonEC2ContainerRegistry_V20150921'
/** Just under the 28 MiB request cap, so that the body is read and has to be answered. */
const BODY_BYTES = 27 * 1024 * 1024

const post = (url: string, operation: string, body: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `${TARGET}.${operation}` },
    body,
  })

/** A process's resident memory now and at its peak, in bytes. */
async function memoryOf(pid: number): Promise<{ now: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) * 1024
  return { now: kib('VmRSS'), peak: kib('VmHWM') }
}

const bombs = [
  {
    name: 'a list of 1 million numbers where names belong',
    operation: 'DescribeRepositories',
    body: `{"repositoryNames":[${'0,'.repeat(999_999)}0]}`,
    error: 'SerializationException',
  },
  {
    name: 'a list of 14 million numbers where names belong',
    operation: 'DescribeRepositories',
    body: `{"repositoryNames":[${'0,'.repeat(BODY_BYTES / 2 - 20)}0]}`,
    error: 'SerializationException',
  },
  {
    name: 'a list of 7 million names, 100 allowed',
    operation: 'DescribeRepositories',
    body: `{"repositoryNames":[${'"a",'.repeat(BODY_BYTES / 4 - 20)}"a"]}`,
    error: 'InvalidParameterException',
  },
  {
    name: 'an unknown member holding 9 million empty lists',
    operation: 'DescribeRepositories',
    body: `{"x":[${'[],'.repeat(BODY_BYTES / 3 - 20)}[]]}`,
    // Unknown members are ignored, as AWS does: the call itself is valid.
    error: undefined,
  },
  {
    name: 'a repository name of 27 MiB',
    operation: 'CreateRepository',
    body: `{"repositoryName":"${'a'.repeat(BODY_BYTES - 40)}"}`,
    error: 'InvalidParameterException',
  },
]

describe('the server under hostile request bodies', () => {
  it.each(bombs)('answers $name with the AWS answer, in memory a small multiple of the body, and keeps serving', async (bomb) => {
    const { child, url } = await start(['--port', '0'])
    try {
      // Warm up, so that the baseline holds what any request needs.
      expect((await post(url, 'DescribeRepositories', '{}')).status).toBe(200)
      const before = await memoryOf(child.pid!)

      const answer = post(url, bomb.operation, bomb.body)
      const alongside = await post(url, 'DescribeRepositories', '{}')
      const response = await answer
      const text = await response.text()

      expect(alongside.status).toBe(200)
      if (bomb.error === undefined) {
        expect([response.status, JSON.parse(text)]).toEqual([200, { repositories: [] }])
      } else {
        expect(response.status).toBe(400)
        expect(JSON.parse(text).__type.split('#').pop()).toBe(bomb.error)
      }
      // The body arrives as bytes and is read as text once: a few copies of it, never a value
      // per element (14 million numbers would be over 100 MiB of array alone; validation that
      // listed every bad element took gigabytes).
      const after = await memoryOf(child.pid!)
      expect(after.peak - before.now).toBeLessThan(5 * bomb.body.length + 32 * 1024 * 1024)
      expect((await post(url, 'DescribeRepositories', '{}')).status).toBe(200)
    } finally {
      child.kill('SIGTERM')
    }
    expect((await once(child, 'exit'))[0]).toBe(0)
  })

  it('stops on SIGTERM although a client stalls mid-body, cutting it after the grace', async () => {
    const { child, url } = await start(['--port', '0'])
    const { port } = new URL(url)
    const socket = connect(Number(port), '127.0.0.1')
    await once(socket, 'connect')
    socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: ${TARGET}.ListImages\r\nContent-Length: 1000\r\n\r\n{"repo`)
    // The server cuts the connection: a reset is one way for it to end.
    socket.on('error', () => {})
    const closed = once(socket, 'close')
    child.kill('SIGTERM')
    const [code, signal] = await once(child, 'exit')
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    await closed
  })

  it('answers names given with --allow-host, and refuses other names', async () => {
    const { child, url } = await start(['--port', '0', '--allow-host', 'registry.test', '--allow-host', 'ecr.internal'])
    try {
      const { port } = new URL(url)
      const asHost = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () =>
            socket.end(
              `POST / HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/x-amz-json-1.1\r\n` +
                `X-Amz-Target: ${TARGET}.DescribeRepositories\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
            ),
          )
          let response = ''
          socket.setEncoding('utf8')
          socket.on('data', (chunk: string) => (response += chunk))
          socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(response)?.[1])))
          socket.on('error', reject)
        })
      expect(await asHost('registry.test')).toBe(200)
      expect(await asHost('ECR.internal')).toBe(200)
      expect(await asHost('attacker.example')).toBe(403)
    } finally {
      child.kill('SIGTERM')
    }
    await once(child, 'exit')
  })
})
