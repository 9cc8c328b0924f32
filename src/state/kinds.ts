import type { ImageScanFinding as SdkImageScanFinding } from '@aws-sdk/client-ecr'
import { z } from 'zod'

/**
 * Every kind of record the engine's state is made of, declared once: where its records live, the
 * shape of their values (checked whenever stored records are loaded), and whether deleting one
 * deletes what lives under it. Tables, loading, listing, storage and the order records are
 * applied in all follow from this list; adding a kind is adding an entry (and its indexes, if
 * it needs any, in the container that holds it).
 *
 * Records are plain JSON data and immutable: a change replaces the record. Times are epoch
 * milliseconds.
 */

/**
 * Where a kind's records live, which is also the scope they are stored under:
 * `engine` (scope `[]`), `registry` (one account in one region: `[accountId, region]`) or
 * `repository` (`[accountId, region, repositoryName]`).
 */
export type Level = 'engine' | 'registry' | 'repository'

interface Kind<L extends Level, Schema extends z.ZodType> {
  level: L
  schema: Schema
  /** Deleting a record of this kind deletes every record scoped under it (a repository's contents). */
  cascades?: true
  /**
   * When something becomes due for a record of this kind because time passes (a scan
   * completes…), if anything: see `src/clock-effects.ts`.
   */
  dueAt?: (value: z.output<Schema>) => number | undefined
}

const kind = <const L extends Level, Schema extends z.ZodType>(declaration: Kind<L, Schema>) => declaration

const time = z.number().int()
const count = z.number().int().nonnegative()
const digest = z.string().min(1)

/**
 * How long a repository keeps a blob that no image in it references (uploaded for a push that
 * never came, or left by deleted images) before it is collected (decisions/blob-store.md).
 */
export const UNUSED_BLOB_LIFETIME_MS = 24 * 60 * 60 * 1000

/** How long a replication backfill is kept (and listed) after it ends. */
export const BACKFILL_RETENTION_MS = 90 * 24 * 60 * 60 * 1000

/** The id of a kind that has one record per scope (a registry's policy, a repository's lifecycle policy…). */
export const SINGLETON = 'default'

// Checked for the shape the engine relies on, typed as the SDK's (whose attribute keys may be undefined).
const ImageScanFinding = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  uri: z.string().optional(),
  severity: z.enum(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'UNDEFINED']).optional(),
  attributes: z.array(z.object({ key: z.string().optional(), value: z.string().optional() })).optional(),
}) as unknown as z.ZodType<SdkImageScanFinding>

const ScanFilter = z.object({ filter: z.string(), filterType: z.literal('WILDCARD') })

const Scan = z.object({
  startedAt: time,
  /** When the scan completes (it is IN_PROGRESS until then). */
  completesAt: time,
  status: z.enum(['IN_PROGRESS', 'COMPLETE']),
  /** Fixed when the scan starts, reported once it completes. */
  findings: z.array(ImageScanFinding),
})

const Signature = z.object({
  signingProfileArn: z.string(),
  status: z.enum(['IN_PROGRESS', 'COMPLETE', 'FAILED']),
  startedAt: time,
  /** When it completes (it is IN_PROGRESS until then). */
  completesAt: time,
  failureCode: z.string().optional(),
  failureReason: z.string().optional(),
})

const ReplicationDestination = z.object({ region: z.string(), registryId: z.string() })

/** The kinds, in the order stored records are applied (containers before what they contain). */
export const KINDS = {
  /** Bytes of a blob, shared by every repository that holds it: its size and the chunks it is stored in. */
  content: kind({
    level: 'engine',
    schema: z.object({
      size: count,
      chunks: z.array(z.object({ id: z.string().regex(/^[A-Za-z0-9._-]+$/), size: count })),
    }),
  }),
  'registry-policy': kind({ level: 'registry', schema: z.object({ text: z.string() }) }),
  'registry-scanning': kind({
    level: 'registry',
    schema: z.object({
      scanType: z.enum(['BASIC', 'ENHANCED']),
      rules: z.array(
        z.object({
          scanFrequency: z.enum(['SCAN_ON_PUSH', 'CONTINUOUS_SCAN', 'MANUAL']),
          repositoryFilters: z.array(ScanFilter),
        }),
      ),
    }),
  }),
  'replication-configuration': kind({
    level: 'registry',
    schema: z.object({
      rules: z.array(
        z.object({
          destinations: z.array(ReplicationDestination),
          repositoryFilters: z.array(z.object({ filter: z.string(), filterType: z.literal('PREFIX_MATCH') })).optional(),
        }),
      ),
    }),
  }),
  repository: kind({
    level: 'registry',
    cascades: true,
    schema: z.object({
      /** Creation order, for stable listings. */
      seq: count,
      name: z.string().min(1),
      createdAt: time,
      imageTagMutability: z.enum(['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION']),
      imageTagMutabilityExclusionFilters: z.array(z.object({ filterType: z.literal('WILDCARD'), filter: z.string() })).optional(),
      scanOnPush: z.boolean(),
      encryption: z.object({ encryptionType: z.enum(['AES256', 'KMS', 'KMS_DSSE']), kmsKey: z.string().optional() }),
      /** Resource tags (TagResource), in the order they were first set. */
      tags: z.array(z.object({ Key: z.string(), Value: z.string() })),
    }),
  }),
  /** An account setting (PutAccountSetting) set in this registry, by name; unset ones have their default. */
  'account-setting': kind({ level: 'registry', schema: z.object({ value: z.string() }) }),
  /** The registry's managed-signing rules (PutSigningConfiguration). */
  'signing-configuration': kind({
    level: 'registry',
    schema: z.object({
      rules: z.array(
        z.object({
          signingProfileArn: z.string(),
          repositoryFilters: z.array(z.object({ filter: z.string(), filterType: z.literal('WILDCARD_MATCH') })).optional(),
        }),
      ),
    }),
  }),
  /** A principal whose pulls leave lastRecordedPullTime alone, by its ARN (RegisterPullTimeUpdateExclusion). */
  'pull-time-update-exclusion': kind({ level: 'registry', schema: z.object({ seq: count, createdAt: time }) }),
  /** A pull through cache rule, by its ECR repository prefix without the trailing `/` (decisions/pull-through-cache.md). */
  'pull-through-cache-rule': kind({
    level: 'registry',
    schema: z.object({
      /** Creation order, for stable listings. */
      seq: count,
      ecrRepositoryPrefix: z.string().min(1),
      upstreamRegistryUrl: z.string().min(1),
      upstreamRegistry: z.enum([
        'ecr',
        'ecr-public',
        'quay',
        'k8s',
        'docker-hub',
        'github-container-registry',
        'azure-container-registry',
        'gitlab-container-registry',
        'chainguard',
      ]),
      credentialArn: z.string().optional(),
      customRoleArn: z.string().optional(),
      upstreamRepositoryPrefix: z.string().optional(),
      createdAt: time,
      updatedAt: time,
    }),
  }),
  /** A repository creation template, by its prefix without the trailing `/` (decisions/repository-creation-templates.md). */
  'repository-creation-template': kind({
    level: 'registry',
    schema: z.object({
      /** Creation order, for stable listings. */
      seq: count,
      prefix: z.string().min(1),
      description: z.string().optional(),
      encryption: z.object({ encryptionType: z.enum(['AES256', 'KMS', 'KMS_DSSE']), kmsKey: z.string().optional() }),
      resourceTags: z.array(z.object({ Key: z.string(), Value: z.string() })),
      imageTagMutability: z.enum(['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION']),
      imageTagMutabilityExclusionFilters: z.array(z.object({ filterType: z.literal('WILDCARD'), filter: z.string() })).optional(),
      /** As ECR stores it (src/policy-text.ts). */
      repositoryPolicy: z.string().optional(),
      /** As ECR stores it (`storedLifecyclePolicyText`). */
      lifecyclePolicy: z.string().optional(),
      appliedFor: z.array(z.enum(['REPLICATION', 'PULL_THROUGH_CACHE', 'CREATE_ON_PUSH'])),
      customRoleArn: z.string().optional(),
      createdAt: time,
      updatedAt: time,
    }),
  }),
  /**
   * A replication backfill of the registry (StartReplicationBackfill): it prepares, replicates its
   * plan a batch at a time, and is forgotten 90 days after it ends (src/domain/replication-backfills.ts).
   */
  'replication-backfill': kind({
    level: 'registry',
    schema: z.object({
      /** Start order, for stable listings. */
      seq: count,
      destination: ReplicationDestination,
      status: z.enum(['PREPARING', 'IN_PROGRESS', 'COMPLETE', 'FAILED', 'STOPPING', 'STOPPED']),
      failureCode: z.string().optional(),
      startedAt: time,
      endedAt: time.optional(),
      /** When preparation ends, or the batch of replications under way completes. */
      nextAt: time,
      /** The replications to perform, one per image and tag (untagged: per image); set when preparation ends. */
      plan: z.array(z.object({ repositoryName: z.string(), digest, tag: z.string().optional() })).optional(),
      /** The outcome of each replication performed so far, in plan order. */
      results: z.array(
        z.object({
          status: z.enum(['COMPLETE', 'FAILED']),
          failureCode: z.string().optional(),
          /** For a manifest list or index: the distinct failure codes of its child images. */
          subImageFailureCodes: z.array(z.string()).optional(),
        }),
      ),
      progress: z
        .object({ totalReplicationCount: count, completedReplicationCount: count, failedReplicationCount: count, failureCodes: z.array(z.string()) })
        .optional(),
    }),
    dueAt: (backfill) => (backfill.endedAt === undefined ? backfill.nextAt : backfill.endedAt + BACKFILL_RETENTION_MS),
  }),
  'repository-policy': kind({ level: 'repository', schema: z.object({ text: z.string() }) }),
  /** A repository's lifecycle policy, evaluated once a day (decisions/lifecycle-evaluation.md). */
  'lifecycle-policy': kind({
    level: 'repository',
    schema: z.object({ text: z.string(), lastEvaluatedAt: time.optional(), evaluatesAt: time }),
    dueAt: (policy) => policy.evaluatesAt,
  }),
  image: kind({
    level: 'repository',
    schema: z.object({
      /** First-push order, for stable listings. */
      seq: count,
      digest,
      manifest: z.string(),
      mediaType: z.string(),
      artifactMediaType: z.string().optional(),
      sizeInBytes: count,
      pushedAt: time,
      /** The blobs (image manifest: config and layers) or child manifests (index) the manifest references. */
      references: z.array(z.object({ digest, mediaType: z.string() })),
      /** `true` when the manifest is a manifest list or OCI image index. */
      isIndex: z.boolean(),
      subjectDigest: z.string().optional(),
      lastPulledAt: time.optional(),
      scan: Scan.optional(),
      /** Absent while the image is ACTIVE, in the standard storage class (decisions/archival.md). */
      status: z.enum(['ARCHIVED', 'ACTIVATING']).optional(),
      lastArchivedAt: time.optional(),
      lastActivatedAt: time.optional(),
    }),
    dueAt: (image) => (image.scan?.status === 'IN_PROGRESS' ? image.scan.completesAt : undefined),
  }),
  tag: kind({ level: 'repository', schema: z.object({ digest }) }),
  /**
   * A blob the repository holds (uploaded, or mounted); its bytes are the `content` record of its
   * digest. One that no image in the repository references is collected a day later.
   */
  blob: kind({
    level: 'repository',
    schema: z.object({ digest, size: count, createdAt: time, unusedSince: time.optional() }),
    dueAt: (blob) => (blob.unusedSince === undefined ? undefined : blob.unusedSince + UNUSED_BLOB_LIFETIME_MS),
  }),
  upload: kind({
    level: 'repository',
    schema: z.object({
      id: z.string().min(1),
      createdAt: time,
      /** Bytes received so far. */
      size: count,
      /** The size of each part received, in order (each part is one chunk, see `uploadChunkId`). */
      partSizes: z.array(count),
    }),
  }),
  /** The repository's latest lifecycle policy preview: its results are found when it completes. */
  'lifecycle-policy-preview': kind({
    level: 'repository',
    schema: z.object({
      /** The policy text as the caller gave it (or the stored policy's). */
      text: z.string(),
      startedAt: time,
      completesAt: time,
      status: z.enum(['IN_PROGRESS', 'COMPLETE']),
      results: z.array(
        z.object({
          imageDigest: digest,
          imageTags: z.array(z.string()),
          imagePushedAt: time,
          appliedRulePriority: count,
          action: z.enum(['EXPIRE', 'TRANSITION']),
          storageClass: z.enum(['STANDARD', 'ARCHIVE']),
        }),
      ),
    }),
    dueAt: (preview) => (preview.status === 'IN_PROGRESS' ? preview.completesAt : undefined),
  }),
  /** An archived image being restored (ACTIVATING), by digest: it is ACTIVE again at `completesAt`. */
  'image-restore': kind({
    level: 'repository',
    schema: z.object({ completesAt: time }),
    dueAt: (restore) => restore.completesAt,
  }),
  /**
   * The managed signing of an image, by digest: one signature per signing profile whose rule
   * matched its repository when it was pushed. One in progress falls due when it completes.
   */
  'image-signing': kind({
    level: 'repository',
    schema: z.object({ signatures: z.array(Signature) }),
    dueAt: ({ signatures }) => {
      const due = signatures.filter((signature) => signature.status === 'IN_PROGRESS').map((signature) => signature.completesAt)
      return due.length === 0 ? undefined : Math.min(...due)
    },
  }),
  /**
   * Where an image's replication stands in each destination (DescribeImageReplicationStatus), from
   * the image's last replication actions (pushes, backfills); those under way complete at
   * `completesAt` (src/domain/replication.ts).
   */
  'image-replication': kind({
    level: 'repository',
    schema: z.object({
      completesAt: time,
      /** The tags the action under way replicates with the image. */
      tags: z.array(z.string()),
      destinations: z.array(
        ReplicationDestination.extend({ status: z.enum(['IN_PROGRESS', 'COMPLETE', 'FAILED']), failureCode: z.string().optional() }),
      ),
    }),
    dueAt: (replication) =>
      replication.destinations.some((destination) => destination.status === 'IN_PROGRESS') ? replication.completesAt : undefined,
  }),
  /**
   * Amazon Inspector's scan of an image under ENHANCED scanning (decisions/enhanced-scanning.md):
   * the findings it holds for the image and when it next looks again. Falls due for the initial
   * scan, each continuous rescan, the end of the image's scan eligibility, and the deletion of
   * closed findings.
   */
  'enhanced-scan': kind({
    level: 'repository',
    schema: z.object({
      startedAt: time,
      /** The last scan that completed (absent until the initial scan completes). */
      scannedAt: time.optional(),
      /** The next scan: the initial one, or the next continuous rescan. */
      nextScanAt: time.optional(),
      /** When continuous scanning stops unless the image was pushed or pulled since (checked when it falls due). */
      eligibleUntil: time.optional(),
      /** Why the image reports a status of its own instead of ACTIVE or COMPLETE. */
      outcome: z.enum(['UNSUPPORTED_IMAGE', 'FINDINGS_UNAVAILABLE', 'SCAN_ELIGIBILITY_EXPIRED']).optional(),
      description: z.string().optional(),
      /** Counts changes, so a page token is only good for the findings it paged through. */
      revision: count,
      findings: z.array(
        z.object({
          /** What identifies the finding from one scan to the next. */
          key: z.string(),
          status: z.enum(['ACTIVE', 'CLOSED']),
          firstObservedAt: time,
          lastObservedAt: time,
          updatedAt: time,
          /** When Inspector deletes the finding (closed findings only). */
          deleteAt: time.optional(),
          /** The finding as the findings source described it, with dates as `{ $date: epochMs }`. */
          detail: z.record(z.string(), z.unknown()),
        }),
      ),
    }),
    dueAt: (scan) => earliest([scan.nextScanAt, scan.eligibleUntil, ...scan.findings.map((finding) => finding.deleteAt)]),
  }),
} as const

export type RecordKind = keyof typeof KINDS

/** The value of a record of kind `K`. */
export type ValueOf<K extends RecordKind> = z.output<(typeof KINDS)[K]['schema']>

/** The kinds whose records live at `level`. */
export type KindAt<L extends Level> = { [K in RecordKind]: (typeof KINDS)[K]['level'] extends L ? K : never }[RecordKind]

/** Kind names in the order they are applied. */
export const KIND_ORDER: readonly RecordKind[] = Object.keys(KINDS) as RecordKind[]

export const kindsAt = <L extends Level>(level: L): Array<KindAt<L>> =>
  KIND_ORDER.filter((name) => KINDS[name].level === level) as Array<KindAt<L>>

export function isRecordKind(name: unknown): name is RecordKind {
  return typeof name === 'string' && Object.hasOwn(KINDS, name)
}

export type ContentRecord = ValueOf<'content'>
export type RepositoryRecord = ValueOf<'repository'>
export type ImageRecord = ValueOf<'image'>
export type ScanRecord = NonNullable<ImageRecord['scan']>
export type BlobRecord = ValueOf<'blob'>
export type UploadRecord = ValueOf<'upload'>
export type PullThroughCacheRuleRecord = ValueOf<'pull-through-cache-rule'>
export type CreationTemplateRecord = ValueOf<'repository-creation-template'>
export type EnhancedScanRecord = ValueOf<'enhanced-scan'>
export type StoredEnhancedFinding = EnhancedScanRecord['findings'][number]

function earliest(times: ReadonlyArray<number | undefined>): number | undefined {
  let first: number | undefined
  for (const at of times) if (at !== undefined && (first === undefined || at < first)) first = at
  return first
}

/** The chunk an upload's part is stored in. Upload ids are UUIDs, so chunk ids are safe as file names. */
export function uploadChunkId(uploadId: string, part: number): string {
  return `upload-${uploadId}-${part}`
}
