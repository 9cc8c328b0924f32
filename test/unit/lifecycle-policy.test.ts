import { describe, expect, it } from 'vitest'
import { EcrError } from '../../src/errors.js'
import { parseLifecyclePolicy } from '../../src/lifecycle-policy.js'

const PREFIX = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: "

const untagged = { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 5 }
const expire = { type: 'expire' }

/** A policy of these rules (each a rule's members, with defaults for what is left out). */
function policy(...rules: Record<string, unknown>[]): string {
  return JSON.stringify({
    rules: rules.map((rule, index) => ({ rulePriority: index + 1, selection: untagged, action: expire, ...rule })),
  })
}

/** The detail of the InvalidParameterException `text` is refused with. */
function refusal(text: string): string {
  try {
    parseLifecyclePolicy(text)
  } catch (error) {
    expect(error).toBeInstanceOf(EcrError)
    const { code, message } = error as EcrError
    expect(code).toBe('InvalidParameterException')
    expect(message.startsWith(PREFIX) && message.endsWith("'")).toBe(true)
    return message.slice(PREFIX.length, -1)
  }
  throw new Error(`accepted: ${text}`)
}

describe('parseLifecyclePolicy: accepted policies', () => {
  it('parses every documented shape, in priority order, with storageClass filled in', () => {
    const parsed = parseLifecyclePolicy(
      JSON.stringify({
        rules: [
          {
            rulePriority: 30,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 },
            action: { type: 'expire' },
          },
          {
            rulePriority: 1,
            description: 'old untagged',
            selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
            action: { type: 'expire' },
          },
          {
            rulePriority: 5,
            selection: {
              tagStatus: 'tagged',
              tagPatternList: ['*test*1*2*3', 'prod*'],
              storageClass: 'standard',
              countType: 'sinceImagePulled',
              countUnit: 'days',
              countNumber: 30,
            },
            action: { type: 'transition', targetStorageClass: 'archive' },
          },
          {
            rulePriority: 2,
            selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 3 },
            action: { type: 'expire' },
          },
          {
            rulePriority: 7,
            selection: {
              tagStatus: 'untagged',
              storageClass: 'archive',
              countType: 'sinceImageTransitioned',
              countUnit: 'days',
              countNumber: 90,
            },
            action: { type: 'expire' },
          },
        ],
      }),
    )
    expect(parsed.rules).toEqual([
      {
        rulePriority: 1,
        description: 'old untagged',
        selection: { tagStatus: 'untagged', storageClass: 'standard', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        selection: { tagStatus: 'tagged', tagPrefixList: ['v'], storageClass: 'standard', countType: 'imageCountMoreThan', countNumber: 3 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 5,
        selection: {
          tagStatus: 'tagged',
          tagPatternList: ['*test*1*2*3', 'prod*'],
          storageClass: 'standard',
          countType: 'sinceImagePulled',
          countUnit: 'days',
          countNumber: 30,
        },
        action: { type: 'transition', targetStorageClass: 'archive' },
      },
      {
        rulePriority: 7,
        selection: { tagStatus: 'untagged', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 30,
        selection: { tagStatus: 'any', storageClass: 'standard', countType: 'imageCountMoreThan', countNumber: 100 },
        action: { type: 'expire' },
      },
    ])
  })

  it('allows one untagged rule and one last any rule per storage class', () => {
    const archived = { tagStatus: 'untagged', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 }
    expect(() =>
      parseLifecyclePolicy(
        policy(
          { rulePriority: 1 },
          { rulePriority: 2, selection: archived },
          { rulePriority: 3, selection: { ...archived, tagStatus: 'any' } },
          { rulePriority: 4, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 9 } },
        ),
      ),
    ).not.toThrow()
  })

  it('does not let a JSON __proto__ member reach the parsed policy', () => {
    expect(refusal('{"rules":[{"rulePriority":1,"__proto__":{"x":1},"selection":{},"action":{}}]}')).toBe(
      'object instance has properties which are not allowed by the schema: (["__proto__"])\n',
    )
  })
})

describe('parseLifecyclePolicy: the document', () => {
  it.each([
    ['not JSON', 'rules: everything'],
    ['a list', JSON.stringify([{ rulePriority: 1 }])],
    ['a string', '"rules"'],
    ['null', 'null'],
  ])('refuses %s as unmappable', (_case, text) => {
    expect(refusal(text)).toBe('Could not map policyString into LifecyclePolicy.')
  })

  it('needs rules, a non-empty list, and nothing else', () => {
    expect(refusal('{"noRules":[]}')).toBe('object has missing required properties (["rules"])\n')
    expect(refusal(JSON.stringify({ rules: [], extra: 1 }))).toBe(
      'object instance has properties which are not allowed by the schema: (["extra"])\n',
    )
    expect(refusal('{"rules":{}}')).toBe('instance type (object) does not match any allowed primitive type (allowed: ["array"])\n')
    expect(refusal('{"rules":[]}')).toBe('array is too short: must have at least 1 elements but instance has 0 elements\n')
  })
})

describe('parseLifecyclePolicy: a rule', () => {
  it('must be an object with rulePriority, selection and action', () => {
    expect(refusal('{"rules":["expire"]}')).toBe('instance type (string) does not match any allowed primitive type (allowed: ["object"])\n')
    expect(refusal('{"rules":[{"description":"x"}]}')).toBe(
      'object has missing required properties (["action","rulePriority","selection"])\n',
    )
    expect(refusal(JSON.stringify({ rules: [{ selection: untagged, action: expire }] }))).toBe(
      'object has missing required properties (["rulePriority"])\n',
    )
  })

  it('refuses unknown members, listed in order', () => {
    expect(refusal(policy({ zeta: 1, alpha: 2 }))).toBe(
      'object instance has properties which are not allowed by the schema: (["alpha","zeta"])\n',
    )
  })

  it('needs an integer rulePriority of at least 1', () => {
    expect(refusal(policy({ rulePriority: 0 }))).toBe('numeric instance is lower than the required minimum (minimum: 1, found: 0)\n')
    expect(refusal(policy({ rulePriority: -3 }))).toBe('numeric instance is lower than the required minimum (minimum: 1, found: -3)\n')
    expect(refusal(policy({ rulePriority: 1.5 }))).toBe(
      'instance type (number) does not match any allowed primitive type (allowed: ["integer"])\n',
    )
    expect(refusal(policy({ rulePriority: '1' }))).toBe(
      'instance type (string) does not match any allowed primitive type (allowed: ["integer"])\n',
    )
  })

  it('takes a string description', () => {
    expect(parseLifecyclePolicy(policy({ description: 'why' })).rules[0]?.description).toBe('why')
    expect(refusal(policy({ description: 7 }))).toBe(
      'instance type (integer) does not match any allowed primitive type (allowed: ["string"])\n',
    )
  })

  it('needs unique priorities', () => {
    expect(
      refusal(
        policy(
          { rulePriority: 4 },
          { rulePriority: 4, selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 } },
        ),
      ),
    ).toBe('Rule priority 4 is used by more than one rule.')
  })
})

describe('parseLifecyclePolicy: selection', () => {
  const withSelection = (selection: Record<string, unknown>) => policy({ selection })

  it('needs tagStatus, countType and countNumber, and nothing unknown', () => {
    expect(refusal(withSelection({ countType: 'imageCountMoreThan', countNumber: 1 }))).toBe(
      'object has missing required properties (["tagStatus"])\n',
    )
    expect(refusal(withSelection({ tagStatus: 'untagged' }))).toBe(
      'object has missing required properties (["countNumber","countType"])\n',
    )
    expect(refusal(withSelection({ ...untagged, tagPrefix: 'v' }))).toBe(
      'object instance has properties which are not allowed by the schema: (["tagPrefix"])\n',
    )
    expect(refusal(policy({ selection: 'untagged' }))).toBe(
      'instance type (string) does not match any allowed primitive type (allowed: ["object"])\n',
    )
  })

  it('takes tagStatus tagged, untagged or any, in lower case', () => {
    expect(refusal(withSelection({ ...untagged, tagStatus: 'UNTAGGED' }))).toBe(
      'instance value (UNTAGGED) not found in enum :(possible values: ["tagged","untagged","any"])\n',
    )
    expect(refusal(withSelection({ ...untagged, tagStatus: true }))).toBe(
      'instance type (boolean) does not match any allowed primitive type (allowed: ["string"])\n',
    )
  })

  it('needs a countNumber of at least 1', () => {
    expect(refusal(withSelection({ ...untagged, countNumber: 0 }))).toBe(
      'numeric instance is lower than the required minimum (minimum: 1, found: 0)\n',
    )
    expect(refusal(withSelection({ ...untagged, countNumber: '5' }))).toBe(
      'instance type (string) does not match any allowed primitive type (allowed: ["integer"])\n',
    )
  })

  it('refuses an unknown countType', () => {
    expect(refusal(withSelection({ ...untagged, countType: 'imageCountLessThan' }))).toBe(
      'instance failed to match exactly one schema (matched 0 out of 4)\n',
    )
  })

  it('takes countUnit "days" with the since* count types only, and needs it there', () => {
    const archive = { type: 'transition', targetStorageClass: 'archive' }
    for (const countType of ['sinceImagePushed', 'sinceImagePulled']) {
      expect(() => parseLifecyclePolicy(policy({ selection: { ...untagged, countType, countUnit: 'days' }, action: archive }))).not.toThrow()
      expect(refusal(withSelection({ ...untagged, countType }))).toBe('instance failed to match exactly one schema (matched 0 out of 4)\n')
    }
    expect(refusal(withSelection({ ...untagged, countUnit: 'days' }))).toBe(
      'instance failed to match exactly one schema (matched 0 out of 4)\n',
    )
    expect(refusal(withSelection({ ...untagged, countType: 'sinceImagePushed', countUnit: 'hours' }))).toBe(
      'instance value (hours) not found in enum :(possible values: ["days"])\n',
    )
  })

  it('couples storageClass archive with sinceImageTransitioned, both ways', () => {
    const transitioned = { ...untagged, countType: 'sinceImageTransitioned', countUnit: 'days' }
    expect(refusal(withSelection(transitioned))).toBe('instance failed to match exactly one schema (matched 0 out of 4)\n')
    expect(refusal(withSelection({ ...transitioned, storageClass: 'standard' }))).toBe(
      'instance failed to match exactly one schema (matched 0 out of 4)\n',
    )
    expect(refusal(withSelection({ ...untagged, storageClass: 'archive' }))).toBe(
      'instance failed to match exactly one schema (matched 0 out of 4)\n',
    )
    expect(refusal(withSelection({ ...untagged, storageClass: 'glacier' }))).toBe(
      'instance value (glacier) not found in enum :(possible values: ["standard","archive"])\n',
    )
    expect(parseLifecyclePolicy(withSelection({ ...untagged, storageClass: 'standard' })).rules[0]?.selection.storageClass).toBe(
      'standard',
    )
  })

  it('needs a tag list on a tagged rule, one kind only', () => {
    const tagged = { ...untagged, tagStatus: 'tagged' }
    expect(refusal(withSelection(tagged))).toBe('Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.')
    expect(refusal(withSelection({ ...tagged, tagPrefixList: ['v'], tagPatternList: ['v*'] }))).toBe(
      'Cannot specify both tagPrefixList and tagPatternList when tagStatus=TAGGED.',
    )
    expect(refusal(withSelection({ ...tagged, tagPrefixList: [] }))).toBe(
      'array is too short: must have at least 1 elements but instance has 0 elements\n',
    )
    expect(refusal(withSelection({ ...tagged, tagPatternList: ['v', 2] }))).toBe(
      'instance type (integer) does not match any allowed primitive type (allowed: ["string"])\n',
    )
    expect(refusal(withSelection({ ...tagged, tagPrefixList: 'v' }))).toBe(
      'instance type (string) does not match any allowed primitive type (allowed: ["array"])\n',
    )
  })

  it('refuses tag lists on untagged and any rules', () => {
    expect(refusal(withSelection({ ...untagged, tagPrefixList: ['v'] }))).toBe(
      'tagPrefixList and tagPatternList can only be specified when tagStatus=TAGGED.',
    )
    expect(refusal(withSelection({ ...untagged, tagStatus: 'any', tagPatternList: ['*'] }))).toBe(
      'tagPrefixList and tagPatternList can only be specified when tagStatus=TAGGED.',
    )
  })

  it('allows up to 4 wildcards per tag pattern', () => {
    const tagged = { ...untagged, tagStatus: 'tagged' }
    expect(() => parseLifecyclePolicy(withSelection({ ...tagged, tagPatternList: ['test*1*2*3*'] }))).not.toThrow()
    expect(refusal(withSelection({ ...tagged, tagPatternList: ['prod', 'test*1*2*3*4*5*6'] }))).toBe(
      "Tag pattern 'test*1*2*3*4*5*6' has more than 4 wildcards (*).",
    )
  })

  it('allows one untagged rule per storage class', () => {
    expect(refusal(policy({}, {}))).toBe('Only one rule can select Untagged images per storage class.')
  })

  it('needs a tagStatus any rule to come last in its storage class', () => {
    const any = { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 }
    expect(refusal(policy({ rulePriority: 1, selection: any }, { rulePriority: 2 }))).toBe(
      'Rule for tagStatus=ANY must have the lowest priority per storage class',
    )
    expect(refusal(policy({ rulePriority: 1, selection: any }, { rulePriority: 2, selection: { ...any, countNumber: 20 } }))).toBe(
      'Rule for tagStatus=ANY must have the lowest priority per storage class',
    )
  })
})

describe('parseLifecyclePolicy: action', () => {
  const withAction = (action: unknown) => policy({ action })

  it('needs a type of expire or transition, and nothing unknown', () => {
    expect(refusal(withAction({}))).toBe('object has missing required properties (["type"])\n')
    expect(refusal(withAction({ type: 'keep' }))).toBe(
      'instance value (keep) not found in enum :(possible values: ["expire","transition"])\n',
    )
    expect(refusal(withAction({ type: 'expire', after: 1 }))).toBe(
      'object instance has properties which are not allowed by the schema: (["after"])\n',
    )
    expect(refusal(withAction('expire'))).toBe(
      'instance type (string) does not match any allowed primitive type (allowed: ["object"])\n',
    )
  })

  it('takes targetStorageClass archive with transition only, and needs it there', () => {
    expect(refusal(withAction({ type: 'transition' }))).toBe('instance failed to match exactly one schema (matched 0 out of 2)\n')
    expect(refusal(withAction({ type: 'transition', targetStorageClass: 'standard' }))).toBe(
      'instance failed to match exactly one schema (matched 0 out of 2)\n',
    )
    // Observed: Terraform modules that render `"targetStorageClass": null` on expire actions.
    expect(refusal(withAction({ type: 'expire', targetStorageClass: null }))).toBe(
      'instance failed to match exactly one schema (matched 0 out of 2)\n',
    )
    expect(refusal(withAction({ type: 'expire', targetStorageClass: 'archive' }))).toBe(
      'instance failed to match exactly one schema (matched 0 out of 2)\n',
    )
  })

  it('archives by pull age, and expires from the archive after at least 90 days', () => {
    const archive = { type: 'transition', targetStorageClass: 'archive' }
    const pulled = { ...untagged, countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 }
    const transitioned = { ...untagged, storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 }
    // Documented: sinceImagePulled "cannot be used with the expire action"; observed refused (aws/containers-roadmap#921).
    expect(refusal(policy({ selection: pulled }))).toBe('countType sinceImagePulled can only be used with action type transition.')
    expect(refusal(policy({ selection: transitioned, action: archive }))).toBe(
      'countType sinceImageTransitioned can only be used with action type expire.',
    )
    expect(refusal(policy({ selection: { ...transitioned, countNumber: 89 } }))).toBe(
      'You cannot configure lifecycle policies that delete images that have been in archive for less than 90 days.',
    )
    expect(() => parseLifecyclePolicy(policy({ selection: pulled, action: archive }, { selection: transitioned }))).not.toThrow()
  })
})
