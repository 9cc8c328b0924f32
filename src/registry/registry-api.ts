import type { ImageIdentifier } from '@aws-sdk/client-ecr'
import { accountSetting } from '../domain/account-settings.js'
import { authorize } from '../domain/access.js'
import { inaccessible, matchesImageStatus, refuseArchivedLayer } from '../domain/archival.js'
import { appendUploadPart, cancelUpload, digestUpload, finishUpload, mountBlob, startUpload } from '../domain/blobs.js'
import { repositoryForPush } from '../domain/creation-templates.js'
import { deleteImage, pushManifest, recordPull } from '../domain/images.js'
import { pullThroughImages, pullThroughLayer } from '../domain/pull-through-cache.js'
import { findRepository, type FoundRepository } from '../domain/repositories.js'
import { sha256Digest } from '../digest.js'
import { EcrError } from '../errors.js'
import type { AuthorizationTokenClaims, OperationName, RegistryApi, RegistryPlace } from '../glossary.js'
import type { OperationContext } from '../operations/context.js'
import { IMAGE_DIGEST, IMAGE_TAG, resolveImageId } from '../operations/image-ids.js'
import { layerDownloadUrl } from '../operations/layers.js'
import { referrer } from '../operations/referrers.js'
import { registryHost } from '../partitions.js'
import type { UploadRecord } from '../state/kinds.js'
import { negotiateManifest } from './manifest-conversion.js'
import { manifestUnknown, RegistryError, registryErrorOf, type RegistryStep } from './errors.js'

/** The digests blobs are addressed by: what the engine can hash (sha256, sha512), lower-case hex. */
const BLOB_DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/
/** ECR's repository name rule (the model's RepositoryName pattern, 2 to 256 characters). */
const REPOSITORY_NAME = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/
/** The most tags or repositories a page lists (ECR's ListImages maximum, which it quotes when `n` is larger). */
const MAX_PAGE = 1000
const TOKEN_EXPIRED = 'Your authorization token has expired. Reauthenticate and try again.'

/** What the registry API needs of the engine: its commit path, and its reading of authorization tokens. */
export interface RegistryEngine {
  /** The faults injected into `action` (`ecr.faults`): they act before the step, as before an API call. */
  before(action: OperationName): Promise<void>
  run<T>(place: RegistryPlace, work: (ctx: OperationContext) => T | Promise<T>, what: string): Promise<T>
  /** What a password was issued for, if the engine signed it (expired or not). */
  readPassword(password: string): Promise<AuthorizationTokenClaims | undefined>
  now(): number
}

/**
 * The registry API over the engine (decisions/registry-api.md): every step runs on the commit
 * path, as the ECR action it is (`ecr:BatchGetImage` for a manifest pull, `ecr:PutImage` for a
 * push…, which cross-account tokens need a resource policy for), through the domain steps the
 * AWS JSON operations use, and EcrErrors become the registry errors ECR answers with.
 */
export function createRegistryApi(engine: RegistryEngine): RegistryApi {
  /** Runs `work` on a repository's behalf (or the registry's), as `action`, translating the engine's errors for `step`. */
  const onRepository = <T>(
    place: RegistryPlace,
    name: string | undefined,
    step: RegistryStep,
    action: OperationName,
    work: (ctx: OperationContext) => T | Promise<T>,
  ): Promise<T> => {
    if (name !== undefined) checkName(name)
    return engine
      .before(action)
      .then(() =>
        engine.run(
          place,
          (ctx) => {
            authorize(ctx, action, { registryId: place.accountId, ...(name !== undefined && { repositoryName: name }) })
            return work(ctx)
          },
          `registry ${action}`,
        ),
      )
      .catch((error: unknown) => {
        throw registryErrorOf(error, step)
      })
  }

  return {
    async authenticate(authorization, host, endpoint) {
      // ECR's challenge names its registry host; on another host, that host (the request's origin).
      const realm = host === undefined ? (endpoint ?? '') : `https://${registryHost(host.accountId, host.region)}`
      const unauthorized = new RegistryError('UNAUTHORIZED', 401, 'Not Authorized', undefined, {
        'WWW-Authenticate': `Basic realm="${realm}/",service="ecr.amazonaws.com"`,
      })
      const password = basicPassword(authorization)
      const claims = password === undefined ? undefined : await engine.readPassword(password)
      if (claims === undefined) throw unauthorized
      if (engine.now() >= claims.expiresAt.getTime()) throw new RegistryError('DENIED', 403, TOKEN_EXPIRED)
      const accountId = host?.accountId ?? claims.accountId
      return {
        accountId,
        region: host?.region ?? claims.region,
        ...(endpoint !== undefined && { endpoint }),
        // Another account's token acts as that account: resource policies decide (src/domain/access.ts).
        ...(claims.accountId !== accountId && { caller: { accessKeyId: 'AWS', accountId: claims.accountId } }),
      }
    },

    getManifest(place, name, reference, { head = false, accept = [] } = {}) {
      return onRepository(place, name, 'pull-manifest', 'BatchGetImage', (ctx) => {
        const imageId = imageIdOf(reference)
        const found = pullThroughImages(ctx, name, [imageId], place.accountId)
        const resolved = resolveImageId(found, imageId)
        if ('failure' in resolved) throw manifestUnknown()
        const { image } = resolved
        const refused = inaccessible(imageId, image)
        if (refused !== undefined) throw new RegistryError('DENIED', 403, refused.failureReason ?? 'Requested image is inaccessible')
        if (!head) recordPull(ctx, found, [image.digest])
        // Only pulls by tag are converted: a digest names exact bytes.
        const answer = imageId.imageTag === undefined ? image : negotiateManifest(image, accept)
        const digest = answer === image ? image.digest : sha256Digest(answer.manifest)
        return { digest, mediaType: answer.mediaType, manifest: answer.manifest, size: utf8Length(answer.manifest) }
      })
    },

    putManifest(place, name, reference, manifest, mediaType) {
      return onRepository(place, name, 'push-manifest', 'PutImage', (ctx) => {
        const { imageTag: tag, imageDigest: digest } = imageIdOf(reference)
        const found = repositoryForPush(ctx, name, place.accountId)
        // The subject a referrer names, which the OCI-Subject header of the answer repeats.
        const answer = (pushed: string) => {
          const subject = found.contents.images.get(pushed)?.subjectDigest
          return { digest: pushed, ...(subject !== undefined && { subject }) }
        }
        try {
          return answer(
            pushManifest(ctx, found, {
              manifest,
              ...(mediaType !== undefined && { mediaType }),
              ...(tag !== undefined && { tag }),
              ...(digest !== undefined && { digest }),
            }).digest,
          )
        } catch (error) {
          // Pushing an image the repository holds (under that tag) again is a push that changes nothing.
          if (error instanceof EcrError && error.code === 'ImageAlreadyExistsException') return answer(sha256Digest(manifest))
          // ECR words unparseable and unclassifiable manifests alike; only the second is observed as UNSUPPORTED.
          if (error instanceof EcrError && error.message.endsWith("'Invalid JSON syntax'") && !isJson(manifest)) {
            throw new RegistryError('MANIFEST_INVALID', 400, error.message)
          }
          throw error
        }
      })
    },

    deleteManifest(place, name, reference) {
      return onRepository(place, name, 'delete-manifest', 'BatchDeleteImage', (ctx) => {
        const { imageDigest } = imageIdOf(reference)
        const found = findRepository(ctx, name, place.accountId)
        if (imageDigest === undefined) throw new RegistryError('UNSUPPORTED', 405, 'The operation is unsupported.')
        const image = found.contents.images.get(imageDigest)
        if (image === undefined) throw manifestUnknown()
        const deleted = deleteImage(ctx, found, image)
        if ('referencedBy' in deleted) {
          throw new RegistryError('DENIED', 403, `Requested image referenced by manifest list: [${deleted.referencedBy.join(', ')}]`)
        }
      })
    },

    listTags(place, name, { n, last } = {}) {
      return onRepository(place, name, 'list', 'ListImages', (ctx) => {
        checkPageSize(n)
        const { contents } = findRepository(ctx, name, place.accountId)
        const { items, more } = pageOf(contents.tags.keys(), n, last)
        return { name, tags: items, ...more }
      })
    },

    listRepositories(place, { n, last } = {}) {
      return onRepository(place, undefined, 'list', 'DescribeRepositories', (ctx) => {
        checkPageSize(n)
        const { items, more } = pageOf(ctx.registry(place.accountId).repositories.keys(), n, last)
        return { repositories: items, ...more }
      })
    },

    listReferrers(place, name, digest, artifactType) {
      return onRepository(place, name, 'list', 'BatchGetImage', (ctx) => {
        if (!IMAGE_DIGEST.test(digest)) throw invalidDigest(digest)
        const { contents } = findRepository(ctx, name, place.accountId)
        return [...(contents.referrers.get(digest)?.after() ?? [])].flatMap(({ id }) => {
          const image = contents.images.get(id)!
          if (!matchesImageStatus(image, 'ACTIVE')) return []
          if (artifactType !== undefined && image.artifactMediaType !== artifactType) return []
          const { artifactStatus: _status, ...descriptor } = referrer(image)
          return [descriptor as typeof descriptor & { mediaType: string; digest: string; size: number }]
        })
      })
    },

    getBlob(place, name, digest) {
      return onRepository(place, name, 'blob', 'GetDownloadUrlForLayer', (ctx) => {
        if (!BLOB_DIGEST.test(digest)) throw invalidDigest(digest)
        const registry = ctx.registry(place.accountId)
        const held = registry.repositories.has(name) && registry.contentsOf(name).blobs.has(digest)
        const found = held ? findRepository(ctx, name, place.accountId) : pullThroughLayer(ctx, name, digest, place.accountId)
        const blob = found.contents.blobs.get(digest)
        if (blob === undefined) {
          throw new RegistryError(
            'BLOB_UNKNOWN',
            404,
            `The layer with digest '${digest}' does not exist within the repository with name '${name}' in the registry with id '${place.accountId}'`,
          )
        }
        refuseArchivedLayer(found, digest)
        return { digest, size: blob.size, downloadUrl: layerDownloadUrl(ctx, found.registry, name, digest) }
      })
    },

    startUpload(place, name, mount) {
      return onRepository(place, name, 'upload', 'InitiateLayerUpload', (ctx) => {
        const found = repositoryForPush(ctx, name, place.accountId)
        if (mount !== undefined && BLOB_DIGEST.test(mount.digest) && mountable(ctx, place, found, mount)) {
          mountBlob(ctx, found, mount.digest)
          return { mounted: mount.digest }
        }
        return { uploadId: startUpload(ctx, found).id }
      })
    },

    appendUpload(place, name, uploadId, bytes, start) {
      return onRepository(place, name, 'upload', 'UploadLayerPart', (ctx) => {
        const found = findRepository(ctx, name, place.accountId)
        const upload = findUpload(found, uploadId)
        if (start !== undefined && start !== upload.size) {
          throw new RegistryError(
            'RANGE_INVALID',
            416,
            `The layer part for upload id '${upload.id}' must start at byte ${upload.size} (received a part starting at byte ${start})`,
            undefined,
            { Range: `0-${Math.max(upload.size - 1, 0)}` },
          )
        }
        if (bytes.byteLength === 0) return { size: upload.size }
        return { size: appendUploadPart(ctx, found, upload, bytes).size }
      })
    },

    uploadStatus(place, name, uploadId) {
      return onRepository(place, name, 'upload', 'UploadLayerPart', (ctx) => ({
        size: findUpload(findRepository(ctx, name, place.accountId), uploadId).size,
      }))
    },

    finishUpload(place, name, uploadId, digest) {
      return onRepository(place, name, 'upload', 'CompleteLayerUpload', async (ctx) => {
        const found = findRepository(ctx, name, place.accountId)
        const upload = findUpload(found, uploadId)
        if (!BLOB_DIGEST.test(digest)) throw invalidDigest(digest)
        const { sha256, matching } = await digestUpload(ctx, upload, [digest])
        if (matching === undefined) {
          throw new RegistryError('DIGEST_INVALID', 400, `None of the provided layer digests match the calculated layer digest: ${sha256}`)
        }
        finishUpload(ctx, found, upload, digest)
        return { digest, size: upload.size }
      })
    },

    cancelUpload(place, name, uploadId) {
      return onRepository(place, name, 'upload', 'UploadLayerPart', (ctx) => {
        const found = findRepository(ctx, name, place.accountId)
        cancelUpload(ctx, found, findUpload(found, uploadId))
      })
    },
  }
}

/** The password of a `Basic` header whose user is `AWS`, as docker sends GetAuthorizationToken's token. */
function basicPassword(authorization: string | null): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '')
  if (match === null) return undefined
  let decoded: string
  try {
    decoded = atob(match[1]!)
  } catch {
    return undefined
  }
  return decoded.startsWith('AWS:') ? decoded.slice('AWS:'.length) : undefined
}

/** Refuses a page size beyond ECR's listing maximum, in the words of its ListImages (which ECR answers through the registry API as UNSUPPORTED). */
function checkPageSize(n: number | undefined): void {
  if (n === undefined || (Number.isSafeInteger(n) && n >= 0 && n <= MAX_PAGE)) return
  throw new RegistryError(
    'UNSUPPORTED',
    405,
    `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to ${MAX_PAGE}'`,
  )
}

/**
 * A page of names in lexical order: at most `n` (default {@link MAX_PAGE}) after `last`, and
 * the page's last name when more follow. Sorting costs O(names log names) per page: the
 * registry API's order is lexical, the engine's listings are in creation order.
 */
function pageOf(names: Iterable<string>, n: number | undefined, last: string | undefined): { items: string[]; more: { last?: string } } {
  const after = [...names].filter((name) => last === undefined || name > last).sort()
  const items = after.slice(0, n ?? MAX_PAGE)
  return { items, more: after.length > items.length && items.length > 0 ? { last: items.at(-1)! } : {} }
}

function checkName(name: string): void {
  if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
    throw new RegistryError(
      'NAME_INVALID',
      400,
      `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '${REPOSITORY_NAME.source.slice(1, -1)}''`,
    )
  }
}

/** A manifest reference as an image id: a digest (`algorithm:hex`) or a tag, refused if it is neither. */
function imageIdOf(reference: string): ImageIdentifier {
  if (reference.includes(':')) {
    if (!IMAGE_DIGEST.test(reference)) throw invalidDigest(reference)
    return { imageDigest: reference }
  }
  if (!IMAGE_TAG.test(reference) || reference.length > 300) {
    throw new RegistryError('TAG_INVALID', 400, "Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_.]+''")
  }
  return { imageTag: reference }
}

function invalidDigest(digest: string): RegistryError {
  return new RegistryError('DIGEST_INVALID', 400, `Invalid digest '${digest}': a digest is sha256 or sha512, a colon and lower-case hex`)
}

/**
 * Whether a mount of `digest` from repository `from` can be answered with the blob: the target
 * holds it already, or blob mounting is ENABLED for the registry, `from` is a repository of the
 * same registry with the same encryption whose images use the blob, and the caller may download
 * its layers (`ecr:GetDownloadUrlForLayer`, as ECR's user guide asks). Otherwise the client
 * uploads, as the OCI specification says (discoveries/registry-api.md).
 */
function mountable(ctx: OperationContext, place: RegistryPlace, found: FoundRepository, mount: { digest: string; from?: string }): boolean {
  if (found.contents.blobs.has(mount.digest)) return true
  const { from } = mount
  if (from === undefined || accountSetting(found.registry, 'BLOB_MOUNTING') !== 'ENABLED') return false
  const source = found.registry.repositories.get(from)
  if (source === undefined || !sameEncryption(source.encryption, found.record.encryption)) return false
  authorize(ctx, 'GetDownloadUrlForLayer', { registryId: place.accountId, repositoryName: from })
  const contents = found.registry.contentsOf(from)
  return contents.blobs.has(mount.digest) && contents.blobUsage.has(mount.digest)
}

function sameEncryption(a: { encryptionType: string; kmsKey?: string }, b: { encryptionType: string; kmsKey?: string }): boolean {
  return a.encryptionType === b.encryptionType && a.kmsKey === b.kmsKey
}

function findUpload({ registry, record, contents }: FoundRepository, uploadId: string): UploadRecord {
  const upload = contents.uploads.get(uploadId)
  if (upload === undefined) {
    throw new RegistryError(
      'BLOB_UPLOAD_UNKNOWN',
      404,
      `The upload with id '${uploadId}' does not exist in the repository with name '${record.name}' in the registry with id '${registry.accountId}'`,
    )
  }
  return upload
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength
}
