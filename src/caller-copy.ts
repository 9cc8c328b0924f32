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
