import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEcr, type Ecr } from '../../src/index.js'
import type { IndexedDbStorage } from '../../handlers/browser/glossary.js'
import { indexedDbStorage } from '../../handlers/browser/indexeddb-storage.js'

// Tabs of one origin are one registry: every race the issue found between two tabs, many rounds
// each, with the calls of every tab started in the same tick. Here the tabs are engines in one
// process, each with its own IndexedDB storage (fake-indexeddb) on one database.

const opened: IndexedDbStorage[] = []
let databases = 0

afterEach(() => {
  for (const storage of opened.splice(0)) storage.close()
})

/** `count` tabs on a new database, loaded, and how to open one more (a reload, or a tab that is not told of changes). */
async function tabs(count: number): Promise<{ tabs: Ecr[]; reload: (options?: { broadcast?: boolean }) => Promise<Ecr> }> {
  const name = `fake-ecr-tabs-${++databases}`
  const open = async (options: { broadcast?: boolean } = {}) => {
    const storage = indexedDbStorage({ databaseName: name, ...options })
    opened.push(storage)
    // Failures are what some tests are about: they are counted there, not printed.
    const ecr = createEcr({ storage, onStorageError: () => undefined })
    await ecr.ready
    return ecr
  }
  const all: Ecr[] = []
  for (let i = 0; i < count; i++) all.push(await open())
  return { tabs: all, reload: open }
}

/** Every tab and a freshly loaded one hold the same state. */
async function expectAgreement(all: Ecr[], reload: (options?: { broadcast?: boolean }) => Promise<Ecr>) {
  // A tab that made no call since catches up from the others' notices.
  await vi.waitFor(() => {
    for (const tab of all.slice(1)) expect(tab.snapshot()).toEqual(all[0]!.snapshot())
  })
  expect((await reload()).snapshot()).toEqual(all[0]!.snapshot())
}

const arn = (name: string) => `arn:aws:ecr:us-east-1:123456789012:repository/${name}`

describe('tabs of one origin are one registry', () => {
  it('TagResource with different keys on one repository, from two tabs at once, loses no key', async () => {
    const { tabs: [left, right], reload } = await tabs(2)
    await left!.call('CreateRepository', { repositoryName: 'web' })
    for (let i = 0; i < 20; i++) {
      await Promise.all(
        [left!, right!].map((tab, side) => tab.call('TagResource', { resourceArn: arn('web'), tags: [{ Key: `key-${side}-${i}`, Value: String(i) }] })),
      )
    }
    for (const tab of [left!, right!, await reload()]) {
      const { tags = [] } = await tab.call('ListTagsForResource', { resourceArn: arn('web') })
      expect(tags).toHaveLength(40)
    }
    await expectAgreement([left!, right!], reload)
  })

  it('two settings of one repository, and two of one registry, set at once: both are kept', async () => {
    const { tabs: [left, right], reload } = await tabs(2)
    await left!.call('CreateRepository', { repositoryName: 'web' })
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage'] }] })
    const lifecycle = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] })
    const registryPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'replicate', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: ['ecr:ReplicateImage'], Resource: 'arn:aws:ecr:us-east-1:123456789012:repository/*' }],
    })
    for (let round = 0; round < 25; round++) {
      await Promise.all([
        left!.call('SetRepositoryPolicy', { repositoryName: 'web', policyText: policy }),
        right!.call('PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: lifecycle }),
      ])
      await Promise.all([
        left!.call('PutRegistryPolicy', { policyText: registryPolicy }),
        right!.call('PutRegistryScanningConfiguration', { scanType: 'ENHANCED', rules: [] }),
      ])
      const check = await reload()
      expect(JSON.parse((await check.call('GetRepositoryPolicy', { repositoryName: 'web' })).policyText!)).toEqual(JSON.parse(policy))
      expect((await check.call('GetLifecyclePolicy', { repositoryName: 'web' })).lifecyclePolicyText).toBe(lifecycle)
      expect(JSON.parse((await check.call('GetRegistryPolicy', {})).policyText!)).toEqual(JSON.parse(registryPolicy))
      expect((await check.call('GetRegistryScanningConfiguration', {})).scanningConfiguration?.scanType).toBe('ENHANCED')
      await Promise.all([
        left!.call('DeleteRepositoryPolicy', { repositoryName: 'web' }),
        right!.call('DeleteLifecyclePolicy', { repositoryName: 'web' }),
        left!.call('DeleteRegistryPolicy', {}),
      ])
    }
  })

  it('a tag moved to different images by two tabs at once ends on one of them, the same for every tab', async () => {
    const { tabs: [left, right], reload } = await tabs(2)
    const images = [await left!.seed.image('web'), await left!.seed.image('web')]
    for (let round = 0; round < 25; round++) {
      await Promise.all(
        [left!, right!].map((tab, side) =>
          tab.call('PutImage', { repositoryName: 'web', imageManifest: images[side]!.imageManifest, imageTag: 'latest' }).catch(() => undefined),
        ),
      )
      const latest = async (tab: Ecr) =>
        (await tab.call('BatchGetImage', { repositoryName: 'web', imageIds: [{ imageTag: 'latest' }] })).images?.[0]?.imageId?.imageDigest
      const seen = await Promise.all([left!, right!].map(latest))
      expect(seen[0]).toBe(seen[1])
      expect(images.map((image) => image.imageDigest)).toContain(seen[0])
    }
    await expectAgreement([left!, right!], reload)
  })

  it('deleting an image while another tab tags it never leaves a tag on a missing image', async () => {
    const { tabs: [left, right], reload } = await tabs(2)
    const { imageManifest: manifest } = await left!.seed.image('web', { layers: [64] })
    for (let round = 0; round < 25; round++) {
      const { image } = await left!.call('PutImage', { repositoryName: 'web', imageManifest: manifest, imageTag: `base-${round}` })
      const imageDigest = image!.imageId!.imageDigest!
      await Promise.allSettled([
        left!.call('BatchDeleteImage', { repositoryName: 'web', imageIds: [{ imageDigest }] }),
        right!.call('PutImage', { repositoryName: 'web', imageManifest: manifest, imageTag: `extra-${round}` }),
      ])
      for (const tab of [left!, right!, await reload()]) {
        const { imageIds = [] } = await tab.call('ListImages', { repositoryName: 'web' })
        const tagged = imageIds.filter((id) => id.imageTag !== undefined)
        // Whatever the order: every tag listed resolves to an image that is there.
        for (const { imageTag } of tagged) {
          const { images = [], failures = [] } = await tab.call('BatchGetImage', { repositoryName: 'web', imageIds: [{ imageTag: imageTag! }] })
          expect(failures).toEqual([])
          expect(images[0]?.imageId?.imageDigest).toBe(imageDigest)
        }
        const snapshotTags = tab.snapshot().filter((record) => record.kind === 'tag')
        const snapshotImages = new Set(tab.snapshot().filter((record) => record.kind === 'image').map((record) => record.id))
        for (const tag of snapshotTags) expect(snapshotImages.has((tag.value as { digest: string }).digest)).toBe(true)
      }
      await left!.call('BatchDeleteImage', { repositoryName: 'web', imageIds: [{ imageDigest }] }).catch(() => undefined)
    }
  })

  it('DeleteRepository(force) at the same time as a push, then re-created: the new repository is empty', async () => {
    const { tabs: [left, right], reload } = await tabs(2)
    for (let round = 0; round < 20; round++) {
      // Fresh content each round: the repository's blobs go with it.
      const seeded = await left!.seed.image('web', { tag: 'v1' })
      const [deleted, pushed] = await Promise.allSettled([
        left!.call('DeleteRepository', { repositoryName: 'web', force: true }),
        right!.call('PutImage', { repositoryName: 'web', imageManifest: seeded.imageManifest, imageTag: 'v2' }),
      ])
      expect(deleted.status).toBe('fulfilled')
      // The push came first (and went with the repository), or found no repository.
      if (pushed.status === 'rejected') expect(pushed.reason).toMatchObject({ code: 'RepositoryNotFoundException' })
      await right!.call('CreateRepository', { repositoryName: 'web' })
      for (const tab of [left!, right!, await reload()]) {
        expect((await tab.call('ListImages', { repositoryName: 'web' })).imageIds).toEqual([])
      }
      await right!.call('DeleteRepository', { repositoryName: 'web', force: true })
    }
  })

  it('CreateRepository of one name in three tabs at once succeeds in exactly one', async () => {
    const { tabs: all, reload } = await tabs(3)
    for (let round = 0; round < 15; round++) {
      const results = await Promise.allSettled(all.map((tab) => tab.call('CreateRepository', { repositoryName: `repo-${round}` })))
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'RepositoryAlreadyExistsException' })
      }
    }
    await expectAgreement(all, reload)
  })

  it('a tab whose writes failed: every call it acknowledged is stored, and none of the failed ones', async () => {
    const { tabs: [left, right], reload } = await tabs(2)
    const acknowledged: string[] = []
    const put = vi.spyOn(IDBObjectStore.prototype, 'put')
    for (let i = 0; i < 20; i++) {
      // Every other round, one write (of either tab) fails, as with a quota that comes and goes.
      if (i % 2 === 0) {
        put.mockImplementationOnce(() => {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
        })
      }
      const [mine, theirs] = await Promise.allSettled([
        left!.call('CreateRepository', { repositoryName: `left-${i}` }),
        right!.call('CreateRepository', { repositoryName: `right-${i}` }),
      ])
      if (mine.status === 'fulfilled') acknowledged.push(`left-${i}`)
      if (theirs.status === 'fulfilled') acknowledged.push(`right-${i}`)
    }
    put.mockRestore()
    // A reload, with no further call: exactly what was acknowledged.
    const { repositories = [] } = await (await reload()).call('DescribeRepositories', { maxResults: 1000 })
    expect(repositories.map((repository) => repository.repositoryName).sort()).toEqual(acknowledged.sort())
    expect(acknowledged.length).toBeGreaterThanOrEqual(20)
    expect(acknowledged.length).toBeLessThan(40)
    await expectAgreement([left!, right!], reload)
  })

  it('a tab that fell behind a compaction catches up whole, without a reset', async () => {
    const { tabs: [left], reload } = await tabs(1)
    // Not told of the other's writes: it only learns of them when it makes a call.
    const right = await reload({ broadcast: false })
    const events: Array<{ cleared?: true; records: number }> = []
    right.on('change', ({ cleared, records }) => events.push({ ...(cleared && { cleared }), records: records.length }))
    // More writes than a compaction keeps: 200 log entries are kept for tabs behind.
    for (let i = 0; i < 450; i++) await left!.call('CreateRepository', { repositoryName: `repo-${i}` })
    expect((await right.call('DescribeRepositories', { maxResults: 1000 })).repositories).toHaveLength(450)
    expect(events).toEqual([{ records: 450 }])
    expect(right.snapshot()).toEqual(left!.snapshot())
  })
})
