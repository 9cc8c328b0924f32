import type { Browser, Page } from 'playwright-core'
import { afterAll, assert, beforeAll, describe, expect, it, vi } from 'vitest'
import type { StoredRecord } from '../../src/index.js'
import { servePage, type ServedPage } from './served-page.js'
import type { CommandName, Input, Output, Result } from './tabs-page/main.js'

// Tabs of one origin are one registry, in real Chromium: pages of one browser context, each with
// the AWS SDK → MSW's service worker → its own engine → one IndexedDB database, taking turns
// under a Web Lock. Every race of test/browser-storage/tabs.test.ts, many rounds each, the calls
// of every tab fired in the same millisecond. One build, one server and one browser for the
// file; every test gets a fresh browser context, so a fresh IndexedDB.

/** How far ahead the instant of a race is set: every page must have been told of it before it comes. */
const LEAD_MS = 40

let served: ServedPage
let browser: Browser
let url: string

beforeAll(async () => {
  served = await servePage(new URL('./tabs-page/', import.meta.url), { serviceWorker: true })
  browser = served.browser
  url = served.url
}, 120_000)

afterAll(() => served?.close())

/** Opens one more tab of the test's context, once its fake answers. */
type Open = () => Promise<Page>

/** Runs `scenario` with `count` tabs of a fresh browser context, then closes it; an error thrown in any page fails the test. */
async function inFreshContext(count: number, scenario: (tabs: Page[], open: Open) => Promise<void>): Promise<void> {
  const context = await browser.newContext()
  context.setDefaultTimeout(15_000)
  const errors: string[] = []
  const open = async () => {
    const page = await context.newPage()
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(url)
    await started(page)
    return page
  }
  try {
    const tabs: Page[] = []
    for (let i = 0; i < count; i++) tabs.push(await open())
    await scenario(tabs, open)
    expect(errors).toEqual([])
  } finally {
    await context.close()
  }
}

const started = (page: Page) => page.evaluate(() => window.tabs.started)

async function reload(page: Page): Promise<void> {
  await page.reload()
  await started(page)
}

const send = <C extends CommandName>(page: Page, command: C, input: Input<C>): Promise<Result<C>> =>
  page.evaluate(({ command, input }) => window.tabs.send(command, input as never) as Promise<Result<C>>, { command, input })

/** The output of a call that must succeed. */
function ok<C extends CommandName>(result: Result<C>): Output<C> {
  if (!result.ok) assert.fail(`${result.name}: ${result.message}`)
  return result.output
}

interface Call {
  page: Page
  command: CommandName
  input: unknown
}

const call = <C extends CommandName>(page: Page, command: C, input: Input<C>): Call => ({ page, command, input })

/** Sends every call from its page at one instant (pages read the system clock as this process does); their results, in order. */
function race(calls: Call[]): Promise<Array<Result<CommandName>>> {
  const at = Date.now() + LEAD_MS
  return Promise.all(
    calls.map(({ page, command, input }) =>
      page.evaluate(({ at, command, input }) => window.tabs.fireAt(at, command, input as never), { at, command, input }),
    ),
  )
}

const snapshot = (page: Page): Promise<StoredRecord[]> => page.evaluate(() => window.tabs.snapshot())
const storedSnapshot = (page: Page): Promise<StoredRecord[]> => page.evaluate(() => window.tabs.storedSnapshot())

/**
 * Every tab holds the same state, the same that a new engine loads from the database and a newly
 * opened tab shows; and every tab still holds it after a reload. Leaves the tabs reloaded.
 */
async function expectAgreement(tabs: Page[], open: Open): Promise<StoredRecord[]> {
  let agreed: StoredRecord[] = []
  // A tab that made no call since the last change catches up from the others' notices.
  await vi.waitFor(
    async () => {
      const snapshots = await Promise.all(tabs.map(snapshot))
      for (const other of snapshots.slice(1)) expect(other).toEqual(snapshots[0])
      agreed = snapshots[0]!
    },
    { timeout: 5_000, interval: 100 },
  )
  expect(await storedSnapshot(tabs[0]!)).toEqual(agreed)
  const fresh = await open()
  expect(await snapshot(fresh)).toEqual(agreed)
  await fresh.close()
  await Promise.all(tabs.map(reload))
  for (const tab of tabs) expect(await snapshot(tab)).toEqual(agreed)
  return agreed
}

const arn = (name: string) => `arn:aws:ecr:us-east-1:123456789012:repository/${name}`
/** The scope of records in a repository of the default registry. */
const inRepository = (name: string) => (record: StoredRecord) => record.scope.join('/') === `123456789012/us-east-1/${name}`

describe('tabs of one origin in Chromium are one registry', () => {
  it('TagResource with different keys on one repository, from two tabs at once, loses no key', async () => {
    await inFreshContext(2, async (tabs, open) => {
      ok(await send(tabs[0]!, 'CreateRepository', { repositoryName: 'web' }))
      const expected: string[] = []
      for (let i = 0; i < 20; i++) {
        const keys = tabs.map((_, side) => `key-${side}-${i}`)
        expected.push(...keys)
        const results = await race(tabs.map((tab, side) => call(tab, 'TagResource', { resourceArn: arn('web'), tags: [{ Key: keys[side], Value: String(i) }] })))
        expect(results).toMatchObject([{ ok: true }, { ok: true }])
      }
      expected.sort()
      const keysIn = async (tab: Page) => (ok(await send(tab, 'ListTagsForResource', { resourceArn: arn('web') })).tags ?? []).map((tag) => tag.Key).sort()
      for (const tab of tabs) expect(await keysIn(tab)).toEqual(expected)
      await expectAgreement(tabs, open)
      for (const tab of tabs) expect(await keysIn(tab)).toEqual(expected)
    })
  })

  it('two settings of one repository, and two of the registry, set at once from two tabs: both are kept', async () => {
    await inFreshContext(2, async ([left, right], open) => {
      ok(await send(left!, 'CreateRepository', { repositoryName: 'web' }))
      // Every round sets other values, so that a write lost to the other tab's shows as last round's value.
      for (let round = 0; round < 25; round++) {
        const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: `Pull${round}`, Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage'] }] })
        const lifecycle = JSON.stringify({
          rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: round + 1 }, action: { type: 'expire' } }],
        })
        const registryPolicy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: `Replicate${round}`,
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::210987654321:root' },
              Action: ['ecr:ReplicateImage'],
              Resource: 'arn:aws:ecr:us-east-1:123456789012:repository/*',
            },
          ],
        })
        const filter = `round-${round}`
        const settings = await race([
          call(left!, 'SetRepositoryPolicy', { repositoryName: 'web', policyText: policy }),
          call(right!, 'PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: lifecycle }),
        ])
        expect(settings).toMatchObject([{ ok: true }, { ok: true }])
        const registry = await race([
          call(left!, 'PutRegistryPolicy', { policyText: registryPolicy }),
          call(right!, 'PutRegistryScanningConfiguration', {
            scanType: round % 2 === 0 ? 'ENHANCED' : 'BASIC',
            rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter, filterType: 'WILDCARD' }] }],
          }),
        ])
        expect(registry).toMatchObject([{ ok: true }, { ok: true }])
        // Each tab reads what the other one set.
        expect(JSON.parse(ok(await send(right!, 'GetRepositoryPolicy', { repositoryName: 'web' })).policyText!)).toEqual(JSON.parse(policy))
        expect(ok(await send(left!, 'GetLifecyclePolicy', { repositoryName: 'web' })).lifecyclePolicyText).toBe(lifecycle)
        expect(JSON.parse(ok(await send(right!, 'GetRegistryPolicy', {})).policyText!)).toEqual(JSON.parse(registryPolicy))
        const { scanningConfiguration } = ok(await send(left!, 'GetRegistryScanningConfiguration', {}))
        expect(scanningConfiguration?.rules?.[0]?.repositoryFilters?.[0]?.filter).toBe(filter)
      }
      await expectAgreement([left!, right!], open)
    })
  })

  it('a tag moved to different images by two tabs at once ends on one of them, the same for every tab', async () => {
    await inFreshContext(2, async (tabs, open) => {
      const images = [await tabs[0]!.evaluate(() => window.tabs.seedImage('web')), await tabs[0]!.evaluate(() => window.tabs.seedImage('web'))]
      const digests = images.map((image) => image.imageDigest)
      const latest = async (tab: Page) => ok(await send(tab, 'BatchGetImage', { repositoryName: 'web', imageIds: [{ imageTag: 'latest' }] })).images?.[0]?.imageId?.imageDigest
      for (let round = 0; round < 25; round++) {
        const results = await race(tabs.map((tab, side) => call(tab, 'PutImage', { repositoryName: 'web', imageManifest: images[side]!.imageManifest, imageTag: 'latest' })))
        // A tab whose image already had the tag is told so, and then the other tab moved it.
        for (const result of results) if (!result.ok) expect(result.name).toBe('ImageAlreadyExistsException')
        const moved = results.flatMap((result, side) => (result.ok ? [digests[side]] : []))
        expect(moved.length).toBeGreaterThan(0)
        const seen = [...(await Promise.all(tabs.map(latest))), (await storedSnapshot(tabs[1]!)).find((record) => record.kind === 'tag' && record.id === 'latest')?.value]
        expect(seen).toEqual([seen[0], seen[0], { digest: seen[0] }])
        if (moved.length === 1) expect(seen[0]).toBe(moved[0])
        else expect(digests).toContain(seen[0])
      }
      await expectAgreement(tabs, open)
    })
  })

  it('deleting an image while another tab tags it never leaves a tag on a missing image', async () => {
    await inFreshContext(2, async ([left, right], open) => {
      const { imageManifest, imageDigest } = await left!.evaluate(() => window.tabs.seedImage('web'))
      const expectNoDanglingTag = async (tab: Page, round: number) => {
        const { imageIds = [] } = ok(await send(tab, 'ListImages', { repositoryName: 'web' }))
        // Deleted first and tagged after: the image again, with the new tag only; tagged first: nothing left.
        expect([[], [{ imageDigest, imageTag: `extra-${round}` }]]).toContainEqual(imageIds)
        const tagged = imageIds.filter((id) => id.imageTag !== undefined)
        if (tagged.length === 0) return
        const { images = [], failures } = ok(await send(tab, 'BatchGetImage', { repositoryName: 'web', imageIds: tagged }))
        expect(failures).toEqual([])
        expect(images.map((image) => image.imageId?.imageDigest)).toEqual(tagged.map(() => imageDigest))
      }
      for (let round = 0; round < 25; round++) {
        ok(await send(left!, 'PutImage', { repositoryName: 'web', imageManifest, imageTag: `base-${round}` }))
        const results = await race([
          call(left!, 'BatchDeleteImage', { repositoryName: 'web', imageIds: [{ imageDigest }] }),
          call(right!, 'PutImage', { repositoryName: 'web', imageManifest, imageTag: `extra-${round}` }),
        ])
        // The image is there for the delete whichever goes first, and its layers for the push.
        expect(results).toMatchObject([{ ok: true, output: { failures: [] } }, { ok: true }])
        for (const tab of [left!, right!]) await expectNoDanglingTag(tab, round)
        const stored = await storedSnapshot(right!)
        const images = new Set(stored.filter((record) => record.kind === 'image').map((record) => record.id))
        for (const tag of stored.filter((record) => record.kind === 'tag')) expect(images).toContain((tag.value as { digest: string }).digest)
        if (round < 24) ok(await send(left!, 'BatchDeleteImage', { repositoryName: 'web', imageIds: [{ imageDigest }] }))
      }
      await expectAgreement([left!, right!], open)
      for (const tab of [left!, right!]) await expectNoDanglingTag(tab, 24)
    })
  })

  it('DeleteRepository(force) at the same time as a push, then re-created: the new repository is empty', async () => {
    await inFreshContext(2, async ([left, right], open) => {
      for (let round = 0; round < 20; round++) {
        const { imageManifest } = await left!.evaluate(() => window.tabs.seedImage('web', 'v1'))
        const [deleted, pushed] = await race([
          call(left!, 'DeleteRepository', { repositoryName: 'web', force: true }),
          call(right!, 'PutImage', { repositoryName: 'web', imageManifest, imageTag: `v${round + 2}` }),
        ])
        expect(deleted).toMatchObject({ ok: true })
        if (!pushed!.ok) expect(pushed!.name).toBe('RepositoryNotFoundException')
        ok(await send(right!, 'CreateRepository', { repositoryName: 'web' }))
        for (const tab of [left!, right!]) expect(ok(await send(tab, 'ListImages', { repositoryName: 'web' })).imageIds).toEqual([])
        expect((await storedSnapshot(left!)).filter(inRepository('web'))).toEqual([])
        if (round < 19) ok(await send(right!, 'DeleteRepository', { repositoryName: 'web', force: true }))
      }
      await expectAgreement([left!, right!], open)
      for (const tab of [left!, right!]) expect(ok(await send(tab, 'ListImages', { repositoryName: 'web' })).imageIds).toEqual([])
    })
  })

  it('CreateRepository of one name in two and in three tabs at once succeeds in exactly one', async () => {
    await inFreshContext(3, async (tabs, open) => {
      for (const racers of [tabs.slice(0, 2), tabs]) {
        for (let round = 0; round < 15; round++) {
          const repositoryName = `repo-${racers.length}-${round}`
          const results = await race(racers.map((tab) => call(tab, 'CreateRepository', { repositoryName })))
          expect(results.filter((result) => result.ok)).toHaveLength(1)
          for (const result of results) if (!result.ok) expect(result.name).toBe('RepositoryAlreadyExistsException')
        }
      }
      const stored = await expectAgreement(tabs, open)
      expect(stored.filter((record) => record.kind === 'repository')).toHaveLength(30)
    })
  })

  it('a tab whose writes fail: after a reload, every call either tab acknowledged is stored, and none of the failed ones', async () => {
    await inFreshContext(2, async ([left, right], open) => {
      const acknowledged: string[] = []
      for (let round = 0; round < 20; round++) {
        // Every other round, every write of the left tab fails, as with a quota that comes and goes.
        const failing = round % 2 === 0
        await left!.evaluate((on) => window.tabs.failWrites(on), failing)
        const [mine, theirs] = await race([
          call(left!, 'CreateRepository', { repositoryName: `left-${round}` }),
          call(right!, 'CreateRepository', { repositoryName: `right-${round}` }),
        ])
        expect(mine).toMatchObject(failing ? { ok: false, name: 'ServerException', message: expect.stringContaining('QuotaExceededError') } : { ok: true })
        expect(theirs).toMatchObject({ ok: true })
        if (mine!.ok) acknowledged.push(`left-${round}`)
        if (theirs!.ok) acknowledged.push(`right-${round}`)
      }
      await left!.evaluate(() => window.tabs.failWrites(false))
      // Reloaded with no call since: nothing could have been stored late, or repaired.
      const stored = await expectAgreement([left!, right!], open)
      acknowledged.sort()
      expect(stored.filter((record) => record.kind === 'repository').map((record) => record.id).sort()).toEqual(acknowledged)
      for (const tab of [left!, right!]) {
        const { repositories = [] } = ok(await send(tab, 'DescribeRepositories', { maxResults: 1000 }))
        expect(repositories.map((repository) => repository.repositoryName).sort()).toEqual(acknowledged)
      }
    })
  })
})
