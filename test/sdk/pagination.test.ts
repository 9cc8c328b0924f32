import {
  BatchDeleteImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  InvalidParameterException,
  ListImagesCommand,
  paginateDescribeImages,
  paginateListImages,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { useFakeEcr } from './harness.js'

const { ecr, client } = useFakeEcr({ verifyReferences: false })
const context = { region: 'eu-west-1' }

let pushed = 0

/** Pushes `count` distinct images (manifests only: references are not verified in this file). */
async function images(repositoryName: string, count: number, tagged: (index: number) => string[] = (i) => [`t${i}`]) {
  await ecr.seed.repository(repositoryName, {}, context)
  const digests: string[] = []
  for (let i = 0; i < count; i++) {
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(63)}${i % 10}`, size: 2 },
      layers: [],
      annotations: { image: String(pushed++) },
    })
    const tags = tagged(i)
    const { image } = await ecr.call('PutImage', { repositoryName, imageManifest: manifest, ...(tags[0] && { imageTag: tags[0] }) }, context)
    for (const tag of tags.slice(1)) await ecr.call('PutImage', { repositoryName, imageManifest: manifest, imageTag: tag }, context)
    digests.push(image!.imageId!.imageDigest!)
  }
  return digests
}

describe('pagination', () => {
  it('ListImages pages walk every image id exactly once, one entry per tag', async () => {
    await images('app', 130, (i) => (i % 3 === 0 ? [] : i % 3 === 1 ? [`a${i}`] : [`a${i}`, `b${i}`]))
    const seen: string[] = []
    for await (const page of paginateListImages({ client: client(), pageSize: 7 }, { repositoryName: 'app' })) {
      expect(page.imageIds!.length).toBeLessThanOrEqual(7)
      seen.push(...page.imageIds!.map((id) => `${id.imageDigest}/${id.imageTag ?? ''}`))
    }
    // 44 untagged + 43 single-tag + 43 double-tag images.
    expect(seen).toHaveLength(44 + 43 + 86)
    expect(new Set(seen).size).toBe(seen.length)
  })

  it('DescribeImages pages default to 100 and stay correct while images come and go between pages', async () => {
    const digests = await images('app', 250)
    const first = await client().send(new DescribeImagesCommand({ repositoryName: 'app' }))
    expect(first.imageDetails).toHaveLength(100)
    expect(first.nextToken).toBeTruthy()
    // Between pages: delete an image already returned and one not yet returned, add a new one.
    await client().send(
      new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: digests[5]! }, { imageDigest: digests[200]! }] }),
    )
    const [added] = await images('app', 1, () => ['late'])
    const rest: string[] = []
    let token = first.nextToken
    while (token) {
      const page = await client().send(new DescribeImagesCommand({ repositoryName: 'app', nextToken: token }))
      rest.push(...page.imageDetails!.map((detail) => detail.imageDigest!))
      token = page.nextToken
    }
    const returned = [...first.imageDetails!.map((detail) => detail.imageDigest!), ...rest]
    expect(new Set(returned).size).toBe(returned.length)
    expect(rest).not.toContain(digests[200])
    expect(rest).toContain(added)
    expect(rest).toContain(digests[199])
    expect(returned.filter((digest) => digest !== added)).toHaveLength(249)
  })

  it('the SDK paginator with a filter sees only matching images', async () => {
    await images('app', 40, (i) => (i % 2 === 0 ? [`v${i}`] : []))
    let count = 0
    for await (const page of paginateDescribeImages({ client: client(), pageSize: 6 }, { repositoryName: 'app', filter: { tagStatus: 'UNTAGGED' } })) {
      for (const detail of page.imageDetails!) expect(detail.imageTags).toBeUndefined()
      count += page.imageDetails!.length
    }
    expect(count).toBe(20)
  })

  it('refuses forged tokens and tokens from another listing', async () => {
    await images('app', 3)
    await images('other', 3)
    const { nextToken } = await client().send(new ListImagesCommand({ repositoryName: 'app', maxResults: 1 }))
    const expectInvalid = async (promise: Promise<unknown>) => {
      const error = (await promise.catch((e: unknown) => e)) as Error
      expect(error).toBeInstanceOf(InvalidParameterException)
      expect(error.message).toBe("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'")
    }
    await expectInvalid(client().send(new ListImagesCommand({ repositoryName: 'app', nextToken: 'garbage' })))
    await expectInvalid(client().send(new ListImagesCommand({ repositoryName: 'app', nextToken: `${nextToken}x` })))
    await expectInvalid(client().send(new ListImagesCommand({ repositoryName: 'other', nextToken })))
    await expectInvalid(client().send(new ListImagesCommand({ repositoryName: 'app', nextToken, filter: { tagStatus: 'TAGGED' } })))
    await expectInvalid(client().send(new DescribeImagesCommand({ repositoryName: 'app', nextToken })))
    await expectInvalid(client().send(new DescribeRepositoriesCommand({ nextToken })))
    const next = await client().send(new ListImagesCommand({ repositoryName: 'app', nextToken, maxResults: 1 }))
    expect(next.imageIds).toHaveLength(1)
  })

  it('keeps maxResults within 1..1000', async () => {
    await images('app', 1)
    for (const maxResults of [0, 1001]) {
      const error = await client().send(new ListImagesCommand({ repositoryName: 'app', maxResults })).catch((e) => e)
      expect(error).toBeInstanceOf(InvalidParameterException)
      expect(error.message).toBe(
        `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value ${maxResults === 0 ? 'greater than or equal to 1' : 'less than or equal to 1000'}'`,
      )
    }
    const { imageIds } = await client().send(new ListImagesCommand({ repositoryName: 'app', maxResults: 1000 }))
    expect(imageIds).toHaveLength(1)
  })
})
