import { invalidParameter } from './errors.js'
import { compactJsonText, JsonNumber, parseJsonText, type JsonObject as JsonMembers, type JsonValue } from './json-text.js'

/**
 * ECR lifecycle policies: the check PutLifecyclePolicy runs on the policy text, the text ECR
 * stores in its place, and the parsed policy that previews and rule evaluation work from. The
 * rule set and the wording are in decisions/lifecycle-policy-validation.md, the stored text in
 * decisions/policy-text.md.
 */

export type TagStatus = 'tagged' | 'untagged' | 'any'
export type StorageClass = 'standard' | 'archive'
export type CountType = 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned'

/** What a rule selects. `storageClass` is filled in (`standard` when the text leaves it out). */
export type LifecycleSelection = {
  tagStatus: TagStatus
  /** Only with `tagged`; a tagged rule has this or `tagPatternList`, never both. */
  tagPrefixList?: string[]
  /** Only with `tagged`; `*` matches any run of characters (at most 4 per pattern). */
  tagPatternList?: string[]
  storageClass: StorageClass
  countNumber: number
} & (
  | { countType: 'imageCountMoreThan' }
  | { countType: 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned'; countUnit: 'days' }
)

export type LifecycleAction = { type: 'expire' } | { type: 'transition'; targetStorageClass: 'archive' }

export interface LifecycleRule {
  rulePriority: number
  description?: string
  selection: LifecycleSelection
  action: LifecycleAction
}

export interface LifecyclePolicy {
  /** The rules in evaluation order (ascending rulePriority). */
  rules: LifecycleRule[]
}

const TAG_STATUSES = ['tagged', 'untagged', 'any'] as const
const STORAGE_CLASSES = ['standard', 'archive'] as const
const ACTION_TYPES = ['expire', 'transition'] as const
const MAX_WILDCARDS = 4
/** Archived images are kept at least this long: a policy cannot expire them sooner. */
const MIN_ARCHIVE_DAYS = 90

/**
 * Parses lifecycle policy text as ECR does, or throws the InvalidParameterException ECR sends:
 * `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: <detail>'`.
 *
 * @example
 * const policy = parseLifecyclePolicy(
 *   '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}',
 * )
 * policy.rules[0]?.selection.storageClass // 'standard'
 */
export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    throw failure('Could not map policyString into LifecyclePolicy.')
  }
  if (jsonType(document) !== 'object') throw failure('Could not map policyString into LifecyclePolicy.')
  const root = checkObject(document, ['rules'], ['rules'])
  const rules = checkArray(root.rules)
  if (rules.length === 0) schemaFailure('array is too short: must have at least 1 elements but instance has 0 elements')
  const parsed = rules.map(parseRule)
  checkRuleSet(parsed)
  return { rules: parsed.sort((a, b) => a.rulePriority - b.rulePriority) }
}

/** The members of a rule, a selection and an action, in the order ECR writes them back (whatever order they came in). */
const RULE_MEMBERS = ['rulePriority', 'description', 'selection', 'action'] as const
const SELECTION_MEMBERS = ['tagStatus', 'tagPatternList', 'tagPrefixList', 'storageClass', 'countType', 'countUnit', 'countNumber'] as const
const ACTION_MEMBERS = ['type', 'targetStorageClass'] as const

/**
 * The text ECR stores and returns for a lifecycle policy it accepted: compact, the rules in
 * ascending rulePriority, each member where ECR puts it (discoveries §26). `text` must already
 * have passed {@link parseLifecyclePolicy}.
 *
 * @example
 * storedLifecyclePolicyText('{ "rules": [ { "action": { "type": "expire" }, "selection": { "countNumber": 5, "countType": "imageCountMoreThan", "tagStatus": "any" }, "rulePriority": 1 } ] }')
 * // '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}'
 */
export function storedLifecyclePolicyText(text: string): string {
  const rules = ((parseJsonText(text) as JsonMembers).get('rules') as JsonMembers[]).map(ruleAsWritten)
  const priority = (rule: JsonMembers) => Number((rule.get('rulePriority') as JsonNumber).literal)
  return compactJsonText(new Map<string, JsonValue>([['rules', rules.sort((a, b) => priority(a) - priority(b))]]))
}

function ruleAsWritten(rule: JsonMembers): JsonMembers {
  const selection = inOrder(rule.get('selection') as JsonMembers, SELECTION_MEMBERS)
  selection.set('countNumber', integer(selection.get('countNumber')))
  // Members that are there already keep their place when set again.
  const written = inOrder(rule, RULE_MEMBERS)
  written.set('rulePriority', integer(rule.get('rulePriority')))
  written.set('selection', selection)
  written.set('action', inOrder(rule.get('action') as JsonMembers, ACTION_MEMBERS))
  return written
}

/** The members of `object` that `members` names, in that order. */
function inOrder(object: JsonMembers, members: readonly string[]): JsonMembers {
  return new Map(members.flatMap((name): Array<[string, JsonValue]> => (object.has(name) ? [[name, object.get(name)!]] : [])))
}

/** ECR reads rulePriority and countNumber as integers (validated already) and writes them so. */
function integer(value: JsonValue | undefined): JsonNumber {
  return new JsonNumber(BigInt(Number((value as JsonNumber).literal)).toString())
}

function parseRule(value: unknown): LifecycleRule {
  const rule = checkObject(value, ['rulePriority', 'selection', 'action'], ['rulePriority', 'description', 'selection', 'action'])
  const rulePriority = checkInteger(rule.rulePriority)
  const description = rule.description === undefined ? undefined : checkString(rule.description)
  const selection = parseSelection(rule.selection)
  const action = parseAction(rule.action)
  checkTagLists(selection)
  checkActionFits(selection, action)
  return { rulePriority, ...(description !== undefined && { description }), selection, action }
}

function parseSelection(value: unknown): LifecycleSelection {
  const selection = checkObject(
    value,
    ['tagStatus', 'countType', 'countNumber'],
    ['tagStatus', 'tagPatternList', 'tagPrefixList', 'storageClass', 'countType', 'countUnit', 'countNumber'],
  )
  const tagStatus = checkEnum(selection.tagStatus, TAG_STATUSES)
  const tagPrefixList = selection.tagPrefixList === undefined ? undefined : checkStringList(selection.tagPrefixList)
  const tagPatternList = selection.tagPatternList === undefined ? undefined : checkStringList(selection.tagPatternList)
  const storageClass = selection.storageClass === undefined ? undefined : checkEnum(selection.storageClass, STORAGE_CLASSES)
  const countUnit = selection.countUnit === undefined ? undefined : checkEnum(selection.countUnit, ['days'] as const)
  const countNumber = checkInteger(selection.countNumber)
  const common = {
    tagStatus,
    ...(tagPrefixList && { tagPrefixList }),
    ...(tagPatternList && { tagPatternList }),
    countNumber,
  }
  // ECR's schema has one alternative per countType, each fixing countUnit and storageClass.
  const countType = selection.countType
  if (countType === 'imageCountMoreThan' && countUnit === undefined && storageClass !== 'archive') {
    return { ...common, countType, storageClass: 'standard' }
  }
  if ((countType === 'sinceImagePushed' || countType === 'sinceImagePulled') && countUnit === 'days' && storageClass !== 'archive') {
    return { ...common, countType, countUnit, storageClass: 'standard' }
  }
  if (countType === 'sinceImageTransitioned' && countUnit === 'days' && storageClass === 'archive') {
    return { ...common, countType, countUnit, storageClass }
  }
  return schemaFailure('instance failed to match exactly one schema (matched 0 out of 4)')
}

function parseAction(value: unknown): LifecycleAction {
  const action = checkObject(value, ['type'], ['type', 'targetStorageClass'])
  const type = checkEnum(action.type, ACTION_TYPES)
  // One alternative per action type: expire takes no target, transition needs `archive`.
  if (type === 'expire' && action.targetStorageClass === undefined) return { type }
  if (type === 'transition' && action.targetStorageClass === 'archive') return { type, targetStorageClass: 'archive' }
  return schemaFailure('instance failed to match exactly one schema (matched 0 out of 2)')
}

function checkTagLists({ tagStatus, tagPrefixList, tagPatternList }: LifecycleSelection): void {
  if (tagStatus !== 'tagged') {
    if (tagPrefixList !== undefined || tagPatternList !== undefined) {
      throw failure('tagPrefixList and tagPatternList can only be specified when tagStatus=TAGGED.')
    }
    return
  }
  if (tagPrefixList === undefined && tagPatternList === undefined) {
    throw failure('Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.')
  }
  if (tagPrefixList !== undefined && tagPatternList !== undefined) {
    throw failure('Cannot specify both tagPrefixList and tagPatternList when tagStatus=TAGGED.')
  }
  for (const pattern of tagPatternList ?? []) {
    if (pattern.split('*').length - 1 > MAX_WILDCARDS) {
      throw failure(`Tag pattern '${pattern}' has more than ${MAX_WILDCARDS} wildcards (*).`)
    }
  }
}

/**
 * The count types that are only for one action: pull age archives (it cannot expire), time in
 * the archive expires, and only after ECR's 90-day minimum archive storage.
 */
function checkActionFits(selection: LifecycleSelection, action: LifecycleAction): void {
  if (selection.countType === 'sinceImagePulled' && action.type !== 'transition') {
    throw failure('countType sinceImagePulled can only be used with action type transition.')
  }
  if (selection.countType === 'sinceImageTransitioned') {
    if (action.type !== 'expire') throw failure('countType sinceImageTransitioned can only be used with action type expire.')
    if (selection.countNumber < MIN_ARCHIVE_DAYS) {
      throw failure(`You cannot configure lifecycle policies that delete images that have been in archive for less than ${MIN_ARCHIVE_DAYS} days.`)
    }
  }
}

/** The rules that concern the policy as a whole: unique priorities, and per storage class. */
function checkRuleSet(rules: readonly LifecycleRule[]): void {
  const priorities = new Set<number>()
  for (const { rulePriority } of rules) {
    if (priorities.has(rulePriority)) throw failure(`Rule priority ${rulePriority} is used by more than one rule.`)
    priorities.add(rulePriority)
  }
  for (const storageClass of STORAGE_CLASSES) {
    const inClass = rules.filter((rule) => rule.selection.storageClass === storageClass)
    if (inClass.filter((rule) => rule.selection.tagStatus === 'untagged').length > 1) {
      throw failure('Only one rule can select Untagged images per storage class.')
    }
    const highest = Math.max(...inClass.map((rule) => rule.rulePriority))
    if (inClass.some((rule) => rule.selection.tagStatus === 'any' && rule.rulePriority !== highest)) {
      throw failure('Rule for tagStatus=ANY must have the lowest priority per storage class')
    }
  }
}

type JsonObject = { readonly [key: string]: unknown }

/** The JSON type names the schema validator behind ECR's messages uses. */
function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function checkType(value: unknown, expected: string): void {
  const actual = jsonType(value)
  if (actual !== expected) {
    schemaFailure(`instance type (${actual}) does not match any allowed primitive type (allowed: ["${expected}"])`)
  }
}

/** An object with its required members present and no members the schema does not know. */
function checkObject(value: unknown, required: readonly string[], allowed: readonly string[]): JsonObject {
  checkType(value, 'object')
  const object = value as JsonObject
  const missing = required.filter((key) => !Object.hasOwn(object, key)).sort()
  if (missing.length > 0) schemaFailure(`object has missing required properties (${JSON.stringify(missing)})`)
  const unknown = Object.keys(object).filter((key) => !allowed.includes(key)).sort()
  if (unknown.length > 0) {
    schemaFailure(`object instance has properties which are not allowed by the schema: (${JSON.stringify(unknown)})`)
  }
  // Members are read by name below; a JSON `__proto__` member is an own property, never the prototype.
  return Object.fromEntries(allowed.filter((key) => Object.hasOwn(object, key)).map((key) => [key, object[key]]))
}

function checkArray(value: unknown): unknown[] {
  checkType(value, 'array')
  return value as unknown[]
}

function checkString(value: unknown): string {
  checkType(value, 'string')
  return value as string
}

function checkStringList(value: unknown): string[] {
  const items = checkArray(value)
  if (items.length === 0) schemaFailure('array is too short: must have at least 1 elements but instance has 0 elements')
  return items.map(checkString)
}

/** An integer of at least 1 (rulePriority and countNumber). */
function checkInteger(value: unknown): number {
  checkType(value, 'integer')
  const number = value as number
  if (number < 1) schemaFailure(`numeric instance is lower than the required minimum (minimum: 1, found: ${number})`)
  return number
}

function checkEnum<const Values extends readonly string[]>(value: unknown, values: Values): Values[number] {
  const text = checkString(value)
  if (!values.includes(text)) {
    schemaFailure(`instance value (${text}) not found in enum :(possible values: ${JSON.stringify(values)})`)
  }
  return text as Values[number]
}

function failure(detail: string) {
  return invalidParameter('LifecyclePolicyText', `Lifecycle policy validation failure: ${detail}`)
}

/** ECR ends the details that come from its JSON-schema validator with a newline (observed). */
function schemaFailure(detail: string): never {
  throw failure(`${detail}\n`)
}
