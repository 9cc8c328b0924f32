import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createEcrServer } from '../../handlers/node/index.js'
import { DOCKER_MANIFEST } from '../fixtures.js'
import { findAwsCli, useAwsCliAgainstServer } from './aws-cli-harness.js'
import { findSkopeo, layerOf, ociImage, readLayoutBlobs, useSkopeo, writeOciLayout } from './skopeo-harness.js'

/**
 * skopeo (containers/image, the registry client of podman and buildah) and the AWS CLI v2 on the
 * same images, against the standalone server: what a user does first with a registry. skopeo
 * reaches the server at the repositoryUri CreateRepository returns, logged in with
 * `aws ecr get-login-password`, over plain HTTP (`--tls-verify=false`).
 */

const REGION = 'eu-central-1'

const aws = await findAwsCli({ v2: true, purpose: 'the skopeo tests' })
const skopeo = await findSkopeo('the skopeo tests')

describe.skipIf(aws === undefined || skopeo === undefined)('skopeo and the AWS CLI against the standalone server', () => {
  const cli = useAwsCliAgainstServer(aws!, { region: REGION })
  const tools = useSkopeo(skopeo!)

  async function json(...args: string[]): Promise<any> {
    const result = await cli.run(args)
    if (result.code !== 0) throw new Error(`aws ecr ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
    return JSON.parse(result.stdout)
  }

  /** A repository and the login skopeo uses for it: `--creds`-style `AWS:<password>`. */
  async function repositoryWithLogin(name: string): Promise<{ uri: string; creds: string }> {
    const { repository } = await json('create-repository', '--repository-name', name)
    const password = await cli.run(['get-login-password'])
    expect(password.code).toBe(0)
    return { uri: repository.repositoryUri, creds: `AWS:${password.stdout.trim()}` }
  }

  it('copies an OCI layout to the server and back byte for byte; inspect, list-tags and describe-images agree', async () => {
    const { uri, creds } = await repositoryWithLogin('team/web')
    expect(uri).toBe(`${new URL(cli.server().url).host}/team/web`)
    // A layer of a few MiB arrives as a streamed PATCH of many chunks.
    const image = ociImage([layerOf(1000, 1), layerOf(6 * 1024 * 1024 + 123, 2)])
    const source = await tools.directory()
    await writeOciLayout(source, image, 'v1')

    await tools.ok('copy', '--dest-creds', creds, '--dest-tls-verify=false', `oci:${source}:v1`, `docker://${uri}:v1`)
    // A second tag for the same manifest: skopeo finds every blob present and puts the manifest only.
    await tools.ok('copy', '--dest-creds', creds, '--dest-tls-verify=false', `oci:${source}:v1`, `docker://${uri}:v2`)

    const copy = await tools.directory()
    await tools.ok('copy', '--src-creds', creds, '--src-tls-verify=false', `docker://${uri}:v1`, `oci:${copy}:v1`)
    const pushed = await readLayoutBlobs(source)
    const pulled = await readLayoutBlobs(copy)
    expect([...pulled.keys()].sort()).toEqual([...pushed.keys()].sort())
    for (const [digest, bytes] of pushed) expect(pulled.get(digest)!.equals(bytes), digest).toBe(true)

    const raw = await tools.ok('inspect', '--raw', '--creds', creds, '--tls-verify=false', `docker://${uri}:v1`)
    expect(raw).toBe(image.manifest)
    const inspected = JSON.parse(await tools.ok('inspect', '--creds', creds, '--tls-verify=false', `docker://${uri}:v1`))
    expect(inspected).toMatchObject({
      Name: uri,
      Digest: image.manifestDigest,
      Architecture: 'amd64',
      Os: 'linux',
      Layers: image.layers.map((layer) => layer.digest),
    })
    expect([...inspected.RepoTags].sort()).toEqual(['v1', 'v2'])
    const tags = JSON.parse(await tools.ok('list-tags', '--creds', creds, '--tls-verify=false', `docker://${uri}`))
    expect(tags.Repository).toBe(uri)
    expect([...tags.Tags].sort()).toEqual(['v1', 'v2'])

    const { imageDetails } = await json('describe-images', '--repository-name', 'team/web')
    expect(imageDetails).toHaveLength(1)
    expect(imageDetails[0]).toMatchObject({
      imageDigest: image.manifestDigest,
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactMediaType: 'application/vnd.oci.image.config.v1+json',
      // Config plus layers, as ECR counts (decisions/image-size.md).
      imageSizeInBytes: image.config.size + image.layers.reduce((total, layer) => total + layer.size, 0),
    })
    expect([...imageDetails[0].imageTags].sort()).toEqual(['v1', 'v2'])
  })

  it('pulls with skopeo an image put with PutImage', async () => {
    const { uri, creds } = await repositoryWithLogin('api')
    const context = { region: REGION }
    const layers = [layerOf(2048, 3)]
    const image = ociImage(layers)
    const seed = cli.server().ecr.seed
    for (const { bytes } of [image.config, ...layers]) await seed.blob('api', bytes, context)
    // A Docker v2 manifest over the same blobs, put with the AWS CLI.
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: image.config.digest, size: image.config.size },
      layers: layers.map(({ digest, size }) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest, size })),
    })
    const put = await json('put-image', '--repository-name', 'api', '--image-tag', 'stable', '--image-manifest', manifest)

    const copy = await tools.directory()
    // Docker v2 into an OCI layout would need converting; a `dir:` copy keeps the manifest as is.
    await tools.ok('copy', '--src-creds', creds, '--src-tls-verify=false', `docker://${uri}:stable`, `dir:${copy}`)
    expect(await readFile(join(copy, 'manifest.json'), 'utf8')).toBe(manifest)
    for (const { digest, bytes } of [image.config, ...layers]) {
      expect((await readFile(join(copy, digest.slice('sha256:'.length)))).equals(bytes), digest).toBe(true)
    }
    const inspected = JSON.parse(await tools.ok('inspect', '--creds', creds, '--tls-verify=false', `docker://${uri}:stable`))
    expect(inspected.Digest).toBe(put.image.imageId.imageDigest)
    expect(inspected.Layers).toEqual(layers.map((layer) => layer.digest))
    const byDigest = `docker://${uri}@${put.image.imageId.imageDigest}`
    expect(await tools.ok('inspect', '--raw', '--creds', creds, '--tls-verify=false', byDigest)).toBe(manifest)
  })

  it('mounts a layer from another repository when the registry allows blob mounting', async () => {
    // Debian's AWS CLI 2.9 predates PutAccountSetting.
    await cli.server().ecr.dispatch('PutAccountSetting', { name: 'BLOB_MOUNTING', value: 'ENABLED' }, { region: REGION })
    const first = await repositoryWithLogin('base')
    const second = await repositoryWithLogin('derived')
    const image = ociImage([layerOf(300_000, 7)])
    const source = await tools.directory()
    await writeOciLayout(source, image, 'v1')
    await tools.ok('copy', '--dest-creds', first.creds, '--dest-tls-verify=false', `oci:${source}:v1`, `docker://${first.uri}:v1`)

    // skopeo remembers where it pushed the layer and asks for a mount from there (its --debug log says how it went).
    const copied = await tools.run(['--debug', 'copy', '--dest-creds', second.creds, '--dest-tls-verify=false', `oci:${source}:v1`, `docker://${second.uri}:v1`])
    expect(copied.code, copied.stderr).toBe(0)
    const layer = image.layers[0]!.digest
    const host = new URL(cli.server().url).host
    expect(copied.stderr).toContain(`POST http://${host}/v2/derived/blobs/uploads/?from=base&mount=${encodeURIComponent(layer)}`)
    expect(copied.stderr).toContain('mount OK')
    const pulled = await tools.directory()
    await tools.ok('copy', '--src-creds', second.creds, '--src-tls-verify=false', `docker://${second.uri}:v1`, `oci:${pulled}:v1`)
    expect((await readLayoutBlobs(pulled)).get(layer)?.equals(image.layers[0]!.bytes)).toBe(true)
  })

  it('deletes with skopeo what describe-images then no longer lists', async () => {
    const { uri, creds } = await repositoryWithLogin('jobs')
    const image = ociImage([layerOf(512, 4)])
    const source = await tools.directory()
    await writeOciLayout(source, image, 'nightly')
    await tools.ok('copy', '--dest-creds', creds, '--dest-tls-verify=false', `oci:${source}:nightly`, `docker://${uri}:nightly`)
    expect((await json('describe-images', '--repository-name', 'jobs')).imageDetails).toHaveLength(1)

    await tools.ok('delete', '--creds', creds, '--tls-verify=false', `docker://${uri}:nightly`)
    expect((await json('describe-images', '--repository-name', 'jobs')).imageDetails).toEqual([])
  })

  it('is refused with a wrong password, and pushes to a missing repository fail with its name', async () => {
    const { uri } = await repositoryWithLogin('private')
    const refused = await tools.run(['list-tags', '--creds', 'AWS:not-a-token', '--tls-verify=false', `docker://${uri}`])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/unauthorized|authentication required/i)

    const { creds } = await repositoryWithLogin('present')
    const image = ociImage([layerOf(256, 5)])
    const source = await tools.directory()
    await writeOciLayout(source, image, 'v1')
    const missing = `${new URL(cli.server().url).host}/absent`
    const push = await tools.run(['copy', '--dest-creds', creds, '--dest-tls-verify=false', `oci:${source}:v1`, `docker://${missing}:v1`])
    expect(push.code).not.toBe(0)
    expect(push.stderr).toMatch(/name unknown|NAME_UNKNOWN|repository .*absent.* does not exist/i)
  })
})

describe.skipIf(skopeo === undefined)('skopeo against a server that keeps its state in a directory', () => {
  const tools = useSkopeo(skopeo!)

  it('pulls after a restart, with the login of before, what it pushed before', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fake-ecr-skopeo-data-'))
    try {
      const context = { region: REGION }
      const first = await createEcrServer({ port: 0, dataDir })
      await first.ecr.dispatch('CreateRepository', { repositoryName: 'kept' }, context)
      const token = (await first.ecr.dispatch('GetAuthorizationToken', {}, context)) as {
        authorizationData: Array<{ authorizationToken: string }>
      }
      const creds = atob(token.authorizationData[0]!.authorizationToken)
      const uri = `${new URL(first.url).host}/kept`
      const image = ociImage([layerOf(100_000, 6)])
      const source = await tools.directory()
      await writeOciLayout(source, image, 'v1')
      await tools.ok('copy', '--dest-creds', creds, '--dest-tls-verify=false', `oci:${source}:v1`, `docker://${uri}:v1`)
      await first.close()

      const second = await createEcrServer({ port: first.port, dataDir })
      try {
        const copy = await tools.directory()
        await tools.ok('copy', '--src-creds', creds, '--src-tls-verify=false', `docker://${uri}:v1`, `oci:${copy}:v1`)
        const pulled = await readLayoutBlobs(copy)
        for (const [digest, bytes] of await readLayoutBlobs(source)) expect(pulled.get(digest)?.equals(bytes), digest).toBe(true)
      } finally {
        await second.close()
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
