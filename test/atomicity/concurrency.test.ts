import {
  BatchDeleteImageCommand,
  ECRClient,
  ECRServiceException,
  ListImagesCommand,
  PutImageCommand,
  type BatchDeleteImageCommandOutput,
  type ImageIdentifier,
} from '@aws-sdk/client-ecr'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ecrHandlers } from '../../handlers/index.js'
import { createEcr, type StoredRecord } from '../../src/index.js'
import { annotatedImage, blobs, images, indexes, type PoolManifest } from '../property/content.js'
import { batchDeleteImage, emptyRegistry, emptyRepository, putImage, type Outcome, type RegistryModel } from '../property/registry-model.js'

/**
 * 200 concurrent SDK requests through MSW on one repository: tag moves among a few tags, new
 * images, an index over two images, and deletes by tag and by digest. Afterwards the engine's
 * commit order (its `change` events) is replayed, request by request, against the reference
 * model: every committed change must be exactly one request applied whole, every answer must be
 * what the model answers at that point, and the final state must be the model's.
 */

const REQUESTS = 200
/** The request mix's seed; set `FAKE_ECR_CONCURRENCY_SEED` to try other mixes. */
const SEED = Number(process.env['FAKE_ECR_CONCURRENCY_SEED'] ?? 4)
const REPOSITORY = 'busy'
const MOVING_TAGS = ['latest', 'stable', 'canary', 'edge']
// Jitter: each request waits 0–41 ms (four latency faults that each hit 40% of calls), so
// requests reach the engine in an order other than the one they were sent in.
const ecr = createEcr({ now: () => Date.UTC(2025, 0, 15, 12), random: random(SEED + 1) })
for (const latencyMs of [2, 5, 11, 23]) ecr.faults.add({ latencyMs, probability: 0.4 })
const server = setupServer(...ecrHandlers(ecr))
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

/** mulberry32: the same request mix on every run. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Request =
  | { kind: 'put'; content: PoolManifest; tag?: string }
  | { kind: 'delete'; ids: ImageIdentifier[] }

function requestMix(): Request[] {
  const next = random(SEED)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!
  const newImages: PoolManifest[] = []
  const known = () => [...images, ...newImages.slice(-8)]
  const requests: Request[] = []
  for (let i = 0; i < REQUESTS; i++) {
    const roll = next()
    if (roll < 0.35) requests.push({ kind: 'put', content: pick(known()), tag: pick(MOVING_TAGS) })
    else if (roll < 0.6) {
      const content = annotatedImage(i)
      newImages.push(content)
      requests.push({ kind: 'put', content, ...(next() < 0.5 && { tag: `build-${i}` }) })
    } else if (roll < 0.65) requests.push({ kind: 'put', content: indexes[0]!, tag: 'multi' })
    else {
      const id = (): ImageIdentifier => (next() < 0.5 ? { imageTag: pick([...MOVING_TAGS, 'multi']) } : { imageDigest: pick(known()).digest })
      requests.push({ kind: 'delete', ids: next() < 0.7 ? [id()] : [id(), id()] })
    }
  }
  return requests
}

/** What the model does with a request (advancing it), in the shape the SDK answers. */
function apply(model: RegistryModel, request: Request): Outcome<unknown> {
  if (request.kind === 'put') {
    const outcome = putImage(model, REPOSITORY, request.content, request.tag)
    return outcome.ok ? { ok: true, output: { imageDigest: request.content.digest, imageTag: request.tag } } : outcome
  }
  return batchDeleteImage(model, REPOSITORY, request.ids)
}

/** The model's tags and images as `kind:id=value` facts, to compare with the engine's change records. */
function facts(model: RegistryModel): Map<string, string> {
  const repository = model.repositories.get(REPOSITORY)!
  return new Map([
    ...[...repository.tags].map(([tag, digest]): [string, string] => [`tag:${tag}`, digest]),
    ...[...repository.images.keys()].map((digest): [string, string] => [`image:${digest}`, 'present']),
  ])
}

function changedFacts(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()])
  return [...keys].filter((key) => before.get(key) !== after.get(key)).map((key) => `${key}=${after.get(key) ?? 'deleted'}`).sort()
}

/** The tag and image records of a commit as facts (blob bookkeeping, which the model leaves out, aside). */
function recordFacts(records: readonly StoredRecord[]): string[] {
  return records
    .filter((record) => record.kind === 'tag' || record.kind === 'image')
    .map((record) => {
      const value = record.kind === 'tag' ? (record.value as { digest: string } | undefined)?.digest : record.value && 'present'
      return `${record.kind}:${record.id}=${value ?? 'deleted'}`
    })
    .sort()
}

interface Answer {
  request: Request
  outcome: Outcome<unknown>
  /** How many changes the engine had committed when the answer arrived: the request ran before. */
  committedBefore: number
}

it('200 concurrent requests end in the state a sequential replay of the commit order gives', async () => {
  await ecr.call('CreateRepository', { repositoryName: REPOSITORY })
  const model = emptyRegistry()
  model.repositories.set(REPOSITORY, emptyRepository({ mutability: 'MUTABLE', exclusionFilters: [], scanOnPush: false }))
  for (const blob of blobs) {
    await ecr.seed.blob(REPOSITORY, blob.bytes)
    model.repositories.get(REPOSITORY)!.blobs.set(blob.digest, blob.bytes.byteLength)
  }
  for (const [content, tag] of [[images[0]!, 'latest'], [images[1]!, 'stable']] as const) {
    await ecr.call('PutImage', { repositoryName: REPOSITORY, imageManifest: content.manifest, imageTag: tag })
    putImage(model, REPOSITORY, content, tag)
  }

  const committed: string[][] = []
  const stop = ecr.on('change', ({ records }) => committed.push(recordFacts(records)))
  const client = new ECRClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  const requests = requestMix()
  const started = performance.now()
  const answers: Answer[] = await Promise.all(
    requests.map(async (request): Promise<Answer> => {
      const sent =
        request.kind === 'put'
          ? client
              .send(
                new PutImageCommand({
                  repositoryName: REPOSITORY,
                  imageManifest: request.content.manifest,
                  ...(request.tag !== undefined && { imageTag: request.tag }),
                }),
              )
              .then(({ image }) => ({ imageDigest: image?.imageId?.imageDigest, imageTag: image?.imageId?.imageTag }))
          : client
              .send(new BatchDeleteImageCommand({ repositoryName: REPOSITORY, imageIds: request.ids }))
              .then(({ imageIds, failures }: BatchDeleteImageCommandOutput) => ({
                imageIds,
                failures: failures?.map(({ imageId, failureCode }) => ({ imageId, failureCode })),
              }))
      const [settled] = await Promise.allSettled([sent])
      const outcome: Outcome<unknown> =
        settled.status === 'fulfilled'
          ? { ok: true, output: settled.value }
          : { ok: false, code: settled.reason instanceof ECRServiceException ? settled.reason.name : String(settled.reason) }
      return { request, outcome, committedBefore: committed.length }
    }),
  )
  const elapsed = performance.now() - started
  stop()

  const counts = new Map<string, number>()
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1)
  for (const { request, outcome } of answers) {
    if (request.kind === 'put') {
      const movingTag = request.tag !== undefined && MOVING_TAGS.includes(request.tag)
      count(`PutImage ${outcome.ok ? (movingTag ? 'ok (moving tag)' : 'ok') : outcome.code}`)
    } else if (!outcome.ok) count(`BatchDeleteImage ${outcome.code}`)
    else {
      const { imageIds = [], failures = [] } = outcome.output as { imageIds?: unknown[]; failures?: Array<{ failureCode: string }> }
      count(`BatchDeleteImage ok, ${imageIds.length > 0 ? 'deleted something' : 'deleted nothing'}`)
      for (const { failureCode } of failures) count(`BatchDeleteImage per-id failure ${failureCode}`)
    }
  }
  // Only the failures a sequential client could get too.
  const codes = new Set(answers.flatMap(({ outcome }) => (outcome.ok ? [] : [outcome.code])))
  expect([...codes].filter((code) => !['ImageAlreadyExistsException', 'ReferencedImagesNotFoundException'].includes(code))).toEqual([])

  // Replay: each commit is one request that changed state, applied whole where the engine applied it.
  const states: RegistryModel[] = [structuredClone(model)]
  // Earliest answers first: of two identical requests, the one answered first committed first.
  const changing = answers.filter(({ outcome }) => outcome.ok).sort((a, b) => a.committedBefore - b.committedBefore)
  const replayed = replay(committed, changing, states[0]!)
  expect('unexplained' in replayed ? replayed.unexplained : 'every commit explained').toBe('every commit explained')
  const { order } = replayed as { order: Answer[] }
  // Commits that went ahead of a request sent before them (which committed later).
  const sent = order.map((answer) => answers.indexOf(answer))
  const reordered = sent.filter((position, index) => sent.slice(index + 1).some((later) => later < position)).length
  for (const [index, answer] of order.entries()) {
    const state = structuredClone(states[index]!)
    apply(state, answer.request)
    states.push(state)
  }
  // Requests that changed nothing (refused, or deleting only what was gone) got the answer the
  // model gives in some state the registry was in while they were in flight.
  const matched = new Set(order)
  for (const answer of answers.filter((candidate) => !matched.has(candidate))) {
    const explained = states.slice(0, answer.committedBefore + 1).some((state) => {
      const copy = structuredClone(state)
      const before = facts(copy)
      const outcome = apply(copy, answer.request)
      return changedFacts(before, facts(copy)).length === 0 && canonical(outcome) === canonical(answer.outcome)
    })
    expect(explained, `${JSON.stringify(answer.request)} answered ${JSON.stringify(answer.outcome)}`).toBe(true)
  }

  console.log(
    `concurrency: seed ${SEED}, ${REQUESTS} concurrent SDK requests through MSW in ${elapsed.toFixed(0)} ms, ` +
      `${committed.length} commits (the first answer arrived after commit ${Math.min(...answers.map((answer) => answer.committedBefore))}), ` +
      `${reordered} of them ahead of a request sent earlier:\n` +
      [...counts].sort().map(([key, count]) => `  ${key}: ${count}`).join('\n'),
  )
  // The final state, through the API: every entry once, every tag on one image, as the replay ends.
  const final = states.at(-1)!.repositories.get(REPOSITORY)!
  const entries: ImageIdentifier[] = []
  let nextToken: string | undefined
  do {
    const page = await client.send(new ListImagesCommand({ repositoryName: REPOSITORY, maxResults: 7, nextToken }))
    entries.push(...(page.imageIds ?? []))
    nextToken = page.nextToken
  } while (nextToken !== undefined)
  const keys = entries.map(({ imageDigest, imageTag }) => `${imageDigest} ${imageTag ?? '-'}`)
  expect(new Set(keys).size, 'entries listed once').toBe(keys.length)
  const tags = entries.flatMap(({ imageTag }) => (imageTag === undefined ? [] : [imageTag]))
  expect(new Set(tags).size, 'a tag names one image').toBe(tags.length)
  expect(new Map(entries.filter((entry) => entry.imageTag !== undefined).map((entry) => [entry.imageTag!, entry.imageDigest!]))).toEqual(final.tags)
  expect(new Set(entries.map((entry) => entry.imageDigest))).toEqual(new Set(final.images.keys()))
  // The mix must have moved tags and deleted images, or it proves little.
  expect(counts.get('PutImage ok (moving tag)') ?? 0).toBeGreaterThan(REQUESTS / 5)
  expect(counts.get('BatchDeleteImage ok, deleted something') ?? 0).toBeGreaterThan(REQUESTS / 10)
})

/** A cheap first filter: a commit can only be a request whose answer names what the commit changed. */
function plausible({ request, outcome }: Answer, commit: readonly string[]): boolean {
  if (request.kind === 'put') {
    return commit.includes(`image:${request.content.digest}=present`) || commit.includes(`tag:${request.tag}=${request.content.digest}`)
  }
  const { imageIds = [] } = (outcome as { output: { imageIds?: ImageIdentifier[] } }).output
  return (
    imageIds.length > 0 &&
    imageIds.every(({ imageDigest, imageTag }) =>
      commit.includes(imageTag === undefined ? `image:${imageDigest}=deleted` : `tag:${imageTag}=deleted`),
    )
  )
}

/** JSON with sorted keys (and no undefined members): answers compared by content, not key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    member !== null && typeof member === 'object' && !Array.isArray(member)
      ? Object.fromEntries(Object.entries(member).sort(([a], [b]) => a.localeCompare(b)))
      : member,
  )
}

/**
 * Finds which request each commit was (backtracking when two requests explain the same commit
 * differently): the request, applied to the model where the commit happened, must change exactly
 * the commit's records and answer what the engine answered. Without such an order, says which
 * commit no request explains.
 */
function replay(committed: readonly string[][], answers: readonly Answer[], start: RegistryModel): { order: Answer[] } | { unexplained: string } {
  const used = new Set<Answer>()
  const order: Answer[] = []
  let deepest = 0
  const step = (index: number, model: RegistryModel): boolean => {
    deepest = Math.max(deepest, index)
    if (index === committed.length) return true
    const tried = new Set<string>()
    for (const answer of answers) {
      // Identical requests with identical answers are interchangeable: try one of them.
      const key = canonical([answer.request, answer.outcome])
      // A request whose answer arrived after `n` commits was one of the first `n`.
      if (used.has(answer) || answer.committedBefore <= index || tried.has(key) || !plausible(answer, committed[index]!)) continue
      tried.add(key)
      const next = structuredClone(model)
      const before = facts(next)
      const outcome = apply(next, answer.request)
      if (canonical(outcome) !== canonical(answer.outcome)) continue
      if (JSON.stringify(changedFacts(before, facts(next))) !== JSON.stringify(committed[index])) continue
      used.add(answer)
      order.push(answer)
      if (step(index + 1, next)) return true
      used.delete(answer)
      order.pop()
    }
    return false
  }
  return step(0, start) ? { order } : { unexplained: `commit #${deepest} of ${committed.length}: ${JSON.stringify(committed[deepest])}` }
}
