import type { RequestHandler } from 'msw'
import { createEcr } from '../../src/index.js'
import { ecrHandlers } from '../index.js'
import type { EcrStoryOptions, SeedOption } from './glossary.js'
import { toSeedFunction } from './seed-registry.js'

/**
 * MSW handlers for a Storybook story, answered by a fresh in-memory engine filled with `seed`:
 * the one-liner for msw-storybook-addon's `parameters.msw.handlers`. Handlers are needed at once
 * while seeding is asynchronous; requests simply wait until the seed is in.
 *
 * @example
 * import { ecrStoryHandlers } from 'fake-ecr/browser'
 *
 * export const TwoImages = {
 *   parameters: {
 *     msw: { handlers: ecrStoryHandlers({ repositories: [{ name: 'web', images: [{ tag: 'v1' }, { tag: 'v2' }] }] }) },
 *   },
 * }
 */
export function ecrStoryHandlers(seed?: SeedOption, options: EcrStoryOptions = {}): RequestHandler[] {
  return ecrHandlers(createEcr({ ...options, ...(seed !== undefined && { seed: toSeedFunction(seed) }) }))
}
