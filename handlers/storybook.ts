import type { RequestHandler } from 'msw'
import { createEcr, type EcrOptions } from '../src/index.js'
import { ecrHandlers } from './ecr-handlers.js'

/**
 * MSW handlers for a Storybook story, answered by a fresh in-memory engine filled with `seed`
 * (a registry described as data, or a function): the one-liner for msw-storybook-addon's
 * `parameters.msw.handlers`. Handlers are needed at once while seeding is asynchronous; requests
 * simply wait until the seed is in.
 *
 * @example
 * import { ecrStoryHandlers } from 'fake-ecr/handlers'
 *
 * export const TwoImages = {
 *   parameters: {
 *     msw: { handlers: ecrStoryHandlers({ repositories: [{ name: 'web', images: [{ tag: 'v1' }, { tag: 'v2' }] }] }) },
 *   },
 * }
 */
export function ecrStoryHandlers(seed?: EcrOptions['seed'], options: Omit<EcrOptions, 'storage' | 'seed'> = {}): RequestHandler[] {
  return ecrHandlers(createEcr({ ...options, ...(seed !== undefined && { seed }) }))
}
