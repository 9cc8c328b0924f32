import type { Tag } from '@aws-sdk/client-ecr'
import { EcrError, invalidParameter } from '../errors.js'
import { partitionOf } from '../partitions.js'
import { findRepository, type FoundRepository } from '../domain/repositories.js'
import type { OperationContext } from './context.js'
import type { Implementations } from './operation.js'

/** The most tags a resource may carry (AWS's tagging limit). */
const MAX_TAGS = 50
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

/** TagResource, UntagResource and ListTagsForResource (repositories are ECR's taggable resource). */
export const resourceTagOperations = {
  TagResource(input, ctx) {
    const { registry, record } = repositoryByArn(ctx, input.resourceArn)
    const tags = checkNewTags(record.tags, input.tags)
    registry.repositories.set(ctx.tx, record.name, { ...record, tags })
    return {}
  },

  UntagResource(input, ctx) {
    const { registry, record } = repositoryByArn(ctx, input.resourceArn)
    for (const key of input.tagKeys) checkTagKey(key)
    const removed = new Set(input.tagKeys)
    registry.repositories.set(ctx.tx, record.name, { ...record, tags: record.tags.filter((tag) => !removed.has(tag.Key!)) })
    return {}
  },

  ListTagsForResource(input, ctx) {
    return { tags: repositoryByArn(ctx, input.resourceArn).record.tags }
  },
} satisfies Implementations

/**
 * Merges `added` into `existing` (a key given again takes the new value), enforcing AWS's tag
 * rules: keys 1–128 characters, values up to 256, no `aws:` prefix, at most 50 tags.
 */
export function checkNewTags(existing: readonly Tag[], added: readonly Tag[]): Array<{ Key: string; Value: string }> {
  const merged = new Map(existing.map((tag) => [tag.Key!, tag.Value ?? '']))
  for (const { Key: key = '', Value: value = '' } of added) {
    checkTagKey(key)
    if (value.length > 256 || !TAG_CHARACTERS.test(value)) {
      throw new EcrError(
        'InvalidTagParameterException',
        `The value of tag '${key}' is invalid: values are up to 256 letters, numbers, spaces and _.:/=+-@`,
      )
    }
    merged.set(key, value)
  }
  if (merged.size > MAX_TAGS) {
    throw new EcrError('TooManyTagsException', `A resource can have at most ${MAX_TAGS} tags; this change would give it ${merged.size}`)
  }
  return [...merged].map(([Key, Value]) => ({ Key, Value }))
}

function checkTagKey(key: string): void {
  if (key.length < 1 || key.length > 128 || !TAG_CHARACTERS.test(key)) {
    throw new EcrError(
      'InvalidTagParameterException',
      `The tag key '${key}' is invalid: keys are 1 to 128 letters, numbers, spaces and _.:/=+-@`,
    )
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw new EcrError('InvalidTagParameterException', `The tag key '${key}' is invalid: the aws: prefix is reserved for use by AWS`)
  }
}

const REPOSITORY_ARN = /^arn:([a-z-]+):ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/

/** The repository an ECR repository ARN names, in the call's region. */
function repositoryByArn(ctx: OperationContext, arn: string): FoundRepository {
  const match = REPOSITORY_ARN.exec(arn)
  if (match === null || match[1] !== partitionOf(ctx.region).name || match[2] !== ctx.region) {
    throw invalidParameter('resourceArn', `Invalid ARN '${arn}': expected an ECR repository ARN in ${ctx.region}`)
  }
  return findRepository(ctx, match[4]!, match[3])
}
