import type { CreateRepositoryRequest, EnhancedImageScanFinding, ImageScanFinding, Repository } from '@aws-sdk/client-ecr'
import type { EcrLimits } from './limits.js'
import type { OperationTypes } from './model/shapes.generated.js'
import type { StorageAdapter, StoredRecord } from './storage/storage.js'

// The public types of `fake-ecr`, apart from the code that implements them.

/** Every operation in ECR's model. */
export type OperationName = keyof OperationTypes

/** What the engine tells listeners (`ecr.on`). */
export interface EcrEvents {
  /**
   * State changed: by a call of this engine (`local`), or by another engine sharing the storage
   * (`external`). `records` are the records changed; `cleared` says everything was reset.
   */
  change: { records: readonly StoredRecord[]; origin: 'local' | 'external'; cleared?: true }
  /** The storage adapter failed to store a call's changes (the call failed and changed nothing). */
  'storage-error': { error: unknown }
}

/** A failure or delay to inject into chosen operations (for retry logic and loading/error states). */
export interface FaultOptions {
  /** Operations it applies to (default: every operation). */
  operations?: readonly OperationName[]
  /** The AWS error to answer with, e.g. `{ code: 'ThrottlingException' }`; omit to only add latency. */
  error?: { code: string; message?: string; status?: number }
  /** How many calls it affects before it expires (default: no limit). */
  times?: number
  /** Chance that a matching call is affected, 0 to 1 (default 1). */
  probability?: number
  /** Delay before an affected call runs (or fails), in milliseconds. */
  latencyMs?: number
}

/** An injected fault: how many calls it affected so far, and how to take it away. */
export interface Fault {
  readonly affected: number
  remove(): void
}

/** Injected faults of an engine (`ecr.faults`). An injected failure never changes state. */
export interface Faults {
  /**
   * Injects a fault.
   *
   * @example
   * // The next two PutImage calls are throttled, then calls succeed again.
   * ecr.faults.add({ operations: ['PutImage'], error: { code: 'ThrottlingException' }, times: 2 })
   */
  add(options: FaultOptions): Fault
  /** Removes every fault. */
  clear(): void
}

export interface EcrOptions {
  /** The caller's account when a call does not say (default `123456789012`). */
  accountId?: string
  /** The region when a call does not say (default `us-east-1`). */
  region?: string
  /** The engine's clock (default: the system clock). Move it to age images, scans and tokens. */
  now?: () => Date | number
  /** Id generator for upload ids and seeded content (default: random UUIDs, `crypto.randomUUID` where the page may use it). */
  generateId?: () => string
  /** Random numbers from 0 to 1, used by probabilistic faults (default: `Math.random`). */
  random?: () => number
  /**
   * Refuse manifests whose config and layers (or, for an index, child manifests) are not in the
   * repository, as AWS does (default `true`). Turn off to record manifests without pushing blobs.
   */
  verifyReferences?: boolean
  /**
   * How long a basic scan reports IN_PROGRESS before COMPLETE, and how long Amazon Inspector's
   * initial scan takes under ENHANCED, by the engine's clock (default 0).
   */
  scanDurationMs?: number
  /**
   * How long a lifecycle policy preview reports IN_PROGRESS before COMPLETE, by the engine's
   * clock (default 0: complete for the next call).
   */
  lifecyclePreviewDurationMs?: number
  /**
   * How long an archived image being restored (UpdateImageStorageClass to STANDARD) stays
   * ACTIVATING, by the engine's clock (default 20 minutes, the time ECR documents).
   */
  imageRestoreDurationMs?: number
  /** The findings a basic scan reports for an image (default: a realistic, deterministic set). */
  scanFindings?: (image: ScannedImage) => ImageScanFinding[]
  /**
   * How long ECR managed signing reports a signature IN_PROGRESS before it completes, by the
   * engine's clock (default 0: the next call finds it complete).
   */
  signingDurationMs?: number
  /**
   * Makes managed signatures fail: return the `failureCode` and `failureReason`
   * DescribeImageSigningStatus reports for a signature, or nothing to let it complete (default:
   * every signature completes).
   */
  signingFailure?: (image: SigningImage) => SigningFailure | undefined
  /**
   * How long replicating an image to a destination takes by the engine's clock (default 0: done
   * in the push). Until then DescribeImageReplicationStatus reports IN_PROGRESS and the image is
   * not in the destination. A replication backfill prepares for as long, then replicates a batch
   * of images at a time, each batch taking as long.
   */
  replicationDurationMs?: number
  /**
   * The findings Amazon Inspector reports for an image under ENHANCED scanning, at its initial
   * scan and at each continuous rescan (default: a realistic, deterministic set that grows as
   * vulnerabilities are disclosed after the push). Return a status instead to report the image
   * unsupported or its findings unavailable. The engine keeps each finding's `status` and
   * `firstObservedAt` / `lastObservedAt` / `updatedAt` from scan to scan (a finding missing from a
   * rescan is closed), and fills in `awsAccountId`, `findingArn`, `type`, `title` and the image
   * resource when they are missing.
   *
   * @example
   * // A vulnerability disclosed on 1 March shows up at the first rescan after it.
   * enhancedScanFindings: ({ scannedAt }) =>
   *   scannedAt >= new Date('2030-03-01') ? [{ severity: 'HIGH', packageVulnerabilityDetails: { vulnerabilityId: 'CVE-2030-0001' } }] : []
   */
  enhancedScanFindings?: (image: InspectedImage) => EnhancedImageScanFinding[] | EnhancedScanStatus
  /** Amazon Inspector's side of ENHANCED scanning: how often it rescans and for how long. */
  enhancedScanning?: EnhancedScanningOptions
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
  /**
   * What the upstream registries of pull through cache rules hold: a pull of
   * `<prefix>/<upstream repository>` that misses the cache fetches from here (an ECR upstream is
   * read from the engine's own registries instead). Configuration of the world outside ECR, not
   * persisted: give it to every engine (`ecr.seed.upstream` adds images at run time).
   *
   * @example
   * createEcr({ upstreams: [{ registryUrl: 'public.ecr.aws', repositories: [{ name: 'docker/library/alpine', images: [{ tag: '3.20' }] }] }] })
   */
  upstreams?: UpstreamRegistrySeed[]
  /** Where state is persisted (default: nowhere; state lives in memory). */
  storage?: StorageAdapter
  /** Called when the storage adapter fails to store a call's changes, which fails the call (default: console.warn). */
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
  /**
   * Origin at which the registry API (`/v2/`) answers for this call, when that is not ECR's
   * registry host (e.g. `http://127.0.0.1:4566`, the standalone server): repositoryUri and
   * GetAuthorizationToken's proxyEndpoint then name it (decisions/registry-addresses.md).
   */
  registryEndpoint?: string
  /** The caller, when the request's signature was checked (`ecrHandlers(ecr, { credentials })`). */
  caller?: Caller
}

/** A caller whose signature checked out: its access key and the account that key acts as. */
export interface Caller {
  accessKeyId: string
  accountId: string
  /** The IAM user or role the key belongs to, when its credentials say (pull-time update exclusions name them). */
  principalArn?: string
}

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

/** An image as ECR managed signing signs it with one signing profile (the input of `signingFailure`). */
export interface SigningImage {
  registryId: string
  region: string
  repositoryName: string
  imageDigest: string
  signingProfileArn: string
}

/** Why a managed signature failed, as DescribeImageSigningStatus reports it. */
export interface SigningFailure {
  failureCode: string
  failureReason: string
}

/** An image as Amazon Inspector sees it when it scans (the input of an enhanced findings source). */
export interface InspectedImage extends ScannedImage {
  /** When the image was pushed. */
  pushedAt: Date
  /** When the image was last pulled, if it was. */
  lastPulledAt?: Date
  /** When this scan runs, by the engine's clock: the initial scan, or a continuous rescan. */
  scannedAt: Date
}

/** What an enhanced findings source returns instead of findings: the image cannot be scanned, or its findings cannot be had now. */
export interface EnhancedScanStatus {
  status: 'UNSUPPORTED_IMAGE' | 'FINDINGS_UNAVAILABLE'
  /** The `imageScanStatus.description` to report (default: a sentence for the status). */
  description?: string
}

/**
 * Amazon Inspector's ECR re-scan duration: how long after an image's push (or last pull) continuous
 * scanning keeps rescanning it, as Inspector's `ecrConfiguration` names it.
 */
export type RescanDuration = 'DAYS_14' | 'DAYS_30' | 'DAYS_60' | 'DAYS_90' | 'DAYS_180' | 'LIFETIME'

/** Amazon Inspector's settings for ENHANCED scanning (set in Inspector, not through ECR's API). */
export interface EnhancedScanningOptions {
  /** How often continuous scanning rescans an image, by the engine's clock (default one day). */
  rescanIntervalMs?: number
  /**
   * How long after its push an image stays under continuous scanning (default `DAYS_14`, Inspector's
   * default for new accounts). Then it reports SCAN_ELIGIBILITY_EXPIRED and its findings close.
   */
  rescanDuration?: RescanDuration
  /** How long after its last pull an image stays under continuous scanning (default `DAYS_14`). */
  pullDateRescanDuration?: Exclude<RescanDuration, 'LIFETIME'>
}

/** A blob's bytes, read from wherever the engine keeps them. */
export interface BlobContent {
  digest: string
  /** Size in bytes. */
  size: number
  /** The bytes from `start` (default 0) up to, not including, `end` (default: the size). */
  read(start?: number, end?: number): Promise<Uint8Array<ArrayBuffer>>
  /** The same bytes as a stream, read chunk by chunk as it is consumed. */
  stream(start?: number, end?: number): ReadableStream<Uint8Array<ArrayBuffer>>
}

/** The answer to a layer download URL (`ecr.openDownload`): the blob, or why not (a signature that does not hold is `forged`). */
export type LayerDownload = ({ status: 'ok' } & BlobContent) | { status: 'forged' } | { status: 'expired' } | { status: 'not-found' }

/** What an authorization token from GetAuthorizationToken was issued for (`ecr.verifyAuthorizationToken`). */
export interface AuthorizationTokenClaims {
  accountId: string
  region: string
  expiresAt: Date
}

/**
 * Where a registry API (`/v2/`) request acts, once its token checked out: the registry (the
 * account and region of the host, or of the token on another host), the token's account as the
 * caller when it is another account's, and the origin the request came through (download URLs
 * point there).
 */
export interface RegistryPlace {
  accountId: string
  region: string
  endpoint?: string
  caller?: Caller
}

/** A manifest as the registry API serves it. */
export interface RegistryManifest {
  digest: string
  mediaType: string
  /** The manifest text, byte for byte as pushed. */
  manifest: string
  /** Its size in bytes (UTF-8). */
  size: number
}

/** A page of a repository's tags, in lexical order; `last` is the page's last tag when more follow. */
export interface RegistryTagPage {
  name: string
  tags: string[]
  last?: string
}

/** An OCI descriptor of a manifest (the referrers API lists them). */
export interface RegistryDescriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
}

/** A blob a repository holds: its size, and the presigned URL its bytes are served from (ECR redirects GETs there). */
export interface RegistryBlob {
  digest: string
  size: number
  downloadUrl: string
}

/**
 * The Docker Registry HTTP API v2 / OCI distribution API as a view of the engine: each method is
 * one protocol step, runs on the commit path like an API call, shares the blob and manifest store
 * with the ECR API, and fails with a `RegistryError` (OCI code, HTTP status, ECR's message).
 *
 * @example
 * const place = await ecr.registry.authenticate(`Basic ${authorizationToken}`, { accountId, region })
 * const { manifest, mediaType } = await ecr.registry.getManifest(place, 'web', 'latest')
 */
export interface RegistryApi {
  /**
   * Checks an `Authorization` header (`Basic base64(AWS:<password>)`, the token of
   * GetAuthorizationToken) for a registry host (`host`, or the token's own registry when the
   * request came to another host). Missing or unknown: UNAUTHORIZED (401, with ECR's challenge);
   * expired: DENIED (403).
   */
  authenticate(authorization: string | null, host: { accountId: string; region: string } | undefined, endpoint?: string): Promise<RegistryPlace>
  /**
   * A manifest by tag or digest (`head`: without recording a pull). A pull by tag whose `accept`
   * list excludes the stored media type gets the manifest converted between Docker schema 2 and
   * OCI where ECR documents it does.
   */
  getManifest(
    place: RegistryPlace,
    name: string,
    reference: string,
    options?: { head?: boolean; accept?: readonly string[] },
  ): Promise<RegistryManifest>
  /**
   * Pushes a manifest by tag or digest, as PutImage does; pushing what the repository holds
   * already succeeds. Answers its digest, and the digest of its `subject` if it names one.
   */
  putManifest(
    place: RegistryPlace,
    name: string,
    reference: string,
    manifest: string,
    mediaType: string | undefined,
  ): Promise<{ digest: string; subject?: string }>
  /** Deletes a manifest by digest (ECR refuses deletes by tag). */
  deleteManifest(place: RegistryPlace, name: string, reference: string): Promise<void>
  /** A page of the repository's tags: at most `n` (at most 1,000, the default), after `last`. */
  listTags(place: RegistryPlace, name: string, page?: { n?: number; last?: string }): Promise<RegistryTagPage>
  /** A page of the registry's repository names (`/v2/_catalog`): at most `n` (at most 1,000, the default), after `last`. */
  listRepositories(place: RegistryPlace, page?: { n?: number; last?: string }): Promise<{ repositories: string[]; last?: string }>
  /** The manifests whose `subject` is `digest`, of `artifactType` if given. */
  listReferrers(place: RegistryPlace, name: string, digest: string, artifactType?: string): Promise<RegistryDescriptor[]>
  /** A blob the repository holds (fetched through a pull through cache rule if it names the repository). */
  getBlob(place: RegistryPlace, name: string, digest: string): Promise<RegistryBlob>
  /**
   * Starts an upload, or mounts `mount.digest` from repository `mount.from` when blob mounting is
   * ENABLED and that repository's images use the blob (or the repository holds it already).
   */
  startUpload(place: RegistryPlace, name: string, mount?: { digest: string; from?: string }): Promise<{ uploadId: string } | { mounted: string }>
  /** Appends bytes to an upload (one stored part); `start`, if given, must be the upload's size (else 416). */
  appendUpload(place: RegistryPlace, name: string, uploadId: string, bytes: Uint8Array, start?: number): Promise<{ size: number }>
  /** How many bytes an upload has received. */
  uploadStatus(place: RegistryPlace, name: string, uploadId: string): Promise<{ size: number }>
  /** Completes an upload whose bytes have `digest`: the repository holds the blob. */
  finishUpload(place: RegistryPlace, name: string, uploadId: string, digest: string): Promise<{ digest: string; size: number }>
  /** Abandons an upload and its bytes. */
  cancelUpload(place: RegistryPlace, name: string, uploadId: string): Promise<void>
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
  /**
   * {@link Ecr.call} for input nothing has checked yet: any operation name (an unknown one is
   * `UnknownOperationException`) and any value (checked against the operation's schema), as
   * protocol handlers receive them.
   *
   * @example
   * const output = await ecr.dispatch(operationFromHeader, JSON.parse(body), { region })
   */
  dispatch(operation: string, input: unknown, context?: CallContext): Promise<unknown>
  /** Names of the operations the engine implements. */
  readonly operations: readonly OperationName[]
  /**
   * Applies what the engine's clock has made due (scans completing…) and persists it. Every call
   * does this first; this is for when no call follows, or to see the effects in `snapshot()`.
   *
   * @example
   * clock += 60_000
   * await ecr.catchUp()
   */
  catchUp(): Promise<void>
  /**
   * Evaluates lifecycle policies now and does what they mark (expires and archives images), as
   * the engine does on its own for each policy a day after it is put and then daily, by its
   * clock. Acts in one registry (default: the engine's account and region), on every repository
   * that has a policy, or on `repositoryName` only; each evaluation sets the policy's
   * `lastEvaluatedAt` and moves its next daily evaluation to a day later.
   *
   * @example
   * clock += 30 * DAY
   * const [run] = await ecr.applyLifecyclePolicies({ repositoryName: 'web' })
   * run?.expired // digests of the images the policy expired
   */
  applyLifecyclePolicies(target?: LifecycleTarget): Promise<LifecycleRun[]>
  /**
   * Empties all state (every account and region) and the storage adapter, removes injected
   * faults, and takes the upstream registries back to the `upstreams` option.
   */
  reset(): Promise<void>
  /** Helpers that create repositories and images (with generated blobs) in one call. */
  readonly seed: Seeder
  /** Failures and latency to inject into chosen operations. */
  readonly faults: Faults
  /**
   * Every record of the engine's state (all accounts and regions), in a stable order: what a
   * test compares to check that a call changed nothing, or exactly what it should. A copy.
   */
  snapshot(): StoredRecord[]
  /**
   * Listens to the engine: `change` after every call that changed state (and after changes made
   * by another engine sharing the storage), with copies of the records changed; `storage-error`
   * when the adapter fails. Returns a function that stops listening.
   *
   * @example
   * const stop = ecr.on('change', ({ records }) => render())
   */
  on<Event extends keyof EcrEvents>(event: Event, listener: (payload: EcrEvents[Event]) => void): () => void
  /**
   * Serves a layer download URL from GetDownloadUrlForLayer (used by the handlers): `undefined`
   * for a URL that is no download URL, else the blob's bytes, or why they cannot be had.
   */
  openDownload(url: string | URL): Promise<LayerDownload | undefined>
  /**
   * Checks the password of an authorization token from GetAuthorizationToken (the part after
   * `AWS:`): what it was issued for, or `undefined` if this engine (or one on the same storage)
   * did not issue it or it has expired by the engine's clock.
   */
  verifyAuthorizationToken(password: string): Promise<AuthorizationTokenClaims | undefined>
  /** The registry API (`/v2/`, what docker, skopeo and crane speak) over the same state. */
  readonly registry: RegistryApi
}

/** Where `ecr.applyLifecyclePolicies` acts. */
export interface LifecycleTarget {
  accountId?: string
  region?: string
  /** One repository (default: every repository of the registry that has a lifecycle policy). */
  repositoryName?: string
}

/** What one evaluation of a repository's lifecycle policy did. */
export interface LifecycleRun {
  repositoryName: string
  /** Digests of the images it expired (deleted). */
  expired: string[]
  /** Digests of the images it archived. */
  archived: string[]
}

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

export interface SeedImageOptions {
  /** Tag to push the image with (default: pushed untagged). */
  tag?: string
  /** Size in bytes of each generated layer (default: three layers of 2, 8 and 32 KiB). */
  layers?: number[]
  /** Platform written into the image config (default linux/amd64). */
  platform?: Platform
  /** Docker v2 schema 2 (default) or OCI image manifest. */
  format?: 'docker' | 'oci'
  /** Account and region to push to (default: the engine's). */
  context?: CallContext
}

export interface SeedIndexOptions {
  tag?: string
  /** One child image per platform (default linux/amd64 and linux/arm64). */
  platforms?: Platform[]
  /** Docker manifest list (default) or OCI image index. */
  format?: 'docker' | 'oci'
  context?: CallContext
}

export interface SeededImage {
  repositoryName: string
  imageDigest: string
  imageTag?: string
  imageManifest: string
  imageManifestMediaType: string
  /** What DescribeImages reports for it. */
  imageSizeInBytes: number
  /** Child images (for an index). */
  children?: SeededImage[]
}

/**
 * Seeding helpers: create repositories and push whole images (config and layer blobs generated
 * and uploaded, then the manifest) with one call each. They go through the same operations as
 * any client, so what they create is exactly what a real push creates.
 */
export interface Seeder {
  /**
   * Creates a repository, or returns it if it exists.
   *
   * @example
   * await ecr.seed.repository('web', { imageTagMutability: 'IMMUTABLE' })
   */
  repository(name: string, settings?: Omit<CreateRepositoryRequest, 'repositoryName'>, context?: CallContext): Promise<Repository>
  /**
   * Pushes a single-platform image with generated blobs (creating the repository if needed).
   *
   * @example
   * const image = await ecr.seed.image('web', { tag: 'v1' })
   */
  image(repositoryName: string, options?: SeedImageOptions): Promise<SeededImage>
  /**
   * Pushes a multi-platform image: one child image per platform, then the index that lists them.
   *
   * @example
   * await ecr.seed.multiPlatformImage('web', { tag: 'latest' })
   */
  multiPlatformImage(repositoryName: string, options?: SeedIndexOptions): Promise<SeededImage>
  /** Uploads a blob (layer or config) to a repository and returns its digest. */
  blob(repositoryName: string, bytes: Uint8Array, context?: CallContext): Promise<string>
  /**
   * Adds an image to what an upstream registry holds, for pull through cache rules (its tags move
   * to it). Not persisted, like the `upstreams` option. The digest is the same in every engine.
   *
   * @example
   * const alpine = await ecr.seed.upstream('public.ecr.aws', 'docker/library/alpine', { tag: '3.20' })
   * await ecr.call('BatchGetImage', { repositoryName: 'ecr-public/docker/library/alpine', imageIds: [{ imageTag: '3.20' }] })
   */
  upstream(registryUrl: string, repositoryName: string, image?: ImageSeed): Promise<SeededImage>
}

/**
 * A registry described as data, for `seed` options and Storybook stories.
 *
 * @example
 * const seed: RegistrySeed = {
 *   repositories: [{ name: 'web', images: [{ tag: 'v1' }, { tags: ['v2', 'latest'] }] }],
 * }
 */
export interface RegistrySeed {
  repositories?: RepositorySeed[]
}

export interface RepositorySeed extends Omit<CreateRepositoryRequest, 'repositoryName' | 'registryId'> {
  name: string
  /** Account to create it in (default: the engine's). */
  accountId?: string
  /** Region to create it in (default: the engine's). */
  region?: string
  /** Images to push, oldest first. */
  images?: ImageSeed[]
  /** A repository policy (JSON text or an object). */
  policy?: string | object
  /** A lifecycle policy (JSON text or an object). */
  lifecyclePolicy?: string | object
}

export interface ImageSeed {
  /** One tag (default: untagged unless `tags` is given). */
  tag?: string
  /** Several tags for the same image. */
  tags?: string[]
  /** Sizes in bytes of the generated layers (default: 2, 8 and 32 KiB). */
  layers?: number[]
  /** Single-platform image's platform (default linux/amd64). */
  platform?: Platform
  /** Makes a multi-platform image (manifest list / OCI index) with one child per platform. */
  platforms?: Platform[]
  /** Docker (default) or OCI media types. */
  format?: 'docker' | 'oci'
}

/**
 * An upstream registry of pull through cache rules and what it holds.
 *
 * @example
 * const upstream: UpstreamRegistrySeed = {
 *   registryUrl: 'registry-1.docker.io',
 *   credentialArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub',
 *   repositories: [{ name: 'library/nginx', images: [{ tags: ['1.27', 'latest'] }] }],
 * }
 */
export interface UpstreamRegistrySeed {
  /** The registry URL as a pull through cache rule names it, e.g. `public.ecr.aws`, `ghcr.io`. */
  registryUrl: string
  /**
   * The Secrets Manager secret holding credentials this registry accepts: rules naming another
   * secret fail to authenticate (pulls fail, ValidatePullThroughCacheRule reports it).
   */
  credentialArn?: string
  repositories?: Array<{ name: string; images?: ImageSeed[] }>
}
