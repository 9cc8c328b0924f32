// The Buffer helpers the shared SDK tests use (from, concat, byteLength, toString('hex')), for the
// `browser` project: a plugin there imports this into those test files alone, so the SDK and MSW
// in the page never see a Buffer and keep their browser code paths.

/** A Uint8Array whose `toString('hex')` works as Node's Buffer does. */
export type HexBytes = Uint8Array & { toString(encoding: 'hex'): string }

const hexBytes = (bytes: Uint8Array): HexBytes =>
  Object.assign(bytes, {
    toString(encoding?: string) {
      if (encoding !== 'hex') throw new Error(`The browser Buffer of the shared tests only encodes hex, not ${encoding}`)
      return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
    },
  })

/**
 * The part of Node's `Buffer` the shared tests use.
 *
 * @example
 * Buffer.concat([a, b]).byteLength === a.byteLength + b.byteLength
 */
export const Buffer = {
  from: (bytes: Uint8Array): HexBytes => hexBytes(new Uint8Array(bytes)),
  concat(parts: Uint8Array[]): HexBytes {
    const whole = new Uint8Array(parts.reduce((size, part) => size + part.byteLength, 0))
    let offset = 0
    for (const part of parts) {
      whole.set(part, offset)
      offset += part.byteLength
    }
    return hexBytes(whole)
  },
  byteLength: (text: string): number => new TextEncoder().encode(text).byteLength,
}
