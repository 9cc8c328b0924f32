import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DeleteSigningConfigurationCommand,
  DescribeImageSigningStatusCommand,
  DescribeImagesCommand,
  GetDownloadUrlForLayerCommand,
  GetSigningConfigurationCommand,
  ImageNotFoundException,
  ListImageReferrersCommand,
  PutImageCommand,
  PutSigningConfigurationCommand,
  RepositoryNotFoundException,
  SigningConfigurationNotFoundException,
  type SigningRule,
} from '@aws-sdk/client-ecr'
import { beforeEach, describe, expect, it } from 'vitest'
import { OCI_MANIFEST, rejection, sha256 } from '../fixtures.js'
import { useFakeEcr } from './harness.js'

const SIGNING_MS = 60_000
const START = Date.parse('2030-05-01T12:00:00Z')
let clock = START

const { ecr, client, download } = useFakeEcr({
  now: () => clock,
  signingDurationMs: SIGNING_MS,
  limits: { imagesPerRepository: 3 },
  // Signing fails for images in repositories named `revoked/…`.
  signingFailure: ({ repositoryName, signingProfileArn }) =>
    repositoryName.startsWith('revoked/')
      ? { failureCode: 'SigningProfileRevoked', failureReason: `The signing profile ${signingProfileArn} is revoked.` }
      : undefined,
})

const region = { region: 'eu-west-1' }
const PROFILE_A = 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/team_a'
const PROFILE_B = 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/team_b'
const NOT_FOUND = "Signing configuration does not exist in the registry with id '123456789012'"

const putConfiguration = (rules: SigningRule[]) => client().send(new PutSigningConfigurationCommand({ signingConfiguration: { rules } }))
const signingStatus = (repositoryName: string, imageTag = 'v1') =>
  client().send(new DescribeImageSigningStatusCommand({ repositoryName, imageId: { imageTag } }))

beforeEach(() => {
  clock = START
})

describe('the signing configuration', () => {
  it('does not exist until one is put, and is gone once deleted', async () => {
    const ecrClient = client()
    const missing = await rejection(ecrClient.send(new GetSigningConfigurationCommand({})))
    expect(missing).toBeInstanceOf(SigningConfigurationNotFoundException)
    expect(missing.message).toBe(NOT_FOUND)
    expect((await rejection(ecrClient.send(new DeleteSigningConfigurationCommand({})))).message).toBe(NOT_FOUND)

    const rules: SigningRule[] = [
      { signingProfileArn: PROFILE_A, repositoryFilters: [{ filter: 'team-a/*', filterType: 'WILDCARD_MATCH' }] },
      { signingProfileArn: PROFILE_B },
    ]
    expect(await putConfiguration(rules)).toMatchObject({ signingConfiguration: { rules } })
    const got = await ecrClient.send(new GetSigningConfigurationCommand({}))
    expect(got).toMatchObject({ registryId: '123456789012', signingConfiguration: { rules } })
    // Another region has none.
    await expect(client({ region: 'us-west-2' }).send(new GetSigningConfigurationCommand({}))).rejects.toThrow(SigningConfigurationNotFoundException)

    const deleted = await ecrClient.send(new DeleteSigningConfigurationCommand({}))
    expect(deleted).toMatchObject({ registryId: '123456789012', signingConfiguration: { rules } })
    await expect(ecrClient.send(new GetSigningConfigurationCommand({}))).rejects.toThrow(SigningConfigurationNotFoundException)
  })

  it('is replaced whole by the next put', async () => {
    await putConfiguration([{ signingProfileArn: PROFILE_A }])
    await putConfiguration([{ signingProfileArn: PROFILE_B, repositoryFilters: [{ filter: '*prod*', filterType: 'WILDCARD_MATCH' }] }])
    const got = await client().send(new GetSigningConfigurationCommand({}))
    expect(got.signingConfiguration!.rules).toEqual([
      { signingProfileArn: PROFILE_B, repositoryFilters: [{ filter: '*prod*', filterType: 'WILDCARD_MATCH' }] },
    ])
  })
})

describe('managed signing of pushed images', () => {
  it('signs an image pushed to a matching repository: IN_PROGRESS, then COMPLETE with its signature pushed as a referrer', async () => {
    await putConfiguration([{ signingProfileArn: PROFILE_A, repositoryFilters: [{ filter: 'team-a/*', filterType: 'WILDCARD_MATCH' }] }])
    const image = await ecr.seed.image('team-a/api', { tag: 'v1', context: region })

    const pending = await signingStatus('team-a/api')
    expect(pending).toEqual(
      expect.objectContaining({
        registryId: '123456789012',
        repositoryName: 'team-a/api',
        imageId: { imageDigest: image.imageDigest, imageTag: 'v1' },
        signingStatuses: [{ signingProfileArn: PROFILE_A, status: 'IN_PROGRESS' }],
      }),
    )
    const ecrClient = client()
    expect((await ecrClient.send(new ListImageReferrersCommand({ repositoryName: 'team-a/api', subjectId: { imageDigest: image.imageDigest } }))).referrers).toEqual([])

    clock += SIGNING_MS
    expect((await signingStatus('team-a/api')).signingStatuses).toEqual([{ signingProfileArn: PROFILE_A, status: 'COMPLETE' }])

    const { referrers } = await ecrClient.send(new ListImageReferrersCommand({ repositoryName: 'team-a/api', subjectId: { imageDigest: image.imageDigest } }))
    expect(referrers).toEqual([
      {
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.cncf.notary.signature',
        size: expect.any(Number),
        annotations: {
          'io.cncf.notary.x509chain.thumbprint#S256': expect.stringMatching(/^\["[0-9a-f]{64}"\]$/),
          'org.opencontainers.image.created': '2030-05-01T12:01:00.000Z',
        },
        artifactStatus: 'ACTIVE',
      },
    ])
    const signature = referrers![0]!

    // The signature is an image of the repository like any other: untagged, pullable, its blobs downloadable.
    const { imageDetails } = await ecrClient.send(new DescribeImagesCommand({ repositoryName: 'team-a/api', imageIds: [{ imageDigest: signature.digest }] }))
    expect(imageDetails![0]).toMatchObject({
      artifactMediaType: 'application/vnd.cncf.notary.signature',
      subjectManifestDigest: image.imageDigest,
      imagePushedAt: new Date(START + SIGNING_MS),
    })
    expect(imageDetails![0]!.imageTags).toBeUndefined()
    const pulled = await ecrClient.send(new BatchGetImageCommand({ repositoryName: 'team-a/api', imageIds: [{ imageDigest: signature.digest }] }))
    const manifestText = pulled.images![0]!.imageManifest!
    expect(sha256(manifestText)).toBe(signature.digest)
    expect(Buffer.byteLength(manifestText)).toBe(signature.size)
    const manifest = JSON.parse(manifestText)
    expect(manifest.subject).toEqual({ mediaType: image.imageManifestMediaType, digest: image.imageDigest, size: Buffer.byteLength(image.imageManifest) })
    expect(manifest.config).toEqual({ mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 })
    expect(manifest.layers).toEqual([{ mediaType: 'application/jose+json', digest: expect.any(String), size: expect.any(Number) }])
    const { downloadUrl } = await ecrClient.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'team-a/api', layerDigest: manifest.layers[0].digest }))
    const envelope = await (await download(downloadUrl!)).text()
    expect(sha256(envelope)).toBe(manifest.layers[0].digest)
    expect(JSON.parse(envelope)).toMatchObject({ payload: expect.any(String), protected: expect.any(String), signature: expect.any(String) })

    // Signatures are not signed in turn.
    expect((await ecrClient.send(new DescribeImageSigningStatusCommand({ repositoryName: 'team-a/api', imageId: { imageDigest: signature.digest } }))).signingStatuses).toEqual([])
  })

  it('gives one status per signing profile whose rule matches, and none to images of other repositories', async () => {
    await putConfiguration([
      { signingProfileArn: PROFILE_A, repositoryFilters: [{ filter: '*/prod', filterType: 'WILDCARD_MATCH' }] },
      { signingProfileArn: PROFILE_B, repositoryFilters: [{ filter: 'web/*', filterType: 'WILDCARD_MATCH' }] },
      { signingProfileArn: PROFILE_A, repositoryFilters: [{ filter: 'web/prod', filterType: 'WILDCARD_MATCH' }] },
    ])
    await ecr.seed.image('web/prod', { tag: 'v1', context: region })
    await ecr.seed.image('web/dev', { tag: 'v1', context: region })
    await ecr.seed.image('api', { tag: 'v1', context: region })
    clock += SIGNING_MS
    expect((await signingStatus('web/prod')).signingStatuses).toEqual([
      { signingProfileArn: PROFILE_A, status: 'COMPLETE' },
      { signingProfileArn: PROFILE_B, status: 'COMPLETE' },
    ])
    expect((await signingStatus('web/dev')).signingStatuses).toEqual([{ signingProfileArn: PROFILE_B, status: 'COMPLETE' }])
    expect((await signingStatus('api')).signingStatuses).toEqual([])
    const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName: 'web/prod' }))
    expect(imageDetails!.filter((detail) => detail.artifactMediaType === 'application/vnd.cncf.notary.signature')).toHaveLength(2)
  })

  it('reports FAILED, with the failure, and pushes no signature when signing fails', async () => {
    await putConfiguration([{ signingProfileArn: PROFILE_A }])
    const image = await ecr.seed.image('revoked/app', { tag: 'v1', context: region })
    clock += SIGNING_MS
    expect((await signingStatus('revoked/app')).signingStatuses).toEqual([
      {
        signingProfileArn: PROFILE_A,
        status: 'FAILED',
        failureCode: 'SigningProfileRevoked',
        failureReason: `The signing profile ${PROFILE_A} is revoked.`,
      },
    ])
    const { referrers } = await client().send(new ListImageReferrersCommand({ repositoryName: 'revoked/app', subjectId: { imageDigest: image.imageDigest } }))
    expect(referrers).toEqual([])
  })

  it('fails a signature the repository has no room for: it counts against the images per repository', async () => {
    await putConfiguration([{ signingProfileArn: PROFILE_A }])
    for (const tag of ['v1', 'v2', 'v3']) await ecr.seed.image('full', { tag, context: region })
    clock += SIGNING_MS
    expect((await signingStatus('full', 'v3')).signingStatuses).toEqual([
      {
        signingProfileArn: PROFILE_A,
        status: 'FAILED',
        failureCode: 'LimitExceededException',
        failureReason: "The repository with name 'full' in registry with id '123456789012' already has the maximum allowed number of images which is '3'",
      },
    ])
  })

  it('goes on with signing under way when the configuration is deleted; images pushed afterwards are not signed', async () => {
    await putConfiguration([{ signingProfileArn: PROFILE_A }])
    await ecr.seed.image('app', { tag: 'v1', context: region })
    await client().send(new DeleteSigningConfigurationCommand({}))
    await ecr.seed.image('other', { tag: 'v1', context: region })
    clock += SIGNING_MS
    expect((await signingStatus('app')).signingStatuses).toEqual([{ signingProfileArn: PROFILE_A, status: 'COMPLETE' }])
    expect((await signingStatus('other')).signingStatuses).toEqual([])
  })

  it('forgets the signing of a deleted image; pushed again, it is signed again', async () => {
    await putConfiguration([{ signingProfileArn: PROFILE_A }])
    const ecrClient = client()
    const image = await ecr.seed.image('app', { tag: 'v1', context: region })
    await ecrClient.send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: image.imageDigest }] }))
    clock += SIGNING_MS
    expect(await rejection(signingStatus('app'))).toBeInstanceOf(ImageNotFoundException)
    await ecrClient.send(new PutImageCommand({ repositoryName: 'app', imageManifest: image.imageManifest, imageTag: 'v1' }))
    expect((await signingStatus('app')).signingStatuses).toEqual([{ signingProfileArn: PROFILE_A, status: 'IN_PROGRESS' }])
  })

  it('answers DescribeImageSigningStatus for missing images and repositories with their errors', async () => {
    await ecr.seed.repository('app', {}, region)
    const image = await rejection(signingStatus('app', 'missing'))
    expect(image).toBeInstanceOf(ImageNotFoundException)
    expect(image.message).toBe(
      "The image with imageId {imageDigest:'null', imageTag:'missing'} does not exist within the repository with name 'app' in the registry with id '123456789012'",
    )
    expect(await rejection(signingStatus('nowhere'))).toBeInstanceOf(RepositoryNotFoundException)
  })
})
