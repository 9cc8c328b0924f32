import { bench, describe } from 'vitest'
import { preparePaths } from './paths.js'

/**
 * Every way into the engine, measured in one run: the SDK with a constant handler (its floor),
 * through `ecrRequestHandler`, through MSW (a trivial handler, then `ecrHandlers`), over loopback
 * HTTP to the standalone server, and `ecr.call`. `bench/table-reporter.ts` prints them as one
 * table, each with its ratio to the floor it is judged against (`bench/paths-table.ts`).
 */
const { scenarios } = await preparePaths()
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
