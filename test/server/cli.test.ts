import { DescribeRepositoriesCommand, CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr'
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { credentials } from '../sdk/harness.js'
import { useCli } from './cli-harness.js'

const { run, start: startCli } = useCli()

describe('fake-ecr CLI', () => {
  it('listens, prints its URL with a hint, serves the options it was given, and stops on SIGTERM', async () => {
    const { child, firstLine } = await startCli(['--port', '0', '--account-id', '210987654321', '--region', 'eu-central-1'])
    try {
      const url = /^fake-ecr listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(firstLine)?.[1]
      expect(firstLine).toBe(
        `fake-ecr listening on ${url} (state in memory; try: aws ecr describe-repositories --endpoint-url ${url} --region eu-central-1)`,
      )
      const client = new ECRClient({ endpoint: url, region: 'eu-central-1', credentials, maxAttempts: 1 })
      const { repository } = await client.send(new CreateRepositoryCommand({ repositoryName: 'web' }))
      expect(repository?.repositoryArn).toBe('arn:aws:ecr:eu-central-1:210987654321:repository/web')
      // By default the repository is at the server's own address, which clients reach.
      expect(repository?.repositoryUri).toBe(`${new URL(url!).host}/web`)
      const { repositories } = await client.send(new DescribeRepositoriesCommand({}))
      expect(repositories).toHaveLength(1)
      client.destroy()
    } finally {
      child.kill('SIGTERM')
    }
    const [code, signal] = await once(child, 'exit')
    expect({ code, signal }).toEqual({ code: 0, signal: null })
  })

  it('stops on SIGINT with a client connection still open', async () => {
    const { child, firstLine } = await startCli(['--port', '0'])
    const url = /(http:\/\/\S+) /.exec(firstLine)![1]!
    // A keep-alive client that is never destroyed: shutdown must not wait for it.
    await new ECRClient({ endpoint: url, region: 'us-east-1', credentials }).send(new DescribeRepositoriesCommand({}))
    child.kill('SIGINT')
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
  })

  it('fails with exit code 1 and a clear message when the port is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as AddressInfo
    try {
      const result = await run(['--port', String(port)])
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `Failed to start fake-ecr: 127.0.0.1:${port} is already in use. Choose another port (port 0 picks a free one), or stop the process that holds it.\n`,
      })
    } finally {
      blocker.close()
    }
  })

  it('refuses invalid options with exit code 1', async () => {
    expect(await run(['--port', 'http'])).toEqual({
      code: 1,
      stdout: '',
      stderr: "fake-ecr: --port must be a number from 0 to 65535, got 'http'.\nRun fake-ecr --help for the options.\n",
    })
    expect((await run(['--account-id', '42'])).stderr).toContain("--account-id must be 12 digits, got '42'.")
    expect((await run(['--region', 'Mars'])).stderr).toContain("--region must be an AWS region name such as us-east-1, got 'Mars'.")
    expect((await run(['--registry-addresses', 'localhost'])).stderr).toContain(
      "--registry-addresses must be 'endpoint' or 'aws', got 'localhost'.",
    )
    const unknown = await run(['--verbose'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain("Unknown option '--verbose'")
  })

  it('names ECR’s registry hosts in repository URIs with --registry-addresses aws', async () => {
    const { child, url } = await startCli(['--port', '0', '--registry-addresses', 'aws'])
    try {
      const client = new ECRClient({ endpoint: url, region: 'eu-central-1', credentials, maxAttempts: 1 })
      const { repository } = await client.send(new CreateRepositoryCommand({ repositoryName: 'web' }))
      expect(repository?.repositoryUri).toBe('123456789012.dkr.ecr.eu-central-1.amazonaws.com/web')
      client.destroy()
    } finally {
      child.kill('SIGTERM')
    }
    await once(child, 'exit')
  })

  it('lets pages of the origins named with --cors-origin call it from a browser, and refuses what is not an origin', async () => {
    const { child, url } = await startCli(['--port', '0', '--cors-origin', 'https://console.example.test'])
    try {
      const preflight = (origin: string) =>
        fetch(url, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-amz-target' } })
      expect((await preflight('https://console.example.test')).status).toBe(204)
      expect((await preflight('https://other.example.test')).status).toBe(403)
    } finally {
      child.kill('SIGTERM')
    }
    await once(child, 'exit')
    const refused = await run(['--port', '0', '--cors-origin', 'console.example.test'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("fake-ecr: 'console.example.test' is not an origin.")
  })

  it('prints the options for --help', async () => {
    const result = await run(['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Usage: fake-ecr \[options\]/)
    for (const option of ['--data', '--port', '--host', '--allow-host', '--cors-origin', '--registry-addresses', '--account-id', '--region']) expect(result.stdout).toContain(option)
  })
})
