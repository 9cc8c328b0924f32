import type { Layer, LayerFailure } from '@aws-sdk/client-ecr'
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { formatAmzDate, parseAmzDate } from '../amz-date.js'
import { concatenate } from '../bytes.js'
import { EcrError } from '../errors.js'
import { layerPartTooLarge, layerUploadTooLarge } from '../limits.js'
import { partitionOf } from '../partitions.js'
import type { BlobRecord, UploadRecord } from '../state/records.js'
import type { RegistryState } from '../state/registry-state.js'
import { findRepository, type FoundRepository } from './context.js'
import type { Implementations } from './operation.js'

/** The part size InitiateLayerUpload recommends (real ECR says 10 MiB). */
const PART_SIZE = 10 * 1024 * 1024
/** How long a download URL stays valid, like ECR's presigned S3 URLs. */
const DOWNLOAD_URL_SECONDS = 3600
const LAYER_DIGEST = /^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/
const HASHES = new Map<string, (bytes: Uint8Array) => Uint8Array>([
  ['sha256', sha256],
  ['sha512', sha512],
])

/** The blob store: chunked layer uploads, availability checks and download URLs. */
export const layerOperations = {
  InitiateLayerUpload(input, ctx) {
    const { contents } = findRepository(ctx, input.repositoryName, input.registryId)
    const id = ctx.newId()
    contents.uploads.set(ctx.tx, id, { id, createdAt: ctx.now, parts: [], size: 0 })
    return { uploadId: id, partSize: PART_SIZE }
  },

  UploadLayerPart(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const upload = findUpload(found, input.uploadId)
    const part = input.layerPartBlob
    const partProblem = {
      registryId: found.registry.accountId,
      repositoryName: found.record.name,
      uploadId: upload.id,
      ...(upload.size > 0 && { lastValidByteReceived: upload.size - 1 }),
    }
    // A part must start right after the last byte received and span exactly its bytes.
    if (input.partFirstByte !== upload.size || input.partLastByte - input.partFirstByte + 1 !== part.byteLength) {
      throw new EcrError(
        'InvalidLayerPartException',
        `The layer part for upload id '${upload.id}' must start at byte ${upload.size} and its partLastByte must be partFirstByte plus its length minus one (received ${input.partFirstByte}-${input.partLastByte} with ${part.byteLength} bytes)`,
        partProblem,
      )
    }
    const { limits } = ctx.settings
    if (part.byteLength > limits.maxLayerPartBytes) throw layerPartTooLarge(partProblem, part.byteLength, limits.maxLayerPartBytes)
    if (upload.parts.length >= limits.layerPartsPerUpload) throw layerUploadTooLarge(upload.id, 'parts', limits.layerPartsPerUpload)
    if (upload.size + part.byteLength > limits.layerBytes) throw layerUploadTooLarge(upload.id, 'bytes', limits.layerBytes)
    found.contents.uploads.set(ctx.tx, upload.id, {
      ...upload,
      parts: [...upload.parts, part.slice()],
      size: upload.size + part.byteLength,
    })
    return {
      registryId: found.registry.accountId,
      repositoryName: found.record.name,
      uploadId: upload.id,
      lastByteReceived: input.partLastByte,
    }
  },

  CompleteLayerUpload(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const { registry, record, contents } = found
    const upload = findUpload(found, input.uploadId)
    if (upload.parts.length === 0) {
      throw new EcrError('EmptyUploadException', `The upload with id '${upload.id}' contains no layer parts`)
    }
    const minimum = ctx.settings.limits.minLayerPartBytes
    if (upload.parts.slice(0, -1).some((part) => part.byteLength < minimum)) {
      throw new EcrError(
        'LayerPartTooSmallException',
        // ECR's own words for its 5 MiB minimum; a configured minimum is spelled out in bytes.
        `All layer parts except the last part should be at least ${minimum === 5 * 1024 * 1024 ? '5MB' : `${minimum} bytes`}`,
      )
    }
    const bytes = concatenate(upload.parts, upload.size)
    const digest = input.layerDigests.find((candidate) => matches(candidate, bytes))
    if (digest === undefined) {
      throw new EcrError(
        'InvalidLayerException',
        `None of the provided layer digests match the calculated layer digest: sha256:${bytesToHex(sha256(bytes))}`,
      )
    }
    if (contents.blobs.has(digest)) {
      throw new EcrError(
        'LayerAlreadyExistsException',
        `The layer with digest '${digest}' already exists in the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
      )
    }
    contents.blobs.set(ctx.tx, digest, { digest, size: bytes.byteLength, bytes, createdAt: ctx.now })
    contents.uploads.delete(ctx.tx, upload.id)
    return { registryId: registry.accountId, repositoryName: record.name, uploadId: upload.id, layerDigest: digest }
  },

  BatchCheckLayerAvailability(input, ctx) {
    const { contents } = findRepository(ctx, input.repositoryName, input.registryId)
    const layers: Layer[] = []
    const failures: LayerFailure[] = []
    for (const digest of new Set(input.layerDigests)) {
      if (digest === '') {
        failures.push({ layerDigest: digest, failureCode: 'MissingLayerDigest', failureReason: 'The layer digest is missing' })
      } else if (!LAYER_DIGEST.test(digest)) {
        failures.push({ layerDigest: digest, failureCode: 'InvalidLayerDigest', failureReason: 'Invalid layer digest' })
      } else {
        const blob = contents.blobs.get(digest)
        const mediaType = contents.blobUsage.get(digest)?.mediaType
        layers.push(
          blob === undefined
            ? { layerDigest: digest, layerAvailability: 'UNAVAILABLE' }
            : { layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: blob.size, ...(mediaType !== undefined && { mediaType }) },
        )
      }
    }
    return { layers, failures }
  },

  GetDownloadUrlForLayer(input, ctx) {
    const { registry, record, contents } = findRepository(ctx, input.repositoryName, input.registryId)
    // ECR hands out URLs only for blobs that a pushed image references.
    if (!contents.blobs.has(input.layerDigest) || !contents.blobUsage.has(input.layerDigest)) {
      throw new EcrError(
        'LayersNotFoundException',
        `The layer with digest '${input.layerDigest}' does not exist within the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
      )
    }
    const path = downloadPath(registry, record.name, input.layerDigest)
    const date = formatAmzDate(ctx.now)
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Date': date,
      'X-Amz-Expires': String(DOWNLOAD_URL_SECONDS),
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': ctx.sign(`${path}\u0000${date}`),
    })
    return { downloadUrl: `${ctx.endpoint ?? layerBucket(registry.region)}${path}?${query}`, layerDigest: input.layerDigest }
  },
} satisfies Implementations

/** The answer to a layer download URL. */
export type LayerDownload =
  | { status: 'ok'; digest: string; bytes: Uint8Array<ArrayBuffer> }
  | { status: 'expired' }
  | { status: 'not-found' }

const DOWNLOAD_PATH = /^\/layers\/(\d{12})\/([a-z0-9-]+)\/([^/]+)\/([^/]+)$/

/**
 * Serves a URL from GetDownloadUrlForLayer: `undefined` if the engine did not sign it (not a
 * download URL of this engine), `expired` an hour after it was issued, else the blob's bytes.
 */
export function openLayerDownload(
  url: URL,
  engine: {
    now: number
    sign: (text: string) => string
    blob: (accountId: string, region: string, repositoryName: string, digest: string) => BlobRecord | undefined
  },
): LayerDownload | undefined {
  const match = DOWNLOAD_PATH.exec(url.pathname)
  const date = url.searchParams.get('X-Amz-Date') ?? ''
  if (match === null || url.searchParams.get('X-Amz-Signature') !== engine.sign(`${url.pathname}\u0000${date}`)) {
    return undefined
  }
  const issuedAt = parseAmzDate(date) ?? Number.NEGATIVE_INFINITY
  if (engine.now > issuedAt + DOWNLOAD_URL_SECONDS * 1000) return { status: 'expired' }
  const [, accountId = '', region = '', repositoryName = '', digest = ''] = match
  const blob = engine.blob(accountId, region, decodeURIComponent(repositoryName), decodeURIComponent(digest))
  return blob === undefined ? { status: 'not-found' } : { status: 'ok', digest: blob.digest, bytes: blob.bytes.slice() }
}

function findUpload({ registry, record, contents }: FoundRepository, uploadId: string): UploadRecord {
  const upload = contents.uploads.get(uploadId)
  if (upload === undefined) {
    throw new EcrError(
      'UploadNotFoundException',
      `The upload with id '${uploadId}' does not exist in the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
    )
  }
  return upload
}

function matches(digest: string, bytes: Uint8Array): boolean {
  const [algorithm = '', encoded = ''] = digest.split(':')
  const hash = HASHES.get(algorithm)
  return hash !== undefined && bytesToHex(hash(bytes)) === encoded.toLowerCase()
}

function downloadPath(registry: RegistryState, repositoryName: string, digest: string): string {
  return `/layers/${registry.accountId}/${registry.region}/${encodeURIComponent(repositoryName)}/${encodeURIComponent(digest)}`
}

/** The regional host of ECR's layer bucket, as in real download URLs. */
function layerBucket(region: string): string {
  return `https://prod-${region}-starport-layer-bucket.s3.${region}.${partitionOf(region).dnsSuffix}`
}
