import type { ImageIdentifier, ImageTagMutability } from '@aws-sdk/client-ecr'
import fc from 'fast-check'
import { expect } from 'vitest'
import type { Ecr } from '../../src/index.js'
import { sha256 } from '../fixtures.js'
import {
  blobs,
  EXCLUSION_FILTER,
  IMAGE_TAGS,
  INVALID_LIFECYCLE_POLICY,
  INVALID_REPOSITORY_POLICY,
  LIFECYCLE_POLICIES,
  manifests,
  MISSING_DIGEST,
  REPOSITORY_NAMES,
  REPOSITORY_POLICIES,
  RESERVED_TAG_KEY,
  RESOURCE_TAG_KEYS,
  type PoolManifest,
} from './content.js'
import { checkInvariants, outcomeOf, repositoryArn, verdict } from './invariants.js'
import * as model from './registry-model.js'
import type { Outcome, RegistryModel } from './registry-model.js'

/** The system under test of one run, and what the runs did (printed once at the end). */
export interface RegistryUnderTest {
  ecr: Ecr
  stats: RunStats
}

export interface RunStats {
  runs: number
  commands: number
  /** `Operation → verdict` → how many calls ended so: shows what the random sequences reached. */
  outcomes: Map<string, number>
}

type Command = fc.AsyncCommand<RegistryModel, RegistryUnderTest>

/**
 * One step of a run: calls the engine, holds each answer to the model's prediction (which also
 * advances the model), then checks every invariant. `label` is how a shrunk counterexample
 * prints it.
 */
class RegistryCommand implements Command {
  constructor(
    private readonly label: string,
    private readonly body: (m: RegistryModel, r: RegistryUnderTest) => Promise<void>,
    private readonly applies: (m: Readonly<RegistryModel>) => boolean = () => true,
  ) {}

  check(m: Readonly<RegistryModel>): boolean {
    return this.applies(m)
  }

  async run(m: RegistryModel, r: RegistryUnderTest): Promise<void> {
    r.stats.commands++
    await this.body(m, r)
    await checkInvariants(r.ecr, m)
  }

  toString(): string {
    return this.label
  }
}

/** Holds the engine's outcome to the model's; returns whether the call succeeded. */
function expectOutcome(r: RegistryUnderTest, operation: string, actual: Outcome<unknown>, expected: Outcome<unknown>): boolean {
  const key = `${operation} → ${verdict(actual)}`
  r.stats.outcomes.set(key, (r.stats.outcomes.get(key) ?? 0) + 1)
  expect(verdict(actual), `${operation}: the model expected ${verdict(expected)}`).toBe(verdict(expected))
  return actual.ok
}

const show = (value: unknown) => JSON.stringify(value)
const repositoryName = fc.constantFrom(...REPOSITORY_NAMES)
const imageTag = fc.option(fc.constantFrom(...IMAGE_TAGS), { nil: undefined })
const content = fc.nat({ max: manifests.length - 1 })
const blob = fc.nat({ max: blobs.length - 1 })

const createRepository = fc
  .record({
    name: repositoryName,
    mutability: fc.constantFrom<ImageTagMutability>('MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION'),
    scanOnPush: fc.boolean(),
  })
  .map(
    ({ name, mutability, scanOnPush }) =>
      new RegistryCommand(`CreateRepository(${name}, ${mutability}, scanOnPush=${scanOnPush})`, async (m, r) => {
        const exclusionFilters = mutability.endsWith('_WITH_EXCLUSION') ? [EXCLUSION_FILTER] : []
        const expected = model.createRepository(m, name, { mutability, exclusionFilters, scanOnPush })
        const actual = await outcomeOf(
          r.ecr.call('CreateRepository', {
            repositoryName: name,
            imageTagMutability: mutability,
            ...(exclusionFilters.length > 0 && {
              imageTagMutabilityExclusionFilters: exclusionFilters.map((filter) => ({ filterType: 'WILDCARD' as const, filter })),
            }),
            imageScanningConfiguration: { scanOnPush },
          }),
        )
        if (expectOutcome(r, 'CreateRepository', actual, expected)) expect(actual.ok && actual.output.repository?.repositoryName).toBe(name)
      }),
  )

const deleteRepository = fc.record({ name: repositoryName, force: fc.boolean() }).map(
  ({ name, force }) =>
    new RegistryCommand(`DeleteRepository(${name}, force=${force})`, async (m, r) => {
      const expected = model.deleteRepository(m, name, force)
      const actual = await outcomeOf(r.ecr.call('DeleteRepository', { repositoryName: name, force }))
      expectOutcome(r, 'DeleteRepository', actual, expected)
    }),
)

type UploadMode = 'complete' | 'wrong-digest' | 'abandon' | 'empty' | 'bad-part'

/** Initiate, upload one part, complete: as far as `mode` says, each step held to the model. */
async function uploadBlob(m: RegistryModel, r: RegistryUnderTest, name: string, index: number, mode: UploadMode): Promise<void> {
  const { bytes, digest } = blobs[index]!
  const initiated = await outcomeOf(r.ecr.call('InitiateLayerUpload', { repositoryName: name }))
  const uploadId = initiated.ok ? initiated.output.uploadId! : 'none'
  if (!expectOutcome(r, 'InitiateLayerUpload', initiated, model.initiateUpload(m, name, () => uploadId)) || mode === 'empty') return
  if (!(await uploadPart(m, r, name, uploadId, bytes, mode === 'bad-part' ? 1 : 0)) || mode === 'abandon' || mode === 'bad-part') return
  // A wrong claim names another pool blob: well-formed, just not these bytes.
  const claim = mode === 'wrong-digest' ? blobs[(index + 1) % blobs.length]!.digest : digest
  await completeUpload(m, r, name, uploadId, claim)
}

async function uploadPart(
  m: RegistryModel,
  r: RegistryUnderTest,
  name: string,
  uploadId: string,
  bytes: Uint8Array,
  firstByte: number,
): Promise<boolean> {
  const expected = model.uploadPart(m, name, uploadId, firstByte, bytes)
  const actual = await outcomeOf(
    r.ecr.call('UploadLayerPart', {
      repositoryName: name,
      uploadId,
      partFirstByte: firstByte,
      partLastByte: firstByte + bytes.byteLength - 1,
      layerPartBlob: bytes,
    }),
  )
  return expectOutcome(r, 'UploadLayerPart', actual, expected)
}

async function completeUpload(m: RegistryModel, r: RegistryUnderTest, name: string, uploadId: string, claim: string): Promise<void> {
  const parts = m.repositories.get(name)?.uploads.get(uploadId) ?? []
  const received = sha256(new Uint8Array(parts.flatMap((part) => [...part])))
  const expected = model.completeUpload(m, name, uploadId, claim, received)
  const actual = await outcomeOf(r.ecr.call('CompleteLayerUpload', { repositoryName: name, uploadId, layerDigests: [claim] }))
  if (expectOutcome(r, 'CompleteLayerUpload', actual, expected)) expect(actual.ok && actual.output.layerDigest).toBe(claim)
}

const uploadBlobCommand = fc
  .record({ name: repositoryName, blob, mode: fc.constantFrom<UploadMode>('complete', 'complete', 'wrong-digest', 'abandon', 'empty', 'bad-part') })
  .map(
    ({ name, blob: index, mode }) =>
      new RegistryCommand(`UploadBlob(${name}, ${blobs[index]!.name}, ${mode})`, (m, r) => uploadBlob(m, r, name, index, mode)),
  )

/** The `pick`-th open upload of a repository (commands are generated before the uploads exist). */
function openUpload(m: Readonly<RegistryModel>, name: string, pick: number): string | undefined {
  const ids = [...(m.repositories.get(name)?.uploads.keys() ?? [])]
  return ids.length === 0 ? undefined : ids[pick % ids.length]
}

const uploadPartCommand = fc.record({ name: repositoryName, pick: fc.nat(), blob }).map(
  ({ name, pick, blob: index }) =>
    new RegistryCommand(
      `UploadLayerPart(${name}, open upload #${pick}, ${blobs[index]!.name})`,
      async (m, r) => {
        const uploadId = openUpload(m, name, pick)!
        await uploadPart(m, r, name, uploadId, blobs[index]!.bytes, model.uploadedSize(m.repositories.get(name)!.uploads.get(uploadId)!))
      },
      (m) => openUpload(m, name, pick) !== undefined,
    ),
)

const completeUploadCommand = fc.record({ name: repositoryName, pick: fc.nat(), right: fc.boolean() }).map(
  ({ name, pick, right }) =>
    new RegistryCommand(
      `CompleteLayerUpload(${name}, open upload #${pick}, ${right ? 'its digest' : 'a wrong digest'})`,
      async (m, r) => {
        const uploadId = openUpload(m, name, pick)!
        const parts = m.repositories.get(name)!.uploads.get(uploadId)!
        await completeUpload(m, r, name, uploadId, right ? sha256(new Uint8Array(parts.flatMap((part) => [...part]))) : MISSING_DIGEST)
      },
      (m) => openUpload(m, name, pick) !== undefined,
    ),
)

async function putImage(
  m: RegistryModel,
  r: RegistryUnderTest,
  name: string,
  entry: PoolManifest,
  tag: string | undefined,
  statedDigest?: string,
): Promise<void> {
  const expected = model.putImage(m, name, entry, tag, statedDigest)
  const actual = await outcomeOf(
    r.ecr.call('PutImage', {
      repositoryName: name,
      imageManifest: entry.manifest,
      ...(tag !== undefined && { imageTag: tag }),
      ...(statedDigest !== undefined && { imageDigest: statedDigest }),
    }),
  )
  if (expectOutcome(r, entry.isIndex ? 'PutImage(index)' : 'PutImage', actual, expected)) {
    expect(actual.ok && actual.output.image?.imageId).toEqual({ imageDigest: entry.digest, ...(tag !== undefined && { imageTag: tag }) })
  }
}

/** What `docker push` does: uploads the blobs (or pushes the child images) that are missing, then the manifest. */
async function push(m: RegistryModel, r: RegistryUnderTest, name: string, entry: PoolManifest, tag: string | undefined): Promise<void> {
  const repository = m.repositories.get(name)
  for (const reference of repository === undefined ? [] : entry.references) {
    if (entry.isIndex && !repository!.images.has(reference)) await push(m, r, name, model.poolManifest(reference), undefined)
    if (!entry.isIndex && !repository!.blobs.has(reference)) {
      await uploadBlob(m, r, name, blobs.findIndex((candidate) => candidate.digest === reference), 'complete')
    }
  }
  await putImage(m, r, name, entry, tag)
}

const pushImage = fc.record({ name: repositoryName, content, tag: imageTag }).map(
  ({ name, content: index, tag }) =>
    new RegistryCommand(`Push(${name}, ${manifests[index]!.name}, tag=${tag ?? 'none'})`, (m, r) => push(m, r, name, manifests[index]!, tag)),
)

const putImageCommand = fc
  .record({ name: repositoryName, content, tag: imageTag, stated: fc.constantFrom('none', 'none', 'right', 'wrong') })
  .map(({ name, content: index, tag, stated }) => {
    const entry = manifests[index]!
    const statedDigest = stated === 'right' ? entry.digest : stated === 'wrong' ? MISSING_DIGEST : undefined
    return new RegistryCommand(`PutImage(${name}, ${entry.name}, tag=${tag ?? 'none'}, digest=${stated})`, (m, r) =>
      putImage(m, r, name, entry, tag, statedDigest),
    )
  })

const imageId: fc.Arbitrary<ImageIdentifier> = fc.oneof(
  fc.record({ imageTag: fc.constantFrom(...IMAGE_TAGS) }),
  fc.record({ imageDigest: fc.constantFrom(...manifests.map((entry) => entry.digest), MISSING_DIGEST) }),
  fc.record({ imageDigest: fc.constantFrom(...manifests.map((entry) => entry.digest)), imageTag: fc.constantFrom(...IMAGE_TAGS) }),
)

/** An image id as a counterexample prints it: pool names instead of digests. */
function describeId({ imageDigest, imageTag }: ImageIdentifier): string {
  const digestName = imageDigest === undefined ? undefined : imageDigest === MISSING_DIGEST ? 'missing' : model.poolManifest(imageDigest).name
  return [digestName && `@${digestName}`, imageTag && `:${imageTag}`].filter(Boolean).join('')
}

const batchDeleteImage = fc.record({ name: repositoryName, ids: fc.array(imageId, { minLength: 1, maxLength: 3 }) }).map(
  ({ name, ids }) =>
    new RegistryCommand(`BatchDeleteImage(${name}, [${ids.map(describeId).join(', ')}])`, async (m, r) => {
      const expected = model.batchDeleteImage(m, name, ids)
      const actual = await outcomeOf(r.ecr.call('BatchDeleteImage', { repositoryName: name, imageIds: ids }))
      if (!expectOutcome(r, 'BatchDeleteImage', actual, expected) || !actual.ok || !expected.ok) return
      expect(actual.output.imageIds).toEqual(expected.output.imageIds)
      expect(actual.output.failures?.map(({ imageId: id, failureCode }) => ({ imageId: id, failureCode }))).toEqual(expected.output.failures)
      for (const { failureCode } of expected.output.failures) {
        const key = `BatchDeleteImage failure ${failureCode}`
        r.stats.outcomes.set(key, (r.stats.outcomes.get(key) ?? 0) + 1)
      }
    }),
)

const setRepositoryPolicy = fc.record({ name: repositoryName, policy: fc.nat({ max: REPOSITORY_POLICIES.length }) }).map(
  ({ name, policy }) =>
    new RegistryCommand(`SetRepositoryPolicy(${name}, ${policy === REPOSITORY_POLICIES.length ? 'invalid' : `policy ${policy}`})`, async (m, r) => {
      const text = REPOSITORY_POLICIES[policy] ?? INVALID_REPOSITORY_POLICY
      const expected = model.setRepositoryPolicy(m, name, text, policy < REPOSITORY_POLICIES.length)
      const actual = await outcomeOf(r.ecr.call('SetRepositoryPolicy', { repositoryName: name, policyText: text }))
      expectOutcome(r, 'SetRepositoryPolicy', actual, expected)
    }),
)

const deleteRepositoryPolicy = repositoryName.map(
  (name) =>
    new RegistryCommand(`DeleteRepositoryPolicy(${name})`, async (m, r) => {
      const expected = model.deleteRepositoryPolicy(m, name)
      const actual = await outcomeOf(r.ecr.call('DeleteRepositoryPolicy', { repositoryName: name }))
      if (expectOutcome(r, 'DeleteRepositoryPolicy', actual, expected)) {
        expect(actual.ok && actual.output.policyText).toBe(expected.ok && expected.output)
      }
    }),
)

const putLifecyclePolicy = fc.record({ name: repositoryName, policy: fc.nat({ max: LIFECYCLE_POLICIES.length }) }).map(
  ({ name, policy }) =>
    new RegistryCommand(`PutLifecyclePolicy(${name}, ${policy === LIFECYCLE_POLICIES.length ? 'invalid' : `policy ${policy}`})`, async (m, r) => {
      const text = LIFECYCLE_POLICIES[policy] ?? INVALID_LIFECYCLE_POLICY
      const expected = model.putLifecyclePolicy(m, name, text, policy < LIFECYCLE_POLICIES.length)
      const actual = await outcomeOf(r.ecr.call('PutLifecyclePolicy', { repositoryName: name, lifecyclePolicyText: text }))
      expectOutcome(r, 'PutLifecyclePolicy', actual, expected)
    }),
)

const tagKey = fc.constantFrom(...RESOURCE_TAG_KEYS, ...RESOURCE_TAG_KEYS, RESERVED_TAG_KEY)
const reserved = [RESERVED_TAG_KEY]

const tagResource = fc
  .record({ name: repositoryName, tags: fc.array(fc.record({ key: tagKey, value: fc.constantFrom('a', 'b', '') }), { minLength: 1, maxLength: 2 }) })
  .map(
    ({ name, tags }) =>
      new RegistryCommand(`TagResource(${name}, ${show(tags)})`, async (m, r) => {
        const expected = model.tagResource(m, name, tags, reserved)
        const actual = await outcomeOf(
          r.ecr.call('TagResource', { resourceArn: repositoryArn(r.ecr, name), tags: tags.map(({ key, value }) => ({ Key: key, Value: value })) }),
        )
        expectOutcome(r, 'TagResource', actual, expected)
      }),
  )

const untagResource = fc.record({ name: repositoryName, keys: fc.array(tagKey, { minLength: 1, maxLength: 2 }) }).map(
  ({ name, keys }) =>
    new RegistryCommand(`UntagResource(${name}, ${show(keys)})`, async (m, r) => {
      const expected = model.untagResource(m, name, keys, reserved)
      const actual = await outcomeOf(r.ecr.call('UntagResource', { resourceArn: repositoryArn(r.ecr, name), tagKeys: keys }))
      expectOutcome(r, 'UntagResource', actual, expected)
    }),
)

/**
 * The command mix: pushes and deletes dominate, so that runs build up images, indexes and tags
 * worth deleting; the rest keep repositories, uploads and policies moving underneath them.
 */
export const registryCommands: Array<fc.Arbitrary<Command>> = [
  fc.oneof(
    { arbitrary: createRepository, weight: 3 },
    { arbitrary: deleteRepository, weight: 1 },
    { arbitrary: uploadBlobCommand, weight: 2 },
    { arbitrary: uploadPartCommand, weight: 1 },
    { arbitrary: completeUploadCommand, weight: 1 },
    { arbitrary: pushImage, weight: 6 },
    { arbitrary: putImageCommand, weight: 2 },
    { arbitrary: batchDeleteImage, weight: 4 },
    { arbitrary: setRepositoryPolicy, weight: 1 },
    { arbitrary: deleteRepositoryPolicy, weight: 1 },
    { arbitrary: putLifecyclePolicy, weight: 1 },
    { arbitrary: tagResource, weight: 1 },
    { arbitrary: untagResource, weight: 1 },
  ),
]
