import { afterAll, expect, it } from 'vitest'
import { measurePaths, preparePaths } from '../../bench/paths.js'
import { formatPathsTable, PATHS, SCENARIOS } from '../../bench/paths-table.js'

// `npm run bench`'s table of paths, run once with a few calls each: every path answers every
// scenario right and the table holds them all. Correctness only; the timing is the bench's job.
const { scenarios, close } = await preparePaths()
afterAll(close)

it('answers every scenario right on every path, and prints them as one table with ratios', async () => {
  for (const scenario of scenarios) {
    for (const path of scenario.paths) {
      await path.setup()
      try {
        for (let call = 0; call < 3; call++) scenario.check(await path.call())
      } finally {
        await path.teardown()
      }
    }
  }
  expect(scenarios.map((scenario) => scenario.name)).toEqual(SCENARIOS)
  const figures = await measurePaths(scenarios, { rounds: 1, batchMs: 0 })
  const table = formatPathsTable(figures).split('\n')
  expect(table[0]).toMatch(/^\| path +\| judged against +\| DescribeRepositories +\| CreateRepository +\| DescribeImages, 1 page of 1,000 images +\|$/)
  for (const { name, floor } of PATHS) {
    const row = table.find((line) => line.startsWith(`| ${name} `))
    // Three figures, each with its ratio when the path is judged against a floor.
    expect(row?.match(floor === undefined ? /\| [\d,]+\/s +/g : /\| [\d,]+\/s \(\d+\.\d\d×\) +/g), row).toHaveLength(3)
  }
}, 60_000)
