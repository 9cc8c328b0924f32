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
 * supported schemas is an InvalidParameterException.
 */
export function parseManifest(text: string, mediaTypeParameter?: string): ParsedManifest {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw invalidParameter('imageManifest', 'Invalid JSON syntax')
  }
  if (!isObject(json)) throw invalidParameter('imageManifest', 'Invalid JSON syntax')

  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined
  if (declared !== undefined && mediaTypeParameter !== undefined && declared !== mediaTypeParameter) {
    throw new EcrError(
      'InvalidParameterException',
      `Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'imageManifestMediaType '${mediaTypeParameter}' does not match the mediaType '${declared}' in the manifest'`,
    )
  }
  const mediaType = mediaTypeParameter ?? declared
  if (mediaType === undefined) {
    throw invalidParameter(
      'imageManifestMediaType',
      'Manifest does not contain a mediaType; specify imageManifestMediaType',
    )
  }
  if (!INDEX_TYPES.has(mediaType) && !MANIFEST_TYPES.has(mediaType)) {
    throw invalidParameter('imageManifestMediaType', `Unsupported manifest media type '${mediaType}'`)
  }
  if (json.schemaVersion !== 2) {
    throw invalidParameter('imageManifest', `Invalid manifest: schemaVersion must be 2 for media type '${mediaType}'`)
  }

  const subject = json.subject === undefined ? undefined : descriptor(json.subject, 'subject')
  const artifactType = typeof json.artifactType === 'string' ? json.artifactType : undefined
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(json.manifests)) throw invalidParameter('imageManifest', "Invalid manifest: 'manifests' must be a list")
    return {
      mediaType,
      isIndex: true,
      layers: [],
      manifests: json.manifests.map((entry, i) => descriptor(entry, `manifests[${i}]`)),
      ...(subject && { subject }),
      ...(artifactType !== undefined && { artifactType }),
    }
  }
  if (!Array.isArray(json.layers)) throw invalidParameter('imageManifest', "Invalid manifest: 'layers' must be a list")
  return {
    mediaType,
    isIndex: false,
    config: descriptor(json.config, 'config'),
    layers: json.layers.map((entry, i) => descriptor(entry, `layers[${i}]`)),
    manifests: [],
    ...(subject && { subject }),
    ...(artifactType !== undefined && { artifactType }),
  }
}

/** Blob digests an image manifest needs in the repository (config and distributable layers). */
export function requiredBlobs(manifest: ParsedManifest): string[] {
  if (manifest.isIndex || manifest.config === undefined) return []
  const layers = manifest.layers.filter((layer) => !FOREIGN_LAYER.test(layer.mediaType))
  return [...new Set([manifest.config.digest, ...layers.map((layer) => layer.digest)])]
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw invalidParameter('imageManifest', `Invalid manifest: '${where}' must be a descriptor`)
  const { mediaType, digest, size } = value
  if (typeof mediaType !== 'string' || mediaType === '')
    throw invalidParameter('imageManifest', `Invalid manifest: '${where}.mediaType' is missing`)
  if (typeof digest !== 'string' || !DIGEST.test(digest))
    throw invalidParameter('imageManifest', `Invalid manifest: '${where}.digest' is not a valid digest`)
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw invalidParameter('imageManifest', `Invalid manifest: '${where}.size' must be a non-negative integer`)
  return value as unknown as Descriptor
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
