import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { build, preview, type UserConfig } from 'vite'

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** A page built and served, and Debian's Chromium to open it in. */
export interface ServedPage {
  url: string
  browser: Browser
  /** Closes the browser and the server, and removes the build. */
  close(): Promise<void>
}

export interface ServePageOptions {
  /** Serve MSW's worker script too (from where the demo console has it). */
  serviceWorker?: boolean
  /** Vite's `resolve`, e.g. aliases that stand in for installed packages. */
  resolve?: UserConfig['resolve']
  /** Answer requests for any host name (pages opened under a name mapped to 127.0.0.1). */
  anyHost?: boolean
  /** Chromium flags besides the usual ones. */
  chromiumArgs?: readonly string[]
}

/**
 * Builds the page in `root` (a folder with an index.html) for production and serves it with
 * Vite's preview server, so nothing is rebuilt while a test or bench runs, and launches Debian's
 * Chromium (no browser downloads).
 *
 * @example
 * const page = await servePage(new URL('./tabs-page/', import.meta.url), { serviceWorker: true })
 * afterAll(() => page.close())
 */
export async function servePage(root: URL | string, options: ServePageOptions = {}): Promise<ServedPage> {
  const outDir = await mkdtemp(join(tmpdir(), 'fake-ecr-page-'))
  const config = {
    configFile: false as const,
    root: typeof root === 'string' ? root : fileURLToPath(root),
    ...(options.serviceWorker && { publicDir: fileURLToPath(new URL('../../e2e/public/', import.meta.url)) }),
    ...(options.resolve !== undefined && { resolve: options.resolve }),
    logLevel: 'warn' as const,
    // One bundle of the SDK, MSW and the engine: a test page, not a site to split.
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2048 },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, ...(options.anyHost && { allowedHosts: true as const }) },
  }
  try {
    await build(config)
    const server = await preview(config)
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...(options.chromiumArgs ?? [])] })
    return {
      url: server.resolvedUrls!.local[0]!,
      browser,
      close: async () => {
        await browser.close()
        await server.close()
        await rm(outDir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await rm(outDir, { recursive: true, force: true })
    throw error
  }
}
