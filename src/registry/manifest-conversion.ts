import { MediaTypes } from '../manifest.js'

/** Docker schema 2 ↔ OCI media types of an image's config and layers: the pairs ECR's conversion can translate. */
const DOCKER_TO_OCI = new Map<string, string>([
  [MediaTypes.dockerConfig, MediaTypes.ociConfig],
  [MediaTypes.dockerLayer, MediaTypes.ociLayer],
  ['application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'],
])
const OCI_TO_DOCKER = new Map([...DOCKER_TO_OCI].map(([docker, oci]) => [oci, docker]))

/** Members an OCI manifest may have that a Docker schema 2 manifest cannot carry: such a manifest is not converted. */
const OCI_ONLY = ['artifactType', 'subject', 'annotations']

/**
 * The manifest a pull by tag answers for an `Accept` header (decisions/registry-api.md): the
 * stored one when the client accepts its media type (or names none); else, as ECR's user guide
 * documents, a Docker schema 2 image manifest converted to OCI or an OCI one to Docker schema 2
 * when the client accepts that; else the stored one (no conversion is available, and the client
 * decides). Pulls by digest are never converted.
 */
export function negotiateManifest(stored: { manifest: string; mediaType: string }, accepted: readonly string[]): { manifest: string; mediaType: string } {
  if (accepted.length === 0 || accepted.includes(stored.mediaType) || accepted.includes('*/*')) return stored
  const target =
    stored.mediaType === MediaTypes.dockerManifest ? MediaTypes.ociManifest : stored.mediaType === MediaTypes.ociManifest ? MediaTypes.dockerManifest : undefined
  if (target === undefined || !accepted.includes(target)) return stored
  const converted = convert(stored.manifest, target)
  return converted === undefined ? stored : { manifest: converted, mediaType: target }
}

/** An image manifest in the other schema, if every descriptor has a counterpart there. */
function convert(text: string, target: string): string | undefined {
  const json = JSON.parse(text) as { config?: { mediaType?: string }; layers?: Array<{ mediaType?: string }> } & Record<string, unknown>
  const table = target === MediaTypes.ociManifest ? DOCKER_TO_OCI : OCI_TO_DOCKER
  if (target === MediaTypes.dockerManifest && OCI_ONLY.some((member) => member in json)) return undefined
  const translate = (descriptor: { mediaType?: string } | undefined) => {
    const mediaType = table.get(descriptor?.mediaType ?? '')
    return mediaType === undefined ? undefined : { ...descriptor, mediaType }
  }
  const config = translate(json.config)
  const layers = (json.layers ?? []).map(translate)
  if (config === undefined || layers.some((layer) => layer === undefined)) return undefined
  return JSON.stringify({ ...json, mediaType: target, config, layers })
}
