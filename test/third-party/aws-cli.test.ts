import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DOCKER_MANIFEST, sha256 } from '../fixtures.js'
import { findAwsCli, useAwsCliAgainstServer } from './aws-cli-harness.js'

const REGION = 'eu-west-1'
const ACCOUNT = '123456789012'

const aws = await findAwsCli({ purpose: 'the AWS CLI tests' })

describe.skipIf(aws === undefined)('the real AWS CLI against the standalone server', () => {
  const cli = useAwsCliAgainstServer(aws!, { region: REGION })
  const run = (...args: string[]) => cli.run(args)

  async function json(...args: string[]): Promise<any> {
    const result = await run(...args)
    if (result.code !== 0) throw new Error(`aws ecr ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
    return JSON.parse(result.stdout)
  }

  it('creates and describes repositories, following nextToken across pages', async () => {
    const created = await json('create-repository', '--repository-name', 'team/web', '--image-tag-mutability', 'IMMUTABLE')
    expect(created.repository).toMatchObject({
      repositoryName: 'team/web',
      repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/web`,
      // The server's own address, which docker and skopeo reach (decisions/registry-addresses.md).
      repositoryUri: `${new URL(cli.server().url).host}/team/web`,
      imageTagMutability: 'IMMUTABLE',
    })
    await json('create-repository', '--repository-name', 'team/api')
    await json('create-repository', '--repository-name', 'team/db')
    const described = await json('describe-repositories', '--page-size', '1')
    expect(described.repositories.map((r: { repositoryName: string }) => r.repositoryName).sort()).toEqual([
      'team/api',
      'team/db',
      'team/web',
    ])
  })

  it('puts an image from a manifest file, lists it, and deletes it by tag', async () => {
    await json('create-repository', '--repository-name', 'app')
    const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}')
    const layer = new Uint8Array(4096).map((_, i) => i % 256)
    const context = { region: REGION }
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        digest: await cli.server().ecr.seed.blob('app', config, context),
        size: config.byteLength,
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          digest: await cli.server().ecr.seed.blob('app', layer, context),
          size: layer.byteLength,
        },
      ],
    })
    const manifestFile = join(await cli.directory(), 'manifest.json')
    await writeFile(manifestFile, manifest)

    const put = await json('put-image', '--repository-name', 'app', '--image-tag', 'v1', '--image-manifest', `file://${manifestFile}`)
    const digest = sha256(manifest)
    expect(put.image).toMatchObject({
      registryId: ACCOUNT,
      repositoryName: 'app',
      imageId: { imageDigest: digest, imageTag: 'v1' },
      imageManifest: manifest,
    })
    expect(await json('list-images', '--repository-name', 'app')).toEqual({
      imageIds: [{ imageDigest: digest, imageTag: 'v1' }],
    })

    const deleted = await json('batch-delete-image', '--repository-name', 'app', '--image-ids', 'imageTag=v1')
    expect(deleted).toEqual({ imageIds: [{ imageDigest: digest, imageTag: 'v1' }], failures: [] })
    expect(await json('list-images', '--repository-name', 'app')).toEqual({ imageIds: [] })
  })

  it('hands out an authorization token, and get-login-password prints its password', async () => {
    const { authorizationData } = await json('get-authorization-token')
    expect(authorizationData).toHaveLength(1)
    const [entry] = authorizationData
    expect(entry.proxyEndpoint).toBe(cli.server().url)
    expect(Date.parse(entry.expiresAt)).toBeGreaterThan(Date.now() + 11 * 3600_000)
    const [user, password] = atob(entry.authorizationToken).split(':')
    expect(user).toBe('AWS')
    expect(password).not.toBe('')

    // get-login-password prints the password alone, ready for `docker login --password-stdin`.
    const login = await run('get-login-password')
    expect(login.code).toBe(0)
    expect(login.stdout).toMatch(/^[^\s:]+\n$/)
  })

  it('exits 254 with the service error when a repository already exists', async () => {
    await json('create-repository', '--repository-name', 'twice')
    const again = await run('create-repository', '--repository-name', 'twice')
    expect(again.code).toBe(254)
    expect(again.stdout).toBe('')
    expect(again.stderr.trim()).toBe(
      `An error occurred (RepositoryAlreadyExistsException) when calling the CreateRepository operation: The repository with name 'twice' already exists in the registry with id '${ACCOUNT}'`,
    )
  })
})
