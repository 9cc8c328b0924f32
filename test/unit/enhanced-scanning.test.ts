import { describe, expect, it } from 'vitest'
import { defaultEnhancedScanFindings } from '../../src/enhanced-scan-findings.js'
import { createEcr, memoryStorage, type EcrOptions, type InspectedImage } from '../../src/index.js'
import { modelOperations } from '../conformance/model.js'
import { send } from '../conformance/harness.js'
import { shapeProblems } from '../conformance/output-shape.js'

const DAY_MS = 24 * 60 * 60 * 1000
const START = Date.parse('2030-03-01T10:30:00Z')
const CONTINUOUS_ALL = { scanType: 'ENHANCED' as const }
const v1 = { repositoryName: 'app', imageId: { imageTag: 'v1' } }

/** An engine on a clock the test moves, scanning every repository continuously. */
async function engine(options: EcrOptions = {}) {
  const clock = { now: START }
  const ecr = createEcr({ now: () => clock.now, ...options })
  await ecr.call('PutRegistryScanningConfiguration', CONTINUOUS_ALL)
  return { ecr, clock }
}

function image(overrides: Partial<InspectedImage> = {}): InspectedImage {
  const layer = (n: number) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${String(n).repeat(64)}`, size: 1 })
  return {
    registryId: '123456789012',
    region: 'us-east-1',
    repositoryName: 'app',
    // Digits chosen so that some findings are disclosed after the push: see defaultEnhancedScanFindings.
    imageDigest: `sha256:${'0'.repeat(20)}${'31'.repeat(10)}${'9'.repeat(24)}`,
    imageTags: ['v1'],
    manifest: JSON.stringify({ schemaVersion: 2, layers: [layer(1), layer(2)] }),
    pushedAt: new Date(START),
    scannedAt: new Date(START),
    ...overrides,
  }
}

describe('the default enhanced findings source', () => {
  it('describes Debian and language package vulnerabilities the way Inspector does', () => {
    const findings = defaultEnhancedScanFindings(image({ scannedAt: new Date(START + 30 * DAY_MS) }))
    const curl = findings.find((finding) => finding.packageVulnerabilityDetails?.vulnerabilityId === 'CVE-2023-38545')!
    expect(curl).toMatchObject({
      severity: 'CRITICAL',
      score: 9.8,
      fixAvailable: 'YES',
      exploitAvailable: 'YES',
      remediation: { recommendation: { text: 'Update all packages in the vulnerable packages section to their latest versions.' } },
      packageVulnerabilityDetails: {
        source: 'DEBIAN_CVE',
        sourceUrl: 'https://security-tracker.debian.org/tracker/CVE-2023-38545',
        vendorCreatedAt: new Date('2023-10-18'),
        vulnerablePackages: [
          {
            name: 'curl',
            packageManager: 'OS',
            epoch: 0,
            version: '7.88.1',
            release: '10',
            fixedInVersion: '7.88.1-10+deb12u4',
            arch: 'AMD64',
            sourceLayerHash: `sha256:${'1'.repeat(64)}`,
          },
        ],
      },
    })
    expect(curl.packageVulnerabilityDetails!.cvss!.map((score) => score.version)).toEqual(['3.1', '2.0'])
    const unfixed = findings.find((finding) => finding.fixAvailable === 'NO')!
    expect(unfixed.remediation?.recommendation?.text).toBe('None Provided')
    expect(unfixed.packageVulnerabilityDetails!.vulnerablePackages![0]!.fixedInVersion).toBe('NotAvailable')
    const semver = findings.find((finding) => finding.packageVulnerabilityDetails?.vulnerabilityId === 'CVE-2022-25883')!
    expect(semver.packageVulnerabilityDetails!.vulnerablePackages![0]).toMatchObject({
      packageManager: 'NPM',
      filePath: 'app/node_modules/semver/package.json',
      sourceLayerHash: `sha256:${'2'.repeat(64)}`,
    })
    // Severities Inspector's source did not rate are UNTRIAGED.
    expect(findings.map((finding) => finding.severity)).not.toContain('UNDEFINED')
  })

  it('is deterministic, and finds more as vulnerabilities are disclosed after the push', () => {
    const atPush = defaultEnhancedScanFindings(image())
    expect(defaultEnhancedScanFindings(image())).toEqual(atPush)
    const later = defaultEnhancedScanFindings(image({ scannedAt: new Date(START + 11 * DAY_MS) }))
    expect(atPush.length).toBeGreaterThan(0)
    expect(later.length).toBeGreaterThan(atPush.length)
    const ids = (findings: typeof atPush) => findings.map((finding) => finding.packageVulnerabilityDetails!.vulnerabilityId)
    expect(ids(later)).toEqual(expect.arrayContaining(ids(atPush)))
  })
})

describe('enhanced scans', () => {
  it('answer in the model’s output shape on the wire', async () => {
    const { ecr } = await engine()
    await ecr.seed.image('app', { tag: 'v1' })
    const { status, body } = await send(ecr, 'DescribeImageScanFindings', JSON.stringify(v1))
    expect(status).toBe(200)
    expect(shapeProblems(modelOperations.get('DescribeImageScanFindings')!.output, body)).toEqual([])
    expect((body as { imageScanFindings: { enhancedFindings: unknown[] } }).imageScanFindings.enhancedFindings.length).toBeGreaterThan(0)
  })

  it('answer COMPLETE or ACTIVE with no findings until the initial scan is done, as ECR does', async () => {
    const { ecr, clock } = await engine({ scanDurationMs: 60_000 })
    await ecr.call('PutRegistryScanningConfiguration', {
      scanType: 'ENHANCED',
      rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'app', filterType: 'WILDCARD' }] }],
    })
    await ecr.seed.image('app', { tag: 'v1' })
    const early = await ecr.call('DescribeImageScanFindings', v1)
    expect(early.imageScanStatus).toEqual({ status: 'COMPLETE', description: 'The scan was completed successfully.' })
    expect(early.imageScanFindings).toEqual({ findings: [] })
    clock.now += 60_000
    const done = await ecr.call('DescribeImageScanFindings', v1)
    expect(done.imageScanFindings?.imageScanCompletedAt).toEqual(new Date(clock.now))
    expect(done.imageScanFindings?.enhancedFindings?.length).toBeGreaterThan(0)
  })

  it('keep their findings, dates included, in persisted state', async () => {
    const storage = memoryStorage()
    const { ecr } = await engine({ storage })
    await ecr.seed.image('app', { tag: 'v1' })
    const before = await ecr.call('DescribeImageScanFindings', v1)
    const reloaded = createEcr({ now: () => START, storage })
    const after = await reloaded.call('DescribeImageScanFindings', v1)
    expect(after).toEqual(before)
    expect(after.imageScanFindings?.enhancedFindings?.[0]?.packageVulnerabilityDetails?.vendorCreatedAt).toBeInstanceOf(Date)
  })

  it('keep the source’s own values but not its lifecycle fields, and copy what it returns', async () => {
    const returned = [
      {
        findingArn: 'arn:aws:inspector2:us-east-1:123456789012:finding/mine',
        title: 'my title',
        status: 'SUPPRESSED',
        firstObservedAt: new Date(0),
        severity: 'LOW',
      },
    ]
    const { ecr } = await engine({ enhancedScanFindings: () => returned })
    await ecr.seed.image('app', { tag: 'v1' })
    returned[0]!.title = 'changed later'
    const { imageScanFindings } = await ecr.call('DescribeImageScanFindings', v1)
    expect(imageScanFindings?.enhancedFindings).toEqual([
      expect.objectContaining({
        findingArn: 'arn:aws:inspector2:us-east-1:123456789012:finding/mine',
        title: 'my title',
        status: 'ACTIVE',
        firstObservedAt: new Date(START),
      }),
    ])
  })

  it('fall due on the engine clock only while there is something to do', async () => {
    let scans = 0
    const { ecr, clock } = await engine({
      enhancedScanFindings: () => {
        scans++
        return []
      },
      enhancedScanning: { rescanIntervalMs: 7 * DAY_MS, rescanDuration: 'DAYS_30' },
    })
    await ecr.seed.image('app', { tag: 'v1' })
    clock.now += 365 * DAY_MS
    await ecr.catchUp()
    // At push, then on days 7, 14, 21 and 28; eligibility ends on day 30.
    expect(scans).toBe(5)
    expect((await ecr.call('DescribeImageScanFindings', v1)).imageScanStatus?.status).toBe('SCAN_ELIGIBILITY_EXPIRED')
  })

  it('scan for the image’s lifetime with LIFETIME', async () => {
    const { ecr, clock } = await engine({ enhancedScanning: { rescanDuration: 'LIFETIME', rescanIntervalMs: 30 * DAY_MS } })
    await ecr.seed.image('app', { tag: 'v1' })
    clock.now += 400 * DAY_MS
    const { imageScanStatus, imageScanFindings } = await ecr.call('DescribeImageScanFindings', v1)
    expect(imageScanStatus?.status).toBe('ACTIVE')
    expect(imageScanFindings?.imageScanCompletedAt).toEqual(new Date(START + 390 * DAY_MS))
  })
})

describe('a findings source that fails', () => {
  it('fails the call that caught up with the rescan, which changes nothing; the next call rescans at the due time', async () => {
    let failing = false
    const { ecr, clock } = await engine({
      enhancedScanFindings: () => {
        if (failing) throw new Error('Inspector is down')
        return [{ severity: 'HIGH', packageVulnerabilityDetails: { vulnerabilityId: 'CVE-1' } }]
      },
    })
    await ecr.seed.image('app', { tag: 'v1' })
    const before = ecr.snapshot()
    failing = true
    clock.now += DAY_MS + 60_000
    await expect(ecr.call('DescribeImageScanFindings', v1)).rejects.toMatchObject({ code: 'ServerException', status: 500 })
    expect(ecr.snapshot()).toEqual(before)
    failing = false
    const { imageScanFindings } = await ecr.call('DescribeImageScanFindings', v1)
    expect(imageScanFindings?.imageScanCompletedAt).toEqual(new Date(START + DAY_MS))
  })

  it('fails the push it scans, which changes nothing', async () => {
    const { ecr } = await engine({
      enhancedScanFindings: () => {
        throw new Error('Inspector is down')
      },
    })
    await ecr.seed.repository('app')
    const before = ecr.snapshot()
    await expect(ecr.seed.image('app', { tag: 'v1' })).rejects.toMatchObject({ code: 'ServerException' })
    expect(ecr.snapshot().filter((record) => record.kind === 'image' || record.kind === 'enhanced-scan')).toEqual(
      before.filter((record) => record.kind === 'image' || record.kind === 'enhanced-scan'),
    )
  })
})

describe('the enhancedScanning option', () => {
  it.each([
    [{ rescanIntervalMs: 0 }, 'fake-ecr: enhancedScanning.rescanIntervalMs must be a whole number above 0, got 0.'],
    [{ rescanIntervalMs: 1.5 }, 'fake-ecr: enhancedScanning.rescanIntervalMs must be a whole number above 0, got 1.5.'],
    [
      { rescanDuration: 'DAYS_7' },
      'fake-ecr: enhancedScanning.rescanDuration must be one of DAYS_14, DAYS_30, DAYS_60, DAYS_90, DAYS_180, LIFETIME, got DAYS_7.',
    ],
    [
      { pullDateRescanDuration: 'LIFETIME' },
      'fake-ecr: enhancedScanning.pullDateRescanDuration must be one of DAYS_14, DAYS_30, DAYS_60, DAYS_90, DAYS_180, got LIFETIME.',
    ],
  ])('refuses %j', (enhancedScanning, message) => {
    expect(() => createEcr({ enhancedScanning: enhancedScanning as EcrOptions['enhancedScanning'] })).toThrow(new RangeError(message))
  })
})
