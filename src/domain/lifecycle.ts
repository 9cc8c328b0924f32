import type { LifecycleRun } from '../glossary.js'
import { evaluateLifecyclePolicy, type LifecycleImage } from '../lifecycle-evaluation.js'
import { parseLifecyclePolicy, type LifecycleAction } from '../lifecycle-policy.js'
import type { OperationContext } from '../operations/context.js'
import { SINGLETON, type ValueOf } from '../state/kinds.js'
import type { RepositoryContents } from '../state/registry-state.js'
import { archiveImage, isActive } from './archival.js'
import { deleteImage } from './images.js'
import { findRepository, repositoryAt, type FoundRepository } from './repositories.js'

/**
 * ECR acts on a lifecycle policy "within 24 hours" of an image meeting its criteria: the fake
 * evaluates each policy a day after it is put, then every day (decisions/lifecycle-evaluation.md).
 */
export const LIFECYCLE_EVALUATION_INTERVAL_MS = 24 * 60 * 60 * 1000

type Preview = ValueOf<'lifecycle-policy-preview'>

/** Stores a repository's lifecycle policy (already checked and in ECR's form): not evaluated yet, first evaluated a day from now. */
export function putLifecyclePolicy(ctx: OperationContext, contents: RepositoryContents, text: string): void {
  contents.tables['lifecycle-policy'].set(ctx.tx, SINGLETON, { text, evaluatesAt: ctx.now + LIFECYCLE_EVALUATION_INTERVAL_MS })
}

/**
 * Evaluates the policies of the acting registry's repositories now (of `repositoryName` only,
 * if given), as the daily evaluation does: `ecr.applyLifecyclePolicies()`.
 */
export function applyLifecyclePolicies(ctx: OperationContext, repositoryName?: string): LifecycleRun[] {
  const names = repositoryName !== undefined ? [repositoryName] : [...ctx.registry().repositoryOrder.after()].map(({ id }) => id)
  return names.flatMap((name) => applyLifecyclePolicy(ctx, findRepository(ctx, name)) ?? [])
}

/** The clock effect of a policy whose daily evaluation is due. */
export function evaluateDueLifecyclePolicy(ctx: OperationContext, scope: readonly string[]): void {
  applyLifecyclePolicy(ctx, repositoryAt(ctx, scope))
}

/**
 * Evaluates a repository's lifecycle policy at `ctx.now`, if it has one, and does what it marks:
 * expires images as BatchDeleteImage deletes them, archives others. As on ECR, an image a
 * manifest list still references is left alone (it goes once the list has gone, or been
 * archived), and referrers follow their subject: expired when it is gone, archived with it.
 * The next evaluation is due a day later.
 */
function applyLifecyclePolicy(ctx: OperationContext, found: FoundRepository): LifecycleRun | undefined {
  const table = found.contents.tables['lifecycle-policy']
  const policy = table.get(SINGLETON)
  if (policy === undefined) return undefined
  const run: LifecycleRun = { repositoryName: found.record.name, expired: [], archived: [] }
  const marks = evaluateLifecyclePolicy(parseLifecyclePolicy(policy.text), lifecycleImages(found.contents), ctx.now)
  // Until nothing more can go: a child manifest can once the list that names it has gone.
  let pending = marks.map(({ image, rule }) => ({ digest: image.digest, action: rule.action.type }))
  while (pending.length > 0) {
    const blocked = pending.filter(({ digest, action }) => !act(ctx, found, digest, action, run))
    if (blocked.length === pending.length) break
    pending = blocked
  }
  followSubjects(ctx, found, run)
  table.set(ctx.tx, SINGLETON, { ...policy, lastEvaluatedAt: ctx.now, evaluatesAt: ctx.now + LIFECYCLE_EVALUATION_INTERVAL_MS })
  return run
}

/** Expires or archives an image; `false` when a manifest list that references it prevents that. */
function act(ctx: OperationContext, found: FoundRepository, digest: string, action: LifecycleAction['type'], run: LifecycleRun): boolean {
  const image = found.contents.images.get(digest)!
  if (action === 'expire') {
    if ('referencedBy' in deleteImage(ctx, found, image)) return false
    run.expired.push(digest)
    return true
  }
  if ('listedBy' in archiveImage(ctx, found, image)) return false
  run.archived.push(digest)
  return true
}

/**
 * ECR expires or archives reference artifacts (signatures, SBOMs: images with a subject) after
 * their subject image is deleted or archived; one of a referrer's own referrers follows it.
 */
function followSubjects(ctx: OperationContext, found: FoundRepository, run: LifecycleRun): void {
  const { images } = found.contents
  for (let changed = true; changed; ) {
    changed = false
    for (const image of [...images.values()]) {
      if (image.subjectDigest === undefined || !images.has(image.digest)) continue
      const subject = images.get(image.subjectDigest)
      if (subject === undefined) changed = act(ctx, found, image.digest, 'expire', run) || changed
      else if (subject.status === 'ARCHIVED' && isActive(image)) changed = act(ctx, found, image.digest, 'transition', run) || changed
    }
  }
}

/**
 * A preview of `text` on the repository's images as they are now: complete at once when the
 * engine's preview duration is 0, else IN_PROGRESS until the clock reaches `completesAt`.
 */
export function startPreview(ctx: OperationContext, found: FoundRepository, text: string): Preview {
  const completesAt = ctx.now + ctx.settings.lifecyclePreviewDurationMs
  const started: Preview = { text, startedAt: ctx.now, completesAt, status: 'IN_PROGRESS', results: [] }
  return completesAt <= ctx.now ? completed(ctx, found, started) : started
}

/** The clock effect of a preview whose time has come: it completes, with what the policy marks now. */
export function completePreview(ctx: OperationContext, scope: readonly string[]): void {
  const found = repositoryAt(ctx, scope)
  const table = found.contents.tables['lifecycle-policy-preview']
  table.set(ctx.tx, SINGLETON, completed(ctx, found, table.get(SINGLETON)!))
}

function completed(ctx: OperationContext, found: FoundRepository, preview: Preview): Preview {
  const marks = evaluateLifecyclePolicy(parseLifecyclePolicy(preview.text), lifecycleImages(found.contents), ctx.now)
  const results = marks.map(({ image, rule }) => ({
    imageDigest: image.digest,
    imageTags: [...image.tags],
    imagePushedAt: image.pushedAt,
    appliedRulePriority: rule.rulePriority,
    action: rule.action.type === 'expire' ? ('EXPIRE' as const) : ('TRANSITION' as const),
    storageClass: image.storageClass === 'archive' ? ('ARCHIVE' as const) : ('STANDARD' as const),
  }))
  return { ...preview, status: 'COMPLETE', results }
}

/** The repository's images as lifecycle rules see them; one being restored is in neither storage class yet. */
function lifecycleImages(contents: RepositoryContents): LifecycleImage[] {
  return [...contents.images.values()]
    .filter((image) => image.status !== 'ACTIVATING')
    .map((image) => ({
      digest: image.digest,
      tags: contents.tagsOf(image.digest),
      seq: image.seq,
      pushedAt: image.pushedAt,
      lastPulledAt: image.lastPulledAt,
      lastArchivedAt: image.lastArchivedAt,
      lastActivatedAt: image.lastActivatedAt,
      storageClass: image.status === 'ARCHIVED' ? 'archive' : 'standard',
    }))
}
