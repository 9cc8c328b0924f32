import { execFile } from 'node:child_process'
import { copyFile, cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { preview, type PreviewServer } from 'vite'
import { afterAll, beforeAll, expect, it } from 'vitest'

// examples/storybook as a user runs it: its own lockfile (`npm ci`), fake-ecr packed from this
// repository, `npm run build-storybook` (MSW's worker script, then a static Storybook 10 build),
// and each story rendered in Chromium.

// A request the worker does not answer fails at once instead of leaving the network: no story
// can pass by reaching the real AWS, or by waiting for a lookup that never ends.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
]

const root = fileURLToPath(new URL('../../', import.meta.url))
const example = join(root, 'examples/storybook')

// The nested npm must not inherit this run's npm script or vitest worker settings.
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|vitest|INIT_CWD$)/i.test(name))),
  STORYBOOK_DISABLE_TELEMETRY: '1',
} as NodeJS.ProcessEnv

let work: string
let project: string
let server: PreviewServer
let browser: Browser
let url: string

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout)
      else reject(new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${error.message}\n${stdout}\n${stderr}`))
    })
  })
}

/**
 * fake-ecr packed as `npm pack` would pack it, built into a folder of its own: packing the
 * repository itself rebuilds its dist/, which the consumer test may be packing at the same time.
 */
async function packFakeEcr(): Promise<string> {
  const staging = join(work, 'fake-ecr')
  await mkdir(staging)
  await run(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', join(staging, 'dist')], root)
  for (const file of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE']) await copyFile(join(root, file), join(staging, file))
  const [packed] = JSON.parse(await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], staging))
  return join(work, packed.filename)
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fake-ecr-storybook-'))
  project = join(work, 'storybook')
  // What a clone holds: no installed packages, no generated worker script, no earlier build.
  const generated = new Set(['node_modules', 'storybook-static', 'public/mockServiceWorker.js'])
  await cp(example, project, { recursive: true, filter: (source) => !generated.has(relative(example, source)) && !source.endsWith('.tgz') })
  const tarball = await packFakeEcr()
  const install = ['--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts']
  await run('npm', ['ci', ...install], project)
  await run('npm', ['install', '--no-save', ...install, tarball], project)
  await run('npm', ['run', 'build-storybook', '--', '--quiet', '--output-dir', 'storybook-static'], project)
  server = await preview({
    configFile: false,
    root: project,
    logLevel: 'warn',
    build: { outDir: 'storybook-static' },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  })
  url = server.resolvedUrls!.local[0]!
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (work !== undefined) await rm(work, { recursive: true, force: true })
})

/** Opens a story alone, as Storybook's canvas does, in a fresh browser context; fails the test on an error thrown in the page. */
async function withStory(id: string, check: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext()
  context.setDefaultTimeout(20_000)
  const errors: string[] = []
  try {
    const page = await context.newPage()
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${url}iframe.html?id=${id}&viewMode=story`)
    await check(page)
    expect(errors).toEqual([])
  } finally {
    await context.close()
  }
}

const rendered = (page: Page) => page.locator('#storybook-root')

/** The story's text once it shows more than its loading state. */
async function settled(page: Page): Promise<string> {
  await page.waitForFunction(() => !['', 'Loading…'].includes(document.querySelector('#storybook-root')?.textContent ?? ''))
  return rendered(page).innerText()
}

/** The README's code block between `<!-- quick-start:<name>:start/end -->`, exactly as users read it. */
function readmeBlock(readme: string, name: string): string {
  const code = new RegExp(`<!-- quick-start:${name}:start -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\`\`\`\\s*<!-- quick-start:${name}:end -->`).exec(readme)?.[1]
  if (code === undefined) throw new Error(`README.md has no code block between the quick-start:${name} markers`)
  return code
}

it("the README's Storybook section shows this example's files and names the versions it installs", async () => {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const files = { 'storybook-main': '.storybook/main.ts', 'storybook-preview': '.storybook/preview.ts', 'storybook-stories': 'src/RepositoryList.stories.tsx' }
  for (const [name, file] of Object.entries(files)) expect(readmeBlock(readme, name), file).toBe(await readFile(join(example, file), 'utf8'))
  const section = /^## Quick start: Storybook.*$[\s\S]*?(?=^## )/m.exec(readme)?.[0] ?? ''
  const lock = JSON.parse(await readFile(join(example, 'package-lock.json'), 'utf8'))
  for (const name of ['storybook', '@storybook/react-vite', 'msw-storybook-addon', 'msw', 'react', 'vite']) {
    expect(section).toContain(`\`${name}@${lock.packages[`node_modules/${name}`].version}\``)
  }
})

it('the example and its stories typecheck, story context `msw` included', async () => {
  await run('npm', ['run', 'typecheck'], project)
}, 60_000)

it('the build holds the three stories', async () => {
  const index = JSON.parse(await readFile(join(project, 'storybook-static/index.json'), 'utf8'))
  expect(Object.keys(index.entries).sort()).toEqual(['repositorylist--access-denied', 'repositorylist--loading', 'repositorylist--with-repositories'])
})

it('WithRepositories (parameters.msw, another region than the default) lists the seeded repositories', async () => {
  await withStory('repositorylist--with-repositories', async (page) => {
    expect(await settled(page)).toBe('web 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web\napi 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api')
  })
}, 60_000)

it('Loading (beforeEach, injected latency) stays loading', async () => {
  await withStory('repositorylist--loading', async (page) => {
    await page.waitForFunction(() => document.querySelector('#storybook-root')?.textContent)
    // Longer than the SDK's retries of a request nobody answers would take to end in an error.
    await page.waitForTimeout(3_000)
    expect(await rendered(page).innerText()).toBe('Loading…')
  })
}, 60_000)

it('AccessDenied (beforeEach, injected error) shows the AWS error', async () => {
  await withStory('repositorylist--access-denied', async (page) => {
    expect(await settled(page)).toBe('Could not list repositories: AccessDeniedException: User is not authorized to list repositories')
  })
}, 60_000)
