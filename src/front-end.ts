import type { Ecr } from './glossary.js'

/**
 * The engine's entry for its own front ends (handlers/: the AWS JSON writer, `attachEcr`): the
 * answer as the operation made it, not copied, its recipe lists (src/answer-recipes.ts) not made.
 * A front end only reads an answer, at once, and gives it to no one: copying it for the caller,
 * as `ecr.call` does, would be work for nothing.
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
