import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr'
import { mkdtemp, rm } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { handleApiRequest } from '../../handlers/index.js'
import { createEcrServer, type EcrServer } from '../../handlers/node/index.js'
import { createEcr } from '../../src/index.js'
import { credentials } from '../sdk/harness.js'
import { useServers } from './started-servers.js'

// Where the API tells clients the registry is (decisions/registry-addresses.md): the standalone
// server's own address by default, ECR's registry hosts with `registryAddresses: 'aws'`, and
// through MSW's handlers ECR's hosts unless asked otherwise.

const start = useServers()

const clientAt = (endpoint: string, region = 'eu-west-1') => new ECRClient({ endpoint, region, credentials, maxAttempts: 1 })

/** The registry addresses one client is told: a new repository's URI and the token's proxyEndpoint. */
async function addressesFor(client: ECRClient, name = 'team/app') {
  const { repository } = await client.send(new CreateRepositoryCommand({ repositoryName: name }))
  const { authorizationData } = await client.send(new GetAuthorizationTokenCommand({}))
  return { repositoryUri: repository?.repositoryUri, proxyEndpoint: authorizationData?.[0]?.proxyEndpoint }
}

describe('registry addresses from the standalone server', () => {
  it('are the server’s own address, as the client named it, by default', async () => {
    const server = await start()
    const host = `127.0.0.1:${server.port}`
    expect(await addressesFor(clientAt(server.url))).toEqual({ repositoryUri: `${host}/team/app`, proxyEndpoint: `http://${host}` })
    // Every operation that returns a repository says the same.
    const client = clientAt(server.url)
    expect((await client.send(new DescribeRepositoriesCommand({}))).repositories?.map((r) => r.repositoryUri)).toEqual([`${host}/team/app`])
    const deleted = await client.send(new DeleteRepositoryCommand({ repositoryName: 'team/app' }))
    expect(deleted.repository?.repositoryUri).toBe(`${host}/team/app`)

    expect(await addressesFor(clientAt(`http://localhost:${server.port}`), 'web')).toEqual({
      repositoryUri: `localhost:${server.port}/web`,
      proxyEndpoint: `http://localhost:${server.port}`,
    })
  })

  it('are one address for every account and region: the login token tells them apart', async () => {
    const server = await start()
    const host = `127.0.0.1:${server.port}`
    const { authorizationData } = await clientAt(server.url, 'cn-north-1').send(
      new GetAuthorizationTokenCommand({ registryIds: ['111122223333', '444455556666'] }),
    )
    expect(authorizationData?.map((data) => data.proxyEndpoint)).toEqual([`http://${host}`, `http://${host}`])
    expect((await addressesFor(clientAt(server.url, 'us-west-2'))).repositoryUri).toBe(`${host}/team/app`)
  })

  it('are ECR’s registry hosts with registryAddresses: aws', async () => {
    const server = await start({ registryAddresses: 'aws' })
    expect(await addressesFor(clientAt(server.url, 'us-west-2'))).toEqual({
      repositoryUri: '123456789012.dkr.ecr.us-west-2.amazonaws.com/team/app',
      proxyEndpoint: 'https://123456789012.dkr.ecr.us-west-2.amazonaws.com',
    })
  })

  it('are ECR’s registry hosts for a client that reaches the server by ECR’s API host name', async () => {
    // Such a client maps ECR's names to this machine, registry hosts included.
    const server = await start()
    const answer = await new Promise<string>((resolve, reject) => {
      const body = JSON.stringify({ repositoryName: 'web' })
      const req = httpRequest(server.url, {
        method: 'POST',
        headers: {
          host: 'api.ecr.eu-central-1.amazonaws.com',
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.CreateRepository',
        },
      })
      req.on('response', (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
        res.on('end', () => resolve(text))
      })
      req.on('error', reject)
      req.end(body)
    })
    expect(JSON.parse(answer).repository.repositoryUri).toBe('123456789012.dkr.ecr.eu-central-1.amazonaws.com/web')
  })

  it('are worked out per answer, never stored: a restart on another port answers the new port', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fake-ecr-addresses-'))
    const first = await createEcrServer({ port: 0, dataDir })
    let second: EcrServer | undefined
    try {
      await clientAt(first.url).send(new CreateRepositoryCommand({ repositoryName: 'app' }))
      await first.close()
      second = await createEcrServer({ port: 0, dataDir })
      const { repositories } = await clientAt(second.url).send(new DescribeRepositoriesCommand({}))
      expect(repositories?.map((r) => r.repositoryUri)).toEqual([`127.0.0.1:${second.port}/app`])
    } finally {
      await Promise.all([first.close(), second?.close()])
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

describe('registry addresses through the MSW handlers', () => {
  const call = (options: Parameters<typeof handleApiRequest>[2], url: string) =>
    handleApiRequest(
      createEcr(),
      new Request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.CreateRepository',
        },
        body: JSON.stringify({ repositoryName: 'web' }),
      }),
      options,
    ).then(async (response) => (await response!.json()).repository.repositoryUri)

  it('are ECR’s registry hosts, on ECR’s hosts and on custom endpoints alike, by default', async () => {
    expect(await call({}, 'https://api.ecr.ap-south-1.amazonaws.com/')).toBe('123456789012.dkr.ecr.ap-south-1.amazonaws.com/web')
    expect(await call({}, 'http://localhost:4566/')).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/web')
  })

  it('are the custom endpoint with registryAddresses: endpoint, and ECR’s hosts on ECR’s hosts still', async () => {
    expect(await call({ registryAddresses: 'endpoint' }, 'http://localhost:4566/')).toBe('localhost:4566/web')
    expect(await call({ registryAddresses: 'endpoint' }, 'https://api.ecr.ap-south-1.amazonaws.com/')).toBe(
      '123456789012.dkr.ecr.ap-south-1.amazonaws.com/web',
    )
  })
})
