import { DIGEST } from './digest.js'
import { EcrError, invalidParameter } from './errors.js'

/** Manifest media types ECR stores. */
export const MediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const

/**
 * The media types above, to store each as one shared string: a media type parsed from a
 * manifest is a new string every time, and an image keeps three or more of them.
 */
const KNOWN_MEDIA_TYPES = new Map<string, string>(Object.values(MediaTypes).map((mediaType) => [mediaType, mediaType]))

function shared(mediaType: string): string {
  return KNOWN_MEDIA_TYPES.get(mediaType) ?? mediaType
}

const INDEX_TYPES = new Set<string>([MediaTypes.dockerManifestList, MediaTypes.ociIndex])
const MANIFEST_TYPES = new Set<string>([MediaTypes.dockerManifest, MediaTypes.ociManifest])

/** Layers that registries do not store (Windows base layers and other nondistributable blobs). */
const FOREIGN_LAYER = /foreign|nondistributable/

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: { architecture?: string; os?: string; variant?: string }
  artifactType?: string
  annotations?: Record<string, string>
}

export interface ParsedManifest {
  mediaType: string
  /** `true` for a Docker manifest list or an OCI image index. */
  isIndex: boolean
  config?: Descriptor
  layers: Descriptor[]
  /** Child manifests of an index. */
  manifests: Descriptor[]
  subject?: Descriptor
  artifactType?: string
}

/**
 * Parses an image manifest as PutImage receives it. The media type comes from
 * `imageManifestMediaType` when given, else from the manifest's own `mediaType`; a manifest
 * with neither is refused, as ECR documents. Anything that is not JSON or not one of the four
 * supported schemas is refused with InvalidParameterException ('Invalid JSON syntax', as ECR
 * says even of well-formed manifests it does not support).
 */
export function parseManifest(text: string, mediaTypeParameter?: string): ParsedManifest {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw invalidManifest()
  }
  if (!isObject(json)) throw invalidManifest()

  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined
  if (declared !== undefined && mediaTypeParameter !== undefined && declared !== mediaTypeParameter) {
    throw new EcrError(
      'InvalidParameterException',
      `Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'imageManifestMediaType '${mediaTypeParameter}' does not match the mediaType '${declared}' in the manifest'`,
    )
  }
  const given = mediaTypeParameter ?? declared
  if (given === undefined) {
    throw invalidParameter('imageManifestMediaType', 'image manifest mediatype not provided in manifest or parameter')
  }
  const mediaType = shared(given)
  // ECR answers a manifest it cannot classify as it answers unparseable JSON.
  if ((!INDEX_TYPES.has(mediaType) && !MANIFEST_TYPES.has(mediaType)) || json.schemaVersion !== 2) {
    throw invalidManifest()
  }

  const subject = json.subject === undefined ? undefined : descriptor(json.subject)
  const artifactType = typeof json.artifactType === 'string' ? json.artifactType : undefined
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(json.manifests)) throw invalidManifest()
    return {
      mediaType,
      isIndex: true,
      layers: [],
      manifests: json.manifests.map(descriptor),
      ...(subject && { subject }),
      ...(artifactType !== undefined && { artifactType }),
    }
  }
  if (!Array.isArray(json.layers)) throw invalidManifest()
  return {
    mediaType,
    isIndex: false,
    config: descriptor(json.config),
    layers: json.layers.map(descriptor),
    manifests: [],
    ...(subject && { subject }),
    ...(artifactType !== undefined && { artifactType }),
  }
}

/**
 * What a manifest references in its repository: the config and distributable layers of an image
 * manifest (one entry per digest), or the child manifests of an index.
 */
export function referencesOf(manifest: ParsedManifest): Array<{ digest: string; mediaType: string }> {
  const descriptors = manifest.isIndex
    ? manifest.manifests
    : [...(manifest.config ? [manifest.config] : []), ...manifest.layers.filter((layer) => !FOREIGN_LAYER.test(layer.mediaType))]
  const unique = new Map<string, { digest: string; mediaType: string }>()
  for (const { digest, mediaType } of descriptors) if (!unique.has(digest)) unique.set(digest, { digest, mediaType })
  return [...unique.values()]
}

function descriptor(value: unknown): Descriptor {
  if (!isObject(value)) throw invalidManifest()
  const { mediaType, digest, size } = value
  const valid =
    typeof mediaType === 'string' &&
    mediaType !== '' &&
    typeof digest === 'string' &&
    DIGEST.test(digest) &&
    typeof size === 'number' &&
    Number.isSafeInteger(size) &&
    size >= 0
  if (!valid) throw invalidManifest()
  return { ...(value as unknown as Descriptor), mediaType: shared(mediaType) }
}

/** What ECR says of any manifest it cannot parse or classify (observed; see discoveries §18). */
function invalidManifest(): EcrError {
  return invalidParameter('ImageManifest', 'Invalid JSON syntax')
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
