import type { Page } from 'playwright-core'
import { afterAll, bench, describe } from 'vitest'
import { chromiumPage } from './chromium-page.js'
import type { Operation, Path } from './browser-paths/entry.js'

// The ways into the engine a page has, in real Chromium: the AWS SDK through `ecrRequestHandler`
// (no service worker) with IndexedDB persistence, and through MSW's service worker, either to
// `ecrHandlers` (what `setupEcrWorker` starts) or to a trivial handler replaying the bytes of the
// same answer, MSW's own cost. The goals: ≥ 300 calls/s through `ecrRequestHandler`, and
// `ecrHandlers` within 20 % of the trivial handler. For context, where a call's time goes: the
// SDK with a constant in-process handler (its floor in the page), `ecrRequestHandler` on an
// engine in memory, and `ecr.call` on IndexedDB without the SDK. The page (bench/browser-paths/)
// times batches of calls with performance.now().

/** Calls per timed batch: one call is too short for the page's clock (0.1 ms steps). */
const BATCH = 50
const ITERATIONS = 10
const WARMUP_BATCHES = 2

const ALL: readonly Path[] = ['sdkFloor', 'ecrRequestHandler', 'inMemory', 'engineCall', 'ecrHandlers', 'trivial']
const GROUPS: ReadonlyArray<{ name: string; operation: Operation; paths: readonly Path[] }> = [
  { name: 'CreateRepository in Chromium', operation: 'CreateRepository', paths: ALL },
  { name: 'PutImage in Chromium (a new tagged image each call)', operation: 'PutImage', paths: ALL },
  { name: 'DescribeRepositories in Chromium (5 repositories)', operation: 'DescribeRepositories', paths: ALL },
]
const LABELS: Record<Path, string> = {
  sdkFloor: 'SDK → a constant in-process handler (the SDK floor)',
  inMemory: 'SDK → ecrRequestHandler → engine in memory',
  engineCall: 'ecr.call → engine → IndexedDB (no SDK)',
  ecrRequestHandler: 'SDK → ecrRequestHandler → engine → IndexedDB',
  ecrHandlers: 'SDK → service worker → ecrHandlers → engine → IndexedDB',
  trivial: 'SDK → service worker → trivial handler (MSW alone)',
}

const { url, browser, pageErrors } = await chromiumPage(new URL('./browser-paths/', import.meta.url), { serviceWorker: true })
const page: Page = await browser.newPage()
page.on('pageerror', (error) => pageErrors.push(String(error)))
await page.goto(url)
await page.evaluate(() => window.browserPathsBench.prepare())

const run = (path: Path, operation: Operation) => page.evaluate(([p, o, n]) => window.browserPathsBench.run(p, o, n), [path, operation, BATCH] as const)

// Every path warm (the JIT, IndexedDB's connection, the worker) before any is timed.
for (const { operation, paths } of GROUPS) for (const path of paths) for (let i = 0; i < WARMUP_BATCHES; i++) await run(path, operation)

/**
 * `ecrHandlers` against the trivial handler, batch by batch in turn, so that the shared machine's
 * load weighs on both alike: each round's ratio of their calls/s, by operation. (The groups below
 * time each path's batches in a block of their own, as tinybench runs them.)
 */
const workerRatios = new Map<Operation, number[]>()
for (const { operation, paths } of GROUPS) {
  if (!paths.includes('trivial')) continue
  const ratios: number[] = []
  for (let round = 0; round < ITERATIONS; round++) ratios.push((await run('trivial', operation)) / (await run('ecrHandlers', operation)))
  workerRatios.set(operation, ratios)
}

/** Calls per second of every batch, by group and path. */
const figures = new Map<string, number[]>()
/**
 * tinybench times a bench body with `now`: this clock moves by the page's mean time per call of
 * each batch, so the table shows the page's own figures per call (hz is calls/s), without the
 * round trip to the page.
 */
let pageClock = 0

for (const { name, operation, paths } of GROUPS) {
  describe(name, () => {
    for (const path of paths) {
      const perSecond: number[] = []
      figures.set(`${name}\0${path}`, perSecond)
      bench(
        LABELS[path],
        async () => {
          const ms = await run(path, operation)
          pageClock += ms / BATCH
          perSecond.push((BATCH * 1000) / ms)
        },
        { iterations: ITERATIONS, time: 0, warmupIterations: 0, warmupTime: 0, now: () => pageClock },
      )
    }
  })
}

afterAll(() => {
  const median = (values: number[]) => {
    const sorted = values.toSorted((a, b) => a - b)
    const middle = sorted.length / 2
    return sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  }
  const ratioOf = (operation: Operation) => {
    const ratios = workerRatios.get(operation)!
    return `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`
  }
  const rows = [['operation', 'path', 'calls/s: median (min–max)', 'ratio']]
  for (const { name, operation, paths } of GROUPS) {
    const of = (path: Path) => median(figures.get(`${name}\0${path}`)!)
    for (const path of paths) {
      const values = figures.get(`${name}\0${path}`)!
      const toFloor = `${(of(path) / of('sdkFloor')).toFixed(2)}× the SDK floor`
      const judged =
        path === 'ecrRequestHandler'
          ? `${(of(path) / 300).toFixed(2)}× the goal of 300/s; ${toFloor}`
          : path === 'ecrHandlers'
            ? `${(of(path) / of('trivial')).toFixed(2)}× trivial; batch by batch in turn ${ratioOf(operation)} (goal ≥ 0.80)`
            : path === 'inMemory'
              ? toFloor
              : ''
      rows.push([operation, LABELS[path], `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`, judged])
    }
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  console.log(
    [
      `Calls in Chromium, batches of ${BATCH}, ${ITERATIONS} batches a path, in the page's clock:`,
      ...rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd()),
    ].join('\n'),
  )
})
