import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr'
import { setupServer } from 'msw/node'
import { afterAll, bench, describe } from 'vitest'
import { ecrHandlers } from '../handlers/index.js'
import { createEcr } from '../src/index.js'
import { benchManifest, credentials } from './fixtures.js'

/**
 * DESIGN rule 7: a page of 100 costs the same in a repository of 1,000 images as in one of
 * 100,000. Each repository is seeded once (not timed); every measured call returns 100 items.
 * Pages of 1,000 (the most ECR gives) too, where a page's own cost dominates: the engine alone
 * should give ≥ 2,000 of them a second (issue 11). At 1,000 images only the first page holds
 * 1,000, so the middle page of 1,000 is measured in the big repository only.
 */
const PAGE = 100
const BIG_PAGE = 1000
const SIZES = [1_000, 100_000] as const
const OPERATIONS = ['DescribeImages', 'ListImages'] as const
type Listing = (typeof OPERATIONS)[number]
type From = 'first' | 'middle'

const ecr = createEcr({ verifyReferences: false })

const server = setupServer(...ecrHandlers(ecr))
server.listen({ onUnhandledRequest: 'error' })
afterAll(() => server.close())
const client = new ECRClient({ region: ecr.region, credentials, maxAttempts: 1 })

interface Seeded {
  repositoryName: string
  /** Tokens that resume each listing half-way through the repository. */
  middle: Record<Listing, string>
}

async function seed(images: number): Promise<Seeded> {
  const repositoryName = `images-${images}`
  await ecr.seed.repository(repositoryName)
  const started = performance.now()
  for (let i = 0; i < images; i++) {
    // Half the images are tagged, so listings mix tagged and untagged entries.
    await ecr.call('PutImage', {
      repositoryName,
      imageManifest: benchManifest(i),
      ...(i % 2 === 0 && { imageTag: `t${i}` }),
    })
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(`seeded ${repositoryName}: ${images.toLocaleString('en')} images in ${seconds} s (not timed)`)
  return {
    repositoryName,
    middle: {
      DescribeImages: await tokenHalfWay(repositoryName, images, 'DescribeImages'),
      ListImages: await tokenHalfWay(repositoryName, images, 'ListImages'),
    },
  }
}

/** Walks a listing with the largest pages allowed until half the repository is behind it. */
async function tokenHalfWay(repositoryName: string, images: number, operation: Listing): Promise<string> {
  const step = Math.min(1000, images / 2)
  let nextToken: string | undefined
  for (let seen = 0; seen < images / 2; seen += step) {
    ;({ nextToken } = await ecr.call(operation, { repositoryName, maxResults: step, ...(nextToken && { nextToken }) }))
  }
  if (nextToken === undefined) throw new Error(`${operation} ended before the middle of ${repositoryName}`)
  return nextToken
}

const repositories = new Map<number, Seeded>()
for (const size of SIZES) repositories.set(size, await seed(size))

/** One page of a listing (of `maxResults` items, 100 by default), read through the engine; returns how many items it held. */
function page(operation: Listing, size: number, from: From, maxResults?: number): () => Promise<number | undefined> {
  const { repositoryName, middle } = repositories.get(size)!
  const input = { repositoryName, ...(maxResults !== undefined && { maxResults }), ...(from === 'middle' && { nextToken: middle[operation] }) }
  return operation === 'DescribeImages'
    ? async () => (await ecr.call('DescribeImages', input)).imageDetails?.length
    : async () => (await ecr.call('ListImages', input)).imageIds?.length
}

/** The middle DescribeImages page again, as an SDK user gets it. */
function sdkPage(size: number): () => Promise<number | undefined> {
  const { repositoryName, middle } = repositories.get(size)!
  const command = new DescribeImagesCommand({ repositoryName, nextToken: middle.DescribeImages })
  return async () => (await client.send(command)).imageDetails?.length
}

// A bench of short pages would prove nothing: check every measured call once.
for (const size of SIZES) {
  const calls = [...OPERATIONS.flatMap((operation) => [page(operation, size, 'first'), page(operation, size, 'middle')]), sdkPage(size)]
  for (const call of calls) {
    const items = await call()
    if (items !== PAGE) throw new Error(`Expected a page of ${PAGE} in ${size} images, got ${items}`)
  }
}

/** The pages of 1,000 measured: the first in each repository, the middle one in the big one. */
const bigPages = SIZES.flatMap((size) => (['first', 'middle'] as const).filter((from) => from === 'first' || size >= 2 * BIG_PAGE).map((from) => ({ size, from })))
for (const operation of OPERATIONS) {
  for (const { size, from } of bigPages) {
    const items = await page(operation, size, from, BIG_PAGE)()
    if (items !== BIG_PAGE) throw new Error(`Expected a page of ${BIG_PAGE} in ${size} images, got ${items}`)
  }
}

const label = (size: number) => `${size.toLocaleString('en')} images`

for (const operation of OPERATIONS) {
  describe(`${operation}: one page of ${PAGE} (ecr.call)`, () => {
    for (const size of SIZES) {
      for (const from of ['first', 'middle'] as const) {
        const call = page(operation, size, from)
        bench(`${operation} ${from} page, ${label(size)}`, async () => {
          await call()
        }, { time: 1000 })
      }
    }
  })
}

for (const operation of OPERATIONS) {
  describe(`${operation}: one page of ${BIG_PAGE.toLocaleString('en')} (ecr.call)`, () => {
    for (const { size, from } of bigPages) {
      const call = page(operation, size, from, BIG_PAGE)
      bench(`${operation} ${from} page of ${BIG_PAGE.toLocaleString('en')}, ${label(size)}`, async () => {
        await call()
      }, { time: 1000 })
    }
  })
}

describe(`DescribeImages: one page of ${PAGE} (SDK → MSW → engine)`, () => {
  for (const size of SIZES) {
    const call = sdkPage(size)
    bench(`DescribeImages middle page, ${label(size)}`, async () => {
      await call()
    })
  }
})
