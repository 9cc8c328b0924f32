import { afterEach } from 'vitest'
import { createEcrServer, type EcrServer, type EcrServerOptions } from '../../handlers/node/index.js'

/**
 * Starts standalone servers on free ports for the calling test file, and closes every one after
 * each test.
 *
 * @example
 * const start = useServers()
 * const { url } = await start({ corsOrigins: ['https://console.example.test'] })
 */
export function useServers(): (options?: EcrServerOptions) => Promise<EcrServer> {
  const started: EcrServer[] = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.close()))
  })
  return async (options = {}) => {
    const server = await createEcrServer({ port: 0, ...options })
    started.push(server)
    return server
  }
}
