import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const root = join(import.meta.dirname, '../..')

// src/ runs unchanged in Node, browsers, workers and Storybook: the compiler checks it against what
// all of them have (src/tsconfig.json: the WebWorker library, no Node types), so a `node:` import,
// a Buffer or a `document` in the engine fails here.
it('the engine compiles with no Node or DOM types', async () => {
  const result = await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'src/tsconfig.json')]).then(
    () => 'clean',
    (error: { stdout?: string }) => error.stdout ?? String(error),
  )
  expect(result).toBe('clean')
}, 60_000)
