import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { build, preview } from 'vite'
import { afterAll } from 'vitest'

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** A bench page served and a browser to open it in; `pageErrors` collects what the pages throw. */
export interface ChromiumPage {
  url: string
  browser: Browser
  pageErrors: string[]
}

/**
 * Builds the page in `root` (a folder with an index.html) for production and serves it with Vite's
 * preview server, so nothing is rebuilt while timing, and launches Debian's Chromium. With
 * `serviceWorker`, MSW's worker script is served too (from where the demo console has it).
 * Everything is closed and removed after the calling bench file; errors thrown in any page fail it.
 */
export async function chromiumPage(root: URL, { serviceWorker = false } = {}): Promise<ChromiumPage> {
  const outDir = await mkdtemp(join(tmpdir(), 'fake-ecr-bench-page-'))
  const pageErrors: string[] = []
  let close = async () => rm(outDir, { recursive: true, force: true })
  afterAll(async () => {
    await close()
    if (pageErrors.length > 0) throw new Error(`errors in the pages:\n${pageErrors.join('\n')}`)
  })
  const config = {
    configFile: false as const,
    root: fileURLToPath(root),
    ...(serviceWorker && { publicDir: fileURLToPath(new URL('../e2e/public/', import.meta.url)) }),
    logLevel: 'warn' as const,
    // One bundle of the SDK, MSW and the engine: a bench page, not a site to split.
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2048 },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  }
  await build(config)
  const server = await preview(config)
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
  close = async () => {
    await browser.close()
    await server.close()
    await rm(outDir, { recursive: true, force: true })
  }
  return { url: server.resolvedUrls!.local[0]!, browser, pageErrors }
}
