import type { ImageScanFinding } from '@aws-sdk/client-ecr'
import { EcrError } from '../errors.js'
import type { EcrLimits } from '../limits.js'
import type { PageTokens } from '../pagination.js'
import type { RepositoryRecord } from '../state/records.js'
import type { RegistryState, RepositoryContents } from '../state/registry-state.js'
import type { Transaction } from '../state/transaction.js'

/** An image as a scan sees it (the input of a findings source). */
export interface ScannedImage {
  registryId: string
  region: string
  repositoryName: string
  imageDigest: string
  imageTags: string[]
  /** The image manifest text. */
  manifest: string
}

/** Engine settings after defaults are applied. */
export interface EngineSettings {
  /** Refuse manifests whose blobs or child manifests are not in the repository (AWS's behaviour). */
  verifyReferences: boolean
  /** How long a scan stays IN_PROGRESS before it reports COMPLETE, in milliseconds. */
  scanDurationMs: number
  /** Produces the findings of a basic scan. */
  scanFindings: (image: ScannedImage) => ImageScanFinding[]
  /** The service quotas enforced (AWS's documented defaults unless overridden). */
  limits: Readonly<EcrLimits>
}

/** A repository found by name: its registry, its record and what it holds. */
export interface FoundRepository {
  registry: RegistryState
  record: RepositoryRecord
  contents: RepositoryContents
}

/** What an operation gets besides its validated input. */
export interface OperationContext {
  /** The caller's account. */
  readonly accountId: string
  readonly region: string
  /** The engine's clock at the start of the call, in epoch milliseconds. */
  readonly now: number
  readonly tx: Transaction
  readonly settings: EngineSettings
  readonly tokens: PageTokens
  /** Origin of the custom endpoint the request came through (e.g. `http://127.0.0.1:4566`), if any. */
  readonly endpoint: string | undefined
  /** The engine's signature (hex HMAC-SHA256 with a per-engine secret) of a text it hands out. */
  readonly sign: (text: string) => string
  nextSeq(): number
  newId(): string
  /** The registry of `registryId` (default: the caller's account) in the call's region. */
  registry(registryId?: string): RegistryState
}

/** Finds a repository or throws RepositoryNotFoundException, worded as ECR words it. */
export function findRepository(ctx: OperationContext, repositoryName: string, registryId?: string): FoundRepository {
  const registry = ctx.registry(registryId)
  const record = registry.repositories.get(repositoryName)
  if (record === undefined) {
    throw new EcrError(
      'RepositoryNotFoundException',
      `The repository with name '${repositoryName}' does not exist in the registry with id '${registry.accountId}'`,
    )
  }
  return { registry, record, contents: registry.contentsOf(repositoryName) }
}
