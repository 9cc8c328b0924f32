import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { build, preview, type InlineConfig, type PreviewServer } from 'vite'
import { afterAll, beforeAll, expect, it } from 'vitest'

// The README's browser quick start, exactly as users read it, built by Vite and run in Chromium
// with MSW's service worker: it must work at the first load and at every load after it, once
// its state is in IndexedDB.

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

const repository = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))

let outDir: string
let server: PreviewServer
let browser: Browser
let url: string

async function readmeSnippet(): Promise<string> {
  const readme = await readFile(repository('README.md'), 'utf8')
  const code = /<!-- quick-start:browser:start -->\s*```ts\n([\s\S]*?)```\s*<!-- quick-start:browser:end -->/.exec(readme)?.[1]
  if (code === undefined) throw new Error('README.md has no ```ts block between the quick-start:browser markers')
  return code
}

beforeAll(async () => {
  // Under node_modules/, so that the page's bare imports resolve as in a project that installed them.
  const root = repository('node_modules/.cache/fake-ecr-readme-browser/')
  await mkdir(root, { recursive: true })
  await writeFile(join(root, 'index.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8" /><link rel="icon" href="data:," /></head><body><script type="module" src="./main.ts"></script></body></html>')
  await writeFile(join(root, 'main.ts'), await readmeSnippet())
  outDir = await mkdtemp(join(tmpdir(), 'fake-ecr-readme-browser-'))
  const config: InlineConfig = {
    configFile: false,
    root,
    // `npx msw init public` copies MSW's worker script; the demo console has it.
    publicDir: repository('e2e/public/'),
    logLevel: 'warn',
    resolve: {
      alias: [
        { find: /^fake-ecr\/browser$/, replacement: repository('handlers/browser/index.ts') },
        { find: /^fake-ecr$/, replacement: repository('src/index.ts') },
      ],
    },
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2048 },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  }
  await build(config)
  server = await preview(config)
  url = server.resolvedUrls!.local[0]!
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (outDir !== undefined) await rm(outDir, { recursive: true, force: true })
})

it('runs at the first load and again after reloads, with its state kept', async () => {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(String(error)))
    const shows = (text: string) => page.waitForFunction((expected) => document.body.textContent === expected, text, { timeout: 15_000 })

    await page.goto(url)
    await shows('web, api')
    for (let load = 0; load < 2; load++) {
      await page.reload()
      await shows('web, api')
    }
    expect(errors).toEqual([])
  } finally {
    await context.close()
  }
}, 60_000)
