import { nativeBuffer } from './native.js'

const encoder = new TextEncoder()

/** Unpadded base64url of bytes, or of a string's UTF-8 bytes. */
export function base64url(content: Uint8Array | string): string {
  const bytes = typeof content === 'string' ? encoder.encode(content) : content
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Decodes unpadded base64url (throws on text that is not base64url). */
export function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}

/**
 * Decodes base64 as the wire writes blobs (RFC 4648's alphabet, padded), or `undefined` for text
 * that is not that. Both decoders used are lenient (they skip what is not base64), so each is
 * checked by length: a skipped character leaves fewer bytes than the text's length promises.
 * Node's also takes base64url's `-` and `_`, which are looked for first.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined
  const length = (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0)
  if (nativeBuffer !== undefined) {
    if (text.includes('-') || text.includes('_')) return undefined
    const decoded = nativeBuffer.from(text, 'base64')
    // A plain Uint8Array: a Buffer would serialize as {type, data}.
    return decoded.byteLength === length ? new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength) : undefined
  }
  let binary: string
  try {
    // atob skips ASCII whitespace and refuses anything else outside the alphabet.
    binary = atob(text)
  } catch {
    return undefined
  }
  if (binary.length !== length) return undefined
  const bytes = new Uint8Array(length)
  for (let at = 0; at < length; at++) bytes[at] = binary.charCodeAt(at)
  return bytes
}
