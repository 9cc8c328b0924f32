import type { Ecr } from './glossary.js'

/**
 * The engine's entry for its own front ends (handlers/api.ts, which writes answers as AWS JSON):
 * the answer as the operation made it, not copied, its recipe lists (src/answer-recipes.ts) not
 * made. Such a front end only reads an answer, at once, and gives it to no one: copying it, as
 * `ecr.call` does for its caller, would be work for nothing. (`attachEcr` hands parts of answers
 * to its caller as they are, so it takes them from `ecr.dispatch`, copied.)
 */
const frontEndDispatches = new WeakMap<Ecr, Ecr['dispatch']>()

/** Registers the front-end entry of an engine `createEcr` made. */
export function setFrontEndDispatch(ecr: Ecr, dispatch: Ecr['dispatch']): void {
  frontEndDispatches.set(ecr, dispatch)
}

/**
 * The dispatch front ends use for `ecr`: its front-end entry, or its public `dispatch` for an
 * engine `createEcr` did not make (a wrapper), whose answers are then plain items everywhere.
 */
export function frontEndDispatch(ecr: Ecr): Ecr['dispatch'] {
  return frontEndDispatches.get(ecr) ?? ecr.dispatch
}
