import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { build, preview, type InlineConfig, type PreviewServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEcrServer, type EcrServer } from '../../handlers/node/index.js'

// A page served from one origin drives the standalone server on another with the AWS SDK, in
// Chromium: the browser's CORS checks (preflight, then the call) decide. `page.test` is a name
// that is not loopback, resolved to this machine by Chromium itself.

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--host-resolver-rules=MAP page.test 127.0.0.1']

let outDir: string
let pages: PreviewServer
let browser: Browser
let port: number
const servers: EcrServer[] = []

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'fake-ecr-cors-'))
  const config: InlineConfig = {
    configFile: false,
    root: fileURLToPath(new URL('./cors-page/', import.meta.url)),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2048 },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, allowedHosts: true },
  }
  await build(config)
  pages = await preview(config)
  port = Number(new URL(pages.resolvedUrls!.local[0]!).port)
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await pages?.close()
  await Promise.all(servers.map((server) => server.close()))
  if (outDir !== undefined) await rm(outDir, { recursive: true, force: true })
})

async function server(corsOrigins?: string[]): Promise<EcrServer> {
  const started = await createEcrServer({ port: 0, ...(corsOrigins !== undefined && { corsOrigins }) })
  servers.push(started)
  return started
}

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
