import type { Page } from 'playwright-core'
import { afterAll, bench, describe } from 'vitest'
import { chromiumPage } from './chromium-page.js'

// What a call costs a page in real Chromium: CreateRepository through the AWS SDK → MSW's service
// worker → the engine → IndexedDB, with the tab alone and with a second tab of its origin open
// (told of every write, that tab catches up, and takes its turns under the same Web Lock). The
// page is test/e2e/tabs-page/, shared with test/e2e/tabs.test.ts; it times each call with
// performance.now().

const ITERATIONS = 50
const WARMUP_CALLS = 5
const CASES = [
  { label: 'one tab', tabs: 1 },
  { label: 'with a second tab open', tabs: 2 },
] as const

const { url, browser, pageErrors } = await chromiumPage(new URL('../test/e2e/tabs-page/', import.meta.url), { serviceWorker: true })

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
    await page.goto(url)
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
