import {
  BatchDeleteImageCommand,
  InvalidParameterException,
  ListImageReferrersCommand,
  PutImageCommand,
  RepositoryNotFoundException,
  UpdateImageStorageClassCommand,
  type ImageReferrer,
  type ListImageReferrersCommandInput,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { OCI_MANIFEST, rejection, sha256, type Descriptor } from '../fixtures.js'
import { useFakeEcr } from './harness.js'

const { ecr, client } = useFakeEcr()

const context = { region: 'eu-west-1' }
const SBOM = 'application/spdx+json'
const COSIGN = 'application/vnd.dev.cosign.artifact.sig.v1+json'

/** Uploads `text` as a blob of the repository. */
async function blob(repositoryName: string, mediaType: string, text: string): Promise<Descriptor> {
  const bytes = new TextEncoder().encode(text)
  return { mediaType, digest: await ecr.seed.blob(repositoryName, bytes, context), size: bytes.byteLength }
}

/**
 * Pushes an OCI artifact whose subject is `subject` (or none): with an `artifactType` and the
 * empty config, or, without one, a config of `configType` (as cosign writes signatures).
 */
async function pushArtifact(
  repositoryName: string,
  subject: { imageDigest: string; imageManifest: string; imageManifestMediaType: string } | undefined,
  options: { artifactType?: string; configType?: string; content: string; annotations?: Record<string, string> },
): Promise<{ digest: string; manifest: string }> {
  const config = await blob(repositoryName, options.configType ?? 'application/vnd.oci.empty.v1+json', options.configType === undefined ? '{}' : '{"kind":"signature"}')
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    ...(options.artifactType !== undefined && { artifactType: options.artifactType }),
    config,
    layers: [await blob(repositoryName, 'application/octet-stream', options.content)],
    ...(subject !== undefined && {
      subject: { mediaType: subject.imageManifestMediaType, digest: subject.imageDigest, size: Buffer.byteLength(subject.imageManifest) },
    }),
    ...(options.annotations !== undefined && { annotations: options.annotations }),
  })
  await client().send(new PutImageCommand({ repositoryName, imageManifest: manifest }))
  return { digest: sha256(manifest), manifest }
}

const list = (repositoryName: string, imageDigest: string, input: Partial<ListImageReferrersCommandInput> = {}) =>
  client().send(new ListImageReferrersCommand({ repositoryName, subjectId: { imageDigest }, ...input }))

describe('ListImageReferrers', () => {
  it('lists the artifacts whose subject is the image, in push order, as ECR describes them', async () => {
    const image = await ecr.seed.image('app', { tag: 'v1', format: 'oci', context })
    const other = await ecr.seed.image('app', { tag: 'v2', context })
    const sbom = await pushArtifact('app', image, {
      artifactType: SBOM,
      content: '{"spdxVersion":"SPDX-2.3"}',
      annotations: { 'org.opencontainers.image.created': '2030-01-01T00:00:00Z', 'dev.example.tool': 'syft' },
    })
    await pushArtifact('app', other, { artifactType: SBOM, content: '{"spdxVersion":"SPDX-2.3","other":true}' })
    const signature = await pushArtifact('app', image, { configType: COSIGN, content: 'signature bytes' })

    const { referrers, nextToken } = await list('app', image.imageDigest)
    expect(nextToken).toBeUndefined()
    expect(referrers).toEqual<ImageReferrer[]>([
      {
        digest: sbom.digest,
        mediaType: OCI_MANIFEST,
        artifactType: SBOM,
        size: Buffer.byteLength(sbom.manifest),
        annotations: { 'org.opencontainers.image.created': '2030-01-01T00:00:00Z', 'dev.example.tool': 'syft' },
        artifactStatus: 'ACTIVE',
      },
      // Without an artifactType, the config's media type is the artifact's type (OCI referrers API).
      { digest: signature.digest, mediaType: OCI_MANIFEST, artifactType: COSIGN, size: Buffer.byteLength(signature.manifest), artifactStatus: 'ACTIVE' },
    ])
    // An image nothing refers to, and a digest no image has, have no referrers.
    expect((await list('app', sbom.digest)).referrers).toEqual([])
    expect((await list('app', `sha256:${'0'.repeat(64)}`)).referrers).toEqual([])
  })

  it('filters by artifact type and by status', async () => {
    const image = await ecr.seed.image('app', { tag: 'v1', context })
    const sbom = await pushArtifact('app', image, { artifactType: SBOM, content: 'sbom' })
    const signature = await pushArtifact('app', image, { configType: COSIGN, content: 'signature' })
    const digests = async (filter: ListImageReferrersCommandInput['filter']) =>
      (await list('app', image.imageDigest, { filter })).referrers!.map((referrer) => referrer.digest)

    expect(await digests({ artifactTypes: [SBOM] })).toEqual([sbom.digest])
    expect(await digests({ artifactTypes: [COSIGN, 'application/vnd.cncf.notary.signature'] })).toEqual([signature.digest])
    expect(await digests({ artifactTypes: [] })).toEqual([sbom.digest, signature.digest])
    expect(await digests({ artifactStatus: 'ANY' })).toEqual([sbom.digest, signature.digest])
    expect(await digests({ artifactStatus: 'ACTIVE', artifactTypes: [SBOM] })).toEqual([sbom.digest])
    expect(await digests({ artifactStatus: 'ARCHIVED' })).toEqual([])
    expect(await digests({ artifactStatus: 'ACTIVATING' })).toEqual([])
  })

  it('lists archived and restoring referrers only when the status filter asks, with their status', async () => {
    const image = await ecr.seed.image('app', { tag: 'v1', context })
    const sbom = await pushArtifact('app', image, { artifactType: SBOM, content: 'sbom' })
    const signature = await pushArtifact('app', image, { configType: COSIGN, content: 'signature' })
    const storageClass = (imageDigest: string, targetStorageClass: 'ARCHIVE' | 'STANDARD') =>
      client(context).send(new UpdateImageStorageClassCommand({ repositoryName: 'app', imageId: { imageDigest }, targetStorageClass }))
    const statuses = async (artifactStatus: ListImageReferrersCommandInput['filter'] = {}) =>
      (await list('app', image.imageDigest, { filter: artifactStatus })).referrers!.map((referrer) => [referrer.digest, referrer.artifactStatus])

    await storageClass(sbom.digest, 'ARCHIVE')
    expect(await statuses()).toEqual([[signature.digest, 'ACTIVE']])
    expect(await statuses({ artifactStatus: 'ARCHIVED' })).toEqual([[sbom.digest, 'ARCHIVED']])
    await storageClass(sbom.digest, 'STANDARD')
    expect(await statuses({ artifactStatus: 'ACTIVATING' })).toEqual([[sbom.digest, 'ACTIVATING']])
    expect(await statuses({ artifactStatus: 'ANY' })).toEqual([
      [sbom.digest, 'ACTIVATING'],
      [signature.digest, 'ACTIVE'],
    ])
  })

  it('pages 20 referrers at a time by default, up to 50 with maxResults', async () => {
    const image = await ecr.seed.image('app', { tag: 'v1', context })
    const pushed: string[] = []
    for (let index = 0; index < 25; index++) pushed.push((await pushArtifact('app', image, { artifactType: SBOM, content: `sbom ${index}` })).digest)

    const first = await list('app', image.imageDigest)
    expect(first.referrers!.map((referrer) => referrer.digest)).toEqual(pushed.slice(0, 20))
    const second = await list('app', image.imageDigest, { nextToken: first.nextToken })
    expect(second.referrers!.map((referrer) => referrer.digest)).toEqual(pushed.slice(20))
    expect(second.nextToken).toBeUndefined()

    const seen: string[] = []
    let nextToken: string | undefined
    do {
      const page = await list('app', image.imageDigest, { maxResults: 7, nextToken })
      expect(page.referrers!.length).toBeLessThanOrEqual(7)
      seen.push(...page.referrers!.map((referrer) => referrer.digest!))
      nextToken = page.nextToken
    } while (nextToken !== undefined)
    expect(seen).toEqual(pushed)
    expect((await list('app', image.imageDigest, { maxResults: 50 })).referrers).toHaveLength(25)

    // A token is bound to its listing: another filter cannot use it.
    const refused = await rejection(list('app', image.imageDigest, { nextToken: first.nextToken, filter: { artifactTypes: [SBOM] } }))
    expect(refused).toBeInstanceOf(InvalidParameterException)
    expect(refused.message).toBe("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'")
  })

  it('lists referrers pushed before their subject, and forgets deleted ones', async () => {
    await ecr.seed.repository('app', {}, context)
    const subject = { imageDigest: `sha256:${'a'.repeat(64)}`, imageManifest: '{}', imageManifestMediaType: OCI_MANIFEST }
    const early = await pushArtifact('app', subject, { artifactType: SBOM, content: 'early' })
    expect((await list('app', subject.imageDigest)).referrers!.map((referrer) => referrer.digest)).toEqual([early.digest])

    await client().send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: early.digest }] }))
    expect((await list('app', subject.imageDigest)).referrers).toEqual([])
  })

  it('refuses a repository that does not exist', async () => {
    const error = await rejection(list('missing', `sha256:${'0'.repeat(64)}`))
    expect(error).toBeInstanceOf(RepositoryNotFoundException)
    expect(error.message).toBe("The repository with name 'missing' does not exist in the registry with id '123456789012'")
  })
})
