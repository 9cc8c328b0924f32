import type { BenchOptions } from 'vitest'

/**
 * A clock for tinybench that moves only by what a bench measures itself (an upload, not the
 * repository made for it; a start, not the stop after it), so that vitest's table shows the same
 * figures as the bench's own. `options` runs `iterations` times after one warm-up; `record` moves
 * the clock and says whether the iteration counts (is not the warm-up).
 */
export function measuredClock(iterations: number): { options: BenchOptions; record(elapsedMs: number): boolean } {
  let clock = 0
  let measuring = false
  return {
    options: {
      iterations,
      time: 0,
      warmupIterations: 1,
      warmupTime: 0,
      now: () => clock,
      setup: (_task, mode) => {
        measuring = mode === 'run'
      },
    },
    record(elapsedMs) {
      clock += elapsedMs
      return measuring
    },
  }
}
