import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  BatchGetRepositoryScanningConfigurationCommand,
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  GetRegistryScanningConfigurationCommand,
  InvalidParameterException,
  PutImageCommand,
  PutRegistryScanningConfigurationCommand,
  ScanNotFoundException,
  StartImageScanCommand,
  ValidationException,
  paginateDescribeImageScanFindings,
  waitUntilImageScanComplete,
  type EnhancedImageScanFinding,
  type RegistryScanningRule,
} from '@aws-sdk/client-ecr'
import { beforeEach, describe, expect, it } from 'vitest'
import type { EnhancedScanStatus, InspectedImage } from '../../src/index.js'
import { defaultEnhancedScanFindings } from '../../src/enhanced-scan-findings.js'
import { vulnerabilitiesOf } from '../../src/scan-findings.js'
import { useFakeEcr } from './harness.js'

const DAY_MS = 24 * 60 * 60 * 1000
const START = Date.parse('2030-03-01T10:30:00Z')
let clock = START

/** What Inspector finds, per repository: tests change it between scans. */
const sources = new Map<string, (image: InspectedImage) => EnhancedImageScanFinding[] | EnhancedScanStatus>()

const { ecr, client } = useFakeEcr({
  now: () => clock,
  enhancedScanFindings: (image) => (sources.get(image.repositoryName) ?? defaultEnhancedScanFindings)(image),
})

const region = { region: 'eu-west-1' }

/** A finding as a findings source would describe it: only the vulnerability, the package and the severity. */
function vulnerability(id: string, severity = 'HIGH', packageName = 'openssl'): EnhancedImageScanFinding {
  return {
    severity,
    packageVulnerabilityDetails: {
      vulnerabilityId: id,
      vulnerablePackages: [{ name: packageName, version: '3.0.11', release: '1~deb12u1', epoch: 0, packageManager: 'OS' }],
    },
  }
}

const rule = (scanFrequency: RegistryScanningRule['scanFrequency'], filter: string): RegistryScanningRule => ({
  scanFrequency,
  repositoryFilters: [{ filter, filterType: 'WILDCARD' }],
})

async function enhanced(...rules: RegistryScanningRule[]) {
  await client().send(new PutRegistryScanningConfigurationCommand({ scanType: 'ENHANCED', rules }))
}

function findingsOf(repositoryName: string, imageTag = 'v1') {
  return client().send(new DescribeImageScanFindingsCommand({ repositoryName, imageId: { imageTag } }))
}

beforeEach(() => {
  clock = START
  sources.clear()
})

describe('ENHANCED registry scanning configuration', () => {
  it('scans every repository continuously when ENHANCED comes without rules, as the user guide says', async () => {
    const ecrClient = client()
    await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'team/api' }))
    const put = await ecrClient.send(new PutRegistryScanningConfigurationCommand({ scanType: 'ENHANCED' }))
    const everything = rule('CONTINUOUS_SCAN', '*')
    expect(put.registryScanningConfiguration).toEqual({ scanType: 'ENHANCED', rules: [everything] })
    const got = await ecrClient.send(new GetRegistryScanningConfigurationCommand({}))
    expect(got.scanningConfiguration).toEqual({ scanType: 'ENHANCED', rules: [everything] })
    const { scanningConfigurations } = await ecrClient.send(
      new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: ['team/api'] }),
    )
    expect(scanningConfigurations).toEqual([
      expect.objectContaining({ scanFrequency: 'CONTINUOUS_SCAN', appliedScanFilters: everything.repositoryFilters }),
    ])
  })
})

describe('continuous scanning', () => {
  it('reports ACTIVE with Inspector findings in the model’s shape', async () => {
    await enhanced(rule('CONTINUOUS_SCAN', 'prod'))
    const image = await ecr.seed.image('prod/api', { tag: 'v1', context: region })
    sources.set('prod/api', () => [
      {
        ...vulnerability('CVE-2030-5678', 'MEDIUM'),
        fixAvailable: 'YES',
        exploitAvailable: 'NO',
        remediation: { recommendation: { text: 'Update all packages in the vulnerable packages section to their latest versions.' } },
      },
    ])
    // Scanned at push with the default source; the custom one answers from the first rescan on.
    const atPush = await findingsOf('prod/api')
    expect(atPush.imageScanStatus).toEqual({ status: 'ACTIVE', description: 'Continuous scan is selected for image.' })
    expect(atPush.imageScanFindings!.findings).toBeUndefined()
    expect(atPush.imageScanFindings!.imageScanCompletedAt).toEqual(new Date(START))

    clock += DAY_MS
    const found = await findingsOf('prod/api')
    const findings = found.imageScanFindings!
    expect(findings.imageScanCompletedAt).toEqual(new Date(clock))
    expect(findings.vulnerabilitySourceUpdatedAt).toEqual(new Date(clock))
    expect(findings.findingSeverityCounts).toEqual({ MEDIUM: 1 })
    const finding = findings.enhancedFindings!.find((candidate) => candidate.packageVulnerabilityDetails?.vulnerabilityId === 'CVE-2030-5678')!
    expect(finding).toMatchObject({
      awsAccountId: '123456789012',
      findingArn: expect.stringMatching(/^arn:aws:inspector2:eu-west-1:123456789012:finding\/[0-9a-f]{32}$/),
      type: 'PACKAGE_VULNERABILITY',
      title: 'CVE-2030-5678 - openssl',
      severity: 'MEDIUM',
      status: 'ACTIVE',
      fixAvailable: 'YES',
      exploitAvailable: 'NO',
      firstObservedAt: new Date(clock),
      lastObservedAt: new Date(clock),
      updatedAt: new Date(clock),
      resources: [
        {
          type: 'AWS_ECR_CONTAINER_IMAGE',
          id: `arn:aws:ecr:eu-west-1:123456789012:repository/prod/api/${image.imageDigest}`,
          tags: {},
          details: {
            awsEcrContainerImage: {
              registry: '123456789012',
              repositoryName: 'prod/api',
              imageHash: image.imageDigest,
              imageTags: ['v1'],
              pushedAt: new Date(START),
            },
          },
        },
      ],
    })
  })

  it('rescans on the engine clock: findings appear, close when gone, reopen within 7 days, and are deleted 30 days after closing', async () => {
    await enhanced(rule('CONTINUOUS_SCAN', 'prod'))
    let current = [vulnerability('CVE-1'), vulnerability('CVE-2', 'LOW')]
    sources.set('prod', () => current)
    await ecr.seed.image('prod', { tag: 'v1', context: region })
    // Pulls keep it eligible for continuous scanning past the 14 days after its push.
    const pull = () => client().send(new BatchGetImageCommand({ repositoryName: 'prod', imageIds: [{ imageTag: 'v1' }] }))
    const byId = async () => {
      const { imageScanFindings } = await findingsOf('prod')
      const findings = imageScanFindings!.enhancedFindings!.map((f) => [f.packageVulnerabilityDetails!.vulnerabilityId!, f] as const)
      return { counts: imageScanFindings!.findingSeverityCounts, findings: new Map(findings) }
    }

    clock += DAY_MS
    current = [vulnerability('CVE-1'), vulnerability('CVE-3', 'CRITICAL')]
    // The rescan falls due a day after the push, not when someone looks.
    clock += 60_000
    let seen = await byId()
    const day = (n: number) => new Date(START + n * DAY_MS)
    expect(seen.findings.get('CVE-1')).toMatchObject({ status: 'ACTIVE', firstObservedAt: day(0), lastObservedAt: day(1) })
    expect(seen.findings.get('CVE-2')).toMatchObject({ status: 'CLOSED', lastObservedAt: day(0), updatedAt: day(1) })
    expect(seen.findings.get('CVE-3')).toMatchObject({ status: 'ACTIVE', firstObservedAt: day(1) })
    // Counts are of active findings.
    expect(seen.counts).toEqual({ HIGH: 1, CRITICAL: 1 })

    // Seen again a day after it closed: the same finding reopens. CVE-3 closes at the day-2 rescan.
    current = [vulnerability('CVE-1'), vulnerability('CVE-2', 'LOW')]
    clock = START + 6 * DAY_MS
    seen = await byId()
    expect(seen.findings.get('CVE-2')).toMatchObject({ status: 'ACTIVE', firstObservedAt: day(0), lastObservedAt: day(6) })
    expect(seen.findings.get('CVE-3')).toMatchObject({ status: 'CLOSED', updatedAt: day(2) })

    // Closed on day 2, deleted 30 days later.
    for (const pulledOn of [10, 20, 30]) {
      clock = START + pulledOn * DAY_MS
      await pull()
    }
    clock = START + 32 * DAY_MS - 1
    expect((await byId()).findings.has('CVE-3')).toBe(true)
    clock = START + 32 * DAY_MS
    expect((await byId()).findings.has('CVE-3')).toBe(false)

    // Seen again more than 7 days after it closed (on day 33): a new finding, with a new ARN.
    const closedCve2 = (await byId()).findings.get('CVE-2')!
    sources.set('prod', ({ scannedAt }) =>
      scannedAt < day(42) ? [vulnerability('CVE-1')] : [vulnerability('CVE-1'), vulnerability('CVE-2', 'LOW')],
    )
    clock = START + 42 * DAY_MS
    const renewed = (await byId()).findings.get('CVE-2')!
    expect(renewed).toMatchObject({ status: 'ACTIVE', firstObservedAt: day(42) })
    expect(renewed.findingArn).not.toBe(closedCve2.findingArn)
  })

  it('stops when the image’s scan eligibility runs out: SCAN_ELIGIBILITY_EXPIRED, findings closed, then deleted 3 days later', async () => {
    await enhanced(rule('CONTINUOUS_SCAN', 'prod'))
    sources.set('prod', () => [vulnerability('CVE-1')])
    await ecr.seed.image('prod', { tag: 'v1', context: region })
    clock = START + 14 * DAY_MS - 1
    expect((await findingsOf('prod')).imageScanStatus?.status).toBe('ACTIVE')

    clock = START + 14 * DAY_MS
    const expired = await findingsOf('prod')
    expect(expired.imageScanStatus).toEqual({ status: 'SCAN_ELIGIBILITY_EXPIRED', description: 'The scan eligibility of the image has expired.' })
    expect(expired.imageScanFindings!.enhancedFindings).toEqual([
      expect.objectContaining({ status: 'CLOSED', updatedAt: new Date(clock), lastObservedAt: new Date(START + 13 * DAY_MS) }),
    ])
    expect(expired.imageScanFindings!.findingSeverityCounts).toEqual({})

    clock += 3 * DAY_MS
    const later = await findingsOf('prod')
    expect(later.imageScanStatus?.status).toBe('SCAN_ELIGIBILITY_EXPIRED')
    expect(later.imageScanFindings!.enhancedFindings).toEqual([])
    // No more rescans.
    clock += 10 * DAY_MS
    expect((await findingsOf('prod')).imageScanFindings!.imageScanCompletedAt).toEqual(new Date(START + 13 * DAY_MS))
  })

  it('keeps scanning an image pulled within the pull-date duration', async () => {
    await enhanced(rule('CONTINUOUS_SCAN', 'prod'))
    await ecr.seed.image('prod', { tag: 'v1', context: region })
    clock = START + 10 * DAY_MS
    await client().send(new BatchGetImageCommand({ repositoryName: 'prod', imageIds: [{ imageTag: 'v1' }] }))
    clock = START + 20 * DAY_MS
    const stillActive = await findingsOf('prod')
    expect(stillActive.imageScanStatus?.status).toBe('ACTIVE')
    expect(stillActive.imageScanFindings!.imageScanCompletedAt).toEqual(new Date(clock))
    clock = START + 24 * DAY_MS
    expect((await findingsOf('prod')).imageScanStatus?.status).toBe('SCAN_ELIGIBILITY_EXPIRED')
  })

  it('picks up an image already in a repository when continuous scanning comes to cover it, unless it is too old', async () => {
    await ecr.seed.image('legacy', { tag: 'old', context: region })
    clock += 5 * DAY_MS
    await ecr.seed.image('legacy', { tag: 'v1', context: region })
    clock += 10 * DAY_MS
    await enhanced(rule('CONTINUOUS_SCAN', 'legacy'))
    const picked = await findingsOf('legacy')
    expect(picked.imageScanStatus?.status).toBe('ACTIVE')
    expect(picked.imageScanFindings!.imageScanCompletedAt).toEqual(new Date(clock))
    expect((await findingsOf('legacy', 'old')).imageScanStatus?.status).toBe('SCAN_ELIGIBILITY_EXPIRED')
  })

  it('pages through every finding once, counting the whole scan on every page; a rescan invalidates older tokens', async () => {
    await enhanced(rule('CONTINUOUS_SCAN', 'many'))
    const many = Array.from({ length: 250 }, (_, index) => vulnerability(`CVE-2030-${1000 + index}`, index % 5 === 0 ? 'HIGH' : 'LOW'))
    sources.set('many', () => many)
    await ecr.seed.image('many', { tag: 'v1', context: region })
    const ecrClient = client()
    const input = { repositoryName: 'many', imageId: { imageTag: 'v1' } }
    const pages: Array<{ ids: string[]; counts: unknown }> = []
    // The paginator writes its tokens into the input it is given: give it a copy.
    for await (const page of paginateDescribeImageScanFindings({ client: ecrClient, pageSize: 40 }, { ...input })) {
      pages.push({
        ids: page.imageScanFindings!.enhancedFindings!.map((finding) => finding.packageVulnerabilityDetails!.vulnerabilityId!),
        counts: page.imageScanFindings!.findingSeverityCounts,
      })
    }
    expect(pages.map((page) => page.ids.length)).toEqual([40, 40, 40, 40, 40, 40, 10])
    expect(pages.flatMap((page) => page.ids)).toEqual(many.map((finding) => finding.packageVulnerabilityDetails!.vulnerabilityId))
    for (const page of pages) expect(page.counts).toEqual({ HIGH: 50, LOW: 200 })

    const { nextToken } = await ecrClient.send(new DescribeImageScanFindingsCommand({ ...input, maxResults: 10 }))
    expect(nextToken).toBeDefined()
    clock += DAY_MS
    const error = await ecrClient.send(new DescribeImageScanFindingsCommand({ ...input, nextToken })).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidParameterException)
  })
})

describe('scan on push', () => {
  it('reports COMPLETE, scans once, and the waiter succeeds', async () => {
    await enhanced(rule('SCAN_ON_PUSH', '*'))
    sources.set('app', () => [vulnerability('CVE-1')])
    await ecr.seed.image('app', { tag: 'v1', context: region })
    const input = { repositoryName: 'app', imageId: { imageTag: 'v1' } }
    const waited = await waitUntilImageScanComplete({ client: client(), maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, input)
    expect(waited.state).toBe('SUCCESS')
    clock += 5 * DAY_MS
    const found = await findingsOf('app')
    expect(found.imageScanStatus).toEqual({ status: 'COMPLETE', description: 'The scan was completed successfully.' })
    expect(found.imageScanFindings!.imageScanCompletedAt).toEqual(new Date(START))
    expect(found.imageScanFindings!.enhancedFindings).toEqual([expect.objectContaining({ status: 'ACTIVE', lastObservedAt: new Date(START) })])
  })
})

describe('what Inspector does not scan', () => {
  it('does not scan repositories no rule selects', async () => {
    await enhanced(rule('CONTINUOUS_SCAN', 'prod'))
    await ecr.seed.image('dev', { tag: 'v1', context: region })
    await expect(findingsOf('dev')).rejects.toThrow(ScanNotFoundException)
  })

  it('reports an image index UNSUPPORTED_IMAGE, and what the findings source reports', async () => {
    await enhanced(rule('CONTINUOUS_SCAN', '*'))
    await ecr.seed.multiPlatformImage('multi', { tag: 'v1', context: region })
    expect((await findingsOf('multi')).imageScanStatus).toEqual({
      status: 'UNSUPPORTED_IMAGE',
      description: 'The ECR image has an unsupported media type.',
    })
    const unsupported = { status: 'UNSUPPORTED_IMAGE', description: 'UnsupportedImageError: The operating system and/or package manager are not supported.' } as const
    sources.set('scratch', () => unsupported)
    await ecr.seed.image('scratch', { tag: 'v1', context: region })
    expect((await findingsOf('scratch')).imageScanStatus).toEqual(unsupported)
    sources.set('flaky', () => ({ status: 'FINDINGS_UNAVAILABLE' }))
    await ecr.seed.image('flaky', { tag: 'v1', context: region })
    expect((await findingsOf('flaky')).imageScanStatus?.status).toBe('FINDINGS_UNAVAILABLE')
    // The next rescan has findings again.
    sources.set('flaky', () => [vulnerability('CVE-1')])
    clock += DAY_MS
    const recovered = await findingsOf('flaky')
    expect(recovered.imageScanStatus?.status).toBe('ACTIVE')
    expect(recovered.imageScanFindings!.findingSeverityCounts).toEqual({ HIGH: 1 })
  })

  it('refuses manual scans and changes nothing', async () => {
    await enhanced(rule('SCAN_ON_PUSH', 'prod'))
    await ecr.seed.image('manual', { tag: 'v1', context: region })
    const before = ecr.snapshot()
    const error = await client()
      .send(new StartImageScanCommand({ repositoryName: 'manual', imageId: { imageTag: 'v1' } }))
      .catch((e) => e)
    expect(error).toBeInstanceOf(ValidationException)
    expect(error.message).toBe('This feature is disabled.')
    expect(ecr.snapshot()).toEqual(before)
  })
})

describe('switching scan types', () => {
  it('hides basic scans under ENHANCED, DescribeImages included, and shows them again under BASIC', async () => {
    const ecrClient = client()
    await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'app', imageScanningConfiguration: { scanOnPush: true } }))
    const image = await ecr.seed.image('app', { tag: 'v1', context: region })
    const describe = async () =>
      (await ecrClient.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }))).imageDetails![0]!
    expect((await describe()).imageScanStatus?.status).toBe('COMPLETE')

    await enhanced(rule('CONTINUOUS_SCAN', 'app'))
    const underEnhanced = await describe()
    expect(underEnhanced.imageScanStatus).toBeUndefined()
    expect(underEnhanced.imageScanFindingsSummary).toBeUndefined()
    expect((await findingsOf('app')).imageScanStatus?.status).toBe('ACTIVE')

    await ecrClient.send(new PutRegistryScanningConfigurationCommand({ scanType: 'BASIC', rules: [] }))
    const basic = await findingsOf('app')
    expect(basic.imageScanStatus?.status).toBe('COMPLETE')
    expect(basic.imageScanFindings!.findings!.map((finding) => finding.name)).toEqual(vulnerabilitiesOf(image.imageDigest).map((known) => known.cve))
    expect(basic.imageScanFindings!.enhancedFindings).toBeUndefined()
    expect((await describe()).imageDigest).toBe(image.imageDigest)
  })

  it('forgets Inspector’s scan of a deleted image: pushed again, it is scanned anew', async () => {
    await enhanced(rule('CONTINUOUS_SCAN', 'app'))
    sources.set('app', () => [vulnerability('CVE-1')])
    const image = await ecr.seed.image('app', { tag: 'v1', context: region })
    const ecrClient = client()
    clock += 2 * DAY_MS
    await ecrClient.send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: image.imageDigest }] }))
    expect(ecr.snapshot().filter((record) => record.kind === 'enhanced-scan')).toEqual([])
    clock += 60_000
    await ecrClient.send(new PutImageCommand({ repositoryName: 'app', imageTag: 'v1', imageManifest: image.imageManifest }))
    const again = await findingsOf('app')
    expect(again.imageScanFindings!.enhancedFindings).toEqual([expect.objectContaining({ firstObservedAt: new Date(clock) })])
  })
})
