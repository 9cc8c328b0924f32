import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { nativeCreateHash } from './native.js'

const encoder = new TextEncoder()

/** The algorithms blob digests can name that the engine computes. */
export type HashAlgorithm = 'sha256' | 'sha512'

/** A hash fed in pieces: a blob is hashed part by part, never joined. */
export interface ContentHash {
  update(bytes: Uint8Array): void
  /** The digest's lower-case hex, once every piece is in. */
  hex(): string
}

const PORTABLE = { sha256, sha512 }

/** A new hash of `algorithm`: the runtime's own where it has one (src/native.ts), else @noble/hashes. */
export function createContentHash(algorithm: HashAlgorithm): ContentHash {
  if (nativeCreateHash !== undefined) {
    const hash = nativeCreateHash(algorithm)
    return {
      update: (bytes) => void hash.update(bytes),
      hex: () => hash.digest('hex'),
    }
  }
  const hash = PORTABLE[algorithm].create()
  return {
    update: (bytes) => void hash.update(bytes),
    hex: () => bytesToHex(hash.digest()),
  }
}

/** `sha256:<hex>` of bytes or of a string's UTF-8 bytes: a content digest as registries write it. */
export function sha256Digest(content: Uint8Array | string): string {
  const hash = createContentHash('sha256')
  hash.update(typeof content === 'string' ? encoder.encode(content) : content)
  return `sha256:${hash.hex()}`
}

/** Any well-formed content digest (`algorithm:encoded`), as in the OCI image spec. */
export const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/
