import type { ImageScanFinding } from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { createEcr, EcrError, type EcrOptions, type ScannedImage } from '../../src/index.js'

const DAY_MS = 24 * 60 * 60 * 1000
const START = Date.parse('2030-03-01T10:30:00Z')

/** An engine on a clock the test moves. */
function engine(options: EcrOptions = {}) {
  const clock = { now: START }
  const ecr = createEcr({ now: () => clock.now, ...options })
  return { ecr, clock }
}

async function failure(promise: Promise<unknown>): Promise<EcrError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof EcrError)) throw new Error(`expected an EcrError, got ${String(error)}`)
  return error
}

const v1 = { repositoryName: 'app', imageId: { imageTag: 'v1' } }

describe('scan lifetime', () => {
  it('is IN_PROGRESS for scanDurationMs of engine time, then COMPLETE', async () => {
    const { ecr, clock } = engine({ scanDurationMs: 60_000 })
    await ecr.seed.image('app', { tag: 'v1' })
    await ecr.call('StartImageScan', v1)

    clock.now += 59_999
    const running = await ecr.call('DescribeImageScanFindings', v1)
    expect(running.imageScanStatus).toEqual({ status: 'IN_PROGRESS' })
    expect(running.imageScanFindings).toEqual({ findings: [] })
    const [runningDetail] = (await ecr.call('DescribeImages', { repositoryName: 'app' })).imageDetails!
    expect(runningDetail!.imageScanStatus).toEqual({ status: 'IN_PROGRESS' })
    expect(runningDetail!.imageScanFindingsSummary).toBeUndefined()

    clock.now += 1
    const done = await ecr.call('DescribeImageScanFindings', v1)
    expect(done.imageScanStatus?.status).toBe('COMPLETE')
    expect(done.imageScanFindings?.imageScanCompletedAt).toEqual(new Date(START + 60_000))
    const [doneDetail] = (await ecr.call('DescribeImages', { repositoryName: 'app' })).imageDetails!
    expect(doneDetail!.imageScanFindingsSummary?.imageScanCompletedAt).toEqual(new Date(START + 60_000))
  })

  it('shows nothing in DescribeImages for an image never scanned', async () => {
    const { ecr } = engine()
    await ecr.seed.image('app', { tag: 'v1' })
    const [detail] = (await ecr.call('DescribeImages', { repositoryName: 'app' })).imageDetails!
    expect(detail).not.toHaveProperty('imageScanStatus')
    expect(detail).not.toHaveProperty('imageScanFindingsSummary')
  })

  it('allows the next scan exactly 24 hours after the last one started', async () => {
    const { ecr, clock } = engine()
    await ecr.seed.image('app', { tag: 'v1' })
    await ecr.call('StartImageScan', v1)
    clock.now = START + DAY_MS - 1
    expect((await failure(ecr.call('StartImageScan', v1))).code).toBe('LimitExceededException')
    // A refused call does not move the quota window.
    clock.now = START + DAY_MS
    await expect(ecr.call('StartImageScan', v1)).resolves.toMatchObject({ imageScanStatus: { status: 'IN_PROGRESS' } })
    expect((await failure(ecr.call('StartImageScan', v1))).code).toBe('LimitExceededException')
  })

  it('counts the scan on push toward the quota', async () => {
    const { ecr, clock } = engine()
    await ecr.seed.repository('app', { imageScanningConfiguration: { scanOnPush: true } })
    await ecr.seed.image('app', { tag: 'v1' })
    clock.now += DAY_MS - 1
    expect((await failure(ecr.call('StartImageScan', v1))).code).toBe('LimitExceededException')
    clock.now += 1
    await ecr.call('StartImageScan', v1)
  })
})

describe('findings', () => {
  it('come from the configured source, which sees the image', async () => {
    const seen: ScannedImage[] = []
    const { ecr } = engine({
      accountId: '111122223333',
      region: 'eu-central-1',
      scanFindings: (image) => {
        seen.push(image)
        return [
          { name: 'CVE-1', severity: 'HIGH' },
          { name: 'CVE-2', severity: 'HIGH' },
          { name: 'CVE-3', severity: 'LOW' },
        ]
      },
    })
    const image = await ecr.seed.image('app', { tag: 'v1' })
    await ecr.call('StartImageScan', v1)
    expect(seen).toEqual([
      {
        registryId: '111122223333',
        region: 'eu-central-1',
        repositoryName: 'app',
        imageDigest: image.imageDigest,
        imageTags: ['v1'],
        manifest: image.imageManifest,
      },
    ])
    const output = await ecr.call('DescribeImageScanFindings', v1)
    expect(output.imageScanFindings?.findings?.map((finding) => finding.name)).toEqual(['CVE-1', 'CVE-2', 'CVE-3'])
    // Only severities that occur are counted.
    expect(output.imageScanFindings?.findingSeverityCounts).toEqual({ HIGH: 2, LOW: 1 })
  })

  it('are kept as they were when the scan ran', async () => {
    const source: ImageScanFinding[] = [{ name: 'CVE-1', severity: 'LOW' }]
    const { ecr } = engine({ scanFindings: () => source })
    await ecr.seed.image('app', { tag: 'v1' })
    await ecr.call('StartImageScan', v1)
    source.push({ name: 'CVE-2', severity: 'LOW' })
    source[0]!.severity = 'CRITICAL'
    const output = await ecr.call('DescribeImageScanFindings', v1)
    expect(output.imageScanFindings?.findings).toEqual([{ name: 'CVE-1', severity: 'LOW' }])
  })

  it('refuse a page token from an earlier scan of the image', async () => {
    const findings = Array.from({ length: 3 }, (_, index): ImageScanFinding => ({ name: `CVE-${index}`, severity: 'LOW' }))
    const { ecr, clock } = engine({ scanFindings: () => findings })
    await ecr.seed.image('app', { tag: 'v1' })
    await ecr.call('StartImageScan', v1)
    const { nextToken } = await ecr.call('DescribeImageScanFindings', { ...v1, maxResults: 1 })
    expect(nextToken).toBeDefined()
    clock.now += DAY_MS
    await ecr.call('StartImageScan', v1)
    const error = await failure(ecr.call('DescribeImageScanFindings', { ...v1, nextToken }))
    expect(error.code).toBe('InvalidParameterException')
  })
})

describe('scan on push', () => {
  const rule = (scanFrequency: 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN', filter: string) => ({
    scanFrequency,
    repositoryFilters: [{ filter, filterType: 'WILDCARD' as const }],
  })

  /** The scan frequency BatchGetRepositoryScanningConfiguration reports for each repository. */
  async function frequencies(ecr: ReturnType<typeof createEcr>, names: string[]) {
    for (const name of names) await ecr.seed.repository(name)
    const { scanningConfigurations } = await ecr.call('BatchGetRepositoryScanningConfiguration', { repositoryNames: names })
    return Object.fromEntries(scanningConfigurations!.map((config) => [config.repositoryName, config.scanFrequency]))
  }

  it('matches filters without * as substrings and filters with * as whole-name globs', async () => {
    const { ecr } = engine()
    await ecr.call('PutRegistryScanningConfiguration', { rules: [rule('SCAN_ON_PUSH', 'prod')] })
    expect(await frequencies(ecr, ['team/prod-api', 'api-prod', 'dev'])).toEqual({
      'team/prod-api': 'SCAN_ON_PUSH',
      'api-prod': 'SCAN_ON_PUSH',
      dev: 'MANUAL',
    })
    await ecr.call('PutRegistryScanningConfiguration', { rules: [rule('SCAN_ON_PUSH', 'prod*')] })
    expect(await frequencies(ecr, ['prod-api', 'api-prod', 'team/prod-api'])).toEqual({
      'prod-api': 'SCAN_ON_PUSH',
      'api-prod': 'MANUAL',
      'team/prod-api': 'MANUAL',
    })
  })

  it('accepts a MANUAL rule, which selects nothing', async () => {
    const { ecr } = engine()
    const manual = { scanFrequency: 'MANUAL' as const, repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' as const }] }
    await ecr.call('PutRegistryScanningConfiguration', { rules: [manual] })
    expect(await frequencies(ecr, ['app'])).toEqual({ app: 'MANUAL' })
  })

  it('under ENHANCED follows the registry rules only: continuous wins, the repository flag is ignored', async () => {
    const { ecr } = engine()
    await ecr.seed.repository('flagged', { imageScanningConfiguration: { scanOnPush: true } })
    await ecr.call('PutRegistryScanningConfiguration', {
      scanType: 'ENHANCED',
      rules: [rule('SCAN_ON_PUSH', 'api'), rule('CONTINUOUS_SCAN', 'prod-*')],
    })
    expect(await frequencies(ecr, ['prod-api', 'dev-api', 'flagged'])).toEqual({
      'prod-api': 'CONTINUOUS_SCAN',
      'dev-api': 'SCAN_ON_PUSH',
      flagged: 'MANUAL',
    })
    const { scanningConfigurations } = await ecr.call('BatchGetRepositoryScanningConfiguration', {
      repositoryNames: ['prod-api', 'flagged'],
    })
    expect(scanningConfigurations![0]!.appliedScanFilters).toEqual([{ filter: 'prod-*', filterType: 'WILDCARD' }])
    expect(scanningConfigurations![1]).toMatchObject({ scanOnPush: true, appliedScanFilters: [] })

    await ecr.seed.image('prod-api', { tag: 'v1' })
    await ecr.seed.image('flagged', { tag: 'v1' })
    const scanned = await ecr.call('DescribeImageScanFindings', { repositoryName: 'prod-api', imageId: { imageTag: 'v1' } })
    expect(scanned.imageScanStatus).toEqual({ status: 'ACTIVE', description: 'Continuous scan is selected for image.' })
    const error = await failure(ecr.call('DescribeImageScanFindings', { repositoryName: 'flagged', imageId: { imageTag: 'v1' } }))
    expect(error.code).toBe('ScanNotFoundException')
  })

  it('scans the platform images of a multi-platform push but not the index', async () => {
    const { ecr } = engine()
    await ecr.seed.repository('app', { imageScanningConfiguration: { scanOnPush: true } })
    const index = await ecr.seed.multiPlatformImage('app', { tag: 'multi' })
    const { imageDetails } = await ecr.call('DescribeImages', { repositoryName: 'app' })
    const statusOf = new Map(imageDetails!.map((detail) => [detail.imageDigest, detail.imageScanStatus?.status]))
    expect(statusOf.get(index.imageDigest)).toBeUndefined()
    for (const child of index.children!) expect(statusOf.get(child.imageDigest)).toBe('COMPLETE')
  })
})
