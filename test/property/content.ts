import { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, sha256 } from '../fixtures.js'

/**
 * A fixed pool of registry content for model-based tests: blobs (configs and layers), image
 * manifests over them, and indexes over those images. Commands pick from the pool by position,
 * so a shrunk counterexample names the same content on every run.
 */

export interface PoolBlob {
  name: string
  digest: string
  bytes: Uint8Array
}

export interface PoolManifest {
  name: string
  digest: string
  manifest: string
  isIndex: boolean
  /** Blobs (config first, then layers) of an image; child manifests of an index. */
  references: string[]
}

const LAYER_SIZES = [3, 17, 64, 129, 250]
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip'
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'

function blob(name: string, bytes: Uint8Array): PoolBlob {
  return { name, digest: sha256(bytes), bytes }
}

/** Layers L0..L4: deterministic filler bytes of distinct sizes. */
const layers = LAYER_SIZES.map((size, index) => blob(`L${index}`, new Uint8Array(size).map((_, i) => (i * 31 + index * 7 + 1) % 256)))

/** Which layers each image I0..I4 has, and its format. */
const IMAGE_SHAPES: Array<{ layers: number[]; oci: boolean }> = [
  { layers: [0, 1], oci: false },
  { layers: [1, 2], oci: false },
  { layers: [3], oci: true },
  { layers: [0, 4], oci: true },
  { layers: [2, 3, 4], oci: false },
]

/** Config blobs C0..C4, one per image. */
const configs = IMAGE_SHAPES.map((_, index) =>
  blob(`C${index}`, new TextEncoder().encode(JSON.stringify({ architecture: index % 2 === 0 ? 'amd64' : 'arm64', os: 'linux', image: index }))),
)

export const blobs: readonly PoolBlob[] = [...configs, ...layers]

export const images: readonly PoolManifest[] = IMAGE_SHAPES.map(({ layers: layerIndexes, oci }, index) => {
  const config = configs[index]!
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: oci ? OCI_MANIFEST : DOCKER_MANIFEST,
    config: {
      mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json',
      digest: config.digest,
      size: config.bytes.byteLength,
    },
    layers: layerIndexes.map((layer) => ({
      mediaType: oci ? OCI_LAYER : DOCKER_LAYER,
      digest: layers[layer]!.digest,
      size: layers[layer]!.bytes.byteLength,
    })),
  })
  return {
    name: `I${index}`,
    digest: sha256(manifest),
    manifest,
    isIndex: false,
    references: [config.digest, ...layerIndexes.map((layer) => layers[layer]!.digest)],
  }
})

/** Indexes X0..X2 over the images: a Docker manifest list and OCI indexes, sharing children. */
const INDEX_SHAPES: Array<{ children: number[]; oci: boolean }> = [
  { children: [0, 1], oci: false },
  { children: [2, 3], oci: true },
  { children: [1, 3, 4], oci: true },
]

export const indexes: readonly PoolManifest[] = INDEX_SHAPES.map(({ children, oci }, index) => {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: oci ? OCI_INDEX : DOCKER_LIST,
    manifests: children.map((child) => {
      const image = images[child]!
      return {
        mediaType: JSON.parse(image.manifest).mediaType as string,
        digest: image.digest,
        size: Buffer.byteLength(image.manifest),
        platform: { os: 'linux', architecture: child % 2 === 0 ? 'amd64' : 'arm64' },
      }
    }),
  })
  return { name: `X${index}`, digest: sha256(manifest), manifest, isIndex: true, references: children.map((child) => images[child]!.digest) }
})

export const manifests: readonly PoolManifest[] = [...images, ...indexes]

/** New content on demand: image `n % 5`'s blobs as an OCI manifest whose annotation makes the digest new. */
export function annotatedImage(n: number): PoolManifest {
  const base = images[n % images.length]!
  const [config, ...layerDigests] = base.references
  const descriptor = (digest: string, mediaType: string) => ({
    mediaType,
    digest,
    size: blobs.find((entry) => entry.digest === digest)!.bytes.byteLength,
  })
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(config!, 'application/vnd.oci.image.config.v1+json'),
    layers: layerDigests.map((layer) => descriptor(layer, OCI_LAYER)),
    annotations: { 'org.opencontainers.image.revision': `build-${n}` },
  })
  return { name: `A${n}`, digest: sha256(manifest), manifest, isIndex: false, references: base.references }
}

/** A well-formed digest no pool content has. */
export const MISSING_DIGEST = sha256('nothing was ever pushed with this digest')

/** `alpha` exists when a run starts (MUTABLE, no scan on push); the other is created by the run. */
export const REPOSITORY_NAMES = ['alpha', 'team/gamma'] as const
/** `dev-*` tags are the exclusions of IMMUTABLE_WITH_EXCLUSION repositories. */
export const IMAGE_TAGS = ['latest', 'v1', 'v2', 'dev-a'] as const
export const EXCLUSION_FILTER = 'dev-*'

/** Written as ECR writes a policy back (discoveries/ecr-behaviour.md §25), so the text set is the text stored. */
export const REPOSITORY_POLICIES = [
  '{\n  "Version" : "2012-10-17",\n  "Statement" : [ {\n    "Sid" : "pull",\n    "Effect" : "Allow",\n    "Principal" : {\n      "AWS" : "arn:aws:iam::111122223333:root"\n    },\n    "Action" : [ "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]\n  } ]\n}',
  '{\n  "Version" : "2008-10-17",\n  "Statement" : {\n    "Effect" : "Allow",\n    "Principal" : "*",\n    "Action" : "ecr:*"\n  }\n}',
] as const
/** A repository policy may not name a Resource (ECR refuses it). */
export const INVALID_REPOSITORY_POLICY =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*","Resource":"*"}]}'

export const LIFECYCLE_POLICIES = [
  JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: 'expire untagged images after 14 days',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
        action: { type: 'expire' },
      },
    ],
  }),
  JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 20 },
        action: { type: 'expire' },
      },
    ],
  }),
] as const
/** Tagged selection without a prefix or pattern list (ECR refuses it). */
export const INVALID_LIFECYCLE_POLICY = JSON.stringify({
  rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 20 }, action: { type: 'expire' } }],
})

export const RESOURCE_TAG_KEYS = ['team', 'env', 'cost-centre'] as const
/** The `aws:` prefix is reserved (InvalidTagParameterException). */
export const RESERVED_TAG_KEY = 'aws:owner'
