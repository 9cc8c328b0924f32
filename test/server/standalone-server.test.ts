import {
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  RepositoryNotFoundException,
  UploadLayerPartCommand,
} from '@aws-sdk/client-ecr'
import { once } from 'node:events'
import { Agent, request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createEcrServer, setupEcrServer, type EcrServer } from '../../handlers/node/index.js'
import { createEcr } from '../../src/index.js'
import { DOCKER_MANIFEST, sha256 } from '../fixtures.js'
import { credentials } from '../sdk/harness.js'
import { useServers } from './started-servers.js'

const start = useServers()

const clientOf = (server: EcrServer, region = 'eu-west-1') =>
  new ECRClient({ endpoint: server.url, region, credentials, maxAttempts: 1 })

interface Exchange {
  method: string
  path: string
  headers?: Record<string, string>
  body?: string
  agent?: Agent
}

/** One raw HTTP exchange, to see the wire as it is. */
function exchange(url: string, { method, path, headers = {}, body, agent }: Exchange) {
  return new Promise<{ status: number; contentType: string | undefined; body: string; reusedSocket: boolean }>(
    (resolve, reject) => {
      const req = httpRequest(`${url}${path}`, { method, headers, ...(agent && { agent }) }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode!, contentType: res.headers['content-type'], body: text, reusedSocket: req.reusedSocket }),
        )
      })
      req.on('error', reject)
      req.end(body)
    },
  )
}

/** A hand-written request on its own connection, and the whole answer as text. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request))
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (text += chunk))
    socket.on('end', () => resolve(text))
    socket.on('error', reject)
  })
}

const describeRepositories: Exchange = {
  method: 'POST',
  path: '/',
  headers: { 'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories', 'Content-Type': 'application/x-amz-json-1.1' },
  body: '{}',
}

describe('createEcrServer', () => {
  it('serves the ECR API to the SDK through a custom endpoint, taking the region from the signature', async () => {
    const server = await start({ accountId: '111122223333' })
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    await clientOf(server, 'ap-south-1').send(new CreateRepositoryCommand({ repositoryName: 'web' }))
    const { repositories } = await clientOf(server, 'ap-south-1').send(new DescribeRepositoriesCommand({}))
    expect(repositories?.[0]?.repositoryArn).toBe('arn:aws:ecr:ap-south-1:111122223333:repository/web')
    const { repositories: elsewhere } = await clientOf(server, 'eu-west-1').send(new DescribeRepositoriesCommand({}))
    expect(elsewhere).toEqual([])
    const error = await clientOf(server).send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] })).catch((e) => e)
    expect(error).toBeInstanceOf(RepositoryNotFoundException)
    expect(error.$metadata.httpStatusCode).toBe(400)
  })

  it('serves the engine it is given, so seeding and inspection happen in process', async () => {
    const ecr = createEcr()
    const server = await start({ ecr })
    expect(server.ecr).toBe(ecr)
    await ecr.seed.repository('seeded', {}, { region: 'eu-west-1' })
    const { repositories } = await clientOf(server).send(new DescribeRepositoriesCommand({}))
    expect(repositories?.map((r) => r.repositoryName)).toEqual(['seeded'])
  })

  it('carries a 6 MiB layer up and the same bytes back from a download URL on its own origin', async () => {
    const server = await start()
    const client = clientOf(server)
    await client.send(new CreateRepositoryCommand({ repositoryName: 'big' }))
    const layer = new Uint8Array(6 * 1024 * 1024).map((_, i) => (i * 31) % 251)
    const { uploadId } = await client.send(new InitiateLayerUploadCommand({ repositoryName: 'big' }))
    await client.send(
      new UploadLayerPartCommand({ repositoryName: 'big', uploadId, partFirstByte: 0, partLastByte: layer.byteLength - 1, layerPartBlob: layer }),
    )
    const digest = sha256(layer)
    await client.send(new CompleteLayerUploadCommand({ repositoryName: 'big', uploadId, layerDigests: [digest] }))
    // Only layers an image references can be downloaded.
    const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}')
    const configDigest = await server.ecr.seed.blob('big', config, { region: 'eu-west-1' })
    const imageManifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: configDigest, size: config.byteLength },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest, size: layer.byteLength }],
    })
    await client.send(new PutImageCommand({ repositoryName: 'big', imageManifest, imageTag: 'v1' }))

    const { downloadUrl } = await client.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'big', layerDigest: digest }))
    expect(downloadUrl?.startsWith(`${server.url}/layers/`)).toBe(true)
    const response = await fetch(downloadUrl!)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe(String(layer.byteLength))
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(digest)
    const head = await fetch(downloadUrl!, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(layer.byteLength))
  })

  it('answers a request no handler takes with a JSON 404 that says what the server does answer', async () => {
    const server = await start()
    const response = await exchange(server.url, { method: 'GET', path: '/v1/nothing-here' })
    expect(response.status).toBe(404)
    expect(response.contentType).toBe('application/json')
    expect(JSON.parse(response.body).message).toBe(
      'fake-ecr has no handler for GET /v1/nothing-here. It answers ECR API calls (POST with an X-Amz-Target header naming an ECR operation), the registry API (/v2/) and the URLs its own responses hand out.',
    )
  })

  it('answers with the AWS error shape when the body is not JSON', async () => {
    const server = await start()
    const response = await exchange(server.url, { ...describeRepositories, body: '{not json' })
    expect(response.status).toBe(400)
    // Clients keep what follows '#' in __type.
    expect(JSON.parse(response.body).__type.split('#').pop()).toBe('SerializationException')
  })

  it('answers a body of another content type as Coral does: not an operation at all', async () => {
    const server = await start()
    for (const contentType of ['text/plain', 'application/xml']) {
      const response = await exchange(server.url, { ...describeRepositories, headers: { ...describeRepositories.headers, 'Content-Type': contentType } })
      expect([response.status, response.body]).toEqual([404, '<UnknownOperationException/>\n'])
    }
    // application/json is read as JSON too.
    const json = await exchange(server.url, { ...describeRepositories, headers: { ...describeRepositories.headers, 'Content-Type': 'application/json' } })
    expect([json.status, JSON.parse(json.body)]).toEqual([200, { repositories: [] }])
  })

  it('keeps a connection alive across requests', async () => {
    const server = await start()
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const first = await exchange(server.url, { ...describeRepositories, agent })
    const second = await exchange(server.url, { ...describeRepositories, agent })
    agent.destroy()
    expect([first.status, second.status]).toEqual([200, 200])
    expect(second.reusedSocket).toBe(true)
  })

  it('survives a failing handler and a client that hangs up mid-body', async () => {
    const engine = createEcr()
    const ecr = {
      ...engine,
      openDownload: () => {
        throw new Error('storage exploded')
      },
    }
    const server = await start({ ecr })
    const failed = await exchange(server.url, { method: 'GET', path: '/layers/x' })
    expect(failed.status).toBe(500)
    expect(JSON.parse(failed.body)).toEqual({
      __type: 'ServerException',
      message: 'fake-ecr failed to answer GET /layers/x: Error: storage exploded',
    })

    await new Promise<void>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{"repos', () => {
          socket.destroy()
          resolve()
        })
      })
      socket.on('error', reject)
    })
    const { repositories } = await clientOf(server).send(new DescribeRepositoriesCommand({}))
    expect(repositories).toEqual([])
  })

  it('answers 400 to a Host header that is not a host', async () => {
    const server = await start()
    for (const host of ['a/b', 'user@127.0.0.1', 'x y']) {
      const response = await raw(server.port, `GET /v2/ HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
      expect(response).toMatch(/^HTTP\/1\.1 400 /)
      expect(JSON.parse(response.slice(response.indexOf('\r\n\r\n')))).toEqual({
        message: `fake-ecr cannot answer a request whose Host header is not a host: ${JSON.stringify(host)}.`,
      })
    }
  })

  it('on a loopback address, answers loopback names, ECR hosts and allowed names, and refuses other names', async () => {
    const server = await start({ allowedHosts: ['Registry.Test'] })
    const statusFor = async (host: string) =>
      (await exchange(server.url, { ...describeRepositories, headers: { ...describeRepositories.headers, Host: host } })).status
    for (const host of [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}`,
      `app.localhost:${server.port}`,
      `[::1]:${server.port}`,
      'api.ecr.eu-west-1.amazonaws.com',
      'ecr.cn-north-1.amazonaws.com.cn',
      'registry.test',
    ]) {
      expect([host, await statusFor(host)]).toEqual([host, 200])
    }
    // The registry host takes /v2/ requests; its POST / is not an ECR call, but it is answered.
    expect(await statusFor('123456789012.dkr.ecr.us-east-1.amazonaws.com')).not.toBe(403)
    const refused = await exchange(server.url, {
      ...describeRepositories,
      headers: { ...describeRepositories.headers, Host: `rebound.attacker.example:${server.port}` },
    })
    expect(refused.status).toBe(403)
    expect(JSON.parse(refused.body).message).toContain('fake-ecr --allow-host rebound.attacker.example')

    // Listening on every interface is the user's choice to be reached by any name.
    const open = await start({ host: '0.0.0.0' })
    const response = await exchange(`http://127.0.0.1:${open.port}`, {
      ...describeRepositories,
      headers: { ...describeRepositories.headers, Host: 'rebound.attacker.example' },
    })
    expect(response.status).toBe(200)
  })

  it('closes after the grace although a client stalls mid-body', async () => {
    const server = await createEcrServer({ port: 0, shutdownGraceMs: 50 })
    const socket = connect(server.port, '127.0.0.1')
    await once(socket, 'connect')
    socket.on('error', () => {})
    socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{"repo')
    const cut = once(socket, 'close')
    await server.close()
    await cut
  })

  it('refuses a port that is taken, saying what to do', async () => {
    const server = await start()
    await expect(createEcrServer({ port: server.port })).rejects.toThrow(
      `Failed to start fake-ecr: 127.0.0.1:${server.port} is already in use. Choose another port (port 0 picks a free one), or stop the process that holds it.`,
    )
  })

  it('closes despite idle keep-alive connections, and closing twice is fine', async () => {
    const server = await createEcrServer({ port: 0 })
    await clientOf(server).send(new DescribeRepositoriesCommand({}))
    await server.close()
    await server.close()
    await expect(fetch(server.url)).rejects.toThrow()
  })
})

describe('setupEcrServer', () => {
  it('answers the SDK on the real ECR hosts in process', async () => {
    const { ecr, server } = setupEcrServer({ accountId: '444455556666' })
    server.listen({ onUnhandledRequest: 'error' })
    try {
      const client = new ECRClient({ region: 'us-west-2', credentials, maxAttempts: 1 })
      const { repository } = await client.send(new CreateRepositoryCommand({ repositoryName: 'app' }))
      expect(repository?.repositoryUri).toBe('444455556666.dkr.ecr.us-west-2.amazonaws.com/app')
      expect((await ecr.call('DescribeRepositories', {}, { region: 'us-west-2' })).repositories).toHaveLength(1)
    } finally {
      server.close()
    }
  })
})
