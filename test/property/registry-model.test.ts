import fc from 'fast-check'
import { expect, it } from 'vitest'
import { createEcr } from '../../src/index.js'
import { registryCommands, type RegistryUnderTest, type RunStats } from './commands.js'
import { REPOSITORY_NAMES } from './content.js'
import { runWalk, walkScenario } from './paginated-walk.js'
import { createRepository, emptyRegistry } from './registry-model.js'

/**
 * Model-based test of the engine: random sequences of repository, upload, push, delete, policy
 * and resource-tag commands, each answer held to a reference model (registry-model.ts) and every
 * invariant checked after every step (invariants.ts). CI runs a fixed seed; for a longer hunt:
 * `FAKE_ECR_PROPERTY_RUNS=5000 FAKE_ECR_PROPERTY_SEED=7 npx vitest run --project main test/property`.
 */

const RUNS = Number(process.env['FAKE_ECR_PROPERTY_RUNS'] ?? 150)
/** Walks are cheaper than command sequences: twice as many. */
const WALKS = RUNS * 2
const SEED = Number(process.env['FAKE_ECR_PROPERTY_SEED'] ?? 20_240_604)
const MAX_COMMANDS = 30
const NOW = Date.UTC(2025, 0, 15, 12)

/** Upload ids as ECR shapes them (UUIDs), from a counter: a run replays identically. */
function countingIds(): () => string {
  let next = 0
  return () => `00000000-0000-4000-8000-${(next++).toString(16).padStart(12, '0')}`
}

it(
  'random command sequences agree with the reference model and keep every invariant',
  async () => {
    const stats: RunStats = { runs: 0, commands: 0, outcomes: new Map() }
    await fc.assert(
      fc.asyncProperty(fc.commands(registryCommands, { maxCommands: MAX_COMMANDS, size: 'max' }), (commands) =>
        fc.asyncModelRun(async () => {
          stats.runs++
          const real: RegistryUnderTest = { ecr: createEcr({ now: () => NOW, generateId: countingIds() }), stats }
          const model = emptyRegistry()
          // Runs start with one repository, so that their first commands have something to act on.
          await real.ecr.call('CreateRepository', { repositoryName: REPOSITORY_NAMES[0] })
          createRepository(model, REPOSITORY_NAMES[0], { mutability: 'MUTABLE', exclusionFilters: [], scanOnPush: false })
          return { model, real }
        }, commands),
      ),
      { numRuns: RUNS, seed: SEED },
    )

    const outcomes = [...stats.outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([outcome, count]) => `${outcome} ${count}`)
    console.log(
      `property: seed ${SEED}, ${stats.runs} runs of up to ${MAX_COMMANDS} commands, ${stats.commands} commands ` +
        `(all invariants checked after each). Outcomes: ${outcomes.join('; ')}`,
    )
    // The sequences must reach the interesting cases, or the run proves little.
    for (const outcome of [
      'PutImage → ok',
      'PutImage(index) → ok',
      'PutImage → ImageTagAlreadyExistsException',
      'PutImage → ImageAlreadyExistsException',
      'PutImage → LayersNotFoundException',
      'PutImage(index) → ReferencedImagesNotFoundException',
      'BatchDeleteImage failure ImageReferencedByManifestList',
      'BatchDeleteImage failure ImageNotFound',
      'CompleteLayerUpload → InvalidLayerException',
      'CompleteLayerUpload → LayerAlreadyExistsException',
      'DeleteRepository → RepositoryNotEmptyException',
    ]) {
      expect(stats.outcomes.get(outcome) ?? 0, outcome).toBeGreaterThan(0)
    }
  },
  Math.max(60_000, RUNS * 1_000),
)

it(
  'a paginated walk lists what stays exactly once while pushes, tag moves and deletes happen between pages',
  async () => {
    let pages = 0
    await fc.assert(
      fc.asyncProperty(walkScenario, async (scenario) => {
        pages += await runWalk(scenario)
      }),
      { numRuns: WALKS, seed: SEED },
    )
    console.log(`property: seed ${SEED}, ${WALKS} paginated walks, ${pages} pages with changes between them`)
  },
  Math.max(60_000, WALKS * 500),
)
