import type { ImageIdentifier, UpstreamRegistry } from '@aws-sdk/client-ecr'
import { EcrError } from '../errors.js'
import type { OperationContext } from '../operations/context.js'
import { describeImageId, IMAGE_DIGEST, IMAGE_TAG, resolveImageId } from '../operations/image-ids.js'
import type { ImageRecord, PullThroughCacheRuleRecord } from '../state/kinds.js'
import { createRepositoryFromTemplate, namespacesOf, prefixKey, ROOT } from './creation-templates.js'
import { pushManifest } from './images.js'
import { findRepository, type FoundRepository } from './repositories.js'

/** How a kind of upstream registry is named and authenticated to (decisions/pull-through-cache.md). */
export interface UpstreamKind {
  registry: UpstreamRegistry
  /** `secret`: a Secrets Manager secret is required; `none`: no secret is needed (one may be given); `role`: ECR, by IAM role. */
  authentication: 'secret' | 'none' | 'role'
  /** For an ECR upstream, the registry its URL names. */
  ecr?: { accountId: string; region: string }
}

const UPSTREAM_HOSTS: ReadonlyArray<{ registry: UpstreamRegistry; host: RegExp; authentication: UpstreamKind['authentication'] }> = [
  { registry: 'ecr-public', host: /^public\.ecr\.aws$/, authentication: 'none' },
  { registry: 'quay', host: /^quay\.io$/, authentication: 'none' },
  { registry: 'k8s', host: /^registry\.k8s\.io$/, authentication: 'none' },
  { registry: 'docker-hub', host: /^registry-1\.docker\.io$/, authentication: 'secret' },
  { registry: 'github-container-registry', host: /^ghcr\.io$/, authentication: 'secret' },
  { registry: 'gitlab-container-registry', host: /^registry\.gitlab\.com$/, authentication: 'secret' },
  { registry: 'azure-container-registry', host: /^[a-z0-9]+\.azurecr\.io$/, authentication: 'secret' },
  { registry: 'chainguard', host: /^cgr\.dev$/, authentication: 'secret' },
  { registry: 'ecr', host: /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/, authentication: 'role' },
]

/** The kind of upstream registry a URL names (as the model documents the URLs), if ECR supports it. */
export function upstreamKindOf(upstreamRegistryUrl: string): UpstreamKind | undefined {
  const url = upstreamRegistryUrl.toLowerCase()
  const known = UPSTREAM_HOSTS.find(({ host }) => host.test(url))
  if (known === undefined) return undefined
  const { registry, authentication } = known
  if (registry !== 'ecr') return { registry, authentication }
  const [accountId = '', , , region = ''] = url.split('.')
  return { registry, authentication, ecr: { accountId, region } }
}

/** A pull through cache rule whose namespace a repository lies in, and the upstream repository it maps the name to. */
export interface RuleMatch {
  rule: PullThroughCacheRuleRecord
  upstreamRepositoryName: string
}

/**
 * The pull through cache rule for a repository name: the one with the longest prefix the name
 * lies in, else the `ROOT` rule. `ecr-public/library/alpine` maps to `library/alpine`; an upstream
 * repository prefix takes the place of the ECR one (`my-app/image` → `upstream-app/image`).
 */
export function matchingRule(ctx: OperationContext, repositoryName: string, registryId?: string): RuleMatch | undefined {
  const rules = ctx.registry(registryId).tables['pull-through-cache-rule']
  for (const prefix of namespacesOf(repositoryName)) {
    const rule = rules.get(prefix)
    if (rule !== undefined) return { rule, upstreamRepositoryName: upstreamName(rule, repositoryName.slice(prefix.length + 1)) }
  }
  const root = rules.get(ROOT)
  return root === undefined ? undefined : { rule: root, upstreamRepositoryName: repositoryName }
}

function upstreamName(rule: PullThroughCacheRuleRecord, rest: string): string {
  const prefix = rule.upstreamRepositoryPrefix
  return prefix === undefined || prefix === ROOT ? rest : `${prefixKey(prefix)}/${rest}`
}

/**
 * Why the upstream registry of a rule refuses its credentials (the secret the upstream accepts is
 * another one), if it does.
 */
export function authenticationProblem(ctx: OperationContext, rule: PullThroughCacheRuleRecord): string | undefined {
  const accepted = ctx.settings.upstreams.credentialArn(rule.upstreamRegistryUrl)
  if (accepted === undefined || rule.upstreamRegistry === 'ecr' || accepted === rule.credentialArn) return undefined
  return 'The authentication to the upstream registry failed. Verify that the credentials are valid and try again'
}

/** An image as the upstream holds it: manifest, blobs (with their bytes, unless the engine stores them already) and children. */
interface UpstreamContent {
  manifest: string
  mediaType: string
  digest: string
  blobs: Array<{ digest: string; size: number; bytes?: Uint8Array }>
  children: UpstreamContent[]
}

/** What one upstream repository holds, wherever that is (the catalog, or a registry of the engine for an ECR upstream). */
interface Upstream {
  find(imageId: { tag?: string; digest?: string }): UpstreamContent | undefined
  imageHolding(digest: string): UpstreamContent | undefined
}

type UpstreamError = 'UnableToGetUpstreamImageException' | 'UnableToGetUpstreamLayerException'

function openUpstream(ctx: OperationContext, { rule, upstreamRepositoryName }: RuleMatch, error: UpstreamError): Upstream {
  const problem = authenticationProblem(ctx, rule)
  if (problem !== undefined) throw new EcrError(error, problem)
  const kind = upstreamKindOf(rule.upstreamRegistryUrl)
  if (kind?.ecr !== undefined) return ecrUpstream(ctx, kind.ecr, upstreamRepositoryName)
  const { upstreams } = ctx.settings
  const content = (image: ReturnType<typeof upstreams.find>): UpstreamContent | undefined =>
    image && {
      ...image,
      blobs: image.blobs.map(({ digest, bytes }) => ({ digest, size: bytes.byteLength, bytes })),
      children: image.children.map((child) => content(child)!),
    }
  return {
    find: (imageId) => content(upstreams.find(rule.upstreamRegistryUrl, upstreamRepositoryName, imageId)),
    imageHolding: (digest) => content(upstreams.imageHolding(rule.upstreamRegistryUrl, upstreamRepositoryName, digest)),
  }
}

/** An upstream repository in another ECR registry of the engine (another Region or account). */
function ecrUpstream(ctx: OperationContext, { accountId, region }: { accountId: string; region: string }, repositoryName: string): Upstream {
  const registry = ctx.at({ region }).registry(accountId)
  const contents = registry.repositories.has(repositoryName) ? registry.contentsOf(repositoryName) : undefined
  const content = (image: ImageRecord | undefined): UpstreamContent | undefined =>
    image && {
      manifest: image.manifest,
      mediaType: image.mediaType,
      digest: image.digest,
      // The bytes are the engine's already (content is shared by digest): only sizes are needed.
      blobs: image.isIndex ? [] : image.references.flatMap(({ digest }) => {
        const stored = ctx.state.content.get(digest)
        return stored === undefined ? [] : [{ digest, size: stored.size }]
      }),
      children: image.isIndex ? image.references.flatMap(({ digest }) => content(contents?.images.get(digest)) ?? []) : [],
    }
  return {
    find({ tag, digest }) {
      const named = tag === undefined ? digest : contents?.tags.get(tag)?.digest
      return named === undefined || (digest !== undefined && named !== digest) ? undefined : content(contents?.images.get(named))
    },
    imageHolding(digest) {
      for (const image of contents?.images.values() ?? []) {
        if (!image.isIndex && image.references.some((reference) => reference.digest === digest)) return content(image)
      }
      return undefined
    },
  }
}

/**
 * The repository BatchGetImage reads, once a pull through cache rule has done its part: when the
 * name lies in a rule's namespace, every image asked for that the cache lacks is fetched from the
 * upstream registry (manifest, blobs and, for an index, its images), into the repository, which
 * is created first if needed (from the creation template applied for PULL_THROUGH_CACHE that
 * matches, else with ECR's defaults). An image the upstream does not hold fails the call with
 * UnableToGetUpstreamImageException, and nothing changes. Without a rule, the repository as it is.
 */
export function pullThroughImages(ctx: OperationContext, repositoryName: string, imageIds: readonly ImageIdentifier[], registryId?: string): FoundRepository {
  const match = matchingRule(ctx, repositoryName, registryId)
  const cached = ctx.registry(registryId).repositories.has(repositoryName) ? findRepository(ctx, repositoryName, registryId) : undefined
  const missing = match === undefined ? [] : imageIds.filter((imageId) => isMissing(cached, imageId))
  if (match === undefined || missing.length === 0) return cached ?? findRepository(ctx, repositoryName, registryId)
  const upstream = openUpstream(ctx, match, 'UnableToGetUpstreamImageException')
  const fetched = missing.map((imageId) => {
    const image = upstream.find({
      ...(imageId.imageTag !== undefined && { tag: imageId.imageTag }),
      ...(imageId.imageDigest !== undefined && { digest: imageId.imageDigest }),
    })
    if (image === undefined) {
      throw new EcrError(
        'UnableToGetUpstreamImageException',
        `The image with imageId ${describeImageId(imageId)} does not exist within the upstream repository with name '${match.upstreamRepositoryName}' in the upstream registry '${match.rule.upstreamRegistryUrl}'`,
      )
    }
    return { image, tag: imageId.imageTag }
  })
  const found = cached ?? createRepositoryFromTemplate(ctx, repositoryName, 'PULL_THROUGH_CACHE', registryId)
  for (const { image, tag } of fetched) cache(ctx, found, image, tag)
  return found
}

/**
 * The repository GetDownloadUrlForLayer reads, once a pull through cache rule has done its part:
 * a layer the cache lacks is fetched with the upstream image that holds it (the repository is
 * created first if needed); a layer the upstream does not hold is UnableToGetUpstreamLayerException.
 */
export function pullThroughLayer(ctx: OperationContext, repositoryName: string, layerDigest: string, registryId?: string): FoundRepository {
  const match = matchingRule(ctx, repositoryName, registryId)
  const cached = ctx.registry(registryId).repositories.has(repositoryName) ? findRepository(ctx, repositoryName, registryId) : undefined
  if (match === undefined || cached?.contents.blobUsage.has(layerDigest)) return cached ?? findRepository(ctx, repositoryName, registryId)
  const image = openUpstream(ctx, match, 'UnableToGetUpstreamLayerException').imageHolding(layerDigest)
  if (image === undefined) {
    throw new EcrError(
      'UnableToGetUpstreamLayerException',
      `The layer with digest '${layerDigest}' does not exist within the upstream repository with name '${match.upstreamRepositoryName}' in the upstream registry '${match.rule.upstreamRegistryUrl}'`,
    )
  }
  const found = cached ?? createRepositoryFromTemplate(ctx, repositoryName, 'PULL_THROUGH_CACHE', registryId)
  cache(ctx, found, image)
  return found
}

/** An image id a pull asks for that names an image the repository (if any) lacks. Malformed ids fail as they do anyway. */
function isMissing(cached: FoundRepository | undefined, imageId: ImageIdentifier): boolean {
  const { imageDigest, imageTag } = imageId
  const wellFormed =
    (imageDigest !== undefined || imageTag !== undefined) &&
    (imageDigest === undefined || IMAGE_DIGEST.test(imageDigest)) &&
    (imageTag === undefined || IMAGE_TAG.test(imageTag))
  if (!wellFormed) return false
  if (cached === undefined) return true
  const resolved = resolveImageId(cached, imageId)
  return 'failure' in resolved && resolved.failure.failureCode === 'ImageNotFound'
}

/** Stores an upstream image in the cache repository (its blobs, its child images), tagged as pulled. */
function cache(ctx: OperationContext, found: FoundRepository, image: UpstreamContent, tag?: string): void {
  for (const child of image.children) cache(ctx, found, child)
  const { contents } = found
  for (const blob of image.blobs) {
    if (contents.blobs.has(blob.digest)) continue
    if (!ctx.state.content.has(blob.digest)) {
      // Bytes come with every blob whose content the engine does not store (catalog upstreams).
      if (blob.bytes === undefined) continue
      const chunk = `upstream-${blob.digest.replace(':', '-')}`
      ctx.tx.putChunk(chunk, blob.bytes)
      ctx.state.content.set(ctx.tx, blob.digest, { size: blob.size, chunks: [{ id: chunk, size: blob.size }] })
    }
    contents.blobs.set(ctx.tx, blob.digest, { digest: blob.digest, size: blob.size, createdAt: ctx.now })
  }
  const held = contents.images.has(image.digest)
  if (held && (tag === undefined || contents.tags.get(tag)?.digest === image.digest)) return
  pushManifest(ctx, found, { manifest: image.manifest, mediaType: image.mediaType, ...(tag !== undefined && { tag }) })
}
