import { describe, expect, it } from 'vitest'
import { createEcr, type Ecr } from '../../src/index.js'

/**
 * Every answer is the caller's own: nothing a caller does to a result reaches engine state or a
 * later answer. The listings hand their pages over uncopied (src/caller-copy.ts), so they are
 * checked here with state that fills every member they build: tags, scans complete and under way,
 * pulls, archive and restore, an artifact with a subject, exclusion filters, KMS encryption.
 */
const MINUTE_MS = 60 * 1000
const START = Date.UTC(2030, 2, 1, 10, 30)

async function registryWithEverything(): Promise<Ecr> {
  let clock = START
  const ecr = createEcr({ now: () => clock, scanDurationMs: MINUTE_MS, imageRestoreDurationMs: MINUTE_MS })
  await ecr.call('CreateRepository', {
    repositoryName: 'app',
    imageScanningConfiguration: { scanOnPush: true },
    imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
    imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest*' }],
    encryptionConfiguration: { encryptionType: 'KMS' },
  })
  const subject = await ecr.seed.image('app', { tag: 'v1', format: 'oci' })
  await ecr.call('PutImage', { repositoryName: 'app', imageManifest: subject.imageManifest, imageTag: 'latest' })
  const pulled = await ecr.seed.image('app', { tag: 'v2' })
  await ecr.call('BatchGetImage', { repositoryName: 'app', imageIds: [{ imageDigest: pulled.imageDigest }] })
  const restored = await ecr.seed.image('app')
  await ecr.call('UpdateImageStorageClass', { repositoryName: 'app', imageId: { imageDigest: restored.imageDigest }, targetStorageClass: 'ARCHIVE' })
  await ecr.call('UpdateImageStorageClass', { repositoryName: 'app', imageId: { imageDigest: restored.imageDigest }, targetStorageClass: 'STANDARD' })
  await ecr.seed.image('app', { tag: 'archived' }).then(({ imageDigest }) =>
    ecr.call('UpdateImageStorageClass', { repositoryName: 'app', imageId: { imageDigest }, targetStorageClass: 'ARCHIVE' }),
  )
  await pushArtifact(ecr, subject)
  clock += 2 * MINUTE_MS
  // Pushed after the clock moved: its scan is still in progress.
  await ecr.seed.image('app', { tag: 'scanning' })
  await ecr.call('CreateRepository', { repositoryName: 'web' })
  return ecr
}

async function pushArtifact(ecr: Ecr, subject: { imageDigest: string; imageManifest: string; imageManifestMediaType: string }) {
  const config = new TextEncoder().encode('{}')
  const digest = await ecr.seed.blob('app', config)
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.example.sbom',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest, size: config.byteLength },
    layers: [],
    subject: { mediaType: subject.imageManifestMediaType, digest: subject.imageDigest, size: new TextEncoder().encode(subject.imageManifest).byteLength },
  }
  await ecr.call('PutImage', { repositoryName: 'app', imageManifest: JSON.stringify(manifest) })
}

/** Changes everything a caller could change in an answer: every member, array and date, at every depth. */
function vandalize(value: unknown): void {
  if (value instanceof Date) value.setTime(0)
  else if (Array.isArray(value)) {
    value.forEach(vandalize)
    value.push('vandalized')
  } else if (typeof value === 'object' && value !== null) {
    const members = value as Record<string, unknown>
    for (const key of Object.keys(members)) {
      vandalize(members[key])
      members[key] = 'vandalized'
    }
    members['vandalized'] = true
  }
}

const calls: Array<[string, (ecr: Ecr) => Promise<unknown>]> = [
  ['DescribeImages, a page', (ecr) => ecr.call('DescribeImages', { repositoryName: 'app', filter: { imageStatus: 'ANY' }, maxResults: 6 })],
  ['DescribeImages, by id', async (ecr) => {
    const { imageIds = [] } = await ecr.call('ListImages', { repositoryName: 'app', filter: { imageStatus: 'ANY' } })
    return ecr.call('DescribeImages', { repositoryName: 'app', imageIds })
  }],
  ['ListImages', (ecr) => ecr.call('ListImages', { repositoryName: 'app', filter: { imageStatus: 'ANY' }, maxResults: 5 })],
  ['DescribeRepositories, a page', (ecr) => ecr.call('DescribeRepositories', { maxResults: 1 })],
  ['DescribeRepositories, by name', (ecr) => ecr.call('DescribeRepositories', { repositoryNames: ['app', 'web'] })],
]

describe('answers are the caller’s own', () => {
  it('fills every member the listings build (so the checks below cover them)', async () => {
    const ecr = await registryWithEverything()
    const { imageDetails = [] } = await ecr.call('DescribeImages', { repositoryName: 'app', filter: { imageStatus: 'ANY' } })
    const members = new Set(imageDetails.flatMap((detail) => Object.keys(detail)))
    expect([...members].sort()).toEqual([
      'artifactMediaType',
      'imageDigest',
      'imageManifestMediaType',
      'imagePushedAt',
      'imageScanFindingsSummary',
      'imageScanStatus',
      'imageSizeInBytes',
      'imageStatus',
      'imageTags',
      'lastActivatedAt',
      'lastArchivedAt',
      'lastRecordedPullTime',
      'registryId',
      'repositoryName',
      'subjectManifestDigest',
    ])
    expect(imageDetails.map((detail) => detail.imageScanStatus?.status)).toContain('IN_PROGRESS')
    expect(imageDetails.map((detail) => detail.imageStatus)).toEqual(expect.arrayContaining(['ACTIVE', 'ARCHIVED']))
    const { repositories = [] } = await ecr.call('DescribeRepositories', { repositoryNames: ['app'] })
    expect(repositories[0]).toMatchObject({ imageTagMutabilityExclusionFilters: [{ filter: 'latest*' }], encryptionConfiguration: { encryptionType: 'KMS' } })
  })

  it.each(calls)('%s: changing an answer changes neither the state nor the next answer', async (_name, call) => {
    const ecr = await registryWithEverything()
    const snapshot = ecr.snapshot()
    const first = await call(ecr)
    const expected = structuredClone(first)
    vandalize(first)
    expect(await call(ecr)).toEqual(expected)
    expect(ecr.snapshot()).toEqual(snapshot)
  })

  it('snapshot: changing the records it gives changes neither the state nor the next snapshot', async () => {
    const ecr = await registryWithEverything()
    const first = ecr.snapshot()
    const expected = structuredClone(first)
    vandalize(first)
    expect(ecr.snapshot()).toEqual(expected)
  })

  it("change events: changing the records a listener is given changes neither the state nor another listener's", async () => {
    const ecr = await registryWithEverything()
    const { imageManifest } = await ecr.seed.image('app')
    const given: unknown[] = []
    ecr.on('change', ({ records }) => vandalize(records))
    ecr.on('change', ({ records }) => given.push(structuredClone(records)))
    await ecr.call('PutImage', { repositoryName: 'app', imageManifest, imageTag: 'again' })
    // The image record and its tag, as stored, and as the second listener was given them.
    const stored = ecr.snapshot().filter((record) => JSON.stringify(record).includes('again'))
    expect(stored.length).toBeGreaterThan(0)
    expect(given).toEqual([expect.arrayContaining(stored)])
    expect(JSON.stringify(stored)).not.toContain('vandalized')
  })

  it.each(calls)('%s: two answers share no object', async (_name, call) => {
    const ecr = await registryWithEverything()
    const objects = (answer: unknown, into = new Set<object>()): Set<object> => {
      if (typeof answer === 'object' && answer !== null) {
        into.add(answer)
        for (const member of Object.values(answer)) objects(member, into)
      }
      return into
    }
    const first = objects(await call(ecr))
    const shared = [...objects(await call(ecr))].filter((object) => first.has(object))
    expect(shared).toEqual([])
  })
})
