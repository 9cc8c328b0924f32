import type { LifecyclePolicy, LifecycleRule, LifecycleSelection, StorageClass } from './lifecycle-policy.js'
import { wildcard } from './wildcard.js'

/**
 * ECR's lifecycle policy evaluator, as its user guide describes it ("Lifecycle policy evaluation
 * rules", discoveries/lifecycle-and-archival.md): which images each rule of a policy selects and
 * marks. Pure: what is done with the marks (a preview lists them, an evaluation expires and
 * archives them) is the caller's business.
 */

const DAY_MS = 24 * 60 * 60 * 1000

/** An image as the evaluator sees it. Times are epoch milliseconds. */
export interface LifecycleImage {
  digest: string
  tags: readonly string[]
  /** First-push order: of two images pushed in the same millisecond, the later one is newer. */
  seq: number
  pushedAt: number
  lastPulledAt?: number
  lastArchivedAt?: number
  /** When the image was last restored from the archive, if ever. */
  lastActivatedAt?: number
  storageClass: StorageClass
}

/** An image a rule marks for its action. */
export interface LifecycleMark {
  image: LifecycleImage
  rule: LifecycleRule
}

/**
 * The images `policy` marks at `now`: each by at most one rule, in the order the rules apply
 * (ascending rulePriority), oldest image first within a rule.
 *
 * - Every rule selects the images of its storage class whose tags match it (tagged: all of its
 *   prefixes or patterns match some tag of the image; untagged; any), counting them all, even
 *   those a higher-priority rule selected ("Rules can … still identify them").
 * - An image a higher-priority rule selected (marked or not) cannot be marked by a lower one.
 * - imageCountMoreThan keeps the newest `countNumber` and marks the rest; sinceImagePushed,
 *   sinceImagePulled and sinceImageTransitioned mark images older than `countNumber` days. An
 *   image restored from the archive counts from its restore instead of its push, and
 *   sinceImagePulled counts from the last pull, else the restore, else the push.
 *
 * @example
 * const marks = evaluateLifecyclePolicy(parseLifecyclePolicy(text), images, Date.now())
 * marks.map(({ image, rule }) => `${image.digest}: rule ${rule.rulePriority}, ${rule.action.type}`)
 */
export function evaluateLifecyclePolicy(policy: LifecyclePolicy, images: readonly LifecycleImage[], now: number): LifecycleMark[] {
  const marks: LifecycleMark[] = []
  const selectedBefore = new Set<string>()
  for (const rule of policy.rules) {
    const selects = selector(rule.selection)
    const selected = images.filter(selects)
    for (const image of due(rule.selection, selected, now)) {
      if (!selectedBefore.has(image.digest)) marks.push({ image, rule })
    }
    for (const image of selected) selectedBefore.add(image.digest)
  }
  return marks
}

/** Whether a rule's selection (storage class and tags) takes in an image. */
function selector({ storageClass, tagStatus, tagPrefixList, tagPatternList }: LifecycleSelection): (image: LifecycleImage) => boolean {
  const patterns = tagPatternList?.map(wildcard)
  return (image) => {
    if (image.storageClass !== storageClass) return false
    if (tagStatus === 'any') return true
    if (tagStatus === 'untagged') return image.tags.length === 0
    if (patterns !== undefined) return patterns.every((pattern) => image.tags.some((tag) => pattern.test(tag)))
    return (tagPrefixList ?? []).every((prefix) => image.tags.some((tag) => tag.startsWith(prefix)))
  }
}

/** The selected images whose count or age criterion is met, oldest first. */
function due(selection: LifecycleSelection, selected: readonly LifecycleImage[], now: number): LifecycleImage[] {
  const oldestFirst = [...selected].sort((a, b) => activeSince(a) - activeSince(b) || a.seq - b.seq)
  if (selection.countType === 'imageCountMoreThan') {
    return oldestFirst.slice(0, Math.max(0, oldestFirst.length - selection.countNumber))
  }
  const since = {
    sinceImagePushed: activeSince,
    sinceImagePulled: (image: LifecycleImage) => Math.max(image.lastPulledAt ?? image.pushedAt, image.lastActivatedAt ?? image.pushedAt),
    sinceImageTransitioned: (image: LifecycleImage) => image.lastArchivedAt ?? now,
  }[selection.countType]
  return oldestFirst.filter((image) => now - since(image) > selection.countNumber * DAY_MS)
}

/** When an image entered the standard storage class: its push, or its last restore from the archive. */
function activeSince(image: LifecycleImage): number {
  return image.lastActivatedAt ?? image.pushedAt
}
