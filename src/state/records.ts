import type {
  EncryptionConfiguration,
  ImageScanFinding,
  ImageTagMutability,
  ImageTagMutabilityExclusionFilter,
  RegistryScanningRule,
  ReplicationRule,
  ScanType,
  Tag,
} from '@aws-sdk/client-ecr'

/**
 * The records engine state is made of. Records are plain data (persistable as they are) and
 * immutable: a change replaces the record. Times are epoch milliseconds.
 */

/** Registry-wide settings of one account in one region. */
export interface RegistryRecord {
  policyText?: string
  scanning: { scanType: ScanType; rules: RegistryScanningRule[] }
  replication: { rules: ReplicationRule[] }
}

export interface RepositoryRecord {
  /** Creation order, for stable listings. */
  seq: number
  name: string
  createdAt: number
  imageTagMutability: ImageTagMutability
  imageTagMutabilityExclusionFilters?: ImageTagMutabilityExclusionFilter[]
  scanOnPush: boolean
  encryption: EncryptionConfiguration
  /** Resource tags (TagResource), in the order they were first set. */
  tags: Tag[]
  policyText?: string
  lifecyclePolicy?: { text: string; lastEvaluatedAt?: number }
}

export interface ScanRecord {
  startedAt: number
  /** When the scan reports COMPLETE (it is IN_PROGRESS until then). */
  completesAt: number
  findings: ImageScanFinding[]
}

export interface ImageRecord {
  /** First-push order, for stable listings. */
  seq: number
  digest: string
  manifest: string
  mediaType: string
  artifactMediaType?: string
  sizeInBytes: number
  pushedAt: number
  /** The blobs (image manifest: config and layers) or child manifests (index) the manifest references. */
  references: Array<{ digest: string; mediaType: string }>
  /** `true` when the manifest is a manifest list or OCI image index. */
  isIndex: boolean
  subjectDigest?: string
  lastPulledAt?: number
  scan?: ScanRecord
}

export interface TagRecord {
  digest: string
}

export interface BlobRecord {
  digest: string
  size: number
  bytes: Uint8Array
  createdAt: number
}

export interface UploadRecord {
  id: string
  createdAt: number
  /** Bytes received so far, in order. */
  parts: Uint8Array[]
  size: number
}
