import { ECRClient, type ECRClientConfig } from '@aws-sdk/client-ecr'
import { http } from 'msw'
import { setupServer, type SetupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { createEcr, type Ecr, type EcrOptions } from '../../src/index.js'
import { ecrHandlers, handleDownloadRequest } from '../../handlers/index.js'
import { createEcrServer } from '../../handlers/node/index.js'
import { attachEcr, ecrRequestHandler } from '../../handlers/sdk/index.js'
import type { EcrServer } from '../../handlers/node/index.js'

/** Static credentials: without them the SDK probes the EC2 metadata endpoint. */
export const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }

/** A request no handler takes fails the test: `onUnhandledRequest` in msw 2, `onUnhandledFrame` in msw 3 (each ignores the other). */
const UNHANDLED_IS_AN_ERROR = { onUnhandledRequest: 'error', onUnhandledFrame: 'error' } as const

/**
 * How this run reaches the engine: `msw` intercepts the SDK's requests to the real ECR hosts in
 * process; `http` (env `FAKE_ECR_TRANSPORT=http`) sends them over TCP to the standalone server via
 * a custom endpoint; `sdk` (env `FAKE_ECR_TRANSPORT=sdk`) gives clients `ecrRequestHandler`, which
 * answers the SDK's requests to the real ECR hosts with no HTTP at all, so nothing serves a plain
 * `fetch` (of a layer download URL) there; `attached` (env `FAKE_ECR_TRANSPORT=attached`) attaches
 * the engine to each client with `attachEcr`, so no request is made (MSW then answers only the
 * layer download URLs). Tests that depend on ECR's own host names can only run under `msw`, `sdk`
 * and `attached`.
 */
export const transport = transportOf(process.env['FAKE_ECR_TRANSPORT'])

function transportOf(name: string | undefined): 'msw' | 'http' | 'sdk' | 'attached' {
  return name === 'http' || name === 'sdk' || name === 'attached' ? name : 'msw'
}

/**
 * An engine for the file that calls it, reset after each test, and a factory of real SDK clients
 * (default region eu-west-1, no retries unless asked) wired to it through {@link transport}.
 * `server` is MSW's server, present under the `msw` and `attached` transports.
 */
export function useFakeEcr(options: EcrOptions = {}) {
  const ecr = createEcr(options)
  const server: SetupServer | undefined =
    transport === 'msw' ? setupServer(...ecrHandlers(ecr)) : transport === 'attached' ? setupServer(...downloadHandlers(ecr)) : undefined
  let standalone: EcrServer | undefined
  beforeAll(async () => {
    if (server !== undefined) server.listen(UNHANDLED_IS_AN_ERROR)
    else if (transport === 'http') standalone = await createEcrServer({ ecr, port: 0 })
  })
  afterEach(() => ecr.reset())
  afterAll(async () => {
    server?.close()
    await standalone?.close()
  })
  const requestHandler = transport === 'sdk' ? ecrRequestHandler(ecr) : undefined
  const client = (config: ECRClientConfig = {}) => {
    const made = new ECRClient({
      region: 'eu-west-1',
      credentials,
      maxAttempts: 1,
      ...(standalone !== undefined && { endpoint: standalone.url }),
      ...(requestHandler !== undefined && { requestHandler }),
      ...config,
    })
    if (transport === 'attached') attachEcr(made, ecr)
    return made
  }
  /**
   * The registry address a repositoryUri starts with, for the registry whose ECR host is
   * `ecrHost`: that host under `msw` and `sdk`, which answer it; the standalone server's own `host:port`
   * under `http`, which is where that server tells its clients to push (decisions/registry-addresses.md).
   */
  const registryHost = (ecrHost: string) => (standalone === undefined ? ecrHost : new URL(standalone.url).host)
  /** GetAuthorizationToken's proxyEndpoint for that registry: `https://<ecrHost>`, or the standalone server's URL. */
  const proxyEndpoint = (ecrHost: string) => (standalone === undefined ? `https://${ecrHost}` : standalone.url)
  /**
   * GETs a layer download URL with `fetch`; under `sdk`, where no HTTP serves it, the download
   * handler that `ecrHandlers` and the server use answers the request directly.
   */
  const download = async (url: string | URL): Promise<Response> => {
    if (transport !== 'sdk') return fetch(url)
    const response = await handleDownloadRequest(ecr, new Request(url))
    if (response === undefined) throw new Error(`${String(url)} is no layer download URL`)
    return response
  }
  return { ecr, server, client, transport, registryHost, proxyEndpoint, download }
}

/** Under `attached`: MSW answers the layer download URLs the engine hands out, and nothing else. */
function downloadHandlers(ecr: Ecr) {
  return [http.get('*', ({ request }) => handleDownloadRequest(ecr, request)), http.head('*', ({ request }) => handleDownloadRequest(ecr, request))]
}
