import {
  GetLifecyclePolicyPreviewCommand,
  InvalidParameterException,
  LifecyclePolicyNotFoundException,
  LifecyclePolicyPreviewInProgressException,
  LifecyclePolicyPreviewNotFoundException,
  ListImagesCommand,
  PutLifecyclePolicyCommand,
  RepositoryNotFoundException,
  StartLifecyclePolicyPreviewCommand,
  UpdateImageStorageClassCommand,
  paginateGetLifecyclePolicyPreview,
  waitUntilLifecyclePolicyPreviewComplete,
  type LifecyclePolicyPreviewResult,
} from '@aws-sdk/client-ecr'
import { beforeEach, describe, expect, it } from 'vitest'
import { createEcr } from '../../src/index.js'
import { rejection } from '../fixtures.js'
import { useFakeEcr } from './harness.js'

const MINUTE_MS = 60 * 1000
const DAY_MS = 24 * 60 * MINUTE_MS
const START = Date.UTC(2030, 2, 1, 10, 30)
const ACCOUNT = '123456789012'
let clock = START

const { ecr, client } = useFakeEcr({ now: () => clock, lifecyclePreviewDurationMs: MINUTE_MS })
const context = { region: 'eu-west-1' }

beforeEach(() => {
  clock = START
})

/** A rule list as a policy text (pretty-printed, as a user's policy.json is). */
const policy = (...rules: object[]) => JSON.stringify({ rules: rules.map((rule, index) => ({ rulePriority: index + 1, ...rule })) }, null, 4)
const keepNewest = (countNumber: number, selection: object = { tagStatus: 'any' }) => ({
  selection: { ...selection, countType: 'imageCountMoreThan', countNumber },
  action: { type: 'expire' },
})

/** Pushes one image per entry, a day apart (oldest first); returns their digests. */
async function pushDaily(repositoryName: string, tags: Array<string | undefined>): Promise<string[]> {
  const digests: string[] = []
  for (const tag of tags) {
    const { imageDigest } = await ecr.seed.image(repositoryName, { ...(tag !== undefined && { tag }), layers: [16], context })
    digests.push(imageDigest)
    clock += DAY_MS
  }
  return digests
}

/** Starts a preview and lets the engine's clock pass until it completes. */
async function preview(repositoryName: string, lifecyclePolicyText?: string) {
  await client().send(new StartLifecyclePolicyPreviewCommand({ repositoryName, lifecyclePolicyText }))
  clock += MINUTE_MS
  return client().send(new GetLifecyclePolicyPreviewCommand({ repositoryName }))
}

const brief = (results: LifecyclePolicyPreviewResult[] | undefined) =>
  (results ?? []).map(({ imageDigest, imageTags, appliedRulePriority, action }) => ({ imageDigest, imageTags, appliedRulePriority, action }))

describe('StartLifecyclePolicyPreview and GetLifecyclePolicyPreview', () => {
  it('runs IN_PROGRESS for its duration by the engine clock, then reports what the policy would expire and changes nothing', async () => {
    const [oldest, older] = await pushDaily('app', ['v1', undefined, 'v3'])
    const text = policy(keepNewest(1))
    const started = await client().send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'app', lifecyclePolicyText: text }))
    // The text as sent, as the AWS CLI's example shows.
    expect({ ...started, $metadata: undefined }).toEqual({
      $metadata: undefined,
      registryId: ACCOUNT,
      repositoryName: 'app',
      lifecyclePolicyText: text,
      status: 'IN_PROGRESS',
    })
    const running = await client().send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'app' }))
    expect(running.status).toBe('IN_PROGRESS')
    expect(running.previewResults).toEqual([])
    expect(running.summary).toBeUndefined()

    clock += MINUTE_MS
    const done = await client().send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'app' }))
    expect(done.status).toBe('COMPLETE')
    expect(done.lifecyclePolicyText).toBe(text)
    expect(done.previewResults).toEqual([
      {
        imageTags: ['v1'],
        imageDigest: oldest,
        imagePushedAt: new Date(START),
        action: { type: 'EXPIRE' },
        appliedRulePriority: 1,
        storageClass: 'STANDARD',
      },
      { imageDigest: older, imagePushedAt: new Date(START + DAY_MS), action: { type: 'EXPIRE' }, appliedRulePriority: 1, storageClass: 'STANDARD' },
    ])
    expect(done.summary).toEqual({ expiringImageTotalCount: 2 })
    const { imageIds } = await client().send(new ListImagesCommand({ repositoryName: 'app' }))
    expect(imageIds).toHaveLength(3)
  })

  it('works out the results when it completes, from the images there are then', async () => {
    await pushDaily('app', ['v1', 'v2'])
    await client().send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'app', lifecyclePolicyText: policy(keepNewest(1)) }))
    await pushDaily('app', ['v3'])
    clock += MINUTE_MS
    const { previewResults } = await client().send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'app' }))
    expect(previewResults?.map((result) => result.imageTags)).toEqual([['v1'], ['v2']])
  })

  it('refuses a second preview while one is in progress, and takes one once it is done', async () => {
    await ecr.seed.repository('app', {}, context)
    const text = policy(keepNewest(1))
    await client().send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'app', lifecyclePolicyText: text }))
    const error = await rejection(client().send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'app', lifecyclePolicyText: text })))
    expect(error).toBeInstanceOf(LifecyclePolicyPreviewInProgressException)
    expect(error.message).toBe(
      `The previous lifecycle policy preview request for the repository with name 'app' in the registry with id '${ACCOUNT}' has not completed. Wait and try again.`,
    )
    clock += MINUTE_MS
    const again = await client().send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'app', lifecyclePolicyText: text }))
    expect(again.status).toBe('IN_PROGRESS')
  })

  it('is awaited with the SDK waiter', async () => {
    await pushDaily('app', ['v1', 'v2'])
    await client().send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'app', lifecyclePolicyText: policy(keepNewest(1)) }))
    clock += MINUTE_MS
    const waited = await waitUntilLifecyclePolicyPreviewComplete({ client: client(), maxWaitTime: 10 }, { repositoryName: 'app' })
    expect(waited.state).toBe('SUCCESS')
  })

  it('previews the stored policy when given no text, and needs one or the other', async () => {
    await pushDaily('app', ['v1', 'v2'])
    const missing = await rejection(client().send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'app' })))
    expect(missing).toBeInstanceOf(LifecyclePolicyNotFoundException)
    expect(missing.message).toBe(`Lifecycle policy does not exist for the repository with name 'app' in the registry with id '${ACCOUNT}'`)

    const { lifecyclePolicyText: stored } = await client().send(
      new PutLifecyclePolicyCommand({ repositoryName: 'app', lifecyclePolicyText: policy(keepNewest(1)) }),
    )
    const done = await preview('app')
    expect(done.lifecyclePolicyText).toBe(stored)
    expect(done.previewResults?.map((result) => result.imageTags)).toEqual([['v1']])
  })

  it('checks the text as PutLifecyclePolicy does, and a refused start leaves no preview', async () => {
    await ecr.seed.repository('app', {}, context)
    const before = ecr.snapshot()
    const error = await rejection(
      client().send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'app', lifecyclePolicyText: policy({ ...keepNewest(1), action: { type: 'keep' } }) })),
    )
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe(
      `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: instance value (keep) not found in enum :(possible values: ["expire","transition"])\n'`,
    )
    expect(ecr.snapshot()).toEqual(before)
    const none = await rejection(client().send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'app' })))
    expect(none).toBeInstanceOf(LifecyclePolicyPreviewNotFoundException)
    expect(none.message).toBe(`Lifecycle policy preview does not exist for the repository with name 'app' in the registry with id '${ACCOUNT}'`)
  })

  it('answers RepositoryNotFoundException for a repository that does not exist', async () => {
    for (const command of [
      new StartLifecyclePolicyPreviewCommand({ repositoryName: 'missing', lifecyclePolicyText: policy(keepNewest(1)) }),
      new GetLifecyclePolicyPreviewCommand({ repositoryName: 'missing' }),
    ]) {
      const error = await rejection(client().send(command as GetLifecyclePolicyPreviewCommand))
      expect(error).toBeInstanceOf(RepositoryNotFoundException)
    }
  })
})

describe('GetLifecyclePolicyPreview: what the results say', () => {
  it('names the rule that applies to each image, its action and the image’s storage class, and counts transitions apart', async () => {
    const [archived, oldUntagged, , oldTagged] = await pushDaily('app', [undefined, undefined, undefined, 'release-1', 'release-2'])
    await client().send(
      new UpdateImageStorageClassCommand({ repositoryName: 'app', imageId: { imageDigest: archived }, targetStorageClass: 'ARCHIVE' }),
    )
    clock += 100 * DAY_MS
    const text = policy(
      { selection: { tagStatus: 'tagged', tagPatternList: ['release-*'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'transition', targetStorageClass: 'archive' } },
      keepNewest(1, { tagStatus: 'untagged' }),
      {
        selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 },
        action: { type: 'expire' },
      },
    )
    const done = await preview('app', text)
    expect(brief(done.previewResults)).toEqual([
      { imageDigest: oldTagged, imageTags: ['release-1'], appliedRulePriority: 1, action: { type: 'TRANSITION', targetStorageClass: 'ARCHIVE' } },
      { imageDigest: oldUntagged, imageTags: undefined, appliedRulePriority: 2, action: { type: 'EXPIRE' } },
      { imageDigest: archived, imageTags: undefined, appliedRulePriority: 3, action: { type: 'EXPIRE' } },
    ])
    expect(done.previewResults?.map((result) => result.storageClass)).toEqual(['STANDARD', 'STANDARD', 'ARCHIVE'])
    expect(done.summary).toEqual({
      expiringImageTotalCount: 2,
      transitioningImageTotalCounts: [{ targetStorageClass: 'ARCHIVE', imageTotalCount: 1 }],
    })
  })

  it('filters by tag status and by image ids; the summary is the whole preview’s', async () => {
    const [v1, untagged] = await pushDaily('app', ['v1', undefined, 'v3', undefined])
    await preview('app', policy(keepNewest(1)))
    const get = (input: Omit<ConstructorParameters<typeof GetLifecyclePolicyPreviewCommand>[0], 'repositoryName'>) =>
      client().send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'app', ...input }))

    const tagged = await get({ filter: { tagStatus: 'TAGGED' } })
    expect(tagged.previewResults?.map((result) => result.imageTags)).toEqual([['v1'], ['v3']])
    expect(tagged.summary).toEqual({ expiringImageTotalCount: 3 })
    const notTagged = await get({ filter: { tagStatus: 'UNTAGGED' } })
    expect(notTagged.previewResults?.map((result) => result.imageDigest)).toEqual([untagged])

    const byIds = await get({ imageIds: [{ imageTag: 'v3' }, { imageDigest: v1 }, { imageDigest: untagged, imageTag: 'v1' }] })
    expect(byIds.previewResults?.map((result) => result.imageTags)).toEqual([['v1'], ['v3']])

    const error = await rejection(get({ imageIds: [{ imageDigest: v1 }], maxResults: 5 }))
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe(
      "Invalid parameter at 'maxResults' failed to satisfy constraint: 'maxResults and nextToken cannot be used when you specify imageIds'",
    )
  })

  it('pages with the SDK paginator, and a token dies with the preview it came from', async () => {
    await pushDaily('app', Array.from({ length: 31 }, (_, index) => `v${index}`))
    await preview('app', policy(keepNewest(1)))
    const pages: number[] = []
    const tags: string[] = []
    for await (const page of paginateGetLifecyclePolicyPreview({ client: client(), pageSize: 7 }, { repositoryName: 'app' })) {
      pages.push(page.previewResults!.length)
      tags.push(...page.previewResults!.map((result) => result.imageTags![0]!))
    }
    expect(pages).toEqual([7, 7, 7, 7, 2])
    expect(tags).toEqual(Array.from({ length: 30 }, (_, index) => `v${index}`))

    const { nextToken } = await client().send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'app', maxResults: 7 }))
    await preview('app', policy(keepNewest(2)))
    const error = await rejection(client().send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'app', nextToken })))
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'")
  })

  it('lists an image a manifest list references, as ECR’s evaluator marks it (only the expiry fails)', async () => {
    const index = await ecr.seed.multiPlatformImage('app', { tag: 'latest', context })
    clock += 10 * DAY_MS
    const done = await preview(
      'app',
      policy({ selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } }),
    )
    expect(done.previewResults?.map((result) => result.imageDigest).sort()).toEqual(index.children!.map((child) => child.imageDigest).sort())
  })
})

describe('lifecycle policy previews without a duration', () => {
  it('complete for the next call (the default)', async () => {
    const engine = createEcr({ now: () => START })
    await engine.seed.image('app', { tag: 'v1', layers: [16] })
    await engine.seed.image('app', { tag: 'v2', layers: [16] })
    const started = await engine.call('StartLifecyclePolicyPreview', { repositoryName: 'app', lifecyclePolicyText: policy(keepNewest(1)) })
    expect(started.status).toBe('IN_PROGRESS')
    const done = await engine.call('GetLifecyclePolicyPreview', { repositoryName: 'app' })
    expect(done.status).toBe('COMPLETE')
    expect(done.previewResults?.map((result) => result.imageTags)).toEqual([['v1']])
  })
})
