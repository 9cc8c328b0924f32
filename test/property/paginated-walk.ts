import type { ImageIdentifier } from '@aws-sdk/client-ecr'
import fc from 'fast-check'
import { expect } from 'vitest'
import { createEcr, type Ecr } from '../../src/index.js'
import { annotatedImage, blobs, IMAGE_TAGS } from './content.js'

/**
 * A paginated walk with the registry changing between its pages: pushes of new images, tag moves,
 * deletes by digest and by tag. ECR's page tokens must survive that (decisions/pagination-tokens.md):
 * whatever stayed in the repository for the whole walk is listed exactly once, nothing is listed
 * twice, and nothing is listed that was never there.
 */

const REPOSITORY = 'walked'

type Change =
  | { kind: 'push'; tag: string | undefined }
  | { kind: 'delete'; pick: number }
  | { kind: 'tag'; pick: number; tag: string }
  | { kind: 'untag'; tag: string }

const tag = fc.constantFrom(...IMAGE_TAGS)
const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), tag: fc.option(tag, { nil: undefined }) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('tag' as const), pick: fc.nat(), tag }),
  fc.record({ kind: fc.constant('untag' as const), tag }),
)

export const walkScenario = fc.record({
  operation: fc.constantFrom('ListImages' as const, 'DescribeImages' as const),
  pageSize: fc.integer({ min: 1, max: 4 }),
  initial: fc.array(fc.option(tag, { nil: undefined }), { minLength: 2, maxLength: 12, size: 'max' }),
  changes: fc.array(change, { minLength: 1, maxLength: 12, size: 'max' }),
})

export type WalkScenario = ReturnType<(typeof walkScenario)['generate']>['value']

const keyOf = ({ imageDigest, imageTag }: ImageIdentifier) => `${imageDigest} ${imageTag ?? '(untagged)'}`

/** The repository's listing items right now (one page of up to 1,000: the whole repository here). */
async function itemsNow(ecr: Ecr, operation: WalkScenario['operation']): Promise<Set<string>> {
  if (operation === 'ListImages') {
    const { imageIds = [] } = await ecr.call('ListImages', { repositoryName: REPOSITORY, maxResults: 1000 })
    return new Set(imageIds.map(keyOf))
  }
  const { imageDetails = [] } = await ecr.call('DescribeImages', { repositoryName: REPOSITORY, maxResults: 1000 })
  return new Set(imageDetails.map((detail) => detail.imageDigest!))
}

/** Runs one walk; returns how many pages it took. */
export async function runWalk({ operation, pageSize, initial, changes }: WalkScenario): Promise<number> {
  const ecr = createEcr({ now: () => Date.UTC(2025, 0, 15, 12) })
  await ecr.call('CreateRepository', { repositoryName: REPOSITORY })
  for (const blob of blobs) await ecr.seed.blob(REPOSITORY, blob.bytes)
  let pushed = 0
  const manifests = new Map<string, string>()
  const push = async (imageTag: string | undefined) => {
    const image = annotatedImage(pushed++)
    manifests.set(image.digest, image.manifest)
    // Pushing a tag the repository already has moves it: MUTABLE, so this never fails.
    await ecr.call('PutImage', { repositoryName: REPOSITORY, imageManifest: image.manifest, ...(imageTag !== undefined && { imageTag }) })
  }
  for (const imageTag of initial) await push(imageTag)

  const apply = async (next: Change) => {
    const { imageIds = [] } = await ecr.call('ListImages', { repositoryName: REPOSITORY, maxResults: 1000 })
    const digests = [...new Set(imageIds.map((id) => id.imageDigest!))]
    const picked = 'pick' in next && digests.length > 0 ? digests[next.pick % digests.length] : undefined
    switch (next.kind) {
      case 'push':
        return push(next.tag)
      case 'delete':
        if (picked !== undefined) await ecr.call('BatchDeleteImage', { repositoryName: REPOSITORY, imageIds: [{ imageDigest: picked }] })
        return
      case 'tag':
        if (picked === undefined || imageIds.some((id) => id.imageDigest === picked && id.imageTag === next.tag)) return
        await ecr.call('PutImage', { repositoryName: REPOSITORY, imageManifest: manifests.get(picked)!, imageTag: next.tag })
        return
      case 'untag':
        await ecr.call('BatchDeleteImage', { repositoryName: REPOSITORY, imageIds: [{ imageTag: next.tag }] })
    }
  }

  const states = [await itemsNow(ecr, operation)]
  const listed: string[] = []
  let nextToken: string | undefined
  let pages = 0
  do {
    if (pages > 200) throw new Error('the walk did not end after 200 pages')
    const input = { repositoryName: REPOSITORY, maxResults: pageSize, ...(nextToken !== undefined && { nextToken }) }
    if (operation === 'ListImages') {
      const page = await ecr.call('ListImages', input)
      listed.push(...(page.imageIds ?? []).map(keyOf))
      nextToken = page.nextToken
    } else {
      const page = await ecr.call('DescribeImages', input)
      listed.push(...(page.imageDetails ?? []).map((detail) => detail.imageDigest!))
      nextToken = page.nextToken
    }
    const next = changes[pages++]
    if (next !== undefined && nextToken !== undefined) {
      await apply(next)
      states.push(await itemsNow(ecr, operation))
    }
  } while (nextToken !== undefined)

  const stayed = [...states[0]!].filter((item) => states.every((state) => state.has(item)))
  const everThere = new Set(states.flatMap((state) => [...state]))
  expect(listed.filter((item, index) => listed.indexOf(item) !== index), 'listed twice').toEqual([])
  expect(stayed.filter((item) => !listed.includes(item)), 'stayed for the whole walk but not listed').toEqual([])
  expect(listed.filter((item) => !everThere.has(item)), 'listed but never there').toEqual([])
  return pages
}
