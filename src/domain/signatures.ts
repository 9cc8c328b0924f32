import { hexToBytes } from '@noble/hashes/utils.js'
import { sha256Digest } from '../digest.js'
import { base64url } from '../encoding.js'
import { tooManyImages } from '../limits.js'
import { MediaTypes } from '../manifest.js'
import type { OperationContext } from '../operations/context.js'
import type { ImageRecord } from '../state/kinds.js'
import { pushManifest } from './images.js'
import { repositoryAt, type FoundRepository } from './repositories.js'
import { NOTARY_SIGNATURE, type Signature } from './signing.js'

/** The media type of the signature envelope: a JWS, as AWS Signer's Notation plugin writes them. */
const ENVELOPE_MEDIA_TYPE = 'application/jose+json'
/** OCI's empty descriptor content, the config of artifacts that have none. */
const EMPTY_CONFIG = { mediaType: 'application/vnd.oci.empty.v1+json', text: '{}' }

/**
 * The clock effect of an image's signatures whose time has come: each completes (AWS Signer
 * signs the image and ECR pushes the signature into the repository, a referrer of the image) or
 * fails, when the `signingFailure` option says so or when the repository has no room left for
 * the signature.
 */
export function completeSigning(ctx: OperationContext, scope: readonly string[], digest: string): void {
  const found = repositoryAt(ctx, scope)
  const table = found.contents.tables['image-signing']
  const signing = table.get(digest)
  const image = found.contents.images.get(digest)
  if (signing === undefined) return
  if (image === undefined) {
    table.delete(ctx.tx, digest)
    return
  }
  const signatures = signing.signatures.map((signature) =>
    signature.status === 'IN_PROGRESS' && signature.completesAt <= ctx.now ? sign(ctx, found, image, signature) : signature,
  )
  table.set(ctx.tx, digest, { signatures })
}

/** One signature completing: COMPLETE with the signature pushed, or FAILED with why. */
function sign(ctx: OperationContext, found: FoundRepository, image: ImageRecord, signature: Signature): Signature {
  const { registry, record, contents } = found
  const failure = ctx.settings.signingFailure?.({
    registryId: registry.accountId,
    region: registry.region,
    repositoryName: record.name,
    imageDigest: image.digest,
    signingProfileArn: signature.signingProfileArn,
  })
  if (failure !== undefined) return { ...signature, status: 'FAILED', failureCode: failure.failureCode, failureReason: failure.failureReason }
  // A signature counts against the images a repository may hold (ECR's image-signing considerations).
  const { imagesPerRepository } = ctx.settings.limits
  if (contents.images.size >= imagesPerRepository) {
    const refused = tooManyImages(record.name, registry.accountId, imagesPerRepository)
    return { ...signature, status: 'FAILED', failureCode: refused.code, failureReason: refused.message }
  }
  pushManifest(ctx, found, { manifest: signatureManifest(ctx, found, image, signature.signingProfileArn) })
  return { ...signature, status: 'COMPLETE' }
}

/**
 * A Notary Project signature of `image` made with `signingProfileArn`: an OCI artifact manifest
 * whose subject is the image, with the empty config and one layer holding the signature
 * envelope, both stored in the repository first. The envelope is shaped like Notation's JWS, but
 * its signature is the engine's own HMAC with no certificate chain: Notation cannot verify it.
 */
function signatureManifest(ctx: OperationContext, found: FoundRepository, image: ImageRecord, signingProfileArn: string): string {
  const signedAt = new Date(ctx.now).toISOString()
  const subject = { mediaType: image.mediaType, digest: image.digest, size: new TextEncoder().encode(image.manifest).byteLength }
  const protectedHeader = base64url(
    JSON.stringify({
      alg: 'ES384',
      cty: 'application/vnd.cncf.notary.payload.v1+json',
      crit: ['io.cncf.notary.signingScheme'],
      'io.cncf.notary.signingScheme': 'notary.x509',
      'io.cncf.notary.signingTime': signedAt,
    }),
  )
  const payload = base64url(JSON.stringify({ targetArtifact: subject }))
  const envelope = JSON.stringify({
    payload,
    protected: protectedHeader,
    header: { x5c: [], 'io.cncf.notary.signingAgent': 'fake-ecr managed signing' },
    signature: base64url(hexToBytes(ctx.sign(`${signingProfileArn}\u0000${protectedHeader}.${payload}`))),
  })
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType: NOTARY_SIGNATURE,
    config: storeBlob(ctx, found, EMPTY_CONFIG.mediaType, EMPTY_CONFIG.text),
    layers: [storeBlob(ctx, found, ENVELOPE_MEDIA_TYPE, envelope)],
    subject,
    annotations: {
      'io.cncf.notary.x509chain.thumbprint#S256': JSON.stringify([ctx.sign(`thumbprint\u0000${signingProfileArn}`)]),
      'org.opencontainers.image.created': signedAt,
    },
  })
}

/** Stores bytes as a blob of the repository, as a client's upload would, and returns their descriptor. */
function storeBlob(ctx: OperationContext, { contents }: FoundRepository, mediaType: string, text: string) {
  const bytes = new TextEncoder().encode(text)
  const digest = sha256Digest(bytes)
  if (!ctx.state.content.has(digest)) {
    const chunk = `signature-${digest.slice('sha256:'.length)}`
    ctx.tx.putChunk(chunk, bytes)
    ctx.state.content.set(ctx.tx, digest, { size: bytes.byteLength, chunks: [{ id: chunk, size: bytes.byteLength }] })
  }
  if (!contents.blobs.has(digest)) contents.blobs.set(ctx.tx, digest, { digest, size: bytes.byteLength, createdAt: ctx.now })
  return { mediaType, digest, size: bytes.byteLength }
}
