import { withItemsMade } from './answer-recipes.js'

/**
 * Callers get their own copy of every answer, so nothing they do to a result can reach engine
 * state. Most operations build their output partly from stored records (an encryption
 * configuration, a policy's filters) and are deep-copied on the way out. A listing that builds
 * every object of its answer for the call marks it {@link builtFresh} and is handed over as it
 * is: copying a page of 1,000 image details costs several times what building it does
 * (decisions/page-cost.md).
 */
const fresh = new WeakSet<object>()

/**
 * Marks an output that shares no object with engine state or with any other answer (strings and
 * numbers are immutable, so they may be shared): every object, array and Date in it was made by
 * this call.
 */
export function builtFresh<T extends object>(output: T): T {
  fresh.add(output)
  return output
}

/**
 * What the caller gets: the output itself when it was built fresh (its recipe lists made into
 * items, src/answer-recipes.ts), else a deep copy of it.
 */
export function forCaller<T>(output: T): T {
  return typeof output === 'object' && output !== null && fresh.has(output) ? withItemsMade(output) : structuredClone(output)
}

/** Bytes no caller holds (decoded by the engine or a front end from a call's base64 text). */
const handedOverBytes = new WeakSet<Uint8Array>()

/** Marks `bytes` as made for the call alone, from its text: the engine may keep them as they are. */
export function handedOver(bytes: Uint8Array): Uint8Array {
  handedOverBytes.add(bytes)
  return bytes
}

/**
 * Bytes of a call's input for the engine to keep: the input's own when they were handed over,
 * else a copy, since a caller's array could change after the call. A copy of a 10 MiB part costs
 * about what hashing it does (decisions/blob-throughput.md).
 */
export function bytesToKeep(bytes: Uint8Array): Uint8Array {
  return handedOverBytes.has(bytes) ? bytes : bytes.slice()
}
