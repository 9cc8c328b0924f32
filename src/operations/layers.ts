import type { Layer, LayerFailure } from '@aws-sdk/client-ecr'
import { formatAmzDate, parseAmzDate } from '../amz-date.js'
import { bytesToKeep } from '../caller-copy.js'
import { layerArchived, refuseArchivedLayer } from '../domain/archival.js'
import { appendUploadPart, digestUpload, finishUpload, openContent, startUpload } from '../domain/blobs.js'
import { repositoryForPush } from '../domain/creation-templates.js'
import { pullThroughLayer } from '../domain/pull-through-cache.js'
import { findRepository, type FoundRepository } from '../domain/repositories.js'
import { EcrError } from '../errors.js'
import type { LayerDownload } from '../glossary.js'
import { layerPartTooLarge } from '../limits.js'
import { partitionOf } from '../partitions.js'
import type { EngineState } from '../state/engine-state.js'
import type { UploadRecord } from '../state/kinds.js'
import type { RegistryState } from '../state/registry-state.js'
import type { OperationContext, ReadChunk } from './context.js'
import type { Implementations } from './operation.js'

/** The part size InitiateLayerUpload recommends (real ECR says 10 MiB). */
const PART_SIZE = 10 * 1024 * 1024
/** How long a download URL stays valid, like ECR's presigned S3 URLs. */
const DOWNLOAD_URL_SECONDS = 3600
const LAYER_DIGEST = /^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/

/** Chunked layer uploads, availability checks and download URLs. */
export const layerOperations = {
  InitiateLayerUpload(input, ctx) {
    const found = repositoryForPush(ctx, input.repositoryName, input.registryId)
    return { uploadId: startUpload(ctx, found).id, partSize: PART_SIZE }
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
    appendUploadPart(ctx, found, upload, bytesToKeep(part))
    return {
      registryId: found.registry.accountId,
      repositoryName: found.record.name,
      uploadId: upload.id,
      lastByteReceived: input.partLastByte,
    }
  },

  async CompleteLayerUpload(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const { registry, record, contents } = found
    const upload = findUpload(found, input.uploadId)
    if (upload.partSizes.length === 0) {
      throw new EcrError('EmptyUploadException', `The upload with id '${upload.id}' contains no layer parts`)
    }
    const minimum = ctx.settings.limits.minLayerPartBytes
    if (upload.partSizes.slice(0, -1).some((size) => size < minimum)) {
      throw new EcrError(
        'LayerPartTooSmallException',
        // ECR's own words for its 5 MiB minimum; a configured minimum is spelled out in bytes.
        `All layer parts except the last part should be at least ${minimum === 5 * 1024 * 1024 ? '5MB' : `${minimum} bytes`}`,
      )
    }
    const { sha256, matching: digest } = await digestUpload(ctx, upload, input.layerDigests)
    if (digest === undefined) {
      throw new EcrError('InvalidLayerException', `None of the provided layer digests match the calculated layer digest: ${sha256}`)
    }
    if (contents.blobs.has(digest)) {
      throw new EcrError(
        'LayerAlreadyExistsException',
        `The layer with digest '${digest}' already exists in the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
      )
    }
    finishUpload(ctx, found, upload, digest)
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
        const mediaType = contents.blobUsage.get(digest)?.reference.mediaType
        const layerAvailability = layerArchived(contents, digest) ? 'ARCHIVED' : 'AVAILABLE'
        layers.push(
          blob === undefined
            ? { layerDigest: digest, layerAvailability: 'UNAVAILABLE' }
            : { layerDigest: digest, layerAvailability, layerSize: blob.size, ...(mediaType !== undefined && { mediaType }) },
        )
      }
    }
    return { layers, failures }
  },

  GetDownloadUrlForLayer(input, ctx) {
    const found = pullThroughLayer(ctx, input.repositoryName, input.layerDigest, input.registryId)
    const { registry, record, contents } = found
    // ECR hands out URLs only for blobs that a pushed image references.
    if (!contents.blobs.has(input.layerDigest) || !contents.blobUsage.has(input.layerDigest)) {
      throw new EcrError(
        'LayersNotFoundException',
        `The layer with digest '${input.layerDigest}' does not exist within the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
      )
    }
    refuseArchivedLayer(found, input.layerDigest)
    return { downloadUrl: layerDownloadUrl(ctx, registry, record.name, input.layerDigest), layerDigest: input.layerDigest }
  },
} satisfies Implementations

/**
 * A presigned download URL for a blob a repository holds, valid for an hour, served by
 * {@link openLayerDownload}: on the custom endpoint the request came through, else on the host of
 * ECR's regional layer bucket.
 */
export function layerDownloadUrl(ctx: OperationContext, registry: RegistryState, repositoryName: string, digest: string): string {
  const path = downloadPath(registry, repositoryName, digest)
  const date = formatAmzDate(ctx.now)
  const expires = String(DOWNLOAD_URL_SECONDS)
  // The parameters of ECR's presigned S3 URLs, in their order (discoveries/ecr-behaviour.md §17),
  // under an access key of the engine's own.
  const credential = `${bucketAccessKey(ctx.sign)}/${date.slice(0, 8)}/${registry.region}/s3/aws4_request`
  const query = new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Date': date,
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Expires': expires,
    'X-Amz-Credential': credential,
    'X-Amz-Signature': ctx.sign(signedText(path, date, expires, credential)),
  })
  return `${ctx.endpoint ?? layerBucket(registry.region)}${path}?${query}`
}

const DOWNLOAD_PATH = /^\/layers\/(\d{12})\/([a-z0-9-]+)\/([^/]+)\/([^/]+)$/

/**
 * Serves a URL from GetDownloadUrlForLayer: `undefined` if it is no download URL (not a layer
 * path with a signature), `forged` if the engine did not sign it as it stands (any parameter
 * changed), `expired` once its `X-Amz-Expires` seconds have passed, `not-found` once the
 * repository no longer holds the blob, else the blob's bytes.
 */
export function openLayerDownload(
  url: URL,
  engine: { now: number; sign: (text: string) => string; state: EngineState; readChunk: ReadChunk },
): LayerDownload | undefined {
  const match = DOWNLOAD_PATH.exec(url.pathname)
  const signature = url.searchParams.get('X-Amz-Signature')
  if (match === null || signature === null) return undefined
  const [date, expires, credential] = ['X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Credential'].map((name) => url.searchParams.get(name) ?? '') as [string, string, string]
  if (signature !== engine.sign(signedText(url.pathname, date, expires, credential))) return { status: 'forged' }
  const issuedAt = parseAmzDate(date) ?? Number.NEGATIVE_INFINITY
  if (engine.now > issuedAt + Number(expires) * 1000) return { status: 'expired' }
  const [, accountId = '', region = '', repositoryName = '', digest = ''] = match
  const registry = engine.state.find(accountId, region)
  const name = decodeURIComponent(repositoryName)
  const held = registry?.repositories.has(name) === true && registry.contentsOf(name).blobs.has(decodeURIComponent(digest))
  const content = held ? openContent(engine.state, engine.readChunk, decodeURIComponent(digest)) : undefined
  return content === undefined ? { status: 'not-found' } : { status: 'ok', ...content }
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

/** What a download URL's signature covers: the path and every parameter that says how it may be used. */
function signedText(path: string, date: string, expires: string, credential: string): string {
  return [path, date, expires, credential].join('\u0000')
}

/** The access key id the engine's download URLs are presigned under: `AKIA` and 16 characters, stable for the engine's signing key. */
function bucketAccessKey(sign: (text: string) => string): string {
  return `AKIA${sign('layer bucket access key').slice(0, 16).toUpperCase()}`
}

function downloadPath(registry: RegistryState, repositoryName: string, digest: string): string {
  return `/layers/${registry.accountId}/${registry.region}/${encodeURIComponent(repositoryName)}/${encodeURIComponent(digest)}`
}

/** The regional host of ECR's layer bucket, as in real download URLs. */
function layerBucket(region: string): string {
  return `https://prod-${region}-starport-layer-bucket.s3.${region}.${partitionOf(region).dnsSuffix}`
}
