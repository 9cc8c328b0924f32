import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { nativeCreateHash, type NativeHash } from './native.js'

const encoder = new TextEncoder()

/** The algorithms blob digests can name that the engine computes. */
export type HashAlgorithm = 'sha256' | 'sha512'

/** A hash fed in pieces: a blob is hashed part by part, never joined. */
export interface ContentHash {
  update(bytes: Uint8Array): void
  /** The digest's lower-case hex, once every piece is in (the hash takes no more pieces after). */
  hex(): string
  /** A hash of the same pieces so far, fed on its own from now. */
  copy(): ContentHash
}

const PORTABLE = { sha256, sha512 }

/** A new hash of `algorithm`: the runtime's own where it has one (src/native.ts), else @noble/hashes. */
export function createContentHash(algorithm: HashAlgorithm): ContentHash {
  return nativeCreateHash === undefined ? portableHash(PORTABLE[algorithm].create()) : nativeHash(nativeCreateHash(algorithm))
}

function nativeHash(hash: NativeHash): ContentHash {
  return {
    update: (bytes) => void hash.update(bytes),
    hex: () => hash.digest('hex'),
    copy: () => nativeHash(hash.copy()),
  }
}

function portableHash(hash: ReturnType<(typeof PORTABLE)[HashAlgorithm]['create']>): ContentHash {
  return {
    update: (bytes) => void hash.update(bytes),
    hex: () => bytesToHex(hash.digest()),
    copy: () => portableHash(hash.clone()),
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
