import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  DeleteLifecyclePolicyCommand,
  DescribeImagesCommand,
  GetLifecyclePolicyCommand,
  ListImagesCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr'
import { beforeEach, describe, expect, it } from 'vitest'
import { EcrError, type StoredRecord } from '../../src/index.js'
import { useFakeEcr } from './harness.js'

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
const START = Date.UTC(2030, 2, 1, 10, 30)
let clock = START

const { ecr, client } = useFakeEcr({ now: () => clock })
const context = { region: 'eu-west-1' }

beforeEach(() => {
  clock = START
})

const policy = (...rules: object[]) => JSON.stringify({ rules: rules.map((rule, index) => ({ rulePriority: index + 1, ...rule })) })
const expire = { type: 'expire' }
const archive = { type: 'transition', targetStorageClass: 'archive' }
const olderThan = (countNumber: number, selection: object = { tagStatus: 'any' }, countType = 'sinceImagePushed') => ({
  ...selection,
  countType,
  countUnit: 'days',
  countNumber,
})

async function push(repositoryName: string, tag?: string) {
  return ecr.seed.image(repositoryName, { ...(tag !== undefined && { tag }), layers: [16], context })
}

async function put(repositoryName: string, lifecyclePolicyText: string) {
  await client().send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText }))
}

/** Digests of the images DescribeImages lists with this status filter (default: the active ones). */
async function digests(repositoryName: string, imageStatus?: 'ACTIVE' | 'ARCHIVED' | 'ANY') {
  const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName, ...(imageStatus && { filter: { imageStatus } }) }))
  return imageDetails!.map((detail) => detail.imageDigest!)
}

describe('lifecycle policies, applied by the engine clock', () => {
  it('are evaluated a day after they are put, then daily: images expire within a day of meeting the criteria', async () => {
    const old = await push('app', 'old')
    clock += 5 * DAY_MS
    const recent = await push('app', 'recent')
    await put('app', policy({ selection: olderThan(7), action: expire }))

    // The old image is 5 days old: nothing to do at the first evaluation.
    clock += DAY_MS - 1
    await client().send(new ListImagesCommand({ repositoryName: 'app' }))
    expect((await client().send(new GetLifecyclePolicyCommand({ repositoryName: 'app' }))).lastEvaluatedAt).toEqual(new Date(0))
    clock += 1
    expect((await client().send(new GetLifecyclePolicyCommand({ repositoryName: 'app' }))).lastEvaluatedAt).toEqual(new Date(START + 6 * DAY_MS))
    expect(await digests('app')).toEqual([old.imageDigest, recent.imageDigest])

    // It is 7 days old a day later and older than 7 at the evaluation after: expired then.
    clock += 2 * DAY_MS
    expect(await digests('app')).toEqual([recent.imageDigest])
    const got = await client().send(new GetLifecyclePolicyCommand({ repositoryName: 'app' }))
    expect(got.lastEvaluatedAt).toEqual(new Date(START + 8 * DAY_MS))
    // Expired as BatchDeleteImage deletes: tags gone, layers collected a day later.
    const { failures } = await client().send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'old' }] }))
    expect(failures?.[0]?.failureCode).toBe('ImageNotFound')
    const layer = JSON.parse(old.imageManifest).layers[0].digest as string
    const check = () => client().send(new BatchCheckLayerAvailabilityCommand({ repositoryName: 'app', layerDigests: [layer] }))
    expect((await check()).layers?.[0]?.layerAvailability).toBe('AVAILABLE')
    clock += DAY_MS
    expect((await check()).layers?.[0]?.layerAvailability).toBe('UNAVAILABLE')
  })

  it('catch up one evaluation per day when the clock jumps, each at its own time', async () => {
    await push('app', 'a')
    clock += DAY_MS
    await push('app', 'b')
    clock += DAY_MS
    await push('app', 'c')
    await put('app', policy({ selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire }))
    const changes: StoredRecord[][] = []
    const stop = ecr.on('change', ({ records }) => changes.push([...records]))
    clock += 30 * DAY_MS + HOUR_MS
    const { imageIds } = await client().send(new ListImagesCommand({ repositoryName: 'app' }))
    stop()
    expect(imageIds).toEqual([expect.objectContaining({ imageTag: 'c' })])
    expect((await client().send(new GetLifecyclePolicyCommand({ repositoryName: 'app' }))).lastEvaluatedAt).toEqual(
      new Date(START + 2 * DAY_MS + 30 * DAY_MS),
    )
    // One call, one change announced, holding the deleted images and the policy's new record.
    expect(changes).toHaveLength(1)
    expect(changes[0]!.filter((record) => record.kind === 'image').map((record) => record.value)).toEqual([undefined, undefined])
  })

  it('archive images with transition rules, and expire them from the archive after their time there', async () => {
    const old = await push('app', 'release-1')
    clock += 40 * DAY_MS
    const recent = await push('app', 'release-2')
    await put(
      'app',
      policy(
        { selection: olderThan(30, { tagStatus: 'tagged', tagPatternList: ['release-*'] }), action: archive },
        { selection: olderThan(90, { tagStatus: 'any', storageClass: 'archive' }, 'sinceImageTransitioned'), action: expire },
      ),
    )
    clock += DAY_MS
    expect(await digests('app')).toEqual([recent.imageDigest])
    expect(await digests('app', 'ARCHIVED')).toEqual([old.imageDigest])
    const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'release-1' }] }))
    expect(imageDetails?.[0]).toMatchObject({ imageStatus: 'ARCHIVED', lastArchivedAt: new Date(START + 41 * DAY_MS), imageTags: ['release-1'] })

    clock += 90 * DAY_MS
    expect(await digests('app', 'ANY')).toEqual([old.imageDigest, recent.imageDigest])
    clock += DAY_MS
    // recent was archived 61 days ago: it stays.
    expect(await digests('app', 'ANY')).toEqual([recent.imageDigest])
  })

  it('archive by pull age: a pull keeps an image in the standard class', async () => {
    const pulled = await push('app', 'pulled')
    const idle = await push('app', 'idle')
    await put('app', policy({ selection: olderThan(30, { tagStatus: 'any' }, 'sinceImagePulled'), action: archive }))
    clock += 20 * DAY_MS
    await client().send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'pulled' }] }))
    clock += 15 * DAY_MS
    expect(await digests('app')).toEqual([pulled.imageDigest])
    expect(await digests('app', 'ARCHIVED')).toEqual([idle.imageDigest])
  })

  it('expire the children of a manifest list only once the list has gone, in the same evaluation', async () => {
    const index = await ecr.seed.multiPlatformImage('app', { tag: 'v1', context })
    const children = index.children!.map((child) => child.imageDigest)
    await put('app', policy({ selection: olderThan(7, { tagStatus: 'untagged' }), action: expire }))
    clock += 10 * DAY_MS
    // The list is tagged and kept: ECR fails to expire the children it references.
    expect((await digests('app')).sort()).toEqual([index.imageDigest, ...children].sort())
    await put(
      'app',
      policy(
        { selection: olderThan(7, { tagStatus: 'tagged', tagPrefixList: ['v'] }), action: expire },
        { selection: olderThan(7, { tagStatus: 'untagged' }), action: expire },
      ),
    )
    const [run] = await ecr.applyLifecyclePolicies({ ...context, repositoryName: 'app' })
    expect(run?.expired.sort()).toEqual([index.imageDigest, ...children].sort())
    expect(await digests('app', 'ANY')).toEqual([])
  })

  it('expire a referrer once its subject has gone, and archive it with its subject', async () => {
    const subject = await push('app', 'v1')
    const signature = await pushReferrer('app', subject)
    const otherSubject = await push('app', 'v2')
    const otherSignature = await pushReferrer('app', otherSubject)
    await put(
      'app',
      policy(
        { selection: olderThan(1, { tagStatus: 'tagged', tagPrefixList: ['v1'] }), action: expire },
        { selection: olderThan(1, { tagStatus: 'tagged', tagPrefixList: ['v2'] }), action: archive },
      ),
    )
    // After the first daily evaluation (when the images were a day old), before the second.
    clock += 2 * DAY_MS - HOUR_MS
    const [run] = await ecr.applyLifecyclePolicies({ ...context })
    expect(run).toEqual({ repositoryName: 'app', expired: [subject.imageDigest, signature], archived: [otherSubject.imageDigest, otherSignature] })
  })

  it('stop with the policy', async () => {
    await push('app', 'v1')
    await put('app', policy({ selection: olderThan(1), action: expire }))
    await client().send(new DeleteLifecyclePolicyCommand({ repositoryName: 'app' }))
    clock += 10 * DAY_MS
    expect(await digests('app')).toHaveLength(1)
  })
})

describe('ecr.applyLifecyclePolicies()', () => {
  it('evaluates now: sets lastEvaluatedAt and moves the next daily evaluation to a day later', async () => {
    const old = await push('app', 'old')
    clock += 10 * DAY_MS
    await push('app', 'new')
    await ecr.seed.repository('no-policy', {}, context)
    await put('app', policy({ selection: olderThan(7), action: expire }))
    clock += HOUR_MS
    const runs = await ecr.applyLifecyclePolicies(context)
    expect(runs).toEqual([{ repositoryName: 'app', expired: [old.imageDigest], archived: [] }])
    const evaluatedAt = START + 10 * DAY_MS + HOUR_MS
    expect((await client().send(new GetLifecyclePolicyCommand({ repositoryName: 'app' }))).lastEvaluatedAt).toEqual(new Date(evaluatedAt))
    clock += DAY_MS - 1
    await client().send(new ListImagesCommand({ repositoryName: 'app' }))
    expect((await client().send(new GetLifecyclePolicyCommand({ repositoryName: 'app' }))).lastEvaluatedAt).toEqual(new Date(evaluatedAt))
    clock += 1
    expect((await client().send(new GetLifecyclePolicyCommand({ repositoryName: 'app' }))).lastEvaluatedAt).toEqual(new Date(evaluatedAt + DAY_MS))
  })

  it('acts in the registry it is given, and refuses a repository that does not exist', async () => {
    await push('app', 'v1')
    await put('app', policy({ selection: olderThan(1), action: expire }))
    clock += 2 * HOUR_MS
    expect(await ecr.applyLifecyclePolicies()).toEqual([])
    expect(await ecr.applyLifecyclePolicies({ region: 'eu-west-1', repositoryName: 'app' })).toEqual([
      { repositoryName: 'app', expired: [], archived: [] },
    ])
    const error = await ecr.applyLifecyclePolicies({ region: 'eu-west-1', repositoryName: 'missing' }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(EcrError)
    expect((error as EcrError).code).toBe(RepositoryNotFoundException.name)
  })
})

/** Pushes an OCI artifact (a signature) whose subject is `subject`; returns its digest. */
async function pushReferrer(repositoryName: string, subject: { imageDigest: string; imageManifest: string }): Promise<string> {
  const blob = async (text: string, mediaType: string) => {
    const bytes = new TextEncoder().encode(text)
    return { mediaType, digest: await ecr.seed.blob(repositoryName, bytes, context), size: bytes.length }
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    config: await blob('{}', 'application/vnd.oci.empty.v1+json'),
    layers: [await blob(`signature of ${subject.imageDigest}`, 'application/vnd.dev.cosign.simplesigning.v1+json')],
    subject: {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      digest: subject.imageDigest,
      size: new TextEncoder().encode(subject.imageManifest).length,
    },
  })
  const { image } = await client().send(new PutImageCommand({ repositoryName, imageManifest: manifest }))
  return image!.imageId!.imageDigest!
}
