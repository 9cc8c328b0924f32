import type { Reporter, Vitest } from 'vitest/node'
import { formatPathsTable, SCENARIOS, type PathFigure } from './paths-table.js'

/**
 * Prints the figures of `bench/paths.bench.ts` as one table after vitest's own, each path with
 * its ratio to its floor (vitest prints one table per group and no ratios across groups).
 */
export default class PathsTableReporter implements Reporter {
  private vitest: Vitest | undefined

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  onTestRunEnd(): void {
    const figures: PathFigure[] = []
    for (const file of this.vitest?.state.getFiles() ?? []) {
      for (const suite of file.tasks) {
        if (suite.type !== 'suite' || !(SCENARIOS as readonly string[]).includes(suite.name)) continue
        for (const task of suite.tasks) {
          const hz = task.result?.benchmark?.hz
          if (hz !== undefined) figures.push({ scenario: suite.name, path: task.name, hz })
        }
      }
    }
    if (figures.length > 0) console.log(`\nPaths into the engine, calls per second (ratio to the floor):\n\n${formatPathsTable(figures)}\n`)
  }
}
