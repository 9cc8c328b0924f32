import type { Member, ModelOperation, Shape, StructureShape } from './model.js'
import { ACCOUNT, base64Bytes, fill, NON_ASCII, patternBreakers, sampleString } from './samples.js'

/**
 * The case generator: from an operation's input shape in the model and the scenario's valid
 * inputs, every valid boundary case and every invalid case with the exact error ECR answers.
 * See decisions/conformance-suite.md for what counts as a case.
 */

export type Input = Record<string, unknown>

/** A member's place in an input: keys, and `0` for the first item of a list. */
export type Path = ReadonlyArray<string | 0>

export type Expectation =
  /** 200, and the body matches the output shape. */
  | { kind: 'success' }
  /** 200 with the same body, and the same state after, as the scenario's input without the change. */
  | { kind: 'same-as-given' }
  /** This exact status and JSON body. */
  | { kind: 'error'; status: number; body: Record<string, string> }
  /** An error with this code (and message, when ECR's text is known): a semantic refusal. */
  | { kind: 'refusal'; code: string; message?: string }

export interface Case {
  /** Unique within the operation; scenarios refer to cases by it. */
  id: string
  column: 'valid' | 'invalid'
  /** Which of the scenario's inputs the case starts from. */
  base: number
  /** The repository name the scenario's setup runs with (default: the suite's). */
  repositoryName?: string
  /** Turns (a copy of) the base input into the case's input. */
  edit: (input: Input) => Input
  /** The raw request body, for cases whose body is not the JSON of an input. */
  body?: string
  expect: Expectation
  /** Why the case cannot be run (listed, counted, never silently dropped). */
  notApplicable?: string
}

const SERIALIZATION = 'com.amazon.coral.service#SerializationException'
/**
 * "Very long": far past the length bound of most of ECR's string inputs. Non-ASCII texts past this
 * length are not sent: code points are counted alike at any length, and a four-million-emoji
 * manifest would cost seconds for nothing new.
 */
const VERY_LONG = 65_536
/** How far past its bound a hostile client sends a member: ten times, and ten thousand times. */
const HOSTILE_FACTORS = [10, 10_000] as const
/** A member this long makes a body over the 28 MiB request cap (MAX_REQUEST_BYTES). */
const OVER_THE_CAP = 28 * 1024 * 1024 + 1024
/** A name no scenario creates. */
const MISSING_REPOSITORY = 'conformance/missing'

/**
 * Where AWS was seen to list enum values in another order than the model's (discoveries/ecr-behaviour.md §1,
 * "bad enum", captured from real ECR).
 */
const OBSERVED_ENUM_ORDER: Record<string, readonly string[]> = {
  ImageTagMutability: ['IMMUTABLE', 'MUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION'],
}

/** `imageIds[].imageTag`: how cases name a member. */
function displayPath(path: Path): string {
  return path.map((key, index) => (key === 0 ? '[]' : index === 0 ? key : `.${key}`)).join('')
}

/** `imageIds.1.member.imageTag`: how ECR names a member in its messages. */
function awsPath(path: Path): string {
  return path.map((key) => (key === 0 ? '1.member' : key)).join('.')
}

interface Node {
  path: Path
  shape: Shape
  /** A required member, or a list item (which cannot be absent either). */
  required: boolean
  isItem: boolean
}

/** Every member of the input, depth first; list items are visited through their first item. */
function* nodes(shape: Shape, path: Path): Generator<Node> {
  if (shape.kind === 'structure') {
    for (const member of shape.members) {
      const memberPath = [...path, member.name]
      yield { path: memberPath, shape: member.shape, required: member.required, isItem: false }
      yield* nodes(member.shape, memberPath)
    }
  } else if (shape.kind === 'list') {
    const itemPath = [...path, 0 as const]
    yield { path: itemPath, shape: shape.member, required: true, isItem: true }
    yield* nodes(shape.member, itemPath)
  }
}

function childShape(shape: Shape, key: string | 0): Shape {
  if (shape.kind === 'list' && key === 0) return shape.member
  if (shape.kind === 'structure') {
    const member = shape.members.find((candidate: Member) => candidate.name === key)
    if (member !== undefined) return member.shape
  }
  throw new Error(`${shape.name} has no member ${String(key)}`)
}

const DELETE = Symbol('delete')

/**
 * Changes the value at `path` (ancestors the input lacks are filled with model-valid values, so a
 * nested member can be tested under any input).
 */
function update(shape: Shape, input: Input, path: Path, change: (current: unknown) => unknown): Input {
  let container = input as Record<string | number, unknown>
  let current: Shape = shape
  for (const [index, key] of path.entries()) {
    const childType = childShape(current, key)
    if (index === path.length - 1) {
      const value = change(container[key])
      if (value === DELETE) delete container[key]
      else container[key] = value
      break
    }
    const existing = container[key]
    if (existing === undefined || existing === null || (Array.isArray(existing) && existing.length === 0)) {
      container[key] = fill(childType)
    }
    container = container[key] as Record<string | number, unknown>
    current = childType
  }
  return input
}

function valueAt(input: Input, path: Path): unknown {
  let value: unknown = input
  for (const key of path) value = (value as Record<string | number, unknown> | undefined)?.[key]
  return value
}

/** The first input that has the member's top-level ancestor, else the first. */
function baseFor(bases: readonly Input[], path: Path): number {
  const found = bases.findIndex((base) => Object.hasOwn(base, path[0] as string))
  return found === -1 ? 0 : found
}

/** The scenario's input with only the required members, at every depth. */
function requiredOnly(shape: Shape, value: unknown): unknown {
  if (shape.kind === 'list' && Array.isArray(value)) return value.map((item) => requiredOnly(shape.member, item))
  if (shape.kind !== 'structure' || typeof value !== 'object' || value === null) return value
  const kept: Input = {}
  for (const member of shape.members) {
    const memberValue = (value as Input)[member.name]
    if (member.required && memberValue !== undefined) kept[member.name] = requiredOnly(member.shape, memberValue)
  }
  return kept
}

/**
 * Every valid and invalid case of one operation, around the scenario's valid inputs.
 *
 * @example
 * const cases = generateCases(modelOperations.get('ListImages')!, [{ repositoryName: 'app', maxResults: 1 }])
 * cases.find((kase) => kase.id === 'maxResults above max (1001)')?.expect
 * // { kind: 'error', status: 400, body: { __type: 'InvalidParameterException', message: "Invalid parameter at 'maxResults' …" } }
 */
export function generateCases(operation: ModelOperation, bases: readonly Input[]): Case[] {
  const cases: Case[] = []
  const input = operation.input
  const add = (kase: Case) => cases.push(kase)
  // Values are made when a case runs, not when it is listed: some are megabytes long.
  const set = (path: Path, make: () => unknown) => (given: Input) => update(input, given, path, make)

  bases.forEach((_, index) => {
    add({ id: index === 0 ? 'as given' : `as given #${index + 1}`, column: 'valid', base: index, edit: (given) => given, expect: { kind: 'success' } })
  })
  const stripped = requiredOnly(input, bases[0])
  if (JSON.stringify(stripped) !== JSON.stringify(bases[0])) {
    add({ id: 'required members only', column: 'valid', base: 0, edit: (given) => requiredOnly(input, given) as Input, expect: { kind: 'success' } })
  }

  for (const node of nodes(input, [])) {
    const base = baseFor(bases, node.path)
    const name = displayPath(node.path)
    const valid = (label: string, edit: Case['edit'], extra: Partial<Case> = {}) =>
      add({ id: `${name} ${label}`, column: 'valid', base, edit, expect: { kind: 'success' }, ...extra })
    const invalid = (label: string, edit: Case['edit'], expect: Expectation, extra: Partial<Case> = {}) =>
      add({ id: `${name} ${label}`, column: 'invalid', base, edit, expect, ...extra })
    const topRepositoryName = node.path.length === 1 && node.path[0] === 'repositoryName'
    /**
     * A value far past the member's bound (a hostile client's): refused with the length error, or,
     * when the body would pass the request cap, with 413 before it is read.
     */
    const hostile = (label: string, overTheCap: boolean, edit: Case['edit'], expect: Expectation) =>
      invalid(label, edit, overTheCap ? tooLarge(operation.name) : expect)

    // Presence.
    if (!node.isItem && !node.required) {
      if (valueAt(bases[base]!, node.path) !== undefined) {
        valid('absent', (given) => update(input, given, node.path, () => DELETE))
        if (node.path.length === 1) valid('null', set(node.path, () => null))
      } else {
        valid('present', set(node.path, () => fill(node.shape)))
      }
    }
    if (!node.isItem && node.required) {
      const missing = constraintError(node.path, 'must not be null')
      invalid('missing', (given) => update(input, given, node.path, () => DELETE), missing)
      invalid('null', set(node.path, () => null), missing)
    }

    // Wrong JSON types.
    for (const [label, value, message] of wrongTypes(node.shape)) {
      invalid(`as ${label}`, set(node.path, () => structuredClone(value)), { kind: 'error', status: 400, body: { __type: SERIALIZATION, Message: message } })
    }

    // Boundaries and broken constraints.
    const shape = node.shape
    const broken = (phrase: string): Expectation => constraintError(node.path, phrase)
    switch (shape.kind) {
      case 'string': {
        const sized = (label: string, length: number, onValid: boolean, expect?: Expectation) => {
          const value = sampleString(shape, length)
          const extra: Partial<Case> =
            value === undefined
              ? { notApplicable: `the pattern of ${shape.name} allows no ${length}-character value, so this length cannot be tested on its own` }
              : topRepositoryName && onValid
                ? { repositoryName: value }
                : {}
          const edit = set(node.path, () => sampleString(shape, length))
          if (onValid) valid(label, edit, extra)
          else invalid(label, edit, expect!, extra)
        }
        if (shape.min !== undefined) sized(`shortest (${shape.min})`, shape.min, true)
        if (shape.max !== undefined) sized(`longest (${shape.max})`, shape.max, true)
        const tooCostly = { notApplicable: 'shorter non-ASCII cases show how length is counted; this many emoji would cost seconds' }
        if (shape.max !== undefined && shape.pattern === undefined) {
          valid(`longest non-ASCII (${shape.max})`, set(node.path, () => NON_ASCII.repeat(shape.max!)), shape.max > VERY_LONG ? tooCostly : {})
        }
        if (topRepositoryName) valid('= constructor', set(node.path, () => 'constructor'), { repositoryName: 'constructor' })
        if (shape.min !== undefined && shape.min > 0) {
          sized(`too short (${shape.min - 1})`, shape.min - 1, false, broken(`must have length greater than or equal to ${shape.min}`))
        }
        if (shape.max !== undefined) {
          const tooLong = broken(`must have length less than or equal to ${shape.max}`)
          sized(`too long (${shape.max + 1})`, shape.max + 1, false, tooLong)
          if (shape.max < VERY_LONG) sized(`very long (${VERY_LONG})`, VERY_LONG, false, tooLong)
          if (shape.pattern === undefined) {
            invalid(`too long non-ASCII (${shape.max + 1})`, set(node.path, () => NON_ASCII.repeat(shape.max! + 1)), tooLong, shape.max >= VERY_LONG ? tooCostly : {})
          }
        }
        if (shape.max !== undefined) {
          for (const factor of HOSTILE_FACTORS) {
            const length = Math.min(shape.max * factor, OVER_THE_CAP)
            hostile(`${factor.toLocaleString('en')}× the maximum`, length === OVER_THE_CAP, set(node.path, () => 'a'.repeat(length)), broken(`must have length less than or equal to ${shape.max}`))
          }
        }
        if (shape.pattern !== undefined) {
          const shown = shape.pattern.replace(/^\^/, '').replace(/\$$/, '').replaceAll('\\/', '/')
          const expect = broken(topRepositoryName ? `must satisfy regular expression '${shown}'` : `must satisfy regular expression pattern: ${shown}`)
          for (const value of patternBreakers(shape)) invalid(`breaking the pattern ${JSON.stringify(value)}`, set(node.path, () => value), expect)
        }
        break
      }
      case 'enum': {
        for (const value of shape.values) valid(`= ${value}`, set(node.path, () => value))
        const expect = broken(`must satisfy enum value set: [${(OBSERVED_ENUM_ORDER[shape.name] ?? shape.values).join(', ')}]`)
        const lower = shape.values[0]!.toLowerCase()
        for (const value of ['NOT_A_VALUE', ...(shape.values.includes(lower) ? [] : [lower])]) {
          invalid(`= ${JSON.stringify(value)}`, set(node.path, () => value), expect)
        }
        break
      }
      case 'integer':
      case 'long': {
        if (shape.min !== undefined) valid(`min (${shape.min})`, set(node.path, () => shape.min))
        if (shape.max !== undefined) valid(`max (${shape.max})`, set(node.path, () => shape.max))
        // AWS's deserializer truncates a fraction (discoveries/ecr-behaviour.md §3): the same call.
        valid('with a fraction', (given) => update(input, given, node.path, (current) => ((current as number | undefined) ?? (fill(shape) as number)) + 0.5))
        if (shape.min !== undefined) invalid(`below min (${shape.min - 1})`, set(node.path, () => shape.min! - 1), broken(`must have value greater than or equal to ${shape.min}`))
        if (shape.max !== undefined) invalid(`above max (${shape.max + 1})`, set(node.path, () => shape.max! + 1), broken(`must have value less than or equal to ${shape.max}`))
        break
      }
      case 'boolean':
        valid('= true', set(node.path, () => true))
        valid('= false', set(node.path, () => false))
        break
      case 'blob':
        if (shape.min !== undefined) valid(`shortest (${shape.min} bytes)`, set(node.path, () => base64Bytes(shape.min!)))
        if (shape.max !== undefined) {
          valid(`longest (${shape.max} bytes)`, set(node.path, () => base64Bytes(shape.max!)))
          invalid(`too long (${shape.max + 1} bytes)`, set(node.path, () => base64Bytes(shape.max! + 1)), broken(`must have length less than or equal to ${shape.max}`))
        }
        break
      case 'list': {
        const items = (count: number) => (given: Input) =>
          update(input, given, node.path, (current) => {
            const first = Array.isArray(current) && current.length > 0 ? current[0] : fill(shape.member)
            return Array.from({ length: count }, () => structuredClone(first))
          })
        const min = shape.min ?? 0
        if (min === 0) valid('empty', set(node.path, () => []))
        else valid(`${min} item${min === 1 ? '' : 's'}`, items(min))
        if (shape.max !== undefined) valid(`${shape.max} items`, items(shape.max))
        if (min > 0) invalid(`${min - 1} items`, items(min - 1), broken(`must have length greater than or equal to ${min}`))
        if (shape.max !== undefined) invalid(`${shape.max + 1} items`, items(shape.max + 1), broken(`must have length less than or equal to ${shape.max}`))
        if (shape.max !== undefined) {
          // The smallest item of the right JSON type: the length is refused before any item is looked at.
          const item = JSON.stringify(smallest(shape.member))
          for (const factor of HOSTILE_FACTORS) {
            const count = Math.min(shape.max * factor, Math.ceil(OVER_THE_CAP / (item.length + 1)))
            const overTheCap = count * (item.length + 1) >= OVER_THE_CAP
            hostile(`${factor.toLocaleString('en')}× the maximum items`, overTheCap, set(node.path, () => Array.from({ length: count }, () => JSON.parse(item))), broken(`must have length less than or equal to ${shape.max}`))
          }
        }
        break
      }
      default:
        break
    }
  }

  addTolerated(cases, input, bases[0]!)
  addBodies(cases)
  if (input.members.some((member) => member.name === 'repositoryName' && member.required) && operation.name !== 'CreateRepository') {
    add({
      id: 'repository that does not exist',
      column: 'invalid',
      base: 0,
      edit: set(['repositoryName'], () => MISSING_REPOSITORY),
      expect: {
        kind: 'refusal',
        code: 'RepositoryNotFoundException',
        message: `The repository with name '${MISSING_REPOSITORY}' does not exist in the registry with id '${ACCOUNT}'`,
      },
    })
  }
  return cases
}

/**
 * InvalidParameterException for a broken constraint, worded as ECR words it
 * (decisions/validation.md): no "Member " for a top-level repositoryName, list items reported on
 * the list.
 */
function constraintError(path: Path, phrase: string): Expectation {
  const message = (member: Path, constraint: string) =>
    `Invalid parameter at '${awsPath(member)}' failed to satisfy constraint: '${constraint}'`
  const plain = path.length === 1 && path[0] === 'repositoryName'
  const body =
    path.at(-1) === 0
      ? message(path.slice(0, -1), `Member must satisfy constraint: [Member ${phrase}]`)
      : message(path, plain ? phrase : `Member ${phrase}`)
  return { kind: 'error', status: 400, body: { __type: 'InvalidParameterException', message: body } }
}

/** The answer to a body over the request cap (decisions/limits.md). */
function tooLarge(operation: string): Expectation {
  return {
    kind: 'error',
    status: 413,
    body: { __type: 'RequestEntityTooLargeException', message: `Request must be smaller than ${28 * 1024 * 1024} bytes for the ${operation} operation` },
  }
}

/** The smallest value of a shape's JSON type: `{}`, `[]`, `""`, `0` or `false`. */
function smallest(shape: Shape): unknown {
  switch (shape.kind) {
    case 'structure':
    case 'map':
      return {}
    case 'list':
      return []
    case 'integer':
    case 'long':
    case 'double':
    case 'timestamp':
      return 0
    case 'boolean':
      return false
    default:
      return ''
  }
}

const LIST_HERE = 'Start of list found where not expected'
const MAP_HERE = 'Start of structure or map found where not expected.'

/**
 * JSON values of the wrong type for a shape, with Coral's SerializationException text
 * (discoveries/ecr-behaviour.md §3). The target type is named as Coral names its Java type:
 * measured for String and Integer; Long, Boolean and Blob by the same rule.
 */
function wrongTypes(shape: Shape): Array<[string, unknown, string]> {
  const scalar = (target: string): Array<[string, unknown, string]> => [
    ['a number', 5, `NUMBER_VALUE can not be converted to ${target}`],
    ['true', true, `TRUE_VALUE can not be converted to ${target}`],
    ['a list', [], LIST_HERE],
    ['an object', {}, MAP_HERE],
  ]
  switch (shape.kind) {
    case 'string':
    case 'enum':
      return scalar('a String')
    case 'integer':
    case 'long': {
      const target = shape.kind === 'integer' ? 'an Integer' : 'a Long'
      return [
        ['a string', '1', `STRING_VALUE can not be converted to ${target}`],
        ['false', false, `FALSE_VALUE can not be converted to ${target}`],
        ['a list', [1], LIST_HERE],
        ['an object', {}, MAP_HERE],
      ]
    }
    case 'boolean':
      return [
        ['a string', 'true', 'STRING_VALUE can not be converted to a Boolean'],
        ['a number', 1, 'NUMBER_VALUE can not be converted to a Boolean'],
        ['a list', [true], LIST_HERE],
        ['an object', {}, MAP_HERE],
      ]
    case 'blob':
      return scalar('a Blob')
    case 'list':
      return [
        ['a string', 'x', 'Expected list or null'],
        ['a number', 5, 'Expected list or null'],
        ['an object', {}, MAP_HERE],
      ]
    case 'structure':
      return [
        ['a string', 'x', 'Expected null'],
        ['true', true, 'Expected null'],
        ['a list', [], LIST_HERE],
      ]
    default:
      return []
  }
}

/**
 * What AWS JSON services tolerate (discoveries/ecr-behaviour.md §2): unknown members, at the top
 * and inside a nested structure, and `__proto__` / `constructor` keys, are ignored. The result
 * must be exactly that of the input without them.
 */
function addTolerated(cases: Case[], input: StructureShape, base: Input): void {
  const same: Expectation = { kind: 'same-as-given' }
  const tolerated = (id: string, edit: Case['edit']) => cases.push({ id, column: 'invalid', base: 0, edit, expect: same })
  const nested = firstNestedStructure(input, base, [])
  tolerated('unknown member', (given) => ({ ...given, conformanceUnknownMember: { deep: [1, 'two', null, { three: true }] } }))
  tolerated('__proto__ key', (given) => withOwnKey(given, '__proto__', { polluted: 'yes' }))
  tolerated('constructor key', (given) => withOwnKey(given, 'constructor', { prototype: { polluted: 'yes' } }))
  if (nested !== undefined) {
    const inner = (given: Input) => valueAt(given, nested) as Input
    tolerated(`unknown member in ${displayPath(nested)}`, (given) => {
      inner(given)['conformanceUnknownMember'] = 'ignored'
      return given
    })
    tolerated(`__proto__ key in ${displayPath(nested)}`, (given) => {
      withOwnKey(inner(given), '__proto__', { polluted: 'yes' })
      return given
    })
  }
}

/** The path of the first structure nested in the base input (in a member or a list item). */
function firstNestedStructure(shape: Shape, value: unknown, path: Path): Path | undefined {
  if (value === undefined || value === null) return undefined
  if (shape.kind === 'list') return firstNestedStructure(shape.member, (value as unknown[])[0], [...path, 0])
  if (shape.kind !== 'structure') return undefined
  if (path.length > 0) return path
  for (const member of shape.members) {
    const found = firstNestedStructure(member.shape, (value as Input)[member.name], [...path, member.name])
    if (found !== undefined) return found
  }
  return undefined
}

/** Adds a key as an own, enumerable property, even `__proto__` (which assignment would not create). */
function withOwnKey<Value extends object>(target: Value, key: string, value: unknown): Value {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  return target
}

/**
 * Bodies that are not a JSON object: SerializationException from AWS's front end
 * (discoveries/ecr-behaviour.md §4). AWS sends no message for a string or unparseable body; the
 * fake adds one, so a developer sees what was wrong (decisions/validation.md).
 */
function addBodies(cases: Case[]): void {
  const serialization = (message?: string): Expectation => ({
    kind: 'error',
    status: 400,
    body: { __type: SERIALIZATION, ...(message !== undefined && { Message: message }) },
  })
  const body = (id: string, text: string, expect: Expectation) =>
    cases.push({ id, column: 'invalid', base: 0, edit: (given) => given, body: text, expect })
  body('body is a JSON list', '[]', serialization(LIST_HERE))
  body('body is a JSON string', '"text"', serialization('Start of structure or map expected'))
  body('body is JSON null', 'null', serialization('Start of structure or map expected'))
  body('body is not JSON', '{"repositoryName":', serialization('The request body is not valid JSON'))
}
