import type { ImageIdentifier, LifecyclePolicyPreviewResult, TagStatus } from '@aws-sdk/client-ecr'
import { putLifecyclePolicy, startPreview } from '../domain/lifecycle.js'
import { findRepository, type FoundRepository } from '../domain/repositories.js'
import { EcrError } from '../errors.js'
import { parseLifecyclePolicy, storedLifecyclePolicyText } from '../lifecycle-policy.js'
import { DEFAULT_PAGE_SIZE, takePage } from '../pagination.js'
import { SINGLETON, type ValueOf } from '../state/kinds.js'
import { refuseIdsWithPaging } from './image-ids.js'
import type { Implementations } from './operation.js'

type PreviewResult = ValueOf<'lifecycle-policy-preview'>['results'][number]

/** PutLifecyclePolicy, GetLifecyclePolicy, DeleteLifecyclePolicy and lifecycle policy previews. */
export const lifecycleOperations = {
  PutLifecyclePolicy(input, ctx) {
    const { registry, record, contents } = findRepository(ctx, input.repositoryName, input.registryId)
    parseLifecyclePolicy(input.lifecyclePolicyText)
    // ECR keeps the policy as it writes it back, not as sent (discoveries §26).
    const text = storedLifecyclePolicyText(input.lifecyclePolicyText)
    // A new policy has not been evaluated yet: the previous policy's lastEvaluatedAt goes with it.
    putLifecyclePolicy(ctx, contents, text)
    return { registryId: registry.accountId, repositoryName: record.name, lifecyclePolicyText: text }
  },

  GetLifecyclePolicy(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    return lifecyclePolicyOutput(found, lifecyclePolicy(found))
  },

  DeleteLifecyclePolicy(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const policy = lifecyclePolicy(found)
    found.contents.tables['lifecycle-policy'].delete(ctx.tx, SINGLETON)
    return lifecyclePolicyOutput(found, policy)
  },

  StartLifecyclePolicyPreview(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const { registry, record, contents } = found
    if (contents.tables['lifecycle-policy-preview'].get(SINGLETON)?.status === 'IN_PROGRESS') {
      throw new EcrError(
        'LifecyclePolicyPreviewInProgressException',
        `The previous lifecycle policy preview request for the repository with name '${record.name}' in the registry with id '${registry.accountId}' has not completed. Wait and try again.`,
      )
    }
    // The text given (kept as sent, as the AWS CLI's examples show), else the stored policy's.
    const text = input.lifecyclePolicyText ?? lifecyclePolicy(found).text
    parseLifecyclePolicy(text)
    contents.tables['lifecycle-policy-preview'].set(ctx.tx, SINGLETON, startPreview(ctx, found, text))
    return { registryId: registry.accountId, repositoryName: record.name, lifecyclePolicyText: text, status: 'IN_PROGRESS' }
  },

  GetLifecyclePolicyPreview(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const { registry, record } = found
    const preview = found.contents.tables['lifecycle-policy-preview'].get(SINGLETON)
    if (preview === undefined) {
      throw new EcrError(
        'LifecyclePolicyPreviewNotFoundException',
        `Lifecycle policy preview does not exist for the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
      )
    }
    if (input.imageIds !== undefined) refuseIdsWithPaging(input)
    const described = { registryId: registry.accountId, repositoryName: record.name, lifecyclePolicyText: preview.text }
    // Results appear once the preview completes; until then the list is empty.
    if (preview.status === 'IN_PROGRESS') return { ...described, status: 'IN_PROGRESS', previewResults: [] }
    const tagStatus = input.filter?.tagStatus ?? 'ANY'
    const results = preview.results.filter((result) => matchesTagStatus(result, tagStatus))
    const complete = { ...described, status: 'COMPLETE' as const, summary: summaryOf(preview.results) }
    if (input.imageIds !== undefined) {
      const { imageIds } = input
      return { ...complete, previewResults: results.filter((result) => imageIds.some((id) => names(id, result))).map(previewResult) }
    }
    // A new preview replaces the results, so a token is only good for the preview it came from.
    const listing = ['GetLifecyclePolicyPreview', registry.accountId, registry.region, record.name, tagStatus, preview.startedAt].join('\u0000')
    const start = input.nextToken === undefined ? 0 : ctx.tokens.decode(listing, input.nextToken).seq
    const page = takePage(
      (function* () {
        for (let index = start; index < results.length; index++) yield { item: previewResult(results[index]!), cursor: { seq: index + 1 } }
      })(),
      input.maxResults ?? DEFAULT_PAGE_SIZE,
      ctx.tokens,
      listing,
    )
    return { ...complete, previewResults: page.items, ...(page.nextToken !== undefined && { nextToken: page.nextToken }) }
  },
} satisfies Implementations

type StoredLifecyclePolicy = ValueOf<'lifecycle-policy'>

function lifecyclePolicy({ registry, record, contents }: FoundRepository): StoredLifecyclePolicy {
  const policy = contents.tables['lifecycle-policy'].get(SINGLETON)
  if (policy === undefined) {
    throw new EcrError(
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
    )
  }
  return policy
}

/** A policy never evaluated reports epoch 0, as ECR does (discoveries §21). */
function lifecyclePolicyOutput({ registry, record }: FoundRepository, policy: StoredLifecyclePolicy) {
  return {
    registryId: registry.accountId,
    repositoryName: record.name,
    lifecyclePolicyText: policy.text,
    lastEvaluatedAt: new Date(policy.lastEvaluatedAt ?? 0),
  }
}

function previewResult(result: PreviewResult): LifecyclePolicyPreviewResult {
  return {
    ...(result.imageTags.length > 0 && { imageTags: result.imageTags }),
    imageDigest: result.imageDigest,
    imagePushedAt: new Date(result.imagePushedAt),
    action: result.action === 'EXPIRE' ? { type: 'EXPIRE' } : { type: 'TRANSITION', targetStorageClass: 'ARCHIVE' },
    appliedRulePriority: result.appliedRulePriority,
    storageClass: result.storageClass,
  }
}

/** How many images the whole preview expires, and archives (that count only when some are). */
function summaryOf(results: readonly PreviewResult[]) {
  const transitioning = results.filter((result) => result.action === 'TRANSITION').length
  return {
    expiringImageTotalCount: results.length - transitioning,
    ...(transitioning > 0 && { transitioningImageTotalCounts: [{ targetStorageClass: 'ARCHIVE' as const, imageTotalCount: transitioning }] }),
  }
}

function matchesTagStatus(result: PreviewResult, tagStatus: TagStatus): boolean {
  return tagStatus === 'ANY' || (result.imageTags.length > 0) === (tagStatus === 'TAGGED')
}

/** Whether an image id names the image of a result: by digest, by tag, or both. */
function names({ imageDigest, imageTag }: ImageIdentifier, result: PreviewResult): boolean {
  if (imageDigest === undefined && imageTag === undefined) return false
  return (imageDigest === undefined || imageDigest === result.imageDigest) && (imageTag === undefined || result.imageTags.includes(imageTag))
}
