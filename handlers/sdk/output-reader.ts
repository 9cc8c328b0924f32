/**
 * Reads an engine output as the SDK reads the same output from AWS JSON, without the JSON: only
 * the members the SDK's output schema has, none that are null, timestamps as Dates. Built from
 * the static schemas `@aws-sdk/client-ecr` ships (`command.schema`): structures `[3, …]`, lists
 * `[1, …]` and `64 | item`, maps of plain values `[2, …]` and `128 | value`, strings 0, numbers 1,
 * booleans 2 and epoch timestamps 4 and 7 — every kind ECR's outputs use. A schema with anything
 * else (blobs, documents, big numbers, unions, member traits, maps of structures) gets no reader,
 * and a value the reader cannot take throws {@link Unreadable}: the caller then reads the call
 * through the SDK's own protocol.
 */
export type OutputReader = (output: unknown) => Record<string, unknown>

/** A value the reader does not know how the SDK would read (the caller falls back to the wire). */
export class Unreadable extends Error {}

type Read = (value: unknown) => unknown

/** Marks readers that return their input as it is (strings, numbers, booleans, lists of them). */
const same: Read = (value) => value

const readers = new WeakMap<object, OutputReader | null>()

/**
 * The reader of an operation's output (`schema` is its output schema, as `command.schema[5]`
 * holds it), or `undefined` when the schema uses a kind this reader does not cover. Built once
 * per schema.
 */
export function outputReader(schema: unknown): OutputReader | undefined {
  if (typeof schema !== 'object' && typeof schema !== 'function') return undefined
  const known = readers.get(schema as object)
  if (known !== undefined) return known ?? undefined
  let reader: OutputReader | null = null
  try {
    const read = compile(schema, new Map())
    reader = (output) => read(output) as Record<string, unknown>
  } catch (error) {
    if (!(error instanceof Unreadable)) throw error
  }
  readers.set(schema as object, reader)
  return reader ?? undefined
}

function compile(ref: unknown, building: Map<unknown, Read>): Read {
  const schema = typeof ref === 'function' ? (ref as () => unknown)() : ref
  if (typeof schema === 'number') return simple(schema)
  if (!Array.isArray(schema)) throw new Unreadable()
  const built = building.get(schema)
  if (built !== undefined) return built
  // A recursive shape reads itself through this forward, filled in below.
  let read: Read = () => {
    throw new Unreadable()
  }
  building.set(schema, (value) => read(value))
  read = compileArray(schema, building)
  building.set(schema, read)
  return read
}

function compileArray(schema: unknown[], building: Map<unknown, Read>): Read {
  switch (schema[0]) {
    case 3:
      return structure(schema[4], schema[5], building)
    case 1:
      return list(compile(schema[4], building))
    case 2:
      return map(compile(schema[5], building))
    default:
      throw new Unreadable()
  }
}

function simple(schema: number): Read {
  if (schema === 0 || schema === 1 || schema === 2) return same
  if (schema === 4 || schema === 7) return timestamp
  if (schema >= 64 && schema < 128) return list(simple(schema & 0b0011_1111))
  if (schema >= 128 && schema < 256) return map(simple(schema & 0b0011_1111))
  throw new Unreadable()
}

/** A timestamp: the SDK makes a Date of the epoch seconds AWS JSON sends, to the millisecond. */
function timestamp(value: unknown): Date {
  if (Object.prototype.toString.call(value) !== '[object Date]') throw new Unreadable()
  return new Date((value as Date).getTime())
}

function structure(names: unknown, members: unknown, building: Map<unknown, Read>): Read {
  if (!Array.isArray(names) || !Array.isArray(members) || names.length !== members.length) throw new Unreadable()
  // Members with traits (`[schema, traits]`) may change how a value reads: not covered.
  const fields = names.map((name, index) => {
    const member = members[index]
    if (typeof name !== 'string' || (Array.isArray(member) && member.length === 2)) throw new Unreadable()
    return { name, read: compile(member, building) }
  })
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Unreadable()
    const record = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const { name, read } of fields) {
      const member = record[name]
      if (member !== null && member !== undefined) out[name] = read(member)
    }
    return out
  }
}

function list(item: Read): Read {
  return (value) => {
    if (!Array.isArray(value)) throw new Unreadable()
    return item === same ? value : value.map(item)
  }
}

/** A map of strings, numbers or booleans (ECR's only kind: tags, finding counts), as it is. */
function map(entry: Read): Read {
  if (entry !== same) throw new Unreadable()
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Unreadable()
    return value
  }
}
