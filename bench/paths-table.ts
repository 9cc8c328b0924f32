/**
 * The ways into the engine that `bench/paths.bench.ts` measures side by side, each with the floor
 * it is judged against: the same client with nothing behind it but constant bytes, so the ratio
 * says what the path adds. To add a row: name it here (with its floor), and give it a call for
 * each scenario in `bench/paths.ts`.
 */
export const PATHS = [
  { name: 'SDK floor: constant handler', floor: undefined },
  { name: 'SDK → ecrRequestHandler', floor: 'SDK floor: constant handler' },
  { name: 'SDK → MSW trivial handler', floor: 'SDK floor: constant handler' },
  { name: 'SDK → MSW → ecrHandlers', floor: 'SDK → MSW trivial handler' },
  { name: 'SDK → standalone server (loopback HTTP)', floor: 'SDK floor: constant handler' },
  { name: 'SDK stubbed by aws-sdk-client-mock (no state)', floor: undefined },
  { name: 'SDK → attachEcr', floor: 'SDK stubbed by aws-sdk-client-mock (no state)' },
  { name: 'ecr.call (engine only)', floor: undefined },
] as const satisfies ReadonlyArray<{ name: string; floor: string | undefined }>

export type PathName = (typeof PATHS)[number]['name']

/** The calls each path makes, as the table's columns. */
export const SCENARIOS = ['DescribeRepositories', 'CreateRepository', 'DescribeImages, 1 page of 1,000 images'] as const

export type ScenarioName = (typeof SCENARIOS)[number]

/** Figures measured elsewhere, printed under the table as context (not measured by this run). */
const QUOTED = ['moto 5.2 in-process (Python, issue 11, same machine): DescribeRepositories 901/s, CreateRepository 868/s, DescribeImages page of 1,000 4/s']

/** Calls per second of one path in one scenario, and its ratio to its floor's, if it has one. */
export interface PathFigure {
  scenario: string
  path: string
  hz: number
  ratio?: number
}

/** One table of every path: calls per second in each scenario, with the ratio to the path's floor. */
export function formatPathsTable(figures: readonly PathFigure[]): string {
  const cell = (scenario: string, path: string) => {
    const figure = figures.find((candidate) => candidate.scenario === scenario && candidate.path === path)
    if (figure === undefined) return '—'
    const rate = `${Math.round(figure.hz).toLocaleString('en')}/s`
    return figure.ratio === undefined ? rate : `${rate} (${figure.ratio.toFixed(2)}×)`
  }
  const header = ['path', 'judged against', ...SCENARIOS]
  const rows = PATHS.map(({ name, floor }) => [name, floor ?? '—', ...SCENARIOS.map((scenario) => cell(scenario, name))])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: readonly string[]) => `| ${cells.map((text, column) => text.padEnd(widths[column]!)).join(' | ')} |`
  return [
    line(header),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...rows.map(line),
    '',
    ...QUOTED.map((text) => `Quoted, not measured: ${text}`),
  ].join('\n')
}
