import { describe, expect, it } from 'vitest'
import { bytesOf, digestOf, imageManifest, OCI_MANIFEST, pushImage, uploadBlob, useRegistry } from './harness.js'

const { v2, ecr } = useRegistry()

describe('tags, referrers and blob reads through the registry API', () => {
  it('lists tags in lexical order, a page of n after last, with a Link to the next page', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const { manifest } = await pushImage(v2, 'web', 'c')
    for (const tag of ['a', 'e', 'b', 'd']) await v2(`/v2/web/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'content-type': OCI_MANIFEST } })

    const all = await v2('/v2/web/tags/list')
    expect(await all.json()).toEqual({ name: 'web', tags: ['a', 'b', 'c', 'd', 'e'] })
    expect(all.headers.get('link')).toBeNull()

    const first = await v2('/v2/web/tags/list?n=2')
    expect(await first.json()).toEqual({ name: 'web', tags: ['a', 'b'] })
    expect(first.headers.get('link')).toBe('</v2/web/tags/list?n=2&last=b>; rel="next"')
    const next = await v2('/v2/web/tags/list?n=2&last=b')
    expect(await next.json()).toEqual({ name: 'web', tags: ['c', 'd'] })
    const last = await v2('/v2/web/tags/list?n=2&last=d')
    expect(await last.json()).toEqual({ name: 'web', tags: ['e'] })
    expect(last.headers.get('link')).toBeNull()
  })

  it('refuses a page larger than ECR’s 1,000 with its ListImages words', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const response = await v2('/v2/web/tags/list?n=1001')
    expect(response.status).toBe(405)
    expect(await response.json()).toEqual({
      errors: [{ code: 'UNSUPPORTED', message: "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'" }],
    })
  })

  it('lists the referrers of a manifest as an OCI index, filtered by artifactType on request', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const subject = await pushImage(v2, 'web', 'v1')
    const config = bytesOf(2, 2)
    await uploadBlob(v2, 'web', config)
    const signature = imageManifest(config, [], {
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: new TextEncoder().encode(subject.manifest).byteLength },
      annotations: { 'org.example': 'yes' },
    })
    const put = await v2(`/v2/web/manifests/${signature.digest}`, { method: 'PUT', body: signature.manifest, headers: { 'content-type': OCI_MANIFEST } })
    expect(put.status).toBe(201)
    expect(put.headers.get('oci-subject')).toBe(subject.digest)

    const response = await v2(`/v2/web/referrers/${subject.digest}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json')
    expect(await response.json()).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: signature.digest,
          size: new TextEncoder().encode(signature.manifest).byteLength,
          artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          annotations: { 'org.example': 'yes' },
        },
      ],
    })
    const filtered = await v2(`/v2/web/referrers/${subject.digest}?artifactType=application/spdx+json`)
    expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType')
    expect(((await filtered.json()) as { manifests: unknown[] }).manifests).toEqual([])
    // A subject nobody refers to has an empty list, not an error.
    expect(((await (await v2(`/v2/web/referrers/sha256:${'c'.repeat(64)}`)).json()) as { manifests: unknown[] }).manifests).toEqual([])
  })

  it('redirects a blob GET to a presigned download URL (307) that serves byte ranges', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const { layer } = await pushImage(v2, 'web', 'v1')
    const redirect = await v2(`/v2/web/blobs/${digestOf(layer)}`, { redirect: 'manual' })
    expect(redirect.status).toBe(307)
    expect(redirect.headers.get('location')).toMatch(/^https:\/\/prod-eu-west-1-starport-layer-bucket\.s3\.eu-west-1\.amazonaws\.com\/layers\/.+X-Amz-Signature=/)
    const range = await v2(`/v2/web/blobs/${digestOf(layer)}`, { headers: { range: 'bytes=10-19' } })
    expect(range.status).toBe(206)
    expect(range.headers.get('content-range')).toBe(`bytes 10-19/${layer.byteLength}`)
    expect(new Uint8Array(await range.arrayBuffer())).toEqual(layer.subarray(10, 20))
  })

  it('answers BLOB_UNKNOWN for a blob the repository lacks and DIGEST_INVALID for a malformed digest', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const unknown = await v2(`/v2/web/blobs/sha256:${'d'.repeat(64)}`, { method: 'GET' })
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('BLOB_UNKNOWN')
    const head = await v2(`/v2/web/blobs/sha256:${'d'.repeat(64)}`, { method: 'HEAD' })
    expect(head.status).toBe(404)
    const invalid = await v2('/v2/web/blobs/sha256:xyz')
    expect(invalid.status).toBe(400)
    expect(((await invalid.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('DIGEST_INVALID')
  })

  it('answers UNSUPPORTED for a method or path the registry API does not serve', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    for (const [path, method] of [['/v2/web/blobs/sha256:' + 'e'.repeat(64), 'DELETE'], ['/v2/web/nothing', 'GET']] as const) {
      const response = await v2(path, { method })
      expect(response.status).toBe(405)
      expect(await response.json()).toEqual({ errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] })
    }
  })
})
