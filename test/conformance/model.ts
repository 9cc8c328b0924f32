import { readEcrModel } from '../../scripts/ecr-model.mjs'

/**
 * AWS's Smithy model of ECR (`model/ecr-smithy-model.json`, with the operations the SDK has and it
 * lacks from `model/ecr-model-supplement.json`), read at test time and resolved into plain shapes
 * the conformance generator walks. The suite reads the model itself rather than the
 * engine's generated schemas, so a mistake in the generator cannot hide in both places.
 */

const NS = 'com.amazonaws.ecr#'

interface Length {
  min?: number
  max?: number
}

export type Shape =
  | ({ kind: 'string'; name: string; pattern?: string } & Length)
  | { kind: 'enum'; name: string; values: readonly string[] }
  | ({ kind: 'integer' | 'long'; name: string } & Length)
  | { kind: 'double' | 'boolean' | 'timestamp'; name: string }
  | ({ kind: 'blob'; name: string } & Length)
  | ({ kind: 'list'; name: string; member: Shape } & Length)
  | { kind: 'map'; name: string; key: Shape; value: Shape }
  | { kind: 'structure'; name: string; members: readonly Member[] }

export interface Member {
  name: string
  required: boolean
  shape: Shape
}

export type StructureShape = Extract<Shape, { kind: 'structure' }>

export interface ModelOperation {
  name: string
  input: StructureShape
  output: StructureShape
  /** The errors the model declares for the operation (short names). */
  errors: readonly string[]
}

/**
 * Where the service has moved past the published model, as the engine's generator records it
 * (scripts/generate-model.mjs; the cross-check row of shared/reference/ECR-API.md): botocore allows 25 replication
 * rules where the model still says 10.
 */
const TRAIT_OVERRIDES: Record<string, Record<string, unknown>> = {
  'com.amazonaws.ecr#ReplicationRuleList': { 'smithy.api#length': { min: 0, max: 25 } },
}

interface RawShape {
  type: string
  traits?: Record<string, unknown>
  members?: Record<string, { target: string; traits?: Record<string, unknown> }>
  member?: { target: string }
  key?: { target: string }
  value?: { target: string }
  input?: { target: string }
  output?: { target: string }
  errors?: Array<{ target: string }>
  operations?: Array<{ target: string }>
}

const PRELUDE: Record<string, Shape['kind']> = {
  'smithy.api#String': 'string',
  'smithy.api#Boolean': 'boolean',
  'smithy.api#PrimitiveBoolean': 'boolean',
  'smithy.api#Integer': 'integer',
  'smithy.api#Long': 'long',
  'smithy.api#Double': 'double',
  'smithy.api#Timestamp': 'timestamp',
}

const raw = readEcrModel() as { shapes: Record<string, RawShape> }
const resolved = new Map<string, Shape>()

function shapeOf(id: string): Shape {
  const known = resolved.get(id)
  if (known !== undefined) return known
  const prelude = PRELUDE[id]
  if (prelude !== undefined) return { kind: prelude, name: id.slice('smithy.api#'.length) } as Shape
  const rawShape = raw.shapes[id]
  if (rawShape === undefined) throw new Error(`The model has no shape ${id}`)
  const name = id.slice(NS.length)
  const traits = { ...rawShape.traits, ...TRAIT_OVERRIDES[id] }
  const length = (traits['smithy.api#length'] ?? {}) as Length
  const range = (traits['smithy.api#range'] ?? {}) as Length
  switch (rawShape.type) {
    case 'string': {
      const pattern = traits['smithy.api#pattern'] as string | undefined
      return remember(id, { kind: 'string', name, ...length, ...(pattern !== undefined && { pattern }) })
    }
    case 'enum': {
      const values = Object.values(rawShape.members ?? {}).map((member) => member.traits?.['smithy.api#enumValue'] as string)
      return remember(id, { kind: 'enum', name, values })
    }
    case 'integer':
    case 'long':
      return remember(id, { kind: rawShape.type, name, ...range })
    case 'double':
    case 'boolean':
    case 'timestamp':
      return remember(id, { kind: rawShape.type, name })
    case 'blob':
      return remember(id, { kind: 'blob', name, ...length })
    case 'list': {
      // Registered before its member is resolved, so a recursive shape would not loop.
      const list = { kind: 'list', name, ...length } as Extract<Shape, { kind: 'list' }>
      resolved.set(id, list)
      return Object.assign(list, { member: shapeOf(rawShape.member!.target) })
    }
    case 'map':
      return remember(id, { kind: 'map', name, key: shapeOf(rawShape.key!.target), value: shapeOf(rawShape.value!.target) })
    case 'structure': {
      const members: Member[] = []
      const structure: StructureShape = { kind: 'structure', name, members }
      resolved.set(id, structure)
      for (const [memberName, member] of Object.entries(rawShape.members ?? {})) {
        members.push({
          name: memberName,
          required: member.traits?.['smithy.api#required'] !== undefined,
          shape: shapeOf(member.target),
        })
      }
      return structure
    }
    default:
      throw new Error(`Shape ${id} has a type the conformance suite does not know: ${rawShape.type}`)
  }
}

function remember(id: string, shape: Shape): Shape {
  resolved.set(id, shape)
  return shape
}

function structureOf(id: string): StructureShape {
  const shape = shapeOf(id)
  if (shape.kind !== 'structure') throw new Error(`${id} is not a structure`)
  return shape
}

/** Every operation of the model, by name, in name order. */
export const modelOperations: ReadonlyMap<string, ModelOperation> = new Map(
  Object.entries(raw.shapes)
    .filter(([, shape]) => shape.type === 'operation')
    .map(([id, shape]): [string, ModelOperation] => {
      const name = id.slice(NS.length)
      return [
        name,
        {
          name,
          input: structureOf(shape.input!.target),
          output: structureOf(shape.output!.target),
          errors: (shape.errors ?? []).map((error) => error.target.slice(NS.length)).sort(),
        },
      ]
    })
    .sort(([a], [b]) => a.localeCompare(b)),
)

/** The structure of a modelled error (its members may appear in the error body). */
export function errorShape(code: string): StructureShape | undefined {
  const id = `${NS}${code}`
  return raw.shapes[id]?.type === 'structure' ? structureOf(id) : undefined
}

/**
 * A Smithy pattern as a RegExp: ECMA-262 for the `u` flag, except that one of ECR's patterns
 * (CredentialArn) escapes `-` outside a class, which only the non-Unicode grammar allows.
 */
export function patternOf(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u')
  } catch {
    return new RegExp(pattern)
  }
}

/** Length as Smithy counts it: Unicode code points. */
export function codePoints(text: string): number {
  let count = 0
  for (const _ of text) count++
  return count
}
