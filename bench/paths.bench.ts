import { afterAll, bench, describe } from 'vitest'
import { formatPathsTable } from './paths-table.js'
import { measurePaths, preparePaths } from './paths.js'

/**
 * Every way into the engine, measured in one run: the SDK with a constant handler (its floor),
 * through `ecrRequestHandler`, through MSW (a trivial handler, then `ecrHandlers`), over loopback
 * HTTP to the standalone server, and `ecr.call`. Vitest times each group as usual; then every
 * path is timed again in turns with its floor (`measurePaths`) and printed as one table with its
 * ratio to that floor (`bench/paths-table.ts` names the floors).
 */
const { scenarios, close } = await preparePaths()
const WARM_UP_MS = 300

// Every path gives the right answer before it is timed, or the comparison is meaningless; and
// every path is warm before any is timed (the first group would otherwise pay for the JIT).
for (const scenario of scenarios) {
  for (const path of scenario.paths) {
    await path.setup()
    scenario.check(await path.call())
    for (const started = performance.now(); performance.now() - started < WARM_UP_MS; ) await path.call()
    await path.teardown()
  }
}

for (const scenario of scenarios) {
  describe(scenario.name, () => {
    for (const path of scenario.paths) {
      bench(path.name, async () => void (await path.call()), {
        time: 1000,
        warmupTime: 300,
        setup: path.setup,
        teardown: path.teardown,
      })
    }
  })
}

afterAll(async () => {
  const figures = await measurePaths(scenarios, { rounds: 15, batchMs: 60 })
  await close()
  console.log(
    '\nPaths into the engine, calls per second (medians of batches), each with its ratio to its floor timed in turns with it.',
    'The rows were timed one after the other on a machine whose speed drifts: compare ratios, not rows.',
    `\n\n${formatPathsTable(figures)}\n`,
  )
}, 300_000)
