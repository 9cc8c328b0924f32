import { handedOver } from '../src/caller-copy.js'
import { fromBase64 } from '../src/encoding.js'
import { EcrError } from '../src/errors.js'
import type { WireShape } from '../src/model/wire-shape.js'
import { tooManyItems, typeMismatch, type JsonKind } from '../src/validation/validate-input.js'

/** ECR's deepest input is a few levels deep; anything far deeper is refused before going further. */
const MAX_DEPTH = 32

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
/** Raw control characters, or a backslash that starts no JSON escape: not a JSON string's content. */
const BAD_STRING_CONTENT = /[\u0000-\u001f]|\\(?!["\\/bfnrt]|u[0-9a-fA-F]{4})/

/**
 * Reads an AWS JSON request body as the operation's input shape (`wire`; `undefined` for an
 * operation ECR does not have), the way Coral's deserializer does: in one pass, failing at the
 * first problem. Unknown members are checked to be JSON and skipped without being built; `null`
 * members and list items are absent; a value of the wrong JSON type is SerializationException;
 * a list longer than the model allows is refused with its length error as soon as it is, before
 * its items are read on. So whatever a body holds, the work and memory it costs are bounded by
 * its size and by what the operation can use, not by how much structure a client packs into it.
 */
export function readJsonInput(text: string, wire: WireShape | undefined): Record<string, unknown> {
  const reader = new Reader(text)
  reader.space()
  const first = reader.peek()
  if (first !== '{') {
    // A body that is not an object: a list, a scalar, or not JSON.
    if (first === '[') throw new EcrError('SerializationException', 'Start of list found where not expected')
    reader.skipValue(0)
    reader.end()
    throw new EcrError('SerializationException', 'Start of structure or map expected')
  }
  const input = reader.structure(wire?.type === 'structure' ? wire : { type: 'structure', members: {} }, [], 0)
  reader.end()
  return input
}

class Reader {
  private at = 0

  constructor(private readonly text: string) {}

  peek(): string {
    return this.text[this.at] ?? ''
  }

  space(): void {
    for (;;) {
      const code = this.text.charCodeAt(this.at)
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return
      this.at++
    }
  }

  /** Nothing but white space may follow the value. */
  end(): void {
    this.space()
    if (this.at !== this.text.length) throw notJson()
  }

  /** A structure of the model: its known members read, unknown ones skipped, nulls left out. */
  structure(shape: Extract<WireShape, { type: 'structure' }>, path: PropertyKey[], depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw tooDeep()
    // A null-prototype object: a member named `__proto__` stays an ordinary (ignored) key.
    const value: Record<string, unknown> = Object.create(null)
    this.expect('{')
    this.space()
    if (this.peek() === '}') {
      this.at++
      return value
    }
    for (;;) {
      this.space()
      if (this.peek() !== '"') throw notJson()
      const name = this.string()
      this.space()
      this.expect(':')
      this.space()
      const member = Object.hasOwn(shape.members, name) ? shape.members[name] : undefined
      if (member === undefined) this.skipValue(depth + 1)
      else {
        const read = this.value(member, [...path, name], depth + 1)
        if (read === undefined) delete value[name]
        else value[name] = read
      }
      this.space()
      const next = this.text[this.at++]
      if (next === '}') return value
      if (next !== ',') throw notJson()
    }
  }

  /** A value of a known member, or `undefined` for `null`. */
  private value(shape: WireShape, path: PropertyKey[], depth: number): unknown {
    const kind = this.kind()
    if (kind === 'null') {
      this.literal('null')
      return undefined
    }
    switch (shape.type) {
      case 'structure':
        if (kind !== 'object') throw typeMismatch(kind, 'structure')
        return this.structure(shape, path, depth)
      case 'list':
        if (kind !== 'array') throw typeMismatch(kind, 'list')
        return this.list(shape, path, depth)
      case 'boolean':
        if (kind !== 'true' && kind !== 'false') throw typeMismatch(kind, 'boolean')
        this.literal(kind)
        return kind === 'true'
      case 'integer':
      case 'long':
        if (kind !== 'number') throw typeMismatch(kind, shape.type)
        return this.number()
      case 'string':
        if (kind !== 'string') throw typeMismatch(kind, shape.type)
        return this.string()
      case 'blob':
        if (kind !== 'string') throw typeMismatch(kind, shape.type)
        return this.blob()
    }
  }

  /** A list: items read in order, nulls left out; refused as soon as it holds more than the model allows. */
  private list(shape: Extract<WireShape, { type: 'list' }>, path: PropertyKey[], depth: number): unknown[] {
    if (depth > MAX_DEPTH) throw tooDeep()
    const items: unknown[] = []
    this.expect('[')
    this.space()
    if (this.peek() === ']') {
      this.at++
      return items
    }
    for (;;) {
      this.space()
      const item = this.value(shape.member, [...path, items.length], depth + 1)
      if (item !== undefined) {
        if (shape.max !== undefined && items.length === shape.max) throw tooManyItems(path, shape.max)
        items.push(item)
      }
      this.space()
      const next = this.text[this.at++]
      if (next === ']') return items
      if (next !== ',') throw notJson()
    }
  }

  /** Checks any JSON value and moves past it, building nothing (an unknown member's value). */
  skipValue(depth: number): void {
    // Iterative: how deep a value nests costs no stack.
    const closers: string[] = []
    for (;;) {
      this.space()
      const kind = this.kind()
      if (kind === 'object' || kind === 'array') {
        if (depth + closers.length > MAX_DEPTH) throw tooDeep()
        this.at++
        this.space()
        const close = kind === 'object' ? '}' : ']'
        if (this.peek() === close) this.at++
        else {
          closers.push(close)
          if (kind === 'object') this.key()
          continue
        }
      } else if (kind === 'string') this.skipString()
      else if (kind === 'number') this.number()
      else this.literal(kind)
      // After a value: more of the enclosing object or list, or its end.
      for (;;) {
        const close = closers.at(-1)
        if (close === undefined) return
        this.space()
        const next = this.text[this.at++]
        if (next === close) {
          closers.pop()
          continue
        }
        if (next !== ',') throw notJson()
        if (close === '}') this.key()
        break
      }
    }
  }

  /** An object's next key and its colon. */
  private key(): void {
    this.space()
    if (this.peek() !== '"') throw notJson()
    this.skipString()
    this.space()
    this.expect(':')
  }

  private kind(): JsonKind | 'null' {
    switch (this.peek()) {
      case '{':
        return 'object'
      case '[':
        return 'array'
      case '"':
        return 'string'
      case 't':
        return 'true'
      case 'f':
        return 'false'
      case 'n':
        return 'null'
      default:
        if (/[-0-9]/.test(this.peek())) return 'number'
        throw notJson()
    }
  }

  private expect(character: string): void {
    if (this.text[this.at] !== character) throw notJson()
    this.at++
  }

  private literal(word: 'true' | 'false' | 'null'): void {
    if (!this.text.startsWith(word, this.at)) throw notJson()
    this.at += word.length
  }

  private number(): number {
    NUMBER.lastIndex = this.at
    const match = NUMBER.exec(this.text)
    if (match === null) throw notJson()
    this.at += match[0].length
    return Number(match[0])
  }

  /** Where the string starting here ends: just past its closing quote. */
  private stringEnd(): number {
    let search = this.at + 1
    for (;;) {
      const quote = this.text.indexOf('"', search)
      if (quote === -1) throw notJson()
      let backslashes = 0
      while (this.text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++
      if (backslashes % 2 === 0) return quote + 1
      search = quote + 1
    }
  }

  private string(): string {
    const end = this.stringEnd()
    const raw = this.text.slice(this.at + 1, end - 1)
    let value: string
    // Any escape (`\n`, `\u00e9` as Python's json writes non-ASCII, `\/`) takes JSON.parse.
    if (!raw.includes('\\')) {
      if (/[\u0000-\u001f]/.test(raw)) throw notJson()
      value = raw
    } else {
      try {
        value = JSON.parse(this.text.slice(this.at, end)) as string
      } catch {
        throw notJson()
      }
    }
    this.at = end
    return value
  }

  /**
   * A blob's base64 text, decoded: a layer part is up to 28 MB of it, which is then read once, by
   * the decoder. Text the decoder takes has no control characters (it skips them, and comes up
   * short), so it needs no other check. Anything else, or text with escapes, is read as a string,
   * for validation to refuse as it refuses any text that is not base64.
   */
  private blob(): Uint8Array | string {
    const end = this.stringEnd()
    const text = this.text.slice(this.at + 1, end - 1)
    const bytes = text.includes('\\') ? undefined : fromBase64(text)
    if (bytes === undefined) return this.string()
    this.at = end
    return handedOver(bytes)
  }

  private skipString(): void {
    const end = this.stringEnd()
    if (BAD_STRING_CONTENT.test(this.text.slice(this.at + 1, end - 1))) throw notJson()
    this.at = end
  }
}

function notJson(): EcrError {
  return new EcrError('SerializationException', 'The request body is not valid JSON')
}

function tooDeep(): EcrError {
  return new EcrError('SerializationException', 'The request nests values too deeply')
}
