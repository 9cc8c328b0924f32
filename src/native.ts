/**
 * What the runtime does natively that the engine would otherwise do in JavaScript, on large
 * blobs ten times slower (decisions/blob-throughput.md): Node's hashing and base64 decoding,
 * reached through `process.getBuiltinModule` (Node ≥ 20.16, Deno, Bun), never through an import,
 * so that src/ still runs unchanged in browsers and workers, which get `undefined` here.
 */

/** What the engine uses of a `node:crypto` Hash. */
export interface NativeHash {
  update(bytes: Uint8Array): unknown
  digest(encoding: 'hex'): string
  copy(): NativeHash
}

/** What the engine uses of `node:crypto`'s `createHash`. */
export type NativeCreateHash = (algorithm: 'sha256' | 'sha512') => NativeHash

/** What the engine uses of `node:buffer`'s `Buffer`: Node's lenient base64 decoder. */
export interface NativeBuffer {
  from(text: string, encoding: 'base64'): Uint8Array
}

const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule

export const nativeCreateHash = (getBuiltinModule?.('node:crypto') as { createHash?: NativeCreateHash } | undefined)?.createHash

export const nativeBuffer = (getBuiltinModule?.('node:buffer') as { Buffer?: NativeBuffer } | undefined)?.Buffer
