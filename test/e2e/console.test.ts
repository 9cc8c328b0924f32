import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { build, preview, type PreviewServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEcr, EcrError } from '../../src/index.js'
import { defaultScanFindings } from '../../src/scan-findings.js'

// The demo console (e2e/) in real Chromium: SDK → MSW's service worker → engine → IndexedDB.
// One build, one Vite server and one browser for the file; every test gets a fresh browser
// context, so it starts with an empty IndexedDB and tests persistence by reloading within itself.

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url))

let outDir: string
let server: PreviewServer
let browser: Browser
let url: string

beforeAll(async () => {
  // The production build, served by Vite's preview server on a free port: a page loads in a few
  // requests instead of the dev server's ~70 modules (seconds per load on 2 cores), and nothing
  // reloads it while a test runs.
  const configFile = fileURLToPath(new URL('../../e2e/vite.config.ts', import.meta.url))
  outDir = await mkdtemp(join(tmpdir(), 'fake-ecr-console-'))
  await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
  server = await preview({ configFile, logLevel: 'warn', build: { outDir }, preview: { port: 0, strictPort: false } })
  url = server.resolvedUrls!.local[0]!
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
  await mkdir(SCREENSHOTS, { recursive: true })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (outDir !== undefined) await rm(outDir, { recursive: true, force: true })
})

interface Scenario {
  /** Opens the console in a new tab of the context and waits until it has rendered. */
  open(): Promise<Page>
  /** Saves a screenshot of a moment worth seeing (the last state of every tab is saved anyway). */
  snap(page: Page, moment: string): Promise<void>
}

/** Runs `scenario` in a fresh browser context and closes it, keeping a screenshot of each page it opened. */
async function inFreshContext(name: string, scenario: (scenario: Scenario) => Promise<void>): Promise<void> {
  const context: BrowserContext = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  context.setDefaultTimeout(15_000)
  const pages: Page[] = []
  const errors: string[] = []
  const open = async () => {
    const page = await context.newPage()
    page.on('pageerror', (error) => errors.push(String(error)))
    pages.push(page)
    await page.goto(url)
    await ready(page)
    return page
  }
  const snap = async (page: Page, moment: string) => {
    await page.screenshot({ path: `${SCREENSHOTS}${name}-${moment}.png`, fullPage: true })
  }
  try {
    await scenario({ open, snap })
    expect(errors).toEqual([])
  } finally {
    for (const [index, page] of pages.entries()) {
      // Best effort: a page that crashed must not hide the failure that crashed it.
      await page.screenshot({ path: `${SCREENSHOTS}${name}-end${pages.length > 1 ? `-tab${index + 1}` : ''}.png`, fullPage: true }).catch(() => undefined)
    }
    await context.close()
  }
}

async function ready(page: Page): Promise<void> {
  await page.locator('body[data-ready]').waitFor({ state: 'attached' })
}

async function createRepository(page: Page, name: string): Promise<void> {
  await page.getByLabel('Repository name').fill(name)
  await page.getByRole('button', { name: 'Create repository' }).click()
  await page.getByRole('heading', { level: 2, name, exact: true }).waitFor()
}

async function pushImage(page: Page, tag: string) {
  await page.getByLabel('Image tag').fill(tag)
  await page.getByRole('button', { name: 'Push generated image' }).click()
  const row = imageRow(page, tag)
  await row.waitFor()
  return row
}

const imageRow = (page: Page, tag: string) => page.locator('#images tbody tr').filter({ has: page.locator('.tag', { hasText: new RegExp(`^${tag}$`) }) })
const repositoryLink = (page: Page, name: string) => page.getByRole('link', { name, exact: true })

describe('the demo console in Chromium', () => {
  it('keeps a repository and a pushed image across a reload', async () => {
    await inFreshContext('reload-keeps-state', async ({ open, snap }) => {
      const page = await open()
      await page.getByText('No repositories yet').waitFor()
      await createRepository(page, 'web')
      const row = await pushImage(page, 'v1')
      expect(await page.locator('#status').textContent()).toMatch(/^Pushed web:v1 \(sha256:[0-9a-f]{12}\)$/)
      const digest = await row.getAttribute('data-digest')
      const cells = await row.locator('td').allTextContents()
      expect(cells[2]).toMatch(/^\d+\.\d KiB$/)
      expect(cells[4]).toBe('Not scanned')
      await snap(page, 'pushed')

      await page.reload()
      await ready(page)
      await repositoryLink(page, 'web').waitFor()
      expect(await page.locator('#repository-uri').textContent()).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/web')
      // The same image (same digest, size and push time), read back from IndexedDB.
      const after = imageRow(page, 'v1')
      expect(await after.getAttribute('data-digest')).toBe(digest)
      expect(await after.locator('td').allTextContents()).toEqual(cells)
    })
  })

  it('keeps two tabs in sync without a reload, down to a reset that outlives a reload', async () => {
    await inFreshContext('two-tabs', async ({ open, snap }) => {
      const first = await open()
      const second = await open()
      await createRepository(first, 'shared')
      await repositoryLink(second, 'shared').waitFor()
      expect(await second.locator('#status').textContent()).toBe('Updated from another tab')

      // The second tab pushes; the first, showing that repository, lists the image.
      await repositoryLink(second, 'shared').click()
      await pushImage(second, 'from-tab-2')
      await imageRow(first, 'from-tab-2').waitFor()
      await snap(first, 'image-from-the-other-tab')

      // The first tab deletes the repository (with its image); it leaves the second tab too.
      await first.getByRole('button', { name: 'Delete shared' }).click()
      await first.getByRole('button', { name: 'Confirm: Delete shared' }).click()
      await repositoryLink(second, 'shared').waitFor({ state: 'detached' })
      expect(await second.locator('#repository').isHidden()).toBe(true)
      expect(await second.getByText('No repositories yet').isVisible()).toBe(true)

      // A reset in one tab empties both, images and all, and IndexedDB with them.
      await createRepository(second, 'doomed')
      await pushImage(second, 'v1')
      await createRepository(second, 'also-doomed')
      await repositoryLink(first, 'also-doomed').waitFor()
      await snap(first, 'before-reset')
      await second.getByRole('button', { name: 'Reset registry' }).click()
      await repositoryLink(first, 'doomed').waitFor({ state: 'detached' })
      expect(await first.locator('#status').textContent()).toBe('The registry was reset in another tab')
      await second.getByText('No repositories yet').waitFor()
      expect(await second.locator('#repositories tbody tr').count()).toBe(0)
      await first.reload()
      await ready(first)
      expect(await first.getByText('No repositories yet').isVisible()).toBe(true)
      expect(await first.locator('#repositories tbody tr').count()).toBe(0)
    })
  })

  it('scans an image and lists the findings the scan reports', async () => {
    await inFreshContext('scan-findings', async ({ open }) => {
      const page = await open()
      await createRepository(page, 'scanned')
      const row = await pushImage(page, 'v1')
      const imageDigest = (await row.getAttribute('data-digest'))!
      await page.getByRole('button', { name: 'Scan scanned:v1' }).click()
      await page.locator('#findings-title', { hasText: 'Scan findings for scanned:v1' }).waitFor()

      const expected = defaultScanFindings({ registryId: '123456789012', region: 'us-east-1', repositoryName: 'scanned', imageDigest, imageTags: ['v1'], manifest: '' })
      const names = await page.locator('#findings-table tbody tr td:first-child').allTextContents()
      expect(names.toSorted()).toEqual(expected.map((finding) => finding.name).toSorted())
      expect(await page.locator('#findings-summary').textContent()).toMatch(new RegExp(`^Scan COMPLETE · completed .+ · ${expected.length} findings?`))
      expect(await row.locator('td').nth(4).textContent()).toMatch(/^COMPLETE · /)

      // A second scan within 24 hours is refused, as ECR does, and the console says so.
      await page.getByRole('button', { name: 'Scan scanned:v1' }).click()
      const error = page.locator('#images-error')
      await error.waitFor()
      expect(await error.textContent()).toMatch(/^LimitExceededException: .+ \(HTTP 400\)$/)
    })
  })

  it('shows refused calls as the SDK reports them, and saves a valid lifecycle policy', async () => {
    await inFreshContext('errors-and-lifecycle-policy', async ({ open, snap }) => {
      const page = await open()
      await createRepository(page, 'policed')
      await page.getByLabel('Repository name').fill('policed')
      await page.getByRole('button', { name: 'Create repository' }).click()
      const createError = page.locator('#create-repository .error')
      await createError.waitFor()
      expect(await createError.textContent()).toBe(
        "RepositoryAlreadyExistsException: The repository with name 'policed' already exists in the registry with id '123456789012' (HTTP 400)",
      )
      await snap(page, 'repository-exists')

      const editor = page.getByLabel('Lifecycle policy JSON')
      await page.getByRole('button', { name: 'Insert example' }).click()
      await page.getByRole('button', { name: 'Save lifecycle policy' }).click()
      await page.getByText('A lifecycle policy is saved for this repository.').waitFor()
      const saved = await editor.inputValue()

      await page.reload()
      await ready(page)
      await page.getByText('A lifecycle policy is saved for this repository.').waitFor()
      expect(JSON.parse(await editor.inputValue())).toEqual(JSON.parse(saved))

      // Priority 0 breaks the schema; the console shows ECR's own words, from the SDK's exception.
      const invalid = saved.replace('"rulePriority": 1', '"rulePriority": 0')
      await editor.fill(invalid)
      await page.getByRole('button', { name: 'Save lifecycle policy' }).click()
      const error = page.locator('#lifecycle .error')
      await error.waitFor()
      const oracle = createEcr()
      await oracle.call('CreateRepository', { repositoryName: 'policed' })
      const refusal = await oracle.call('PutLifecyclePolicy', { repositoryName: 'policed', lifecyclePolicyText: invalid }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(refusal).toBeInstanceOf(EcrError)
      expect(await error.textContent()).toBe(`InvalidParameterException: ${(refusal as EcrError).message} (HTTP 400)`)
      expect(await error.textContent()).toContain('Lifecycle policy validation failure')
      await snap(page, 'invalid-policy')
      // The editor keeps the rejected text for fixing; the saved policy is unchanged.
      expect(await editor.inputValue()).toBe(invalid)
      await page.reload()
      await ready(page)
      expect(JSON.parse(await editor.inputValue())).toEqual(JSON.parse(saved))
    })
  })
})
