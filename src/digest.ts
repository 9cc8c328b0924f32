import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

const encoder = new TextEncoder()

/** `sha256:<hex>` of bytes or of a string's UTF-8 bytes: a content digest as registries write it. */
export function sha256Digest(content: Uint8Array | string): string {
  return `sha256:${bytesToHex(sha256(typeof content === 'string' ? encoder.encode(content) : content))}`
}

/** Any well-formed content digest (`algorithm:encoded`), as in the OCI image spec. */
export const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/
