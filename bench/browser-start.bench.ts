import { afterAll, bench, describe } from 'vitest'
import { chromiumPage } from './chromium-page.js'
import type { Start } from './browser-start/entry.js'

// How long a page takes to start an engine on an IndexedDB database of 10,000 images, in real
// Chromium (the goal: under 1 s). The page (bench/browser-start/) times itself with
// performance.now(); each start is in a freshly loaded page, as a user's is.

const IMAGES = 10_000
const ITERATIONS = 10

/**
 * The two ends of what a user's database can hold: the state just folded into a snapshot, and a
 * log one write short of compaction. A snapshot of 9,091 images holds 18,183 records (an image
 * and its tag each, and the repository); compaction comes once the log has a twentieth of that,
 * 910 entries (decisions/storage-format.md), so the last 909 pushes can still be in the log.
 */
const LAYOUTS = [
  { databaseName: 'compacted', logged: 0, label: 'snapshot only (just compacted)' },
  { databaseName: 'longest-log', logged: 909, label: 'snapshot + 909 log entries (longest log)' },
] as const

const { url, browser } = await chromiumPage(new URL('./browser-start/', import.meta.url))
const page = await browser.newPage()
await page.goto(url)

for (const { databaseName, logged, label } of LAYOUTS) {
  const started = performance.now()
  await page.evaluate(([name, images, last]) => window.browserStartBench.seed(name, images, last), [databaseName, IMAGES, logged] as const)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const layout = await page.evaluate((name) => window.browserStartBench.layout(name), databaseName)
  // Compaction rules that changed would measure another layout than the label says.
  if (layout.logEntries !== logged) throw new Error(`${label}: expected ${logged} log entries, found ${layout.logEntries}`)
  console.log(
    `seeded ${databaseName}: ${IMAGES.toLocaleString('en')} images in ${seconds} s (not timed); ` +
      `${layout.snapshotEntries} snapshot + ${layout.logEntries} log entries, ${layout.records.toLocaleString('en')} records, ` +
      `${(layout.bytes / 1e6).toFixed(1)} MB of JSON, decoded and parsed in ${layout.parseMs.toFixed(0)} ms`,
  )
}

/** Every start measured, by layout. */
const starts = new Map<string, Start[]>(LAYOUTS.map(({ label }) => [label, []]))
/**
 * tinybench times a bench body with `now`: this clock moves only by what the page measured, so
 * the table shows the page's own figures, without the reload and the round trip to the page.
 */
let pageClock = 0

describe(`start in Chromium: IndexedDB holding ${IMAGES.toLocaleString('en')} images (indexedDbStorage + createEcr + ready)`, () => {
  for (const { databaseName, label } of LAYOUTS) {
    bench(
      label,
      async () => {
        await page.reload()
        const start = await page.evaluate((name) => window.browserStartBench.start(name), databaseName)
        pageClock += start.startMs
        starts.get(label)!.push(start)
      },
      { iterations: ITERATIONS, time: 0, warmupIterations: 0, warmupTime: 0, now: () => pageClock },
    )
  }
})

afterAll(() => {
  const ms = (values: number[]) => {
    const sorted = values.toSorted((a, b) => a - b)
    const middle = sorted.length / 2
    const median = sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2
    return `${median.toFixed(0)} (${sorted[0]!.toFixed(0)}–${sorted.at(-1)!.toFixed(0)})`
  }
  const rows = [
    ['layout', 'start', 'of which read()', 'of which engine', 'then DescribeImages page of 1,000'],
    ...[...starts].map(([label, runs]) => [
      label,
      ms(runs.map((run) => run.startMs)),
      ms(runs.map((run) => run.readMs)),
      ms(runs.map((run) => run.startMs - run.readMs)),
      ms(runs.map((run) => run.pageMs)),
    ]),
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  console.log(
    [
      `Starts in a freshly loaded page: median (min–max) of ${ITERATIONS}, in ms of the page's clock`,
      ...rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd()),
    ].join('\n'),
  )
})
