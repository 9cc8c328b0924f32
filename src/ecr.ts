import type { ImageScanFinding } from '@aws-sdk/client-ecr'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js'
import { EcrError } from './errors.js'
import { inputSchemas, type OperationTypes } from './model/shapes.generated.js'
import type { EngineSettings, OperationContext, ScannedImage } from './operations/context.js'
import type { OperationName } from './operations/operation.js'
import { openLayerDownload, type LayerDownload } from './operations/layers.js'
import { operations } from './operations/table.js'
import { PageTokens } from './pagination.js'
import { defaultScanFindings } from './scan-findings.js'
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
  /** Id generator for upload ids and tokens (default: `crypto.randomUUID`). */
  generateId?: () => string
  /**
   * Refuse manifests whose config and layers (or, for an index, child manifests) are not in the
   * repository, as AWS does (default `true`). Turn off to record manifests without pushing blobs.
   */
  verifyReferences?: boolean
  /** How long a scan reports IN_PROGRESS before COMPLETE, by the engine's clock (default 0). */
  scanDurationMs?: number
  /** The findings a basic scan reports for an image (default: a realistic, deterministic set). */
  scanFindings?: (image: ScannedImage) => ImageScanFinding[]
  /** Where state is persisted (default: nowhere; state lives in memory). */
  storage?: StorageAdapter
  /** Called when the storage adapter fails; the engine keeps working in memory (default: console.warn). */
  onStorageError?: (error: unknown) => void
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
  /** Resolves once state from the storage adapter is loaded (calls wait for it on their own). */
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
  /** Empties all state (every account and region) and the storage adapter. */
  reset(): Promise<void>
  /** Helpers that create repositories and images (with generated blobs) in one call. */
  readonly seed: Seeder
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
  }
  const secret = randomBytes(32)
  const onStorageError =
    options.onStorageError ?? ((error: unknown) => console.warn('fake-ecr: failed to persist state:', error))
  const registries = new Map<string, RegistryState>()
  let seq = 0

  const registryOf = (account: string, inRegion: string): RegistryState => {
    const key = `${account}/${inRegion}`
    let registry = registries.get(key)
    if (registry === undefined) registries.set(key, (registry = new RegistryState(account, inRegion)))
    return registry
  }

  const sign = (text: string) => bytesToHex(hmac(sha256, secret, new TextEncoder().encode(text)))
  const tokens = new PageTokens(sign)

  const ready = (async () => {
    if (options.storage === undefined) return
    const records = [...(await options.storage.read())].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind])
    for (const record of records) {
      const [recordAccount, recordRegion] = record.scope
      if (recordAccount === undefined || recordRegion === undefined) continue
      registryOf(recordAccount, recordRegion).load(record)
      const value = record.value as { seq?: unknown } | undefined
      if (typeof value?.seq === 'number') seq = Math.max(seq, value.seq)
    }
  })()

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
    const tx = new Transaction()
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
    try {
      return { output: implementation(validated, ctx), changes: tx.changes() }
    } catch (error) {
      tx.rollback()
      if (error instanceof EcrError) throw error
      throw new EcrError('ServerException', `fake-ecr failed while running ${name}: ${String(error)}`)
    }
  }

  const call: Ecr['call'] = async (name, input, context = {}) => {
    await ready
    const { output, changes } = execute(name, input, context)
    if (changes.length > 0 && options.storage !== undefined) {
      try {
        await options.storage.write(changes)
      } catch (error) {
        onStorageError(error)
      }
    }
    // Callers get their own copy: nothing they do to a result can reach engine state.
    return structuredClone(output) as never
  }

  return {
    accountId,
    region,
    ready,
    operations: Object.keys(operations) as OperationName[],
    call,
    async reset() {
      await ready
      registries.clear()
      seq = 0
      await options.storage?.clear()
    },
    seed: createSeeder(call, newId),
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
}

const KIND_ORDER: Record<StoredRecord['kind'], number> = {
  registry: 0,
  repository: 1,
  image: 2,
  tag: 3,
  blob: 4,
  upload: 5,
}
