import type { ImageReferrer } from '@aws-sdk/client-ecr'
import { imageStatus, matchesImageStatus } from '../domain/archival.js'
import { findRepository } from '../domain/repositories.js'
import { position, takePage } from '../pagination.js'
import type { ImageRecord } from '../state/kinds.js'
import type { Implementations } from './operation.js'

/** ListImageReferrers's page size when `maxResults` is not given (its model documentation). */
const DEFAULT_REFERRERS_PAGE = 20

/**
 * ListImageReferrers: the OCI referrers of an image, the images of the repository whose manifest
 * names it as `subject` (signatures, SBOMs, attestations), in push order. The subject itself need
 * not be in the repository, as in the OCI referrers API (decisions/referrers.md).
 */
export const referrerOperations = {
  ListImageReferrers(input, ctx) {
    const found = findRepository(ctx, input.repositoryName, input.registryId)
    const subject = input.subjectId.imageDigest
    const artifactTypes = input.filter?.artifactTypes ?? []
    const status = input.filter?.artifactStatus ?? 'ACTIVE'
    const listing = ['ListImageReferrers', found.registry.accountId, found.registry.region, found.record.name, subject, status, ...artifactTypes].join(
      '\u0000',
    )
    const after = input.nextToken === undefined ? undefined : position(ctx.tokens.decode(listing, input.nextToken))
    const page = takePage(
      (function* () {
        for (const { seq, id } of found.contents.referrers.get(subject)?.after(after) ?? []) {
          const image = found.contents.images.get(id)!
          if (!matchesImageStatus(image, status)) continue
          if (artifactTypes.length > 0 && !artifactTypes.includes(image.artifactMediaType ?? '')) continue
          yield { item: referrer(image), cursor: { seq, id } }
        }
      })(),
      input.maxResults ?? DEFAULT_REFERRERS_PAGE,
      ctx.tokens,
      listing,
    )
    return { referrers: page.items, ...(page.nextToken !== undefined && { nextToken: page.nextToken }) }
  },
} satisfies Implementations

/**
 * An image as a referrer: its manifest's descriptor (size in bytes of the manifest, as OCI
 * descriptors count), its artifact type (the manifest's `artifactType`, else its config's media
 * type, as the OCI referrers API reports it), its annotations and its storage status.
 */
export function referrer(image: ImageRecord): ImageReferrer {
  const annotations = annotationsOf(image.manifest)
  return {
    digest: image.digest,
    mediaType: image.mediaType,
    ...(image.artifactMediaType !== undefined && { artifactType: image.artifactMediaType }),
    size: new TextEncoder().encode(image.manifest).byteLength,
    ...(annotations !== undefined && { annotations }),
    artifactStatus: imageStatus(image),
  }
}

/** The manifest's annotations, the string-valued ones, if it has any. */
function annotationsOf(manifest: string): Record<string, string> | undefined {
  const { annotations } = JSON.parse(manifest) as { annotations?: unknown }
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) return undefined
  const entries = Object.entries(annotations).filter((entry): entry is [string, string] => typeof entry[1] === 'string')
  return entries.length === 0 ? undefined : Object.fromEntries(entries)
}
