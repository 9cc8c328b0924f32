import type { z } from 'zod'
import { EcrError, invalidParameter } from '../errors.js'
import { isBytes } from '../realms.js'
import type { Broken } from './builders.js'

/**
 * Checks an operation's input against its schema (generated from the Smithy model) before any
 * state is touched, and words the first problem as ECR does (discoveries/ecr-behaviour.md §1–4):
 * - a value of the wrong JSON type cannot be deserialized: SerializationException;
 * - a missing required member, or a value that breaks a constraint: InvalidParameterException,
 *   `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'`.
 * Unknown members are ignored and JSON `null` counts as absent, as in AWS JSON services.
 */
export function validateInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  if (Array.isArray(input)) throw new EcrError('SerializationException', 'Start of list found where not expected')
  if (typeof input !== 'object' || input === null) {
    throw new EcrError('SerializationException', 'Start of structure or map expected')
  }
  const result = schema.safeParse(withoutNulls(input), { reportInput: true })
  if (result.success) return result.data
  const issues = result.error.issues
  const typeIssue = issues.find(
    (issue) =>
      issue.input !== undefined &&
      (issue.code === 'invalid_type' ||
        (issue.code === 'custom' && ['type', 'base64'].includes((issue.params as Broken).rule))),
  )
  if (typeIssue !== undefined) throw serializationError(typeIssue)
  const first = issues[0]!
  throw constraintError({ path: first.path, broken: first.code === 'custom' ? (first.params as Broken) : undefined })
}

/** What a JSON value is, as Coral's deserializer names it in its messages. */
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'true' | 'false'

/** The JSON type a member of the model wants (enums are strings). */
export type WireKind = 'structure' | 'list' | 'string' | 'integer' | 'long' | 'boolean' | 'blob'

const JAVA_TYPES: Readonly<Record<Exclude<WireKind, 'structure' | 'list'>, string>> = {
  string: 'a String',
  integer: 'an Integer',
  long: 'a Long',
  boolean: 'a Boolean',
  blob: 'a Blob',
}

/**
 * Coral's deserializer message for a value of the wrong JSON type (measured on AWS JSON services;
 * discoveries/ecr-behaviour.md §3).
 */
export function typeMismatch(actual: JsonKind, expected: WireKind): EcrError {
  if (actual === 'array') return new EcrError('SerializationException', 'Start of list found where not expected')
  if (actual === 'object') return new EcrError('SerializationException', 'Start of structure or map found where not expected.')
  if (expected === 'list') return new EcrError('SerializationException', 'Expected list or null')
  if (expected === 'structure') return new EcrError('SerializationException', 'Expected null')
  const token = actual === 'true' ? 'TRUE_VALUE' : actual === 'false' ? 'FALSE_VALUE' : `${actual === 'number' ? 'NUMBER' : 'STRING'}_VALUE`
  return new EcrError('SerializationException', `${token} can not be converted to ${JAVA_TYPES[expected]}`)
}

/** The error for a list with more than `limit` items at `path` (list positions count from 0). */
export function tooManyItems(path: readonly PropertyKey[], limit: number): EcrError {
  return constraintError({ path: [...path], broken: { rule: 'max-length', limit } })
}

/** Coral's deserializer messages (measured on AWS JSON services; discoveries/ecr-behaviour.md §3). */
function serializationError(issue: z.core.$ZodIssue): EcrError {
  const broken = issue.code === 'custom' ? (issue.params as Broken) : undefined
  if (broken?.rule === 'base64') {
    return new EcrError('SerializationException', `Base64 encoded value at '${dotted(issue.path)}' is invalid`)
  }
  const value = issue.input
  const actual: JsonKind = Array.isArray(value)
    ? 'array'
    : typeof value === 'object'
      ? 'object'
      : typeof value === 'boolean'
        ? value
          ? 'true'
          : 'false'
        : typeof value === 'number'
          ? 'number'
          : 'string'
  if (issue.code === 'invalid_type') return typeMismatch(actual, issue.expected === 'array' ? 'list' : 'structure')
  const javaType = broken?.rule === 'type' ? broken.javaType : 'a String'
  const expected = (Object.keys(JAVA_TYPES) as Array<keyof typeof JAVA_TYPES>).find((kind) => JAVA_TYPES[kind] === javaType) ?? 'string'
  return typeMismatch(actual, expected)
}

/** InvalidParameterException for a member that breaks a constraint (`broken`), or is missing (no `broken`). */
function constraintError({ path, broken }: { path: readonly PropertyKey[]; broken: Broken | undefined }): EcrError {
  // ECR words its own repositoryName checks without the leading "Member" (observed).
  const plain = path.length === 1 && path[0] === 'repositoryName'
  const missing = broken === undefined || broken.rule === 'type'
  const constraint = missing ? 'must not be null' : phrase(broken, plain)
  const listAt = path.findIndex((key) => typeof key === 'number')
  // A list item that breaks a constraint is reported on the list:
  // 'Member must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]{12}]'.
  if (listAt !== -1 && listAt === path.length - 1) {
    return invalidParameter(dotted(path.slice(0, listAt)), `Member must satisfy constraint: [Member ${constraint}]`)
  }
  return invalidParameter(dotted(path), plain ? constraint : `Member ${constraint}`)
}

function phrase(broken: Broken, plain: boolean): string {
  switch (broken.rule) {
    case 'min-length':
      return `must have length greater than or equal to ${broken.limit}`
    case 'max-length':
      return `must have length less than or equal to ${broken.limit}`
    case 'min-value':
      return `must have value greater than or equal to ${broken.limit}`
    case 'max-value':
      return `must have value less than or equal to ${broken.limit}`
    case 'enum':
      return `must satisfy enum value set: [${broken.values.join(', ')}]`
    case 'pattern': {
      const shown = broken.pattern.replace(/^\^/, '').replace(/\$$/, '').replaceAll('\\/', '/')
      return plain ? `must satisfy regular expression '${shown}'` : `must satisfy regular expression pattern: ${shown}`
    }
    case 'type':
    case 'base64':
      return 'must not be null'
  }
}

/** `imageIds.1.member.imageTag`: list positions count from 1, as in AWS's messages. */
function dotted(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? `${key + 1}.member` : String(key))).join('.')
}

/** ECR's deepest input is a few levels deep; anything far deeper is refused before recursing. */
const MAX_DEPTH = 32

function withoutNulls(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new EcrError('SerializationException', 'The request nests values too deeply')
  if (Array.isArray(value)) return value.filter((item) => item !== null).map((item) => withoutNulls(item, depth + 1))
  if (typeof value !== 'object' || value === null || isBytes(value)) return value
  // A null-prototype copy: a member named `__proto__` stays an ordinary (ignored) key.
  const copy: Record<string, unknown> = Object.create(null)
  for (const [key, member] of Object.entries(value)) {
    if (member !== null) copy[key] = withoutNulls(member, depth + 1)
  }
  return copy
}
