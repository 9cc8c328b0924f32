import {
  CreateRepositoryCommand,
  InvalidParameterException,
  InvalidTagParameterException,
  ListTagsForResourceCommand,
  RepositoryNotFoundException,
  TagResourceCommand,
  TooManyTagsException,
  UntagResourceCommand,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { useFakeEcr } from './harness.js'

const { client } = useFakeEcr()

async function repositoryArn(tags?: Array<{ Key: string; Value: string }>) {
  const { repository } = await client().send(new CreateRepositoryCommand({ repositoryName: 'app', tags }))
  return repository!.repositoryArn!
}

const listTags = async (resourceArn: string) =>
  (await client().send(new ListTagsForResourceCommand({ resourceArn }))).tags

describe('resource tags', () => {
  it('tags at creation, adds, overwrites and removes tags', async () => {
    const arn = await repositoryArn([{ Key: 'team', Value: 'web' }])
    expect(await listTags(arn)).toEqual([{ Key: 'team', Value: 'web' }])
    await client().send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'platform' }] }))
    // A key set again keeps its place and takes the new value.
    expect(await listTags(arn)).toEqual([
      { Key: 'team', Value: 'platform' },
      { Key: 'env', Value: 'prod' },
    ])
    await client().send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team', 'absent'] }))
    expect(await listTags(arn)).toEqual([{ Key: 'env', Value: 'prod' }])
  })

  it('allows 50 tags and refuses the 51st, changing nothing', async () => {
    const arn = await repositoryArn()
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }))
    await client().send(new TagResourceCommand({ resourceArn: arn, tags: fifty }))
    await expect(client().send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'one-more', Value: 'x' }] }))).rejects.toThrow(
      TooManyTagsException,
    )
    expect(await listTags(arn)).toHaveLength(50)
  })

  it('refuses reserved and malformed keys and values', async () => {
    const arn = await repositoryArn()
    for (const tag of [
      { Key: 'aws:owner', Value: 'x' },
      { Key: '', Value: 'x' },
      { Key: 'k'.repeat(129), Value: 'x' },
      { Key: 'ok', Value: 'v'.repeat(257) },
      { Key: 'semi;colon', Value: 'x' },
    ]) {
      await expect(client().send(new TagResourceCommand({ resourceArn: arn, tags: [tag] }))).rejects.toThrow(InvalidTagParameterException)
    }
    await expect(
      client().send(new CreateRepositoryCommand({ repositoryName: 'other', tags: [{ Key: 'aws:x', Value: 'y' }] })),
    ).rejects.toThrow(InvalidTagParameterException)
    expect(await listTags(arn)).toEqual([])
  })

  it('refuses an ARN that names no repository of this region', async () => {
    const arn = await repositoryArn()
    await expect(
      client().send(new ListTagsForResourceCommand({ resourceArn: arn.replace('repository/app', 'repository/ghost') })),
    ).rejects.toThrow(RepositoryNotFoundException)
    await expect(client().send(new ListTagsForResourceCommand({ resourceArn: arn.replace('eu-west-1', 'us-west-2') }))).rejects.toThrow(
      InvalidParameterException,
    )
    await expect(client().send(new TagResourceCommand({ resourceArn: 'not-an-arn', tags: [] }))).rejects.toThrow(InvalidParameterException)
  })
})
