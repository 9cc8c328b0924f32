import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { build, preview, type InlineConfig, type PreviewServer } from 'vite'
import { afterAll, bench, describe } from 'vitest'

// What a call costs a page in real Chromium: CreateRepository through the AWS SDK → MSW's service
// worker → the engine → IndexedDB, with the tab alone and with a second tab of its origin open
// (told of every write, that tab catches up, and takes its turns under the same Web Lock). The
// page is test/e2e/tabs-page/, shared with test/e2e/tabs.test.ts; it times each call with
// performance.now().

const ITERATIONS = 50
const WARMUP_CALLS = 5
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
const CASES = [
  { label: 'one tab', tabs: 1 },
  { label: 'with a second tab open', tabs: 2 },
] as const

let outDir: string | undefined
let server: PreviewServer | undefined
let browser: Browser | undefined
/** Errors thrown in any page, the idle second tab's included: they fail the run, figures or not. */
const pageErrors: string[] = []
afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (outDir !== undefined) await rm(outDir, { recursive: true, force: true })
  if (pageErrors.length > 0) throw new Error(`errors in the pages:\n${pageErrors.join('\n')}`)
})

// A production build served by Vite's preview server: nothing rebuilt while timing.
outDir = await mkdtemp(join(tmpdir(), 'fake-ecr-browser-calls-'))
const config: InlineConfig = {
  configFile: false,
  root: fileURLToPath(new URL('../test/e2e/tabs-page/', import.meta.url)),
  // MSW's worker script, served from where the demo console has it.
  publicDir: fileURLToPath(new URL('../e2e/public/', import.meta.url)),
  logLevel: 'warn',
  // One bundle of the SDK, MSW and the engine: a bench page, not a site to split.
  build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2048 },
  preview: { host: '127.0.0.1', port: 0, strictPort: false },
}
await build(config)
server = await preview(config)
browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })

/** Creates `repositoryName` from `page`; the milliseconds the page measured. */
async function createRepository(page: Page, repositoryName: string): Promise<number> {
  const { result, ms } = await page.evaluate((input) => window.tabs.sendTimed('CreateRepository', input), { repositoryName })
  if (!result.ok) throw new Error(`CreateRepository ${repositoryName}: ${result.name}: ${result.message}`)
  return ms
}

// Each case in a fresh context of its own, so both start on an empty database; its first tab
// makes every call, warmed up (the SDK, the engine, the other tab's catching up) before timing.
const senders = new Map<string, Page>()
for (const { label, tabs } of CASES) {
  const context = await browser.newContext()
  const pages: Page[] = []
  for (let i = 0; i < tabs; i++) {
    const page = await context.newPage()
    page.on('pageerror', (error) => pageErrors.push(String(error)))
    await page.goto(server.resolvedUrls!.local[0]!)
    await page.evaluate(() => window.tabs.started)
    pages.push(page)
  }
  for (let i = 0; i < WARMUP_CALLS; i++) await createRepository(pages[0]!, `warm-up-${i}`)
  senders.set(label, pages[0]!)
}

/** Every call's milliseconds, by case. */
const calls = new Map<string, number[]>(CASES.map(({ label }) => [label, []]))
/**
 * tinybench times a bench body with `now`: this clock moves only by what the page measured, so
 * the table shows the page's own figures, without the round trip to the page.
 */
let pageClock = 0

describe('CreateRepository through the SDK in Chromium (service worker → engine → IndexedDB)', () => {
  for (const { label } of CASES) {
    const page = senders.get(label)!
    const ms = calls.get(label)!
    bench(
      label,
      async () => {
        const call = await createRepository(page, `timed-${ms.length}`)
        pageClock += call
        ms.push(call)
      },
      { iterations: ITERATIONS, time: 0, warmupIterations: 0, warmupTime: 0, now: () => pageClock },
    )
  }
})

afterAll(() => {
  const width = Math.max(...CASES.map(({ label }) => label.length))
  const lines = [...calls].map(([label, values]) => {
    const sorted = values.toSorted((a, b) => a - b)
    const middle = sorted.length / 2
    const median = sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2
    return `  ${label.padEnd(width)}  ${median.toFixed(1)} (${sorted[0]!.toFixed(1)}–${sorted.at(-1)!.toFixed(1)})`
  })
  console.log([`CreateRepository through the SDK: median (min–max) of ${ITERATIONS}, in ms of the page's clock`, ...lines].join('\n'))
})
