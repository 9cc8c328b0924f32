import {
  BatchGetRepositoryScanningConfigurationCommand,
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  GetRegistryScanningConfigurationCommand,
  ImageNotFoundException,
  InvalidParameterException,
  LimitExceededException,
  PutRegistryScanningConfigurationCommand,
  ScanNotFoundException,
  StartImageScanCommand,
  UnsupportedImageTypeException,
  paginateDescribeImageScanFindings,
  waitUntilImageScanComplete,
  type ImageScanFinding,
} from '@aws-sdk/client-ecr'
import { beforeEach, describe, expect, it } from 'vitest'
import { defaultScanFindings, vulnerabilitiesOf } from '../../src/scan-findings.js'
import { useFakeEcr } from './harness.js'

const DAY_MS = 24 * 60 * 60 * 1000
const START = Date.parse('2030-03-01T10:30:00Z')
let clock = START

/** Images in the repository named `many` get 250 findings, to page through. */
const manyFindings: ImageScanFinding[] = Array.from({ length: 250 }, (_, index) => ({
  name: `CVE-2030-${1000 + index}`,
  severity: index % 5 === 0 ? 'HIGH' : 'LOW',
  uri: `https://security-tracker.debian.org/tracker/CVE-2030-${1000 + index}`,
}))

const { ecr, client } = useFakeEcr({
  now: () => clock,
  scanFindings: (image) => (image.repositoryName === 'many' ? manyFindings : defaultScanFindings(image)),
})

const region = { region: 'eu-west-1' }

beforeEach(() => {
  clock = START
})

describe('registry scanning configuration', () => {
  it('is BASIC with no rules until set', async () => {
    const output = await client().send(new GetRegistryScanningConfigurationCommand({}))
    expect(output.registryId).toBe('123456789012')
    expect(output.scanningConfiguration).toEqual({ scanType: 'BASIC', rules: [] })
  })

  it('stores and returns the rules', async () => {
    const ecrClient = client()
    const rules = [{ scanFrequency: 'SCAN_ON_PUSH' as const, repositoryFilters: [{ filter: 'prod', filterType: 'WILDCARD' as const }] }]
    const put = await ecrClient.send(new PutRegistryScanningConfigurationCommand({ scanType: 'BASIC', rules }))
    expect(put.registryScanningConfiguration).toEqual({ scanType: 'BASIC', rules })
    const got = await ecrClient.send(new GetRegistryScanningConfigurationCommand({}))
    expect(got.scanningConfiguration).toEqual({ scanType: 'BASIC', rules })
    const enhanced = [{ scanFrequency: 'CONTINUOUS_SCAN' as const, repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' as const }] }]
    await ecrClient.send(new PutRegistryScanningConfigurationCommand({ scanType: 'ENHANCED', rules: enhanced }))
    const after = await ecrClient.send(new GetRegistryScanningConfigurationCommand({}))
    expect(after.scanningConfiguration).toEqual({ scanType: 'ENHANCED', rules: enhanced })
  })

  it('refuses continuous scanning with BASIC and changes nothing', async () => {
    const ecrClient = client()
    const error = await ecrClient
      .send(
        new PutRegistryScanningConfigurationCommand({
          scanType: 'BASIC',
          rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }],
        }),
      )
      .catch((e) => e)
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe(
      "Invalid parameter at 'rules' failed to satisfy constraint: 'Scan frequency CONTINUOUS_SCAN is not supported for scan type BASIC'",
    )
    const got = await ecrClient.send(new GetRegistryScanningConfigurationCommand({}))
    expect(got.scanningConfiguration).toEqual({ scanType: 'BASIC', rules: [] })
  })

  it('refuses more than two rules', async () => {
    const rule = { scanFrequency: 'SCAN_ON_PUSH' as const, repositoryFilters: [{ filter: 'a', filterType: 'WILDCARD' as const }] }
    await expect(
      client().send(new PutRegistryScanningConfigurationCommand({ scanType: 'ENHANCED', rules: [rule, rule, rule] })),
    ).rejects.toThrow(InvalidParameterException)
  })
})

describe('BatchGetRepositoryScanningConfiguration', () => {
  it('reports each repository’s effective scanning and unknown repositories as failures', async () => {
    const ecrClient = client()
    await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'flagged', imageScanningConfiguration: { scanOnPush: true } }))
    await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'team/prod-api' }))
    await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'manual' }))
    const prodFilter = { filter: 'prod', filterType: 'WILDCARD' as const }
    await ecrClient.send(
      new PutRegistryScanningConfigurationCommand({
        rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'nothing*', filterType: 'WILDCARD' }, prodFilter] }],
      }),
    )
    const output = await ecrClient.send(
      new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: ['flagged', 'team/prod-api', 'manual', 'missing'] }),
    )
    expect(output.scanningConfigurations).toEqual([
      {
        repositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/flagged',
        repositoryName: 'flagged',
        scanOnPush: true,
        scanFrequency: 'SCAN_ON_PUSH',
        appliedScanFilters: [],
      },
      {
        repositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/team/prod-api',
        repositoryName: 'team/prod-api',
        scanOnPush: false,
        scanFrequency: 'SCAN_ON_PUSH',
        appliedScanFilters: [prodFilter],
      },
      {
        repositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/manual',
        repositoryName: 'manual',
        scanOnPush: false,
        scanFrequency: 'MANUAL',
        appliedScanFilters: [],
      },
    ])
    expect(output.failures).toEqual([
      {
        repositoryName: 'missing',
        failureCode: 'REPOSITORY_NOT_FOUND',
        failureReason: "The repository with name 'missing' does not exist in the registry with id '123456789012'",
      },
    ])
  })
})

describe('image scans', () => {
  it('has no scan before one is started', async () => {
    const image = await ecr.seed.image('app', { tag: 'v1', context: region })
    const error = await client()
      .send(new DescribeImageScanFindingsCommand({ repositoryName: 'app', imageId: { imageDigest: image.imageDigest } }))
      .catch((e) => e)
    expect(error).toBeInstanceOf(ScanNotFoundException)
    expect(error.message).toBe(
      `Image scan does not exist for the image with '{imageDigest:'${image.imageDigest}', imageTag:'null'}' in the repository with name 'app' in the registry with id '123456789012'`,
    )
  })

  it('scans, completes, and reports findings through the waiter, DescribeImageScanFindings and DescribeImages', async () => {
    const ecrClient = client()
    const image = await ecr.seed.image('app', { tag: 'v1', context: region })
    const started = await ecrClient.send(new StartImageScanCommand({ repositoryName: 'app', imageId: { imageTag: 'v1' } }))
    expect(started).toMatchObject({
      registryId: '123456789012',
      repositoryName: 'app',
      imageId: { imageDigest: image.imageDigest, imageTag: 'v1' },
      imageScanStatus: { status: 'IN_PROGRESS' },
    })

    const input = { repositoryName: 'app', imageId: { imageTag: 'v1' } }
    const waited = await waitUntilImageScanComplete({ client: ecrClient, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, input)
    expect(waited.state).toBe('SUCCESS')

    const found = await ecrClient.send(new DescribeImageScanFindingsCommand(input))
    expect(found.imageId).toEqual({ imageDigest: image.imageDigest, imageTag: 'v1' })
    expect(found.imageScanStatus).toEqual({ status: 'COMPLETE', description: 'The scan was completed successfully.' })
    const findings = found.imageScanFindings!
    expect(findings.imageScanCompletedAt).toEqual(new Date(START))
    expect(findings.vulnerabilitySourceUpdatedAt).toEqual(new Date('2030-03-01T10:00:00Z'))
    // The image's findings follow from its digest (random here): the catalogue entries it picks.
    expect(findings.findings!.map((finding) => finding.name)).toEqual(vulnerabilitiesOf(image.imageDigest).map((known) => known.cve))
    for (const finding of findings.findings!) expect(finding).toMatchObject({ name: expect.stringMatching(/^CVE-/), severity: expect.any(String) })
    const counted = Object.values(findings.findingSeverityCounts!).reduce((total, count) => total + count, 0)
    expect(counted).toBe(findings.findings!.length)
    expect(Object.values(findings.findingSeverityCounts!)).not.toContain(0)

    const { imageDetails } = await ecrClient.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }))
    expect(imageDetails![0]!.imageScanStatus).toEqual(found.imageScanStatus)
    expect(imageDetails![0]!.imageScanFindingsSummary).toEqual({
      imageScanCompletedAt: findings.imageScanCompletedAt,
      vulnerabilitySourceUpdatedAt: findings.vulnerabilitySourceUpdatedAt,
      findingSeverityCounts: findings.findingSeverityCounts,
    })
  })

  it('allows one scan per image per 24 hours', async () => {
    const ecrClient = client()
    await ecr.seed.image('app', { tag: 'v1', context: region })
    const scan = new StartImageScanCommand({ repositoryName: 'app', imageId: { imageTag: 'v1' } })
    await ecrClient.send(scan)
    clock += DAY_MS - 1000
    const error = await ecrClient.send(scan).catch((e) => e)
    expect(error).toBeInstanceOf(LimitExceededException)
    expect(error.message).toBe('The scan quota per image has been exceeded. Wait and try again.')
    clock += 1000
    await expect(ecrClient.send(scan)).resolves.toMatchObject({ imageScanStatus: { status: 'IN_PROGRESS' } })
    const found = await ecrClient.send(new DescribeImageScanFindingsCommand({ repositoryName: 'app', imageId: { imageTag: 'v1' } }))
    expect(found.imageScanFindings!.imageScanCompletedAt).toEqual(new Date(START + DAY_MS))
  })

  it('refuses to scan an image index', async () => {
    const index = await ecr.seed.multiPlatformImage('app', { tag: 'multi', format: 'oci', context: region })
    const error = await client()
      .send(new StartImageScanCommand({ repositoryName: 'app', imageId: { imageDigest: index.imageDigest } }))
      .catch((e) => e)
    expect(error).toBeInstanceOf(UnsupportedImageTypeException)
    expect(error.message).toBe("An artifact with media type 'application/vnd.oci.image.index.v1+json' cannot be scanned.")
  })

  it('names the missing image the way ECR does', async () => {
    const ecrClient = client()
    const image = await ecr.seed.image('app', { tag: 'v1', context: region })
    await ecr.seed.image('app', { tag: 'v2', context: region })
    const error = await ecrClient
      .send(new StartImageScanCommand({ repositoryName: 'app', imageId: { imageTag: 'nope' } }))
      .catch((e) => e)
    expect(error).toBeInstanceOf(ImageNotFoundException)
    expect(error.message).toBe(
      "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the repository with name 'app' in the registry with id '123456789012'",
    )
    // Digest and tag both given must name the same image.
    await expect(
      ecrClient.send(
        new DescribeImageScanFindingsCommand({ repositoryName: 'app', imageId: { imageDigest: image.imageDigest, imageTag: 'v2' } }),
      ),
    ).rejects.toThrow(ImageNotFoundException)
  })

  it('pages through every finding exactly once', async () => {
    const ecrClient = client()
    const image = await ecr.seed.image('many', { context: region })
    const input = { repositoryName: 'many', imageId: { imageDigest: image.imageDigest } }
    await ecrClient.send(new StartImageScanCommand(input))
    const pages: Array<{ names: string[]; counts: unknown }> = []
    for await (const page of paginateDescribeImageScanFindings({ client: ecrClient, pageSize: 40 }, input)) {
      pages.push({
        names: (page.imageScanFindings?.findings ?? []).map((finding) => finding.name!),
        counts: page.imageScanFindings?.findingSeverityCounts,
      })
    }
    expect(pages.map((page) => page.names.length)).toEqual([40, 40, 40, 40, 40, 40, 10])
    expect(pages.flatMap((page) => page.names)).toEqual(manyFindings.map((finding) => finding.name))
    // The counts cover the whole scan on every page, not the page.
    for (const page of pages) expect(page.counts).toEqual({ HIGH: 50, LOW: 200 })
  })

  it('scans on push when the repository asks for it', async () => {
    const ecrClient = client()
    await ecrClient.send(new CreateRepositoryCommand({ repositoryName: 'app', imageScanningConfiguration: { scanOnPush: true } }))
    await ecr.seed.image('app', { tag: 'v1', context: region })
    const input = { repositoryName: 'app', imageId: { imageTag: 'v1' } }
    const found = await ecrClient.send(new DescribeImageScanFindingsCommand(input))
    expect(found.imageScanStatus?.status).toBe('COMPLETE')
    // The push scan counts toward the daily quota.
    await expect(ecrClient.send(new StartImageScanCommand(input))).rejects.toThrow(LimitExceededException)
  })

  it('scans on push in repositories a registry rule selects, and only those', async () => {
    const ecrClient = client()
    await ecrClient.send(
      new PutRegistryScanningConfigurationCommand({
        scanType: 'BASIC',
        rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'prod*', filterType: 'WILDCARD' }] }],
      }),
    )
    await ecr.seed.image('prod-api', { tag: 'v1', context: region })
    await ecr.seed.image('api-prod', { tag: 'v1', context: region })
    const selected = await ecrClient.send(
      new DescribeImageScanFindingsCommand({ repositoryName: 'prod-api', imageId: { imageTag: 'v1' } }),
    )
    expect(selected.imageScanStatus?.status).toBe('COMPLETE')
    await expect(
      ecrClient.send(new DescribeImageScanFindingsCommand({ repositoryName: 'api-prod', imageId: { imageTag: 'v1' } })),
    ).rejects.toThrow(ScanNotFoundException)
  })
})
