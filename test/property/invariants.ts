import type { ImageDetail, ImageIdentifier } from '@aws-sdk/client-ecr'
import { expect } from 'vitest'
import { EcrError, type Ecr } from '../../src/index.js'
import { sha256 } from '../fixtures.js'
import { blobs, manifests } from './content.js'
import { tagsOf, type Outcome, type RegistryModel, type RepositoryModel } from './registry-model.js'

/** Runs a call and turns an AWS error into an outcome; anything else (a crash) stays thrown. */
export async function outcomeOf<Output>(call: Promise<Output>): Promise<Outcome<Output>> {
  try {
    return { ok: true, output: await call }
  } catch (error) {
    if (error instanceof EcrError) return { ok: false, code: error.code }
    throw error
  }
}

/** `ok` or the error code: what a caller first notices about a call. */
export function verdict(outcome: Outcome<unknown>): string {
  return outcome.ok ? 'ok' : outcome.code
}

/** Walks a paginated listing to its end; an endless walk (a token loop) fails. */
async function walk<Item>(
  page: (nextToken: string | undefined) => Promise<{ items: Item[] | undefined; nextToken?: string | undefined }>,
): Promise<Item[]> {
  const items: Item[] = []
  let token: string | undefined
  for (let pages = 0; pages < 1000; pages++) {
    const result = await page(token)
    items.push(...(result.items ?? []))
    token = result.nextToken
    if (token === undefined) return items
  }
  throw new Error('pagination did not end after 1000 pages')
}

function expectUnique(keys: string[], what: string): void {
  const repeated = keys.filter((key, index) => keys.indexOf(key) !== index)
  expect(repeated, `${what} listed more than once`).toEqual([])
}

const entryKey = ({ imageDigest, imageTag }: ImageIdentifier) => `${imageDigest} ${imageTag ?? '(untagged)'}`

/**
 * Checks the engine against the model through the public operations only (plus the snapshot
 * for upload sessions, which no operation lists): repositories, listings walked with small pages,
 * tag resolution, index children, image sizes, blob availability, policies and resource tags.
 */
export async function checkInvariants(ecr: Ecr, model: RegistryModel): Promise<void> {
  const repositories = await walk(async (nextToken) => {
    const page = await ecr.call('DescribeRepositories', { maxResults: 1, ...(nextToken && { nextToken }) })
    return { items: page.repositories, nextToken: page.nextToken }
  })
  const names = repositories.map((repository) => repository.repositoryName!)
  expectUnique(names, 'repository')
  expect(names.toSorted()).toEqual([...model.repositories.keys()].sort())
  for (const repository of repositories) {
    const expected = model.repositories.get(repository.repositoryName!)!
    expect(repository.imageTagMutability).toBe(expected.mutability)
    expect(repository.imageScanningConfiguration?.scanOnPush).toBe(expected.scanOnPush)
  }

  const snapshot = ecr.snapshot()
  const orphans = snapshot.filter((record) => record.scope.length > 2 && !model.repositories.has(record.scope[2]!))
  expect(orphans.map((record) => `${record.kind} ${record.scope.join('/')} ${record.id}`), 'records of deleted repositories').toEqual([])
  for (const [name, repository] of model.repositories) {
    const uploads = snapshot.filter((record) => record.kind === 'upload' && record.scope[2] === name).map((record) => record.id)
    expect(uploads.sort(), `upload sessions of ${name}`).toEqual([...repository.uploads.keys()].sort())
    await checkRepository(ecr, name, repository)
  }
}

async function checkRepository(ecr: Ecr, repositoryName: string, model: RepositoryModel): Promise<void> {
  // ListImages: one entry per tag, one per untagged image, each exactly once across pages of 2.
  const entries = await walk(async (nextToken) => {
    const page = await ecr.call('ListImages', { repositoryName, maxResults: 2, ...(nextToken && { nextToken }) })
    return { items: page.imageIds, nextToken: page.nextToken }
  })
  const keys = entries.map(entryKey)
  expectUnique(keys, `${repositoryName}: ListImages entry`)
  const expectedKeys = [...model.images.keys()].flatMap((digest) => {
    const tags = tagsOf(model, digest)
    return tags.length === 0 ? [entryKey({ imageDigest: digest })] : tags.map((imageTag) => entryKey({ imageDigest: digest, imageTag }))
  })
  expect(keys.toSorted(), `${repositoryName}: ListImages`).toEqual(expectedKeys.sort())
  // A tag names exactly one image.
  const taggedEntries = entries.filter((entry) => entry.imageTag !== undefined).map((entry) => entry.imageTag!)
  expectUnique(taggedEntries, `${repositoryName}: tag`)

  // DescribeImages: each image once across pages of 2, with its tags, size and scan.
  const details = await walk(async (nextToken) => {
    const page = await ecr.call('DescribeImages', { repositoryName, maxResults: 2, ...(nextToken && { nextToken }) })
    return { items: page.imageDetails, nextToken: page.nextToken }
  })
  const byDigest = new Map<string, ImageDetail>(details.map((detail) => [detail.imageDigest!, detail]))
  expectUnique(details.map((detail) => detail.imageDigest!), `${repositoryName}: DescribeImages image`)
  expect([...byDigest.keys()].sort(), `${repositoryName}: DescribeImages`).toEqual([...model.images.keys()].sort())
  for (const [digest, image] of model.images) {
    const detail = byDigest.get(digest)!
    expect((detail.imageTags ?? []).toSorted(), `${repositoryName}: tags of ${digest}`).toEqual(tagsOf(model, digest))
    expect(detail.imageSizeInBytes, `${repositoryName}: size of ${digest}`).toBe(image.size)
    expect(detail.imageScanStatus?.status, `${repositoryName}: scan of ${digest}`).toBe(image.scanned ? 'COMPLETE' : undefined)
  }

  // Every tag resolves, by tag, to the image the model says.
  if (model.tags.size > 0) {
    const { imageDetails = [] } = await ecr.call('DescribeImages', {
      repositoryName,
      imageIds: [...model.tags.keys()].map((imageTag) => ({ imageTag })),
    })
    for (const [tag, digest] of model.tags) {
      const naming = imageDetails.filter((detail) => detail.imageTags?.includes(tag)).map((detail) => detail.imageDigest)
      expect(naming, `${repositoryName}: images tagged ${tag}`).toEqual([digest])
    }
  }

  // Blobs: available exactly when the model has them, with their sizes.
  const { layers = [], failures: layerFailures } = await ecr.call('BatchCheckLayerAvailability', {
    repositoryName,
    layerDigests: blobs.map((blob) => blob.digest),
  })
  expect(layerFailures).toEqual([])
  const blobSize = new Map(layers.filter((layer) => layer.layerAvailability === 'AVAILABLE').map((layer) => [layer.layerDigest!, layer.layerSize]))
  expect([...blobSize].sort(), `${repositoryName}: available blobs`).toEqual([...model.blobs].sort())

  // Manifests: stored byte for byte under the SHA-256 of their bytes; references resolve; sizes add up.
  if (model.images.size > 0) {
    const { images = [], failures = [] } = await ecr.call('BatchGetImage', {
      repositoryName,
      imageIds: [...model.images.keys()].map((imageDigest) => ({ imageDigest })),
    })
    expect(failures).toEqual([])
    expect(images.map((image) => image.imageId!.imageDigest!).sort()).toEqual([...model.images.keys()].sort())
    for (const image of images) {
      const digest = image.imageId!.imageDigest!
      const text = image.imageManifest!
      expect(sha256(text), 'digest of the stored manifest').toBe(digest)
      expect(text).toBe(manifests.find((entry) => entry.digest === digest)?.manifest)
      const parsed = JSON.parse(text) as {
        config?: { digest: string; size: number }
        layers?: Array<{ digest: string; size: number }>
        manifests?: Array<{ digest: string }>
      }
      const size = byDigest.get(digest)!.imageSizeInBytes
      if (parsed.manifests !== undefined) {
        const children = parsed.manifests.map((child) => byDigest.get(child.digest))
        expect(children.every((child) => child !== undefined), `${repositoryName}: children of index ${digest} exist`).toBe(true)
        expect(size, `${repositoryName}: index ${digest} is as big as its largest child`).toBe(
          Math.max(...children.map((child) => child!.imageSizeInBytes!)),
        )
      } else {
        const descriptors = [parsed.config!, ...parsed.layers!]
        expect(size, `${repositoryName}: ${digest} is config plus layers`).toBe(descriptors.reduce((total, blob) => total + blob.size, 0))
        for (const blob of descriptors) expect(blobSize.get(blob.digest), `${repositoryName}: blob ${blob.digest} of ${digest}`).toBe(blob.size)
      }
    }
  }

  const policy = await outcomeOf(ecr.call('GetRepositoryPolicy', { repositoryName }))
  expect(policy.ok ? policy.output.policyText : policy.code).toBe(model.policy ?? 'RepositoryPolicyNotFoundException')
  const lifecycle = await outcomeOf(ecr.call('GetLifecyclePolicy', { repositoryName }))
  expect(lifecycle.ok ? lifecycle.output.lifecyclePolicyText : lifecycle.code).toBe(model.lifecyclePolicy ?? 'LifecyclePolicyNotFoundException')
  const { tags = [] } = await ecr.call('ListTagsForResource', { resourceArn: repositoryArn(ecr, repositoryName) })
  expect(tags.map((tag) => `${tag.Key}=${tag.Value}`).sort()).toEqual([...model.resourceTags].map(([key, value]) => `${key}=${value}`).sort())
}

export function repositoryArn(ecr: Ecr, repositoryName: string): string {
  return `arn:aws:ecr:${ecr.region}:${ecr.accountId}:repository/${repositoryName}`
}
