import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, bench, describe } from 'vitest'
import { measuredClock } from './measured-clock.js'

// How long the standalone server takes to listen: from spawning the command to its "listening"
// line (then it is stopped), for the CLI itself, through npx, and through `npm start` when dist/
// is current; next to Node printing a line, the floor of any command, and the same through npm
// exec, the floor of anything npx runs. Goals (issue 11): the CLI under 0.5 s, `npm start` under 2 s.

const root = fileURLToPath(new URL('..', import.meta.url))
const ITERATIONS = 10

const COMMANDS: Array<{ label: string; command: string; args: string[] }> = [
  { label: 'node printing a line (the floor)', command: process.execPath, args: ['-e', "console.log('listening'); setInterval(() => {}, 1000)"] },
  { label: 'node dist/handlers/node/cli.js --port 0 (goal < 0.5 s)', command: process.execPath, args: ['dist/handlers/node/cli.js', '--port', '0'] },
  { label: 'npx fake-ecr --port 0', command: 'npx', args: ['fake-ecr', '--port', '0'] },
  {
    label: "npm exec of node printing a line (npx's own floor)",
    command: 'npm',
    args: ['exec', '--offline', '-c', `node -e "console.log('listening'); setInterval(() => {}, 1000)"`],
  },
  { label: 'npm start -- --port 0, dist/ current (goal < 2 s)', command: 'npm', args: ['start', '--', '--port', '0'] },
]

// Builds dist/ if the sources changed (not timed): every `npm start` measured finds it current.
const built = spawnSync(process.execPath, ['scripts/start.mjs', '--help'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
if (built.status !== 0) throw new Error(`npm start could not build dist/ (exit ${built.status})`)

/** Milliseconds from spawn to the "listening" line, by command. */
const starts = new Map<string, number[]>(COMMANDS.map(({ label }) => [label, []]))
/** tinybench's clock: it moves only by the measured starts. */
const clock = measuredClock(ITERATIONS)

/** Spawns a command (in its own process group, as npm runs the server in a child), waits for its "listening" line, and stops it. */
async function timeStart(command: string, args: string[]): Promise<number> {
  const started = performance.now()
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  const exited = once(child, 'exit')
  const lines = createInterface({ input: child.stdout! })
  const listening = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.includes('listening')) resolve()
    })
    void exited.then(([code]) => reject(new Error(`${command} ${args.join(' ')} exited (${code}) before listening`)))
  })
  await listening
  const elapsed = performance.now() - started
  process.kill(-child.pid!, 'SIGTERM')
  await exited
  return elapsed
}

describe('start-up: spawn to listening', () => {
  for (const { label, command, args } of COMMANDS) {
    bench(
      label,
      async () => {
        const elapsed = await timeStart(command, args)
        if (clock.record(elapsed)) starts.get(label)!.push(elapsed)
      },
      clock.options,
    )
  }
})

afterAll(() => {
  const rows = [
    ['command', 'ms: median (range)'],
    ...[...starts].filter(([, runs]) => runs.length > 0).map(([label, runs]) => {
      const sorted = runs.toSorted((a, b) => a - b)
      return [label, `${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} (${sorted[0]!.toFixed(0)}–${sorted.at(-1)!.toFixed(0)})`]
    }),
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  console.log(
    [
      `Start-up, ${ITERATIONS} runs of each command after one to warm up`,
      ...rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd()),
    ].join('\n'),
  )
})
