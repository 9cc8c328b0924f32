import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { afterAll, beforeAll } from 'vitest'

const root = join(import.meta.dirname, '../..')

/** The outcome of a CLI run that ended. */
export interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * The `fake-ecr` command, built for the test file that calls this (emit only; typechecking is
 * `npm run typecheck`'s job) into a folder under node_modules, so that its bare imports resolve to
 * this project's dependencies; removed after the file.
 */
export function useCli() {
  let buildDir: string
  let cli: string
  beforeAll(async () => {
    await mkdir(join(root, 'node_modules/.cache'), { recursive: true })
    buildDir = await mkdtemp(join(root, 'node_modules/.cache/fake-ecr-cli-'))
    await promisify(execFile)(process.execPath, [
      join(root, 'node_modules/typescript/bin/tsc'),
      ...['-p', join(root, 'tsconfig.build.json'), '--outDir', buildDir, '--noCheck', '--declaration', 'false', '--sourceMap', 'false'],
    ])
    await writeFile(join(buildDir, 'package.json'), '{"type":"module"}')
    cli = join(buildDir, 'handlers/node/cli.js')
  }, 60_000)

  afterAll(async () => {
    if (buildDir !== undefined) await rm(buildDir, { recursive: true, force: true })
  })

  /** Runs the CLI to its end. */
  const run = (args: string[]): Promise<Finished> =>
    new Promise((resolve, reject) => {
      execFile(process.execPath, [cli, ...args], (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') reject(error)
        else resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
      })
    })

  /** Starts the CLI and resolves with its first line of output, once it is listening. */
  const start = async (args: string[]): Promise<{ child: ChildProcess; firstLine: string; url: string }> => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    const lines = createInterface({ input: child.stdout! })
    const [firstLine] = (await once(lines, 'line')) as [string]
    const url = /^fake-ecr listening on (http:\/\/\S+) /.exec(firstLine)?.[1] ?? ''
    return { child, firstLine, url }
  }

  return { run, start }
}
