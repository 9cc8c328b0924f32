import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll } from 'vitest'
import { sha256 } from '../fixtures.js'
import { missingTool } from './aws-cli-harness.js'

/**
 * Debian's skopeo (/usr/bin/skopeo), else `skopeo` on PATH. When neither runs, CI
 * (`FAKE_ECR_REQUIRE_SKOPEO=1`) gets a failing test saying how to install it; elsewhere the
 * caller's tests are skipped with a warning.
 */
export async function findSkopeo(purpose: string): Promise<string | undefined> {
  for (const candidate of ['/usr/bin/skopeo', 'skopeo']) {
    const runs = await new Promise<boolean>((resolve) => execFile(candidate, ['--version'], (error) => resolve(error === null)))
    if (runs) return candidate
  }
  missingTool({ wanted: 'skopeo', requirement: 'FAKE_ECR_REQUIRE_SKOPEO', install: 'skopeo', purpose })
  return undefined
}

/**
 * A way to run skopeo (`run`, or `ok`, which throws when it fails) with a home of its own (no
 * auth file, registries.conf or signature policy of the machine's leaks in: `--insecure-policy`,
 * an empty registries.conf), and a fresh directory per call of `directory()` for OCI layouts.
 */
export function useSkopeo(skopeo: string) {
  let home: string
  let env: NodeJS.ProcessEnv

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'fake-ecr-skopeo-'))
    await writeFile(join(home, 'registries.conf'), '')
    env = {
      PATH: process.env['PATH'],
      HOME: home,
      XDG_RUNTIME_DIR: home,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_DATA_HOME: join(home, 'data'),
      CONTAINERS_REGISTRIES_CONF: join(home, 'registries.conf'),
      REGISTRY_AUTH_FILE: join(home, 'auth.json'),
    }
  })
  afterAll(async () => {
    if (home !== undefined) await rm(home, { recursive: true, force: true })
  })

  /** Runs `skopeo --insecure-policy …`; resolves with its exit code and output. */
  const run = (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      execFile(skopeo, ['--insecure-policy', ...args], { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') reject(error)
        else resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
      })
    })

  return {
    directory: () => mkdtemp(join(home, 'layout-')),
    run,
    /** Runs skopeo and returns its standard output; a failure throws with its standard error. */
    async ok(...args: string[]): Promise<string> {
      const result = await run(args)
      if (result.code !== 0) throw new Error(`skopeo ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
      return result.stdout
    },
  }
}

const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'

/** One blob of an image: its bytes and the descriptor a manifest names it with. */
export interface LayoutBlob {
  mediaType: string
  digest: string
  size: number
  bytes: Uint8Array
}

/** An OCI image as the test writes it: config, layers, and the manifest's exact bytes. */
export interface GeneratedImage {
  config: LayoutBlob
  layers: LayoutBlob[]
  manifest: string
  manifestDigest: string
}

function blob(mediaType: string, bytes: Uint8Array): LayoutBlob {
  return { mediaType, digest: sha256(bytes), size: bytes.byteLength, bytes }
}

/** `size` bytes that do not compress, the same for the same seed (xorshift32). */
function noise(size: number, seed: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(size / 4))
  let state = seed
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    words[i] = state >>> 0
  }
  return new Uint8Array(words.buffer, 0, size)
}

/** A gzip-framed layer of `size` incompressible bytes (stored, not deflated: quick to make). */
export function layerOf(size: number, seed: number): LayoutBlob {
  return blob(OCI_LAYER, gzipSync(noise(size, seed), { level: 0 }))
}

/** An OCI image manifest over a small config and the given layers. */
export function ociImage(layers: LayoutBlob[]): GeneratedImage {
  const diffIds = layers.map((layer) => layer.digest)
  const config = blob(
    'application/vnd.oci.image.config.v1+json',
    new TextEncoder().encode(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } })),
  )
  const descriptor = ({ mediaType, digest, size }: LayoutBlob) => ({ mediaType, digest, size })
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: descriptor(config),
    layers: layers.map(descriptor),
  })
  return { config, layers, manifest, manifestDigest: sha256(manifest) }
}

/** Writes `image` as an OCI image layout in `directory`, its manifest under the name `tag`. */
export async function writeOciLayout(directory: string, image: GeneratedImage, tag: string): Promise<void> {
  const blobs = join(directory, 'blobs', 'sha256')
  await mkdir(blobs, { recursive: true })
  for (const { digest, bytes } of [image.config, ...image.layers]) await writeFile(join(blobs, digest.slice('sha256:'.length)), bytes)
  await writeFile(join(blobs, image.manifestDigest.slice('sha256:'.length)), image.manifest)
  await writeFile(join(directory, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: image.manifestDigest,
        size: new TextEncoder().encode(image.manifest).byteLength,
        annotations: { 'org.opencontainers.image.ref.name': tag },
      },
    ],
  }
  await writeFile(join(directory, 'index.json'), JSON.stringify(index))
}

/** Every blob of an OCI image layout (manifests included), by digest. */
export async function readLayoutBlobs(directory: string): Promise<Map<string, Buffer>> {
  const blobs = join(directory, 'blobs', 'sha256')
  const found = new Map<string, Buffer>()
  for (const name of await readdir(blobs)) found.set(`sha256:${name}`, await readFile(join(blobs, name)))
  return found
}
