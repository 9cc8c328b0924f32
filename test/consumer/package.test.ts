import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '../..')
let work: string
let project: string
let packedFiles: string[]
let packedFile: string

// The nested npm and vitest must not inherit this run's npm script or vitest worker settings.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(npm_|vitest|INIT_CWD$)/i.test(name)),
) as NodeJS.ProcessEnv

function exec(command: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: { ...env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') reject(error)
      else resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
    })
  })
}

async function succeed(command: string, args: string[], cwd: string): Promise<string> {
  const result = await exec(command, args, cwd)
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

async function lockedVersion(name: string): Promise<string> {
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8'))
  return lock.packages[`node_modules/${name}`].version
}

/** A code block of the README, exactly as users read it: the one between `<!-- quick-start:<name>:start/end -->`. */
async function readmeBlock(name: string): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const code = new RegExp(`<!-- quick-start:${name}:start -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\`\`\`\\s*<!-- quick-start:${name}:end -->`).exec(readme)?.[1]
  if (code === undefined) throw new Error(`README.md has no code block between the quick-start:${name} markers`)
  return code
}

/**
 * What the README's Jest quick start installs: the current majors of Jest and ts-jest, and the
 * TypeScript ts-jest can use (TypeScript 7 has no compiler API for it).
 */
const JEST = ['jest@30', 'ts-jest@29', 'typescript@5']

const NODE_ENTRY_TEST = `
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr'
import { createEcrServer } from 'fake-ecr/node'
import { expect, it } from 'vitest'

it('serves the SDK over HTTP from fake-ecr/node', async () => {
  const server = await createEcrServer({ port: 0 })
  try {
    const client = new ECRClient({
      endpoint: server.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    })
    const { repository } = await client.send(new CreateRepositoryCommand({ repositoryName: 'web' }))
    expect(repository?.repositoryArn).toBe('arn:aws:ecr:eu-west-1:123456789012:repository/web')
    client.destroy()
  } finally {
    await server.close()
  }
})
`

/** A Node that can require ES modules by default, besides the one running the tests. */
const NODE_24 = 'node@24'

/** A CommonJS TypeScript file using each entry Node code uses, compiled to `require` calls. */
const CJS_TYPESCRIPT = `
import { createEcr } from 'fake-ecr'
import { ecrHandlers } from 'fake-ecr/handlers'
import { createEcrServer } from 'fake-ecr/node'

async function main(): Promise<void> {
  const ecr = createEcr()
  await ecr.call('CreateRepository', { repositoryName: 'web' })
  const server = await createEcrServer({ port: 0, ecr })
  const names = (await ecr.call('DescribeRepositories', {})).repositories?.map((repository) => repository.repositoryName)
  console.log(names?.join(), ecrHandlers(ecr).length > 0 ? server.url.replace(/:\\d+$/, '') : 'no handlers')
  await server.close()
}
void main()
`

// Fails any import of the named packages, so a successful import proves they were never loaded.
const BLOCKING_HOOKS = `
const blocked = JSON.parse(process.env.BLOCKED_PACKAGES)
export async function resolve(specifier, context, next) {
  if (blocked.some((name) => specifier === name || specifier.startsWith(name + '/'))) {
    throw new Error('blocked import of ' + specifier)
  }
  return next(specifier, context)
}
`

const IMPORT_CHECK = `
import { register } from 'node:module'
register('./blocking-hooks.mjs', import.meta.url)
const outcome = {}
for (const entry of process.argv.slice(2)) {
  try {
    const module = await import(entry)
    if (entry === 'fake-ecr') await module.createEcr().call('CreateRepository', { repositoryName: 'app' })
    outcome[entry] = 'loaded'
  } catch (error) {
    outcome[entry] = error.message
  }
}
console.log(JSON.stringify(outcome))
`

// Fails the imports a browser-ready entry must not make: msw anywhere, and from fake-ecr's own
// files any Node built-in module or any run-time import of the AWS SDK.
const BROWSER_READY_HOOKS = `
import { builtinModules } from 'node:module'
export async function resolve(specifier, context, next) {
  if (specifier === 'msw' || specifier.startsWith('msw/')) throw new Error('blocked import of ' + specifier)
  const fromFakeEcr = context.parentURL?.includes('/node_modules/fake-ecr/') ?? false
  const builtin = specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0])
  if (fromFakeEcr && (builtin || specifier.startsWith('@aws-sdk/'))) {
    throw new Error('blocked import of ' + specifier + ' from ' + context.parentURL)
  }
  return next(specifier, context)
}
`

const SDK_ENTRY_CHECK = `
import { register } from 'node:module'
register('./browser-ready-hooks.mjs', import.meta.url)
const { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, RepositoryNotFoundException } = await import('@aws-sdk/client-ecr')
const { createEcr } = await import('fake-ecr')
const { ecrRequestHandler } = await import('fake-ecr/sdk')
const ecr = createEcr()
const client = new ECRClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  requestHandler: ecrRequestHandler(ecr),
})
const { repository } = await client.send(new CreateRepositoryCommand({ repositoryName: 'web' }))
const missing = await client.send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] })).catch((error) => error)
console.log(JSON.stringify({ arn: repository.repositoryArn, missing: missing instanceof RepositoryNotFoundException }))
`

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fake-ecr-consumer-'))
  project = join(work, 'project')
  await mkdir(project)
  const [packed] = JSON.parse(await succeed('npm', ['pack', '--json', '--pack-destination', work], root))
  packedFiles = packed.files.map((file: { path: string }) => file.path)
  packedFile = packed.filename
  const versions = await Promise.all(
    ['msw', '@aws-sdk/client-ecr', 'vitest', 'typescript', '@types/node'].map(async (name) => `${name}@${await lockedVersion(name)}`),
  )
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  await succeed('npm', ['install', join(work, packed.filename), ...versions, '--prefer-offline', '--no-audit', '--no-fund'], project)
  await writeFile(join(project, 'quick-start.test.ts'), await readmeBlock('node'))
  await writeFile(join(project, 'node-entry.test.ts'), NODE_ENTRY_TEST)
  await writeFile(join(project, 'sdk-quick-start.test.ts'), await readmeBlock('sdk'))
}, 600_000)

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true })
})

describe('the packed package in a fresh project', () => {
  it('contains built code, declarations and docs only', () => {
    expect(packedFiles).toContain('dist/src/index.js')
    expect(packedFiles).toContain('dist/handlers/index.d.ts')
    expect(packedFiles).toContain('dist/handlers/node/cli.js')
    expect(packedFiles).toContain('dist/handlers/browser/index.js')
    expect(packedFiles).toContain('dist/handlers/browser/index.d.ts')
    expect(packedFiles).toContain('dist/handlers/sdk/index.js')
    expect(packedFiles).toContain('dist/handlers/sdk/index.d.ts')
    const unexpected = packedFiles.filter(
      (path) => !/^(dist\/(src|handlers)\/.+\.(js|d\.ts)|package\.json|README\.md|CHANGELOG\.md|LICENSE)$/.test(path),
    )
    expect(unexpected).toEqual([])
    expect(packedFiles.filter((path) => /(^|\/)test\/|\.test\./.test(path))).toEqual([])
  })

  it('runs the README quick starts (MSW and fake-ecr/sdk) and the fake-ecr/node entry with vitest', async () => {
    const report = join(work, 'report.json')
    const result = await exec(join(project, 'node_modules/.bin/vitest'), ['run', '--reporter=json', `--outputFile=${report}`], project)
    const summary = JSON.parse(await readFile(report, 'utf8'))
    expect({ code: result.code, passed: summary.numPassedTests, total: summary.numTotalTests }, result.stderr).toEqual({
      code: 0,
      passed: 4,
      total: 4,
    })
  }, 120_000)

  it('runs the README Jest quick start with Jest and ts-jest', async () => {
    // A project of its own: Jest must not collect the vitest files above, and ts-jest needs TypeScript 5.
    const jestProject = join(work, 'jest-project')
    await mkdir(jestProject)
    await writeFile(join(jestProject, 'package.json'), JSON.stringify({ name: 'jest-consumer', private: true, type: 'module' }))
    const versions = await Promise.all(['msw', '@aws-sdk/client-ecr'].map(async (name) => `${name}@${await lockedVersion(name)}`))
    await succeed('npm', ['install', join(work, packedFile), ...versions, ...JEST, '--prefer-offline', '--no-audit', '--no-fund'], jestProject)
    await writeFile(join(jestProject, 'jest.config.js'), await readmeBlock('jest-config'))
    await writeFile(join(jestProject, 'tsconfig.json'), await readmeBlock('jest-tsconfig'))
    await writeFile(join(jestProject, 'ecr.test.ts'), await readmeBlock('jest'))
    const result = await exec(join(jestProject, 'node_modules/.bin/jest'), ['--ci', '--json', '--outputFile=report.json'], jestProject, {
      NODE_OPTIONS: '--experimental-vm-modules',
    })
    const summary = JSON.parse(await readFile(join(jestProject, 'report.json'), 'utf8'))
    expect({ code: result.code, passed: summary.numPassedTests, total: summary.numTotalTests }, result.stderr).toEqual({ code: 0, passed: 1, total: 1 })
  }, 300_000)

  it('typechecks against the published declarations', async () => {
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
        include: ['*.test.ts'],
      }),
    )
    const result = await exec(join(project, 'node_modules/.bin/tsc'), ['-p', '.'], project)
    expect(result.stdout + result.stderr).toBe('')
    expect(result.code).toBe(0)
  }, 120_000)

  it('is required from CommonJS under Node 20 and 24, and typechecks with the settings the README gives', async () => {
    // A CommonJS package inside the project: it resolves fake-ecr from the project's node_modules.
    const cjs = join(project, 'cjs')
    await mkdir(cjs)
    await writeFile(join(cjs, 'package.json'), JSON.stringify({ name: 'cjs-consumer', private: true, type: 'commonjs' }))
    await writeFile(join(cjs, 'example.cjs'), await readmeBlock('cjs'))
    await writeFile(join(cjs, 'index.ts'), CJS_TYPESCRIPT)
    await succeed('npm', ['install', NODE_24, '--prefer-offline', '--no-audit', '--no-fund'], cjs)
    const nodes = [process.execPath, join(cjs, 'node_modules/.bin/node')]
    expect((await succeed(nodes[1]!, ['--version'], cjs)).trim()).toMatch(/^v24\./)

    // One tsconfig per setting (a tsconfig.json above, in the project, must not be the one read).
    const tsc = async (module: string, moduleResolution?: string) => {
      const compilerOptions = { module, ...(moduleResolution !== undefined && { moduleResolution }), target: 'es2022', strict: true, types: ['node'], outDir: `out-${module}` }
      await writeFile(join(cjs, `tsconfig.${module}.json`), JSON.stringify({ compilerOptions, files: ['index.ts'] }))
      return exec(join(project, 'node_modules/.bin/tsc'), ['-p', `tsconfig.${module}.json`], cjs)
    }
    for (const module of ['nodenext', 'node20']) expect(await tsc(module), module).toMatchObject({ code: 0, stdout: '' })
    for (const module of ['node16', 'node18']) expect((await tsc(module)).stdout, module).toContain('error TS1479')
    expect(await tsc('esnext', 'bundler')).toMatchObject({ code: 0, stdout: '' })

    for (const node of nodes) {
      expect(await succeed(node, ['example.cjs'], cjs), node).toBe("[ '123456789012.dkr.ecr.us-east-1.amazonaws.com/web' ]\n")
      expect(await succeed(node, ['out-nodenext/index.js'], cjs), node).toBe('web http://127.0.0.1\n')
    }
  }, 300_000)

  it('loads neither msw nor the AWS SDK for `fake-ecr` and `fake-ecr/sdk`, and no AWS SDK for `fake-ecr/handlers`', async () => {
    await writeFile(join(project, 'blocking-hooks.mjs'), BLOCKING_HOOKS)
    await writeFile(join(project, 'import-check.mjs'), IMPORT_CHECK)
    const check = (blocked: string[], entries: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          ['import-check.mjs', ...entries],
          { cwd: project, env: { ...env, BLOCKED_PACKAGES: JSON.stringify(blocked) } },
          (error, stdout, stderr) => (error === null ? resolve(stdout) : reject(new Error(stderr))),
        ),
      )
    expect(JSON.parse(await check(['msw', '@aws-sdk'], ['fake-ecr']))).toEqual({ 'fake-ecr': 'loaded' })
    expect(JSON.parse(await check(['@aws-sdk'], ['fake-ecr/handlers', 'fake-ecr/node']))).toEqual({
      'fake-ecr/handlers': 'loaded',
      'fake-ecr/node': 'loaded',
    })
    expect(JSON.parse(await check(['msw', '@aws-sdk'], ['fake-ecr/sdk']))).toEqual({ 'fake-ecr/sdk': 'loaded' })
    // The hook does catch msw when an entry does load it.
    expect(JSON.parse(await check(['msw'], ['fake-ecr/handlers']))).toEqual({ 'fake-ecr/handlers': 'blocked import of msw' })
    // The browser entry is blocked in Node by the exports map.
    const browser = JSON.parse(await check([], ['fake-ecr/browser']))['fake-ecr/browser']
    expect(browser).toMatch(/not defined by "exports"/)
  })

  it('runs an ECRClient on fake-ecr/sdk in a project without msw, loading no Node module from fake-ecr', async () => {
    const sdkProject = join(work, 'sdk-project')
    await mkdir(sdkProject)
    await writeFile(join(sdkProject, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true, type: 'module' }))
    // msw is an optional peer: a project that does not install it does not get it.
    const sdk = `@aws-sdk/client-ecr@${await lockedVersion('@aws-sdk/client-ecr')}`
    await succeed('npm', ['install', join(work, packedFile), sdk, '--prefer-offline', '--no-audit', '--no-fund'], sdkProject)
    await expect(readFile(join(sdkProject, 'node_modules/msw/package.json'))).rejects.toThrow(/ENOENT/)
    await writeFile(join(sdkProject, 'browser-ready-hooks.mjs'), BROWSER_READY_HOOKS)
    await writeFile(join(sdkProject, 'sdk-entry-check.mjs'), SDK_ENTRY_CHECK)
    const result = await exec(process.execPath, ['sdk-entry-check.mjs'], sdkProject)
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({ arn: 'arn:aws:ecr:eu-west-1:123456789012:repository/web', missing: true })
  }, 300_000)

  // The second project is the one without msw, made by the test above.
  it.each([
    ['with msw', () => project],
    ['without msw', () => join(work, 'sdk-project')],
  ])('installs a working fake-ecr bin (%s)', async (_, directory) => {
    const cwd = directory()
    const child = spawn(join(cwd, 'node_modules/.bin/fake-ecr'), ['--port', '0'], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string]
    const url = /listening on (http:\/\/\S+) /.exec(line)?.[1]
    const response = await fetch(`${url}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories' },
      body: '{}',
    })
    child.kill('SIGTERM')
    expect(await response.json()).toEqual({ repositories: [] })
    expect((await once(child, 'exit'))[0]).toBe(0)
  })
})
