import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { servePage, type ServedPage } from './served-page.js'

// The README's browser quick start, exactly as users read it, built by Vite and run in Chromium
// with MSW's service worker: it must work at the first load and at every load after it, once
// its state is in IndexedDB.

const repository = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))

let served: ServedPage
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
  served = await servePage(root, {
    // `npx msw init public` copies MSW's worker script; the demo console has it.
    serviceWorker: true,
    resolve: {
      alias: [
        { find: /^fake-ecr\/browser$/, replacement: repository('handlers/browser/index.ts') },
        { find: /^fake-ecr$/, replacement: repository('src/index.ts') },
      ],
    },
  })
  browser = served.browser
  url = served.url
}, 120_000)

afterAll(() => served?.close())

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
