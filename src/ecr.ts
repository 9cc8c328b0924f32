import type { ImageScanFinding } from '@aws-sdk/client-ecr'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js'
import { EcrError } from './errors.js'
import { createEmitter, type EcrEvents } from './events.js'
import { createFaults, type Faults } from './faults.js'
import { resolveLimits, type EcrLimits } from './limits.js'
import { inputSchemas, type OperationTypes } from './model/shapes.generated.js'
import type { EngineSettings, OperationContext, ScannedImage } from './operations/context.js'
import type { OperationName } from './operations/operation.js'
import { openLayerDownload, type LayerDownload } from './operations/layers.js'
import { operations } from './operations/table.js'
import { PageTokens } from './pagination.js'
import { defaultScanFindings } from './scan-findings.js'
import { seedRegistry, type RegistrySeed } from './seed-registry.js'
import { createSeeder, type Seeder } from './seed.js'
import { RegistryState } from './state/registry-state.js'
import { Transaction } from './state/transaction.js'
import type { StorageAdapter, StoredRecord } from './storage/storage.js'
import { validateInput } from './validation/validate-input.js'

export interface EcrOptions {
  /** The caller's account when a call does not say (default `123456789012`). */
  accountId?: string
  /** The region when a call does not say (default `us-east-1`). */
  region?: string
  /** The engine's clock (default: the system clock). Move it to age images, scans and tokens. */
  now?: () => Date | number
  /** Id generator for upload ids and seeded content (default: `crypto.randomUUID`). */
  generateId?: () => string
  /** Random numbers from 0 to 1, used by probabilistic faults (default: `Math.random`). */
  random?: () => number
  /**
   * Refuse manifests whose config and layers (or, for an index, child manifests) are not in the
   * repository, as AWS does (default `true`). Turn off to record manifests without pushing blobs.
   */
  verifyReferences?: boolean
  /** How long a scan reports IN_PROGRESS before COMPLETE, by the engine's clock (default 0). */
  scanDurationMs?: number
  /** The findings a basic scan reports for an image (default: a realistic, deterministic set). */
  scanFindings?: (image: ScannedImage) => ImageScanFinding[]
  /**
   * Service quotas to enforce instead of AWS's documented defaults (`DEFAULT_LIMITS`), e.g.
   * `{ repositoriesPerRegistry: 3 }` to test what happens at the limit without creating 100,000.
   */
  limits?: Partial<EcrLimits>
  /**
   * Fills a fresh engine: a registry described as data
   * (`{ repositories: [{ name: 'web', images: [{ tag: 'v1' }] }] }`, see {@link RegistrySeed}), or
   * a function such as `async (ecr) => { await ecr.seed.image('web', { tag: 'v1' }) }`. It runs
   * once stored state is loaded, and only if there was none (so persisted state is seeded once);
   * calls wait for it.
   */
  seed?: RegistrySeed | ((ecr: Ecr) => Promise<void> | void)
  /** Where state is persisted (default: nowhere; state lives in memory). */
  storage?: StorageAdapter
  /** Called when the storage adapter fails; the engine keeps working in memory (default: console.warn). */
  onStorageError?: (error: unknown) => void
  /**
   * Sees every record an operation is about to write; throwing aborts the call, which then
   * changes nothing. For testing atomicity.
   */
  beforeWrite?: (record: StoredRecord) => void
}

/** Who is calling and where: the account and region of a request. */
export interface CallContext {
  accountId?: string
  region?: string
  /** Origin of the custom endpoint the request was sent to, used for layer download URLs. */
  endpoint?: string
}

/** The ECR engine: all state for every account and region, and the operations on it. */
export interface Ecr {
  readonly accountId: string
  readonly region: string
  /** Resolves once stored state is loaded and the `seed` option has run (calls wait for it on their own). */
  readonly ready: Promise<void>
  /**
   * Runs one ECR operation, as the service would for a request with this input. Rejects with an
   * {@link EcrError} carrying the AWS error code. A call that fails changes nothing.
   *
   * @example
   * const { repository } = await ecr.call('CreateRepository', { repositoryName: 'app' })
   */
  call<Name extends OperationName>(
    operation: Name,
    input?: OperationTypes[Name]['input'],
    context?: CallContext,
  ): Promise<OperationTypes[Name]['output']>
  /** Names of the operations the engine implements. */
  readonly operations: readonly OperationName[]
  /** Empties all state (every account and region) and the storage adapter, and removes injected faults. */
  reset(): Promise<void>
  /** Helpers that create repositories and images (with generated blobs) in one call. */
  readonly seed: Seeder
  /** Failures and latency to inject into chosen operations. */
  readonly faults: Faults
  /**
   * Every record of the engine's state (all accounts and regions), in a stable order: what a
   * test compares to check that a call changed nothing, or exactly what it should.
   */
  snapshot(): StoredRecord[]
  /**
   * Listens to the engine: `change` after every call that changed state (and after changes made
   * by another engine sharing the storage), `storage-error` when the adapter fails. Returns a
   * function that stops listening.
   *
   * @example
   * const stop = ecr.on('change', ({ records }) => render())
   */
  on<Event extends keyof EcrEvents>(event: Event, listener: (payload: EcrEvents[Event]) => void): () => void
  /** Serves a layer download URL from GetDownloadUrlForLayer (used by the handlers). */
  openDownload(url: string | URL): LayerDownload | undefined
}

const DEFAULT_ACCOUNT = '123456789012'
const DEFAULT_REGION = 'us-east-1'

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
  const newId = options.generateId ?? (() => globalThis.crypto.randomUUID())
  const settings: EngineSettings = {
    verifyReferences: options.verifyReferences ?? true,
    scanDurationMs: options.scanDurationMs ?? 0,
    scanFindings: options.scanFindings ?? defaultScanFindings,
    limits: resolveLimits(options.limits),
  }
  const secret = randomBytes(32)
  const emitter = createEmitter()
  const faults = createFaults(options.random ?? Math.random, (ms) => new Promise((resolve) => setTimeout(resolve, ms)))
  const reportStorageError = (error: unknown) => {
    emitter.emit('storage-error', { error })
    ;(options.onStorageError ?? ((cause: unknown) => console.warn('fake-ecr: failed to persist state:', cause)))(error)
  }
  const registries = new Map<string, RegistryState>()
  let seq = 0

  const registryOf = (account: string, inRegion: string): RegistryState => {
    const key = `${account}/${inRegion}`
    let registry = registries.get(key)
    if (registry === undefined) registries.set(key, (registry = new RegistryState(account, inRegion)))
    return registry
  }

  /** Applies records from storage: those loaded at start, or another engine's changes. */
  const applyStored = (records: Iterable<StoredRecord>) => {
    for (const record of [...records].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind])) {
      const [recordAccount, recordRegion] = record.scope
      if (recordAccount === undefined || recordRegion === undefined) continue
      registryOf(recordAccount, recordRegion).load(record)
      const value = record.value as { seq?: unknown } | undefined
      if (typeof value?.seq === 'number') seq = Math.max(seq, value.seq)
    }
  }

  const sign = (text: string) => bytesToHex(hmac(sha256, secret, new TextEncoder().encode(text)))
  const tokens = new PageTokens(sign)

  const execute = (name: string, input: unknown, context: CallContext) => {
    // Own properties only: an operation named `constructor` or `__proto__` is just unknown.
    const implementation = (Object.hasOwn(operations, name) ? operations[name as OperationName] : undefined) as
      | ((input: unknown, ctx: OperationContext) => unknown)
      | undefined
    if (implementation === undefined) {
      throw new EcrError(
        'UnknownOperationException',
        Object.hasOwn(inputSchemas, name) ? `fake-ecr does not implement ${name} yet` : `Unknown operation ${name}`,
      )
    }
    const validated = validateInput(inputSchemas[name as OperationName], input ?? {})
    const tx = new Transaction(options.beforeWrite)
    const callAccount = context.accountId ?? accountId
    const callRegion = context.region ?? region
    const ctx: OperationContext = {
      accountId: callAccount,
      region: callRegion,
      now: now(),
      tx,
      settings,
      tokens,
      endpoint: context.endpoint,
      sign,
      nextSeq: () => ++seq,
      newId,
      registry: (registryId) => registryOf(registryId ?? callAccount, callRegion),
    }
    const seqBefore = seq
    try {
      return { output: implementation(validated, ctx), changes: tx.changes() }
    } catch (error) {
      tx.rollback()
      // Sequence numbers a failed call took are handed out again: it leaves no trace at all.
      seq = seqBefore
      if (error instanceof EcrError) throw error
      throw new EcrError('ServerException', `fake-ecr failed while running ${name}: ${String(error)}`)
    }
  }

  /** A `call` that waits for `gate` first (seeding waits for loading only, everyone else for seeding too). */
  const callAfter =
    (gate: () => Promise<void>): Ecr['call'] =>
    async (name, input, context = {}) => {
      await gate()
      await faults.before(name)
      const { output, changes } = execute(name, input, context)
      if (changes.length > 0) {
        emitter.emit('change', { records: changes, origin: 'local' })
        if (options.storage !== undefined) {
          try {
            await options.storage.write(changes)
          } catch (error) {
            reportStorageError(error)
          }
        }
      }
      // Callers get their own copy: nothing they do to a result can reach engine state.
      return structuredClone(output) as never
    }

  const loaded = (async () => {
    if (options.storage === undefined) return false
    const records = [...(await options.storage.read())]
    applyStored(records)
    options.storage.subscribe?.((event) => {
      if ('cleared' in event) {
        clear()
        emitter.emit('change', { records: [], origin: 'external', cleared: true })
        return
      }
      applyStored(event.changes)
      emitter.emit('change', { records: event.changes, origin: 'external' })
    })
    return records.length > 0
  })()

  const clear = () => {
    registries.clear()
    seq = 0
  }

  const call = callAfter(() => ready)
  const ecr: Ecr = {
    accountId,
    region,
    get ready() {
      return ready
    },
    operations: Object.keys(operations) as OperationName[],
    call,
    async reset() {
      await ready
      clear()
      faults.clear()
      emitter.emit('change', { records: [], origin: 'local', cleared: true })
      await options.storage?.clear()
    },
    seed: createSeeder(call, newId),
    faults,
    snapshot() {
      const records = [...registries.values()].flatMap((registry) => [...registry.records()])
      return records.sort((a, b) => compareKeys(recordKey(a), recordKey(b)))
    },
    on: emitter.on,
    openDownload(url) {
      return openLayerDownload(typeof url === 'string' ? new URL(url) : url, {
        now: now(),
        sign,
        blob: (owner, inRegion, repositoryName, digest) => {
          const registry = registries.get(`${owner}/${inRegion}`)
          if (registry === undefined || !registry.repositories.has(repositoryName)) return undefined
          return registry.contentsOf(repositoryName).blobs.get(digest)
        },
      })
    },
  }
  const ready: Promise<void> = (async () => {
    const hadState = await loaded
    if (hadState || options.seed === undefined) return
    const whileLoading = callAfter(() => loaded.then(() => undefined))
    const seed = typeof options.seed === 'function' ? options.seed : seedRegistry(options.seed)
    await seed({ ...ecr, call: whileLoading, seed: createSeeder(whileLoading, newId) })
  })()
  return ecr
}

const KIND_ORDER: Record<StoredRecord['kind'], number> = {
  registry: 0,
  repository: 1,
  image: 2,
  tag: 3,
  blob: 4,
  upload: 5,
}

function recordKey(record: StoredRecord): string[] {
  return [...record.scope, String(KIND_ORDER[record.kind]), record.id]
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const left = a[i] ?? ''
    const right = b[i] ?? ''
    if (left !== right) return left < right ? -1 : 1
  }
  return 0
}
