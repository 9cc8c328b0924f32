import { Sha256 } from '@aws-crypto/sha256-js'

// What test/fixtures.ts takes from `node:crypto`, for the `browser` project (aliased there):
// SHA-256 from the AWS SDK's own implementation, independent of the engine's @noble/hashes.

/**
 * `createHash('sha256').update(content).digest('hex')`, synchronously, as in Node.
 *
 * @example
 * createHash('sha256').update('abc').digest('hex') // 'ba7816bf…'
 */
export function createHash(algorithm: 'sha256') {
  if (algorithm !== 'sha256') throw new Error(`The browser shim of node:crypto only hashes sha256, not ${algorithm}`)
  const hash = new Sha256()
  return {
    update(content: string | Uint8Array) {
      hash.update(content)
      return this
    },
    digest(encoding: 'hex') {
      if (encoding !== 'hex') throw new Error(`The browser shim of node:crypto only digests to hex, not ${encoding}`)
      return Array.from(hash.digestSync(), (byte) => byte.toString(16).padStart(2, '0')).join('')
    },
  }
}
