import { generateImage, generateIndex, type GeneratedImage } from './generated-image.js'
import type { ImageSeed, UpstreamRegistrySeed } from './glossary.js'
import { IMAGE_TAG } from './operations/image-ids.js'

/** An image an upstream registry holds, with the tags that name it there. */
export interface UpstreamImage extends GeneratedImage {
  tags: string[]
}

interface UpstreamRepository {
  images: ImageSeed[]
  /** The images built from `images`, by tag and by digest (children of indexes included); built when first asked. */
  built?: { byTag: Map<string, UpstreamImage>; byDigest: Map<string, GeneratedImage> }
}

interface UpstreamRegistry {
  credentialArn: string | undefined
  repositories: Map<string, UpstreamRepository>
}

/**
 * What the upstream registries of pull through cache rules hold (the `upstreams` option and
 * `ecr.seed.upstream`): the world outside ECR, configured per engine and not persisted
 * (decisions/pull-through-cache.md). Images are generated from their place in the catalog
 * (registry, repository, position), so the same catalog gives the same digests in every engine.
 */
export class UpstreamCatalog {
  private readonly registries = new Map<string, UpstreamRegistry>()

  constructor(private readonly seeds: readonly UpstreamRegistrySeed[] = []) {
    this.reset()
  }

  /** Back to what the engine was created with (`ecr.reset()`): images added since are gone. */
  reset(): void {
    this.registries.clear()
    for (const seed of this.seeds) {
      const registry = this.registry(seed.registryUrl)
      if (seed.credentialArn !== undefined) registry.credentialArn = seed.credentialArn
      for (const repository of seed.repositories ?? []) {
        for (const image of repository.images ?? []) this.add(seed.registryUrl, repository.name, image)
      }
    }
  }

  /** Adds an image to an upstream repository (its tags move to it) and returns it as built. */
  add(registryUrl: string, repositoryName: string, seed: ImageSeed): UpstreamImage {
    if (repositoryName === '') throw new RangeError('fake-ecr: an upstream repository needs a name.')
    for (const tag of tagsOf(seed)) {
      if (!IMAGE_TAG.test(tag)) throw new RangeError(`fake-ecr: the upstream image tag '${tag}' is not a valid tag ([a-zA-Z0-9-_.]+).`)
    }
    const { repositories } = this.registry(registryUrl)
    let repository = repositories.get(repositoryName)
    if (repository === undefined) repositories.set(repositoryName, (repository = { images: [] }))
    const image = build(registryUrl, repositoryName, repository.images.length, seed)
    repository.images.push(seed)
    if (repository.built !== undefined) index(repository.built, image)
    return image
  }

  /** The secret whose credentials the upstream registry accepts, if it asks for one. */
  credentialArn(registryUrl: string): string | undefined {
    return this.registries.get(registryUrl.toLowerCase())?.credentialArn
  }

  /** The image a tag (and digest, if given) or a digest names in an upstream repository. */
  find(registryUrl: string, repositoryName: string, { tag, digest }: { tag?: string; digest?: string }): GeneratedImage | undefined {
    const built = this.built(registryUrl, repositoryName)
    if (built === undefined) return undefined
    if (tag === undefined) return digest === undefined ? undefined : built.byDigest.get(digest)
    const image = built.byTag.get(tag)
    return digest === undefined || image?.digest === digest ? image : undefined
  }

  /** An image of an upstream repository that holds the blob `digest`, if one does. */
  imageHolding(registryUrl: string, repositoryName: string, digest: string): GeneratedImage | undefined {
    const built = this.built(registryUrl, repositoryName)
    if (built === undefined) return undefined
    for (const image of built.byDigest.values()) {
      if (image.blobs.some((blob) => blob.digest === digest)) return image
    }
    return undefined
  }

  private registry(registryUrl: string): UpstreamRegistry {
    const key = registryUrl.toLowerCase()
    let registry = this.registries.get(key)
    if (registry === undefined) this.registries.set(key, (registry = { credentialArn: undefined, repositories: new Map() }))
    return registry
  }

  private built(registryUrl: string, repositoryName: string): UpstreamRepository['built'] {
    const repository = this.registries.get(registryUrl.toLowerCase())?.repositories.get(repositoryName)
    if (repository === undefined) return undefined
    if (repository.built === undefined) {
      const built = { byTag: new Map(), byDigest: new Map() }
      repository.images.forEach((seed, position) => index(built, build(registryUrl, repositoryName, position, seed)))
      repository.built = built
    }
    return repository.built
  }
}

/** Adds an image to a repository's indexes; the tags it carries leave the images that had them. */
function index(built: NonNullable<UpstreamRepository['built']>, image: UpstreamImage): void {
  for (const each of [image, ...image.children]) built.byDigest.set(each.digest, each)
  for (const tag of image.tags) {
    const previous = built.byTag.get(tag)
    if (previous !== undefined) previous.tags = previous.tags.filter((other) => other !== tag)
    built.byTag.set(tag, image)
  }
}

function tagsOf(image: ImageSeed): string[] {
  return [...(image.tag === undefined ? [] : [image.tag]), ...(image.tags ?? [])]
}

/** The image at `position` of an upstream repository: its content follows from where it is. */
function build(registryUrl: string, repositoryName: string, position: number, seed: ImageSeed): UpstreamImage {
  const label = `${registryUrl.toLowerCase()}/${repositoryName}@${position}`
  const format = seed.format === undefined ? {} : { format: seed.format }
  const image =
    seed.platforms === undefined
      ? generateImage(label, `upstream ${label}`, {
          ...format,
          ...(seed.layers !== undefined && { layers: seed.layers }),
          ...(seed.platform !== undefined && { platform: seed.platform }),
        })
      : generateIndex({ platforms: seed.platforms, ...format }, (platform, child) =>
          generateImage(`${label}/${child}`, `upstream ${label}/${child}`, { ...format, platform }),
        )
  return { ...image, tags: tagsOf(seed) }
}
