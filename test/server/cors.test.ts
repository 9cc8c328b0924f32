import { describe, expect, it } from 'vitest'
import { createEcrServer } from '../../handlers/node/index.js'
import { useServers } from './started-servers.js'

// What a browser asks of the standalone server before and during a call from a page of another
// origin, asked with fetch; test/e2e/cors.test.ts has Chromium do it for real.

/** The headers the AWS SDK for JavaScript sends with an ECR call from a browser. */
const SDK_HEADERS =
  'amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-content-sha256,x-amz-date,x-amz-security-token,x-amz-target,x-amz-user-agent'

const start = useServers()
const server = (corsOrigins?: string[]) => start(corsOrigins === undefined ? {} : { corsOrigins })

function preflight(url: string, origin: string, extra: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': SDK_HEADERS, ...extra },
  })
}

function describeRepositories(url: string, origin: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { Origin: origin, 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories' },
    body: '{}',
  })
}

describe('CORS on the standalone server', () => {
  it('lets a page of a loopback origin send the SDK headers, and read the answer and its request id', async () => {
    const { url } = await server()
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:8080', 'http://app.localhost:3000', 'http://[::1]:5173']) {
      const answer = await preflight(url, origin)
      expect(answer.status, origin).toBe(204)
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin)
      expect(answer.headers.get('access-control-allow-headers')).toBe(SDK_HEADERS)
      expect(answer.headers.get('access-control-allow-methods')).toContain('POST')
      expect(answer.headers.get('vary')).toBe('Origin')
    }
    const call = await describeRepositories(url, 'http://localhost:5173')
    expect(call.status).toBe(200)
    expect(call.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
    expect(call.headers.get('access-control-expose-headers')?.split(', ')).toContain('x-amzn-requestid')
  })

  it('refuses the preflight of another origin with a message that says how to allow it; the call gets no CORS headers', async () => {
    const { url } = await server()
    const answer = await preflight(url, 'https://console.example.test')
    expect(answer.status).toBe(403)
    expect(answer.headers.get('access-control-allow-origin')).toBeNull()
    expect((await answer.json()).message).toBe(
      'fake-ecr does not answer pages of the origin https://console.example.test: it allows loopback origins and the ones it is given. ' +
        "Suggested fix: allow it (fake-ecr --cors-origin https://console.example.test, or createEcrServer({ corsOrigins: ['https://console.example.test'] })).",
    )
    const call = await describeRepositories(url, 'https://console.example.test')
    expect(call.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('answers the origins it is given, and every origin with *; a public page may reach it (Private Network Access)', async () => {
    const named = await server(['https://console.example.test'])
    const answer = await preflight(named.url, 'https://console.example.test', { 'Access-Control-Request-Private-Network': 'true' })
    expect(answer.status).toBe(204)
    expect(answer.headers.get('access-control-allow-private-network')).toBe('true')
    expect((await preflight(named.url, 'https://other.example.test')).status).toBe(403)

    const any = await server(['*'])
    expect((await preflight(any.url, 'https://other.example.test')).headers.get('access-control-allow-origin')).toBe('https://other.example.test')
  })

  it('answers registry API calls and their errors with CORS headers too', async () => {
    const { url } = await server()
    const answer = await fetch(`${url}/v2/`, { headers: { Origin: 'http://localhost:5173' } })
    expect(answer.status).toBe(401)
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
    expect(answer.headers.get('access-control-expose-headers')?.split(', ')).toContain('www-authenticate')
  })

  it('refuses an option that is not an origin', async () => {
    await expect(createEcrServer({ port: 0, corsOrigins: ['http://localhost:5173/app'] })).rejects.toThrow(
      "fake-ecr: 'http://localhost:5173/app' is not an origin. A CORS origin is a scheme, a host and an optional port, as a browser sends it (http://localhost:5173, https://console.example.test), or '*'.",
    )
  })
})
