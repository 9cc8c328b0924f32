import { describe, expect, it } from 'vitest'
import { evaluateLifecyclePolicy, type LifecycleImage } from '../../src/lifecycle-evaluation.js'
import { parseLifecyclePolicy } from '../../src/lifecycle-policy.js'

// The worked examples of ECR's user guide ("Examples of lifecycle policies in Amazon ECR",
// discoveries/lifecycle-and-archival.md §1), then what the evaluation rules say of the count
// types the examples do not cover.

const DAY = 24 * 60 * 60 * 1000
const NOW = Date.UTC(2030, 5, 1, 12)

let seq = 0
/** Image `name`, pushed `days` days before NOW (a later declaration is a later push). */
function image(name: string, tags: string[], days: number, more: Partial<LifecycleImage> = {}): LifecycleImage {
  return { digest: name, tags, seq: ++seq, pushedAt: NOW - days * DAY, storageClass: 'standard', ...more }
}

type Selection = Record<string, unknown>
const expire = { type: 'expire' }
const archive = { type: 'transition', targetStorageClass: 'archive' }

/** The images each rule marks, as `name:priority`, for rules given in priority order. */
function marked(images: LifecycleImage[], ...rules: Array<Selection | [Selection, object]>): string[] {
  const policy = parseLifecyclePolicy(
    JSON.stringify({
      rules: rules.map((rule, index) => {
        const [selection, action] = Array.isArray(rule) ? rule : [rule, expire]
        return { rulePriority: index + 1, selection, action }
      }),
    }),
  )
  return evaluateLifecyclePolicy(policy, images, NOW).map(({ image: { digest }, rule }) => `${digest}:${rule.rulePriority}`)
}

const countMoreThan = (countNumber: number, selection: Selection = { tagStatus: 'any' }) => ({
  ...selection,
  countType: 'imageCountMoreThan',
  countNumber,
})
const olderThan = (days: number, selection: Selection, countType = 'sinceImagePushed') => ({
  ...selection,
  countType,
  countUnit: 'days',
  countNumber: days,
})
const pattern = (...tagPatternList: string[]) => ({ tagStatus: 'tagged', tagPatternList })
const prefix = (...tagPrefixList: string[]) => ({ tagStatus: 'tagged', tagPrefixList })

describe('the user guide’s examples', () => {
  const twoTagged = () => [image('A', ['beta-1', 'prod-1'], 10), image('B', ['beta-2', 'prod-2'], 9), image('C', ['beta-3'], 8)]

  it('Filtering on multiple rules, A: an image the first rule selects is safe from the second', () => {
    expect(marked(twoTagged(), countMoreThan(1, pattern('prod*')), countMoreThan(1, pattern('beta*')))).toEqual(['A:1'])
    // The 2018 edition of the example, with prefixes.
    expect(marked(twoTagged(), countMoreThan(1, prefix('prod')), countMoreThan(1, prefix('beta')))).toEqual(['A:1'])
  })

  it('Filtering on multiple rules, B: the same rules in the other order expire two', () => {
    expect(marked(twoTagged(), countMoreThan(1, pattern('beta*')), countMoreThan(1, pattern('prod*')))).toEqual(['A:1', 'B:1'])
  })

  it('Filtering on multiple tags in a single rule: every pattern must match a tag', () => {
    const images = [
      image('A', ['alpha-1'], 12),
      image('B', ['beta-1'], 11),
      image('C', ['alpha-2', 'beta-2'], 10),
      image('D', ['alpha-3'], 4),
      image('E', ['beta-3'], 3),
      image('F', ['alpha-4', 'beta-4'], 2),
    ]
    expect(marked(images, olderThan(5, pattern('alpha*', 'beta*')))).toEqual(['C:1'])
    expect(marked(images, olderThan(5, prefix('alpha', 'beta')))).toEqual(['C:1'])
  })

  it('Filtering on multiple tags in a single rule, B: tags are not exclusive', () => {
    const images = [image('A', ['alpha-1', 'beta-1', 'gamma-1'], 10), image('B', ['alpha-2', 'beta-2'], 9), image('C', ['alpha-3', 'beta-3', 'gamma-2'], 8)]
    expect(marked(images, countMoreThan(1, pattern('alpha*', 'beta*')))).toEqual(['A:1', 'B:1'])
  })

  it('Filtering on all images, A: keeps the newest image, tagged or not', () => {
    const images = [image('A', ['alpha-1'], 4), image('B', ['beta-1'], 3), image('C', [], 2), image('D', ['alpha-2'], 1)]
    expect(marked(images, countMoreThan(1))).toEqual(['A:1', 'B:1', 'C:1'])
  })

  it('Filtering on all images, B: a catch-all rule counts every image but marks only those no other rule selected', () => {
    const images = [
      image('A', ['alpha-1', 'beta-1'], 4),
      image('B', [], 3),
      image('C', ['alpha-2'], 2),
      image('D', ['git hash'], 1),
      image('E', [], 1),
    ]
    const rules = [countMoreThan(1, pattern('alpha*')), olderThan(1, { tagStatus: 'untagged' }), countMoreThan(1)]
    expect(marked(images, ...rules)).toEqual(['A:1', 'B:2', 'D:3'])
  })

  it('Filtering on image age and count: untagged images', () => {
    const images = [image('old', [], 15), image('recent', [], 13), image('tagged', ['v1'], 30)]
    expect(marked(images, olderThan(14, { tagStatus: 'untagged' }))).toEqual(['old:1'])
    expect(marked(images, countMoreThan(1, { tagStatus: 'untagged' }))).toEqual(['old:1'])
  })

  it('a tag pattern matches whole tags, with * for any run of characters', () => {
    const images = [image('prod', ['prod'], 9), image('team', ['production-team1'], 9), image('repo', ['repo-production'], 9)]
    expect(marked(images, olderThan(1, pattern('prod*')))).toEqual(['prod:1', 'team:1'])
    expect(marked(images, olderThan(1, pattern('*prod*')))).toEqual(['prod:1', 'team:1', 'repo:1'])
  })
})

describe('count types', () => {
  it('counts days strictly: an image exactly 14 days old is not older than 14 days', () => {
    const images = [image('exactly', [], 14), image('older', [], 14 + 1 / DAY)]
    expect(marked(images, olderThan(14, { tagStatus: 'any' }))).toEqual(['older:1'])
  })

  it('sinceImagePulled: the last pull, else the last restore, else the push', () => {
    const images = [
      image('pulled-lately', [], 100, { lastPulledAt: NOW - 10 * DAY }),
      image('pulled-long-ago', [], 100, { lastPulledAt: NOW - 40 * DAY }),
      image('never-pulled', [], 40),
      image('restored-not-pulled', [], 100, { lastPulledAt: NOW - 90 * DAY, lastActivatedAt: NOW - 5 * DAY }),
      image('restored-then-pulled', [], 100, { lastActivatedAt: NOW - 60 * DAY, lastPulledAt: NOW - 50 * DAY }),
    ]
    // Listed oldest (by push, or restore) first.
    expect(marked(images, [olderThan(30, { tagStatus: 'any' }, 'sinceImagePulled'), archive])).toEqual([
      'pulled-long-ago:1',
      'restored-then-pulled:1',
      'never-pulled:1',
    ])
  })

  it('an image restored from the archive counts its age and its place from the restore', () => {
    const images = [
      image('restored', ['v1'], 100, { lastArchivedAt: NOW - 60 * DAY, lastActivatedAt: NOW - 2 * DAY }),
      image('new', ['v2'], 10),
      image('old', ['v3'], 20),
    ]
    expect(marked(images, olderThan(5, { tagStatus: 'any' }))).toEqual(['old:1', 'new:1'])
    // Newest first: restored (2 days), new (10), old (20).
    expect(marked(images, countMoreThan(1))).toEqual(['old:1', 'new:1'])
  })

  it('images pushed in the same millisecond: the later push is the newer', () => {
    const images = [image('first', [], 3), image('second', [], 3)]
    expect(marked(images, countMoreThan(1))).toEqual(['first:1'])
  })

  it('sinceImageTransitioned: archived images, by the time they were archived', () => {
    const images = [
      image('archived-long-ago', [], 400, { storageClass: 'archive', lastArchivedAt: NOW - 100 * DAY }),
      image('archived-lately', [], 400, { storageClass: 'archive', lastArchivedAt: NOW - 10 * DAY }),
      image('standard', [], 400),
    ]
    expect(marked(images, olderThan(90, { tagStatus: 'any', storageClass: 'archive' }, 'sinceImageTransitioned'))).toEqual([
      'archived-long-ago:1',
    ])
  })
})

describe('storage classes', () => {
  it('a rule selects images of its storage class only, and shields them only from rules of that class', () => {
    const images = [
      image('archived', [], 400, { storageClass: 'archive', lastArchivedAt: NOW - 200 * DAY }),
      image('standard-old', [], 400),
      image('standard-new', [], 1),
    ]
    const standard = olderThan(30, { tagStatus: 'any' })
    const archived = olderThan(90, { tagStatus: 'any', storageClass: 'archive' }, 'sinceImageTransitioned')
    expect(marked(images, [standard, archive], archived)).toEqual(['standard-old:1', 'archived:2'])
  })

  it('a rule that marks nothing still shields the images it selects', () => {
    const images = [image('v1', ['v1'], 50), image('v2', ['v2'], 40)]
    expect(marked(images, countMoreThan(5, pattern('v*')), olderThan(30, { tagStatus: 'any' }))).toEqual([])
  })
})
