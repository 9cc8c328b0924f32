import type { EnhancedImageScanFinding, ImageScanFinding } from '@aws-sdk/client-ecr'
import type { EnhancedScanningSettings } from '../domain/enhanced-scans.js'
import type { Caller, EnhancedScanStatus, InspectedImage, ScannedImage, SigningFailure, SigningImage } from '../glossary.js'
import type { EcrLimits } from '../limits.js'
import type { PageTokens } from '../pagination.js'
import type { EngineState } from '../state/engine-state.js'
import type { RegistryState } from '../state/registry-state.js'
import type { Transaction } from '../state/transaction.js'
import type { UpstreamCatalog } from '../upstream-catalog.js'

/** Engine settings after defaults are applied. */
export interface EngineSettings {
  /** Refuse manifests whose blobs or child manifests are not in the repository (AWS's behaviour). */
  verifyReferences: boolean
  /** How long a scan stays IN_PROGRESS before it reports COMPLETE, in milliseconds. */
  scanDurationMs: number
  /** How long a lifecycle policy preview stays IN_PROGRESS before it completes, in milliseconds. */
  lifecyclePreviewDurationMs: number
  /** How long an archived image being restored stays ACTIVATING, in milliseconds. */
  imageRestoreDurationMs: number
  /** How long an image replication (and each batch of a replication backfill) takes, in milliseconds. */
  replicationDurationMs: number
  /** Produces the findings of a basic scan. */
  scanFindings: (image: ScannedImage) => ImageScanFinding[]
  /** How long managed signing reports IN_PROGRESS before it completes, in milliseconds. */
  signingDurationMs: number
  /** Which managed signatures fail, and why (none, unless given). */
  signingFailure: ((image: SigningImage) => SigningFailure | undefined) | undefined
  /** Produces what Amazon Inspector finds when it scans an image under ENHANCED scanning. */
  enhancedScanFindings: (image: InspectedImage) => EnhancedImageScanFinding[] | EnhancedScanStatus
  enhancedScanning: EnhancedScanningSettings
  /** The service quotas enforced (AWS's documented defaults unless overridden). */
  limits: Readonly<EcrLimits>
  /** What the upstream registries of pull through cache rules hold. */
  upstreams: UpstreamCatalog
}

/** Where blob and upload bytes are read back from (storage, or the engine's memory). */
export type ReadChunk = (id: string, offset?: number, length?: number) => Promise<Uint8Array | undefined>

/**
 * What an operation (or a domain step, or a clock effect) gets besides its input: where it acts,
 * when, the transaction its writes go through, and the engine's state and services.
 */
export interface OperationContext {
  /** The account acting (the caller's, for an API call). */
  readonly accountId: string
  readonly region: string
  /** The engine's clock for this call (or the moment a clock effect fell due), in epoch milliseconds. */
  readonly now: number
  readonly tx: Transaction
  readonly state: EngineState
  readonly settings: EngineSettings
  readonly tokens: PageTokens
  /** Origin of the custom endpoint the request came through (e.g. `http://127.0.0.1:4566`), if any. */
  readonly endpoint: string | undefined
  /** Origin the registry API answers at for this call when it is not ECR's registry host (the standalone server's), if any. */
  readonly registryEndpoint: string | undefined
  /** The caller whose signature was checked, when signatures are checked. */
  readonly caller: Caller | undefined
  /** Reads blob and upload bytes, to read only: they may be the engine's own, not a copy. */
  readonly readChunk: ReadChunk
  /** The engine's signature (hex HMAC-SHA256 with the engine's signing key) of a text it hands out. */
  sign(text: string): string
  nextSeq(): number
  newId(): string
  /** The registry of `registryId` (default: the acting account) in this region, to read. */
  registry(registryId?: string): RegistryState
  /** The same registry, to write to: created inside the transaction if it does not exist yet. */
  openRegistry(registryId?: string): RegistryState
  /** This context acting in another account and/or region, in the same transaction (replication needs it). */
  at(place: { accountId?: string; region?: string; now?: number }): OperationContext
}
