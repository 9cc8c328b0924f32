import { forCaller } from './caller-copy.js'
import { authorize } from './domain/access.js'
import { resolveEnhancedScanning } from './domain/enhanced-scans.js'
import { applyLifecyclePolicies } from './domain/lifecycle.js'
import { Engine } from './engine.js'
import { defaultEnhancedScanFindings } from './enhanced-scan-findings.js'
import { EcrError } from './errors.js'
import { createEmitter } from './events.js'
import { createFaults } from './faults.js'
import { setFrontEndDispatch } from './front-end.js'
import type { CallContext, Ecr, EcrOptions, OperationName } from './glossary.js'
import { resolveLimits } from './limits.js'
import { inputSchemas } from './model/shapes.generated.js'
import { readPassword, verifyPassword } from './operations/auth.js'
import { openLayerDownload } from './operations/layers.js'
import type { Implementation } from './operations/operation.js'
import { operations } from './operations/table.js'
import { randomId } from './random-id.js'
import { createRegistryApi } from './registry/registry-api.js'
import { defaultScanFindings } from './scan-findings.js'
import { seedRegistry } from './seed-registry.js'
import { createSeeder } from './seed.js'
import { UpstreamCatalog } from './upstream-catalog.js'
import { validateInput } from './validation/validate-input.js'

const DEFAULT_ACCOUNT = '123456789012'
const DEFAULT_REGION = 'us-east-1'
/** ECR documents that restoring an archived image "typically takes up to 20 minutes". */
const IMAGE_RESTORE_MS = 20 * 60 * 1000

/**
 * Creates an ECR engine: in memory, account `123456789012`, strict like AWS.
 *
 * @example
 * import { createEcr } from 'fake-ecr'
 * const ecr = createEcr({ accountId: '111122223333' })
 * await ecr.call('CreateRepository', { repositoryName: 'web' }, { region: 'eu-west-1' })
 */
export function createEcr(options: EcrOptions = {}): Ecr {
  const accountId = options.accountId ?? DEFAULT_ACCOUNT
  const region = options.region ?? DEFAULT_REGION
  const clock = options.now ?? (() => Date.now())
  const now = () => {
    const value = clock()
    return typeof value === 'number' ? value : value.getTime()
  }
  const newId = options.generateId ?? randomId
  const emitter = createEmitter()
  const upstreams = new UpstreamCatalog(options.upstreams)
  const faults = createFaults(options.random ?? Math.random, (ms) => new Promise((resolve) => setTimeout(resolve, ms)))
  const engine = new Engine({
    accountId,
    region,
    now,
    newId,
    settings: {
      verifyReferences: options.verifyReferences ?? true,
      scanDurationMs: options.scanDurationMs ?? 0,
      lifecyclePreviewDurationMs: options.lifecyclePreviewDurationMs ?? 0,
      imageRestoreDurationMs: options.imageRestoreDurationMs ?? IMAGE_RESTORE_MS,
      scanFindings: options.scanFindings ?? defaultScanFindings,
      signingDurationMs: options.signingDurationMs ?? 0,
      signingFailure: options.signingFailure,
      replicationDurationMs: options.replicationDurationMs ?? 0,
      enhancedScanFindings: options.enhancedScanFindings ?? defaultEnhancedScanFindings,
      enhancedScanning: resolveEnhancedScanning(options.enhancedScanning),
      limits: resolveLimits(options.limits),
      upstreams,
    },
    storage: options.storage,
    emitter,
    reportStorageError: (error) => {
      emitter.emit('storage-error', { error })
      ;(options.onStorageError ?? ((cause: unknown) => console.warn('fake-ecr: failed to persist state:', cause)))(error)
    },
    beforeWrite: options.beforeWrite,
  })

  /**
   * A `dispatch` that waits for `gate` first (seeding waits for loading only, everyone else for
   * seeding too) and hands the answer over through `deliver` (a copy for callers; as it is to front ends).
   */
  const dispatchAfter =
    (gate: () => Promise<unknown>, deliver: <T>(output: T) => T = forCaller): Ecr['dispatch'] =>
    async (name, input, context = {}) => {
      await gate()
      await faults.before(name)
      // Own properties only: an operation named `constructor` or `__proto__` is just unknown.
      const implementation = (Object.hasOwn(operations, name) ? operations[name as OperationName] : undefined) as
        | Implementation<OperationName>
        | undefined
      if (implementation === undefined) {
        throw new EcrError(
          'UnknownOperationException',
          Object.hasOwn(inputSchemas, name) ? `fake-ecr does not implement ${name} yet` : `Unknown operation ${name}`,
        )
      }
      const validated = validateInput(inputSchemas[name as OperationName], input === undefined ? {} : input)
      const output = await engine.run(
        placeOf(context),
        (ctx) => {
          authorize(ctx, name as OperationName, validated)
          return implementation(validated as never, ctx)
        },
        name,
      )
      return deliver(output)
    }

  const dispatch = dispatchAfter(() => ready)
  const ecr: Ecr = {
    accountId,
    region,
    get ready() {
      return ready
    },
    operations: Object.keys(operations) as OperationName[],
    call: dispatch as Ecr['call'],
    dispatch,
    async catchUp() {
      await ready
      await engine.run({}, () => undefined, 'catchUp')
    },
    async applyLifecyclePolicies(target = {}) {
      await ready
      return engine.run(placeOf(target), (ctx) => applyLifecyclePolicies(ctx, target.repositoryName), 'applyLifecyclePolicies')
    },
    async reset() {
      await ready
      faults.clear()
      upstreams.reset()
      await engine.reset()
    },
    seed: createSeeder(dispatch as Ecr['call'], newId, upstreams),
    faults,
    // A copy: the records are the engine's own, and a caller could change what it was given.
    snapshot: () => structuredClone(engine.snapshot()),
    on: (event, listener) =>
      // A copy for each listener: the records are the engine's own, and a listener could change them.
      emitter.on(event, event === 'change' ? (payload) => listener(structuredClone(payload)) : listener),
    async openDownload(url) {
      await ready
      return openLayerDownload(typeof url === 'string' ? new URL(url) : url, {
        now: now(),
        sign: engine.sign,
        state: engine.state,
        readChunk: engine.readChunk,
      })
    },
    async verifyAuthorizationToken(password) {
      await ready
      return verifyPassword(password, { now: now(), sign: engine.sign })
    },
    registry: createRegistryApi({
      async before(action) {
        await ready
        await faults.before(action)
      },
      run: async (place, work, what) => {
        await ready
        return engine.run(place, work, what)
      },
      async readPassword(password) {
        await ready
        return readPassword(password, { sign: engine.sign })
      },
      now,
    }),
  }
  setFrontEndDispatch(
    ecr,
    dispatchAfter(() => ready, (output) => output),
  )
  const ready: Promise<void> = (async () => {
    const hadState = await engine.loaded
    if (hadState || options.seed === undefined) return
    const whileLoading = dispatchAfter(() => engine.loaded) as Ecr['call']
    const seed = typeof options.seed === 'function' ? options.seed : seedRegistry(options.seed)
    await seed({ ...ecr, call: whileLoading, dispatch: whileLoading as Ecr['dispatch'], seed: createSeeder(whileLoading, newId, upstreams) })
  })()
  return ecr
}

/** The account, region, endpoints and caller a call names (the engine's defaults fill in the rest). */
function placeOf({ accountId, region, endpoint, registryEndpoint, caller }: CallContext) {
  return {
    ...(accountId !== undefined && { accountId }),
    ...(region !== undefined && { region }),
    ...(endpoint !== undefined && { endpoint }),
    ...(registryEndpoint !== undefined && { registryEndpoint }),
    ...(caller !== undefined && { caller }),
  }
}
