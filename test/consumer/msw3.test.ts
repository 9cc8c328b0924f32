import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// fake-ecr under msw 3, which needs Node 22 or later: msw 3 and Node 24 (the npm package `node`)
// are installed apart, and a copy of the repository's sources and tests runs with every
// dependency as installed except msw. The SDK suite's core files run through MSW and over
// HTTP, the README quick start runs as written (with msw 3's name for the unhandled-request
// option, as its comment says), and the README's browser quick start runs in Chromium with
// msw 3's service worker.

const root = join(import.meta.dirname, '../..')
/** The versions proven here: msw 3's current release and a Node it supports. */
const MSW_3 = 'msw@3'
const NODE = 'node@24'
const SDK_CORE = ['repositories', 'images', 'layers', 'auth', 'pagination', 'policies'].map((name) => `test/sdk/${name}.test.ts`)

let work: string
let copy: string
let node: string

const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|vitest|INIT_CWD$)/i.test(name))) as NodeJS.ProcessEnv

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') reject(error)
      else resolve({ code: error === null ? 0 : (error.code as number), output: stdout + stderr })
    })
  })
}

/** The README's Node quick start, with the unhandled-request option under its msw 3 name. */
async function quickStartForMsw3(): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const code = /<!-- quick-start:node:start -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  if (code === undefined || !code.includes("onUnhandledRequest: 'error'")) throw new Error('README.md has no Node quick start that sets onUnhandledRequest')
  return code.replaceAll('onUnhandledRequest', 'onUnhandledFrame').replace("from 'fake-ecr/handlers'", "from '../handlers/index.js'").replace("from 'fake-ecr'", "from '../src/index.js'")
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fake-ecr-msw3-'))
  const tools = join(work, 'tools')
  await mkdir(tools)
  await writeFile(join(tools, 'package.json'), JSON.stringify({ name: 'msw3-tools', private: true }))
  const install = await run('npm', ['install', MSW_3, NODE, '--prefer-offline', '--no-audit', '--no-fund'], tools)
  if (install.code !== 0) throw new Error(`npm install ${MSW_3} ${NODE} failed:\n${install.output}`)
  node = join(tools, 'node_modules/.bin/node')

  copy = join(work, 'repository')
  await mkdir(copy)
  for (const entry of ['src', 'handlers', 'test', 'e2e', 'model', 'package.json', 'tsconfig.json', 'vitest.config.ts', 'README.md']) {
    await cp(join(root, entry), join(copy, entry), { recursive: true })
  }
  // Every installed package, by link, except msw: msw 3 (its own dependencies resolve beside it).
  const modules = join(copy, 'node_modules')
  await mkdir(modules)
  for (const name of await readdir(join(root, 'node_modules'))) {
    if (name === 'msw' || name === '.cache' || name === '.vite') continue
    await symlink(join(root, 'node_modules', name), join(modules, name))
  }
  await symlink(join(tools, 'node_modules/msw'), join(modules, 'msw'))
  // The service worker script matches the msw that answers (what `npx msw init` copies).
  await cp(join(tools, 'node_modules/msw/lib/mockServiceWorker.js'), join(copy, 'e2e/public/mockServiceWorker.js'))
  await writeFile(join(copy, 'test/quick-start.test.ts'), await quickStartForMsw3())
}, 600_000)

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true })
})

describe('under msw 3 and Node 24', () => {
  it('installs msw 3 and a Node it supports', async () => {
    const msw = JSON.parse(await readFile(join(copy, 'node_modules/msw/package.json'), 'utf8'))
    expect(msw.version).toMatch(/^3\./)
    expect((await run(node, ['--version'], copy)).output).toMatch(/^v24\./)
  })

  it('passes the SDK suite’s core files (through MSW and over HTTP), the README quick start and the browser quick start', async () => {
    // The copy's vitest config writes its JSON report where .ci/run reads the main one.
    const report = join(copy, 'test-results/vitest.json')
    const files = [...SDK_CORE, 'test/quick-start.test.ts', 'test/e2e/readme-browser.test.ts']
    const vitest = join(root, 'node_modules/vitest/vitest.mjs')
    const result = await run(node, [vitest, 'run', '--project', 'main', '--project', 'sdk-over-http', ...files], copy)
    const summary = JSON.parse(await readFile(report, 'utf8'))
    const failed = summary.testResults.filter((file: { status: string }) => file.status !== 'passed').map((file: { name: string }) => file.name)
    expect({ code: result.code, failed, files: summary.numTotalTestSuites > 0 }, result.output.slice(-4000)).toEqual({ code: 0, failed: [], files: true })
    // Every file ran: the SDK files twice (MSW, HTTP), the quick starts once.
    expect(summary.testResults).toHaveLength(SDK_CORE.length * 2 + 2)
  }, 600_000)
})
