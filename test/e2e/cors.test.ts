import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useServers } from '../server/started-servers.js'
import { servePage, type ServedPage } from './served-page.js'

// A page served from one origin drives the standalone server on another with the AWS SDK, in
// Chromium: the browser's CORS checks (preflight, then the call) decide. `page.test` is a name
// that is not loopback, resolved to this machine by Chromium itself.

let pages: ServedPage
let browser: Browser
let port: number

beforeAll(async () => {
  pages = await servePage(new URL('./cors-page/', import.meta.url), { anyHost: true, chromiumArgs: ['--host-resolver-rules=MAP page.test 127.0.0.1'] })
  browser = pages.browser
  port = Number(new URL(pages.url).port)
}, 120_000)

afterAll(() => pages?.close())

const start = useServers()
const server = (corsOrigins?: string[]) => start(corsOrigins === undefined ? {} : { corsOrigins })

/** What the page on `origin` shows after calling the fake at `endpoint`. */
async function shown(origin: string, endpoint: string): Promise<string> {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(`${origin}/?endpoint=${encodeURIComponent(endpoint)}`)
    await page.waitForFunction(() => /^(repositories|failed):/.test(document.body.textContent ?? ''), undefined, { timeout: 15_000 })
    return (await page.textContent('body')) ?? ''
  } finally {
    await context.close()
  }
}

describe('CORS on the standalone server', () => {
  it('answers a page of a loopback origin by default', async () => {
    const { url } = await server()
    expect(await shown(`http://localhost:${port}`, url)).toBe('repositories: web')
  })

  it('refuses a page of another origin by default, and answers it once allowed', async () => {
    const origin = `http://page.test:${port}`
    const closed = await server()
    // The browser refuses the answer it may not read: the SDK sees a failed fetch.
    expect(await shown(origin, closed.url)).toBe('failed: TypeError')
    expect(closed.ecr.snapshot().filter((record) => record.kind === 'repository')).toEqual([])

    const open = await server([origin])
    expect(await shown(origin, open.url)).toBe('repositories: web')
  })
})
