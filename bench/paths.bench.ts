import { bench, describe } from 'vitest'
import { preparePaths } from './paths.js'

/**
 * Every way into the engine, measured in one run: the SDK with a constant handler (its floor),
 * through `ecrRequestHandler`, through MSW (a trivial handler, then `ecrHandlers`), over loopback
 * HTTP to the standalone server, and `ecr.call`. `bench/table-reporter.ts` prints them as one
 * table, each with its ratio to the floor it is judged against (`bench/paths-table.ts`).
 */
const { scenarios } = await preparePaths()
const WARM_UP_CALLS = 20

// Every path gives the right answer before it is timed, or the comparison is meaningless; and
// every path is warm before any is timed (the first group would otherwise pay for the JIT).
for (const scenario of scenarios) {
  for (const path of scenario.paths) {
    path.setup?.()
    scenario.check(await path.call())
    for (let call = 0; call < WARM_UP_CALLS; call++) await path.call()
    path.teardown?.()
  }
}

for (const scenario of scenarios) {
  describe(scenario.name, () => {
    for (const path of scenario.paths) {
      bench(path.name, async () => void (await path.call()), {
        time: 1000,
        warmupTime: 300,
        ...(path.setup !== undefined && { setup: path.setup }),
        ...(path.teardown !== undefined && { teardown: path.teardown }),
      })
    }
  })
}
