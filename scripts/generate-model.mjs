// Generates, from AWS's Smithy model of ECR (model/ecr-smithy-model.json, with the shapes of
// model/ecr-model-supplement.json added), with `npm run generate`:
// - src/model/shapes.generated.ts: a zod schema for every shape that an operation's input reaches,
//   the input schema of every operation, the errors each operation declares, and every error of
//   the model with the HTTP status it is sent with;
// - src/model/wire-shapes.generated.ts: the JSON types of each operation's input (and the largest
//   length of its lists), what the AWS JSON reader needs to read a body without materialising more
//   than the operation can use.
import { writeFileSync } from 'node:fs'
import { readEcrModel } from './ecr-model.mjs'

const NS = 'com.amazonaws.ecr#'
const outUrl = new URL('../src/model/shapes.generated.ts', import.meta.url)
const wireUrl = new URL('../src/model/wire-shapes.generated.ts', import.meta.url)
const { shapes } = readEcrModel()

const PRELUDE = {
  'smithy.api#String': 'b.string()',
  'smithy.api#Boolean': 'b.boolean()',
  'smithy.api#PrimitiveBoolean': 'b.boolean()',
  'smithy.api#Integer': 'b.integer()',
  'smithy.api#Long': 'b.long()',
}

// Where the service has moved past the published model: botocore 1.43.107 allows 25 replication
// rules where the model still says 10 (shared/reference/ECR-API.md §7).
const TRAIT_OVERRIDES = {
  'com.amazonaws.ecr#ReplicationRuleList': { 'smithy.api#length': { min: 0, max: 25 } },
}

// The order ECR lists an enum's values in its messages, where it was observed to differ from the
// model's (discoveries/ecr-behaviour.md §1).
const ENUM_MESSAGE_ORDER = {
  'com.amazonaws.ecr#ImageTagMutability': ['IMMUTABLE', 'MUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION'],
}

const shortName = (id) => id.slice(NS.length)
const emitted = new Map() // shape id -> const name
const lines = []

function length(traits) {
  const l = traits?.['smithy.api#length']
  if (!l) return ''
  const parts = []
  if (l.min !== undefined) parts.push(`min: ${l.min}`)
  if (l.max !== undefined) parts.push(`max: ${l.max}`)
  return `{ ${parts.join(', ')} }`
}

function expression(id) {
  if (PRELUDE[id]) return PRELUDE[id]
  if (!id.startsWith(NS)) throw new Error(`Unsupported target ${id}`)
  if (!emitted.has(id)) emit(id)
  return emitted.get(id)
}

function emit(id) {
  const shape = shapes[id]
  const name = shortName(id)
  const traits = { ...shape.traits, ...TRAIT_OVERRIDES[id] }
  let body
  switch (shape.type) {
    case 'string': {
      const parts = []
      const l = traits['smithy.api#length']
      if (l?.min !== undefined) parts.push(`min: ${l.min}`)
      if (l?.max !== undefined) parts.push(`max: ${l.max}`)
      if (traits['smithy.api#pattern']) parts.push(`pattern: ${JSON.stringify(traits['smithy.api#pattern'])}`)
      body = `b.string(${parts.length ? `{ ${parts.join(', ')} }` : ''})`
      break
    }
    case 'enum': {
      const values = Object.values(shape.members).map((m) => m.traits['smithy.api#enumValue'])
      const listed = ENUM_MESSAGE_ORDER[id]
      body = `b.enumeration(${JSON.stringify(values)}${listed ? `, ${JSON.stringify(listed)}` : ''})`
      break
    }
    case 'integer':
    case 'long': {
      const r = traits['smithy.api#range']
      const parts = []
      if (r?.min !== undefined) parts.push(`min: ${r.min}`)
      if (r?.max !== undefined) parts.push(`max: ${r.max}`)
      body = `b.${shape.type === 'long' ? 'long' : 'integer'}(${parts.length ? `{ ${parts.join(', ')} }` : ''})`
      break
    }
    case 'boolean':
      body = 'b.boolean()'
      break
    case 'blob':
      body = `b.blob(${length(traits)})`
      break
    case 'list': {
      const item = expression(shape.member.target)
      const l = length(traits)
      body = `b.list(${item}${l ? `, ${l}` : ''})`
      break
    }
    case 'structure': {
      const members = Object.entries(shape.members ?? {}).map(([member, def]) => {
        const target = expression(def.target)
        const required = def.traits?.['smithy.api#required'] !== undefined
        return `  ${member}: ${target}${required ? '' : '.optional()'},`
      })
      body = members.length ? `b.structure({\n${members.join('\n')}\n})` : 'b.structure({})'
      break
    }
    default:
      throw new Error(`Unsupported shape type ${shape.type} for ${id}`)
  }
  emitted.set(id, name)
  lines.push(`const ${name} = ${body}`)
}

const operations = Object.entries(shapes)
  .filter(([, shape]) => shape.type === 'operation')
  .map(([id, shape]) => ({ name: shortName(id), shape }))
  .sort((a, b) => a.name.localeCompare(b.name))

for (const { shape } of operations) expression(shape.input.target)

const inputs = operations.map(({ name, shape }) => `  ${name}: ${emitted.get(shape.input.target)},`)
const errors = operations.map(
  ({ name, shape }) => `  ${name}: ${JSON.stringify((shape.errors ?? []).map((e) => shortName(e.target)).sort())},`,
)

// Every error shape: `client` errors are sent with 400 and `server` errors with 500, unless the
// shape names its own status.
const modelErrors = Object.entries(shapes)
  .filter(([, shape]) => shape.traits?.['smithy.api#error'] !== undefined)
  .map(([id, shape]) => ({
    name: shortName(id),
    status: shape.traits['smithy.api#httpError'] ?? (shape.traits['smithy.api#error'] === 'server' ? 500 : 400),
  }))
  .sort((a, b) => a.name.localeCompare(b.name))

const types = operations.map(
  ({ name, shape }) =>
    `  ${name}: { input: Sdk.${shortName(shape.input.target)}; output: Sdk.${shortName(shape.output.target)} }`,
)

const source = `// Generated by scripts/generate-model.mjs from model/ecr-smithy-model.json and model/ecr-model-supplement.json. Do not edit.
import type * as Sdk from '@aws-sdk/client-ecr'
import * as b from '../validation/builders.js'

${lines.join('\n\n')}

/** The input schema of every operation in ECR's model, keyed by operation name. */
export const inputSchemas = {
${inputs.join('\n')}
} as const

/** Every operation in ECR's model with the SDK's types for its input and output. */
export interface OperationTypes {
${types.join('\n')}
}

/** The errors each operation declares in ECR's model. */
export const declaredErrors: Readonly<Record<keyof typeof inputSchemas, readonly ModelErrorCode[]>> = {
${errors.join('\n')}
}

/** Every error in ECR's model, by the code sent as \`__type\`. */
export type ModelErrorCode =
${modelErrors.map(({ name }) => `  | '${name}'`).join('\n')}

/** The HTTP status each error of the model is sent with. */
export const errorStatus: Readonly<Record<ModelErrorCode, number>> = {
${modelErrors.map(({ name, status }) => `  ${name}: ${status},`).join('\n')}
}
`
writeFileSync(outUrl, source)
console.log(`Wrote ${emitted.size} shapes and ${operations.length} operations to ${outUrl.pathname}`)

// The wire shapes: a JSON type per shape, list lengths kept, enums and strings alike.
const wireEmitted = new Map() // shape id -> const name
const wireLines = []
const WIRE_PRELUDE = {
  'smithy.api#String': "{ type: 'string' }",
  'smithy.api#Boolean': "{ type: 'boolean' }",
  'smithy.api#PrimitiveBoolean': "{ type: 'boolean' }",
  'smithy.api#Integer': "{ type: 'integer' }",
  'smithy.api#Long': "{ type: 'long' }",
}

function wire(id) {
  if (WIRE_PRELUDE[id]) return WIRE_PRELUDE[id]
  if (wireEmitted.has(id)) return wireEmitted.get(id)
  const shape = shapes[id]
  const traits = { ...shape.traits, ...TRAIT_OVERRIDES[id] }
  let body
  switch (shape.type) {
    case 'string':
    case 'enum':
      body = "{ type: 'string' }"
      break
    case 'integer':
    case 'long':
    case 'boolean':
    case 'blob':
      body = `{ type: '${shape.type}' }`
      break
    case 'list': {
      const max = traits['smithy.api#length']?.max
      body = `{ type: 'list', member: ${wire(shape.member.target)}${max === undefined ? '' : `, max: ${max}`} }`
      break
    }
    case 'structure': {
      const members = Object.entries(shape.members ?? {}).map(([member, def]) => `    ${member}: ${wire(def.target)},`)
      body = members.length ? `{\n  type: 'structure',\n  members: {\n${members.join('\n')}\n  },\n}` : "{ type: 'structure', members: {} }"
      break
    }
    default:
      throw new Error(`Unsupported shape type ${shape.type} for ${id}`)
  }
  const name = shortName(id)
  wireEmitted.set(id, name)
  wireLines.push(`const ${name}: WireShape = ${body}`)
  return name
}

for (const { shape } of operations) wire(shape.input.target)

const wireSource = `// Generated by scripts/generate-model.mjs from model/ecr-smithy-model.json and model/ecr-model-supplement.json. Do not edit.
import type { WireShape } from './wire-shape.js'
import type { OperationTypes } from './shapes.generated.js'

${wireLines.join('\n\n')}

/** The JSON types of every operation's input in ECR's model, keyed by operation name. */
export const wireInputs: { readonly [Name in keyof OperationTypes]: WireShape } = {
${operations.map(({ name, shape }) => `  ${name}: ${wireEmitted.get(shape.input.target)},`).join('\n')}
}
`
writeFileSync(wireUrl, wireSource)
console.log(`Wrote ${wireEmitted.size} wire shapes to ${wireUrl.pathname}`)
