import { z } from 'zod'
import { handedOver } from '../caller-copy.js'
import { fromBase64 } from '../encoding.js'
import { isBytes } from '../realms.js'

/**
 * Builders for the zod schemas generated from ECR's Smithy model
 * (`src/model/shapes.generated.ts`). Each builder turns one kind of Smithy shape and its
 * constraint traits into a schema whose issues carry the wording ECR uses, so that
 * `validate-input.ts` can turn the first issue into the AWS error.
 *
 * Two kinds of failure, as on the real service:
 * - a value of the wrong JSON type cannot be deserialized (SerializationException);
 * - a value of the right type that breaks a constraint (InvalidParameterException).
 */

/** A broken constraint, as a constraint issue carries it in `params` (worded by `validate-input.ts`). */
export type Broken =
  | { rule: 'min-length' | 'max-length' | 'min-value' | 'max-value'; limit: number }
  | { rule: 'pattern'; pattern: string }
  | { rule: 'enum'; values: readonly string[] }
  /**
   * Not constraints but deserialization failures: a value of another JSON type than the member's
   * (Coral names the Java type it wanted), or blob text that is not base64.
   */
  | { rule: 'type'; javaType: string }
  | { rule: 'base64' }

interface Length {
  min?: number
  max?: number
}

function checkLength(count: number, { min, max }: Length): Broken | undefined {
  if (min !== undefined && count < min) return { rule: 'min-length', limit: min }
  if (max !== undefined && count > max) return { rule: 'max-length', limit: max }
  return undefined
}

function fail(ctx: z.RefinementCtx, broken: Broken): void {
  ctx.addIssue({ code: 'custom', message: broken.rule, params: broken })
}

/** A value of one JSON type; any other type (or none, for a required member) fails with its Java name. */
function scalar<Value>(is: (value: unknown) => value is Value, javaType: string) {
  return z.custom<Value>(is, { params: { rule: 'type', javaType } satisfies Broken })
}

const isString = (value: unknown): value is string => typeof value === 'string'
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/** A Smithy string: length in Unicode code points, `@pattern` applied unanchored as written. */
export function string(traits: Length & { pattern?: string } = {}) {
  const { pattern } = traits
  const regex = pattern === undefined ? undefined : compilePattern(pattern)
  return scalar(isString, 'a String').superRefine((value, ctx) => {
    const length = checkLength(codePointLength(value), traits)
    if (length !== undefined) return fail(ctx, length)
    if (regex !== undefined && !regex.test(value)) fail(ctx, { rule: 'pattern', pattern: pattern! })
  })
}

/**
 * A Smithy enum: a string restricted to the listed wire values. `listed` is the order messages
 * list them in, where ECR's differs from the model's.
 */
export function enumeration<const Values extends readonly [string, ...string[]]>(
  values: Values,
  listed: readonly string[] = values,
) {
  const allowed = new Set<string>(values)
  return scalar(isString, 'a String').superRefine((value, ctx) => {
    if (!allowed.has(value)) fail(ctx, { rule: 'enum', values: listed })
  }) as unknown as z.ZodType<Values[number], string>
}

/**
 * A Smithy integer, with an optional `@range`. A fraction is truncated rather than refused, as
 * AWS's JSON deserializer does.
 */
export function integer(range: { min?: number; max?: number } = {}, javaType = 'an Integer') {
  return scalar(isNumber, javaType)
    .transform(Math.trunc)
    .superRefine((value, ctx) => {
      if (range.min !== undefined && value < range.min) return fail(ctx, { rule: 'min-value', limit: range.min })
      if (range.max !== undefined && value > range.max) fail(ctx, { rule: 'max-value', limit: range.max })
    })
}

/** A Smithy long: an integer whose type errors name Java's Long. */
export function long(range: { min?: number; max?: number } = {}) {
  return integer(range, 'a Long')
}

export function boolean() {
  return scalar((value: unknown): value is boolean => typeof value === 'boolean', 'a Boolean')
}

/**
 * A Smithy blob: base64 text on the wire, bytes in the engine. Direct `ecr.call` users may pass
 * a `Uint8Array`, as the SDK's types do.
 */
export function blob(length: Length = {}) {
  return scalar((value: unknown): value is Uint8Array | string => isBytes(value) || isString(value), 'a Blob')
    .transform((value, ctx) => {
      if (typeof value !== 'string') return value
      const bytes = fromBase64(value)
      if (bytes === undefined) {
        fail(ctx, { rule: 'base64' })
        return z.NEVER
      }
      return handedOver(bytes)
    })
    .superRefine((bytes, ctx) => {
      const broken = checkLength(bytes.byteLength, length)
      if (broken !== undefined) fail(ctx, broken)
    })
}

/**
 * A Smithy list: a JSON array whose item count may be constrained by `@length`. The count is
 * checked before any item, so a list far too long is refused without reading its items.
 */
export function list<Item extends z.ZodType>(item: Item, length: Length = {}) {
  return z
    .unknown()
    .transform((value, ctx) => {
      const broken = Array.isArray(value) ? checkLength(value.length, length) : undefined
      if (broken === undefined) return value
      fail(ctx, broken)
      return z.NEVER
    })
    .pipe(z.array(item))
}

/**
 * A Smithy structure. Members the model does not define are ignored, as AWS JSON services do
 * (see decisions/validation.md).
 */
export function structure<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.object(shape)
}

/**
 * Smithy patterns are ECMA-262 and meant for the `u` flag; one of ECR's (CredentialArn) escapes
 * `-` outside a class, which only the non-Unicode grammar allows.
 */
function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u')
  } catch {
    return new RegExp(pattern)
  }
}

/** Number of Unicode code points (Smithy's unit for string length). */
export function codePointLength(value: string): number {
  let count = 0
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i)
    // A high surrogate followed by a low surrogate is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
    count++
  }
  return count
}
