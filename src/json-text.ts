/**
 * JSON text as ECR rewrites it. ECR parses the policy documents it stores and writes them back
 * with a Java JSON library (Jackson): repository and registry policies with its default pretty
 * printer, lifecycle policies compact (decisions/policy-text.md). This module is that round trip:
 * a parser that keeps what the writers need (member order, number literals) and the two layouts.
 */

/** A JSON number, kept as written: the writers decide how it is printed. */
export class JsonNumber {
  constructor(readonly literal: string) {}
}

/**
 * A JSON object: members in document order. A name given twice keeps its first place and its
 * last value, as Jackson's tree does (and member names never become plain-object keys).
 */
export type JsonObject = Map<string, JsonValue>

/** A parsed JSON value: arrays as arrays, objects as {@link JsonObject}, numbers as {@link JsonNumber}. */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const WHITESPACE = /[ \t\n\r]*/y
const ESCAPES = new Map([['"', '"'], ['\\', '\\'], ['/', '/'], ['b', '\b'], ['f', '\f'], ['n', '\n'], ['r', '\r'], ['t', '\t']])

/**
 * Parses JSON text (RFC 8259, as `JSON.parse` accepts it), keeping member order and number literals.
 * Throws a `SyntaxError` for anything else.
 *
 * @example
 * const policy = parseJsonText('{"Version":"2012-10-17","Statement":[]}') as JsonObject
 * [...policy.keys()] // ['Version', 'Statement']
 */
export function parseJsonText(text: string): JsonValue {
  let at = 0
  const fail = (): never => {
    throw new SyntaxError(`Failed to parse JSON text: unexpected ${at < text.length ? `'${text[at]}'` : 'end'} at ${at}.`)
  }
  const skipWhitespace = () => {
    WHITESPACE.lastIndex = at
    WHITESPACE.test(text)
    at = WHITESPACE.lastIndex
  }
  const expect = (char: string) => {
    skipWhitespace()
    if (text[at] !== char) fail()
    at++
  }
  const string = (): string => {
    expect('"')
    let value = ''
    for (;;) {
      const char = text[at++]
      if (char === undefined || char < ' ') return fail()
      if (char === '"') return value
      if (char !== '\\') {
        value += char
        continue
      }
      const escape = text[at++] ?? ''
      if (escape === 'u') {
        const hex = text.slice(at, at + 4)
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail()
        value += String.fromCharCode(parseInt(hex, 16))
        at += 4
      } else {
        value += ESCAPES.get(escape) ?? fail()
      }
    }
  }
  const value = (): JsonValue => {
    skipWhitespace()
    const char = text[at]
    if (char === '"') return string()
    if (char === '{') {
      at++
      const object: JsonObject = new Map()
      skipWhitespace()
      if (text[at] === '}') {
        at++
        return object
      }
      do {
        const name = string()
        expect(':')
        object.set(name, value())
        skipWhitespace()
      } while (text[at++] === ',')
      if (text[at - 1] !== '}') fail()
      return object
    }
    if (char === '[') {
      at++
      const array: JsonValue[] = []
      skipWhitespace()
      if (text[at] === ']') {
        at++
        return array
      }
      do {
        array.push(value())
        skipWhitespace()
      } while (text[at++] === ',')
      if (text[at - 1] !== ']') fail()
      return array
    }
    for (const [word, literal] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, at)) {
        at += word.length
        return literal
      }
    }
    NUMBER.lastIndex = at
    const number = NUMBER.exec(text)?.[0] ?? fail()
    at += number.length
    return new JsonNumber(number)
  }
  const parsed = value()
  skipWhitespace()
  if (at !== text.length) fail()
  return parsed
}

/**
 * The layout of Jackson's default pretty printer: two-space indent, `" : "` between name and
 * value, arrays on one line (`[ a, b ]`, objects in them opened on the bracket's line), empty
 * containers as `{ }` and `[ ]`, no trailing newline.
 *
 * @example
 * prettyJsonText(parseJsonText('{"Action":["a","b"],"Statement":[{"Effect":"Allow"}]}'))
 * // '{\n  "Action" : [ "a", "b" ],\n  "Statement" : [ {\n    "Effect" : "Allow"\n  } ]\n}'
 */
export function prettyJsonText(value: JsonValue): string {
  const write = (node: JsonValue, depth: number): string => {
    if (node instanceof Map) {
      if (node.size === 0) return '{ }'
      const indent = '\n' + '  '.repeat(depth + 1)
      const members = [...node].map(([name, member]) => `${indent}${quote(name)} : ${write(member, depth + 1)}`)
      return `{${members.join(',')}\n${'  '.repeat(depth)}}`
    }
    // Arrays do not indent: an object inside one is indented as deep as the array's owner.
    if (Array.isArray(node)) return node.length === 0 ? '[ ]' : `[ ${node.map((item) => write(item, depth)).join(', ')} ]`
    return scalar(node)
  }
  return write(value, 0)
}

/**
 * Jackson's compact layout: no whitespace at all.
 *
 * @example
 * compactJsonText(parseJsonText('{ "rules" : [ 1, 2 ] }')) // '{"rules":[1,2]}'
 */
export function compactJsonText(value: JsonValue): string {
  if (value instanceof Map) return `{${[...value].map(([name, member]) => `${quote(name)}:${compactJsonText(member)}`).join(',')}}`
  if (Array.isArray(value)) return `[${value.map(compactJsonText).join(',')}]`
  return scalar(value)
}

function scalar(value: null | boolean | string | JsonNumber): string {
  if (value instanceof JsonNumber) return number(value.literal)
  return typeof value === 'string' ? quote(value) : String(value)
}

/**
 * A number as Jackson writes one it parsed into its tree: an integer literal as the integer (so
 * `-0` is `0`), anything with a fraction or an exponent as a Java `double` (`Double.toString`).
 */
function number(literal: string): string {
  if (/^-?\d+$/.test(literal)) return BigInt(literal).toString()
  const value = Number(literal)
  // Too large for a double: Jackson writes the non-finite value as a string.
  if (!Number.isFinite(value)) return quote(String(value))
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const [mantissa = '', exponentText = '0'] = Math.abs(value).toExponential().split('e')
  const digits = mantissa.replace('.', '')
  const exponent = Number(exponentText)
  const sign = value < 0 ? '-' : ''
  // Java writes 1e-3 <= |d| < 1e7 in decimal notation, everything else as d.dddE±n.
  if (exponent >= -3 && exponent < 7) {
    const point = exponent + 1
    const whole = point <= 0 ? '0' : digits.slice(0, point).padEnd(point, '0')
    const fraction = point <= 0 ? '0'.repeat(-point) + digits : digits.slice(point)
    return `${sign}${whole}.${fraction || '0'}`
  }
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${exponent}`
}

const SHORT_ESCAPES = new Map([['"', '\\"'], ['\\', '\\\\'], ['\b', '\\b'], ['\f', '\\f'], ['\n', '\\n'], ['\r', '\\r'], ['\t', '\\t']])

/** A string as Jackson quotes it: `"` and `\` escaped, control characters as `\n`… or `\u00XX`, nothing else. */
function quote(text: string): string {
  return `"${text.replace(/["\\\u0000-\u001f]/g, (char) => SHORT_ESCAPES.get(char) ?? `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)}"`
}
