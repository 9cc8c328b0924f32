import { describe, expect, it } from 'vitest'
import { bytesOf, digestOf, pushImage, useRegistry } from './harness.js'
import { REGISTRY_PART_BYTES } from '../../handlers/registry.js'

const { v2, ecr } = useRegistry()

async function start(name: string) {
  const response = await v2(`/v2/${name}/blobs/uploads/`, { method: 'POST' })
  expect(response.status).toBe(202)
  expect(response.headers.get('range')).toBe('0-0')
  expect(response.headers.get('docker-upload-uuid')).toMatch(/^[0-9a-f-]{36}$/)
  return response.headers.get('location')!
}

describe('blob uploads through the registry API', () => {
  it('uploads in chunks (PATCH with Content-Range), reports progress, and completes with PUT ?digest= and a final chunk', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const blob = bytesOf(3000)
    const location = await start('web')
    const first = await v2(location, { method: 'PATCH', body: blob.subarray(0, 1000), headers: { 'content-range': '0-999' } })
    expect(first.status).toBe(202)
    expect(first.headers.get('range')).toBe('0-999')
    const second = await v2(location, { method: 'PATCH', body: blob.subarray(1000, 2000), headers: { 'content-range': '1000-1999' } })
    expect(second.headers.get('range')).toBe('0-1999')

    const status = await v2(location)
    expect(status.status).toBe(204)
    expect(status.headers.get('range')).toBe('0-1999')

    const done = await v2(`${location}?digest=${digestOf(blob)}`, { method: 'PUT', body: blob.subarray(2000), headers: { 'content-range': '2000-2999' } })
    expect(done.status).toBe(201)
    expect(done.headers.get('docker-content-digest')).toBe(digestOf(blob))
    expect(done.headers.get('location')).toBe(`/v2/web/blobs/${digestOf(blob)}`)

    const head = await v2(`/v2/web/blobs/${digestOf(blob)}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('3000')
    expect(new Uint8Array(await (await v2(`/v2/web/blobs/${digestOf(blob)}`)).arrayBuffer())).toEqual(blob)
  })

  it('refuses a chunk out of order with 416 and the range received, changing nothing', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const location = await start('web')
    await v2(location, { method: 'PATCH', body: bytesOf(10), headers: { 'content-range': '0-9' } })
    const before = ecr.snapshot()
    const response = await v2(location, { method: 'PATCH', body: bytesOf(10), headers: { 'content-range': '20-29' } })
    expect(response.status).toBe(416)
    expect(response.headers.get('range')).toBe('0-9')
    expect(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('RANGE_INVALID')
    expect(ecr.snapshot()).toEqual(before)
  })

  it('uploads a monolithic blob with POST ?digest=', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const blob = bytesOf(500, 9)
    const response = await v2(`/v2/web/blobs/uploads/?digest=${digestOf(blob)}`, { method: 'POST', body: blob })
    expect(response.status).toBe(201)
    expect(response.headers.get('docker-content-digest')).toBe(digestOf(blob))
    expect((await v2(`/v2/web/blobs/${digestOf(blob)}`, { method: 'HEAD' })).status).toBe(200)
  })

  it('refuses a digest that does not match the bytes (DIGEST_INVALID) and leaves no monolithic upload behind', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const before = ecr.snapshot()
    const response = await v2(`/v2/web/blobs/uploads/?digest=${digestOf(bytesOf(5))}`, { method: 'POST', body: bytesOf(6) })
    expect(response.status).toBe(400)
    const { errors } = (await response.json()) as { errors: Array<{ code: string; message: string }> }
    expect(errors[0]).toEqual({ code: 'DIGEST_INVALID', message: `None of the provided layer digests match the calculated layer digest: ${digestOf(bytesOf(6))}` })
    expect(ecr.snapshot()).toEqual(before)
  })

  it('cancels an upload (DELETE), after which it is unknown', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const location = await start('web')
    await v2(location, { method: 'PATCH', body: bytesOf(10) })
    expect((await v2(location, { method: 'DELETE' })).status).toBe(204)
    const status = await v2(location)
    expect(status.status).toBe(404)
    expect(((await status.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('BLOB_UPLOAD_UNKNOWN')
  })

  it('streams a large body into parts of bounded size', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const size = 2 * REGISTRY_PART_BYTES + 12345
    const piece = bytesOf(64 * 1024)
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close()
        const next = piece.subarray(0, Math.min(piece.byteLength, size - sent))
        sent += next.byteLength
        controller.enqueue(next)
      },
    })
    const location = await start('web')
    const response = await v2(location, { method: 'PATCH', body, duplex: 'half' } as RequestInit)
    expect(response.status).toBe(202)
    expect(response.headers.get('range')).toBe(`0-${size - 1}`)
    const upload = ecr.snapshot().find((record) => record.kind === 'upload')!
    expect((upload.value as { partSizes: number[] }).partSizes).toEqual([REGISTRY_PART_BYTES, REGISTRY_PART_BYTES, 12345])
  })

  it('mounts a blob from another repository once blob mounting is enabled (201), else starts an upload (202)', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'base' })
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    const { layer } = await pushImage(v2, 'base', 'v1')
    const mount = `/v2/app/blobs/uploads/?mount=${digestOf(layer)}&from=base`
    const disabled = await v2(mount, { method: 'POST' })
    expect(disabled.status).toBe(202)
    await ecr.call('PutAccountSetting', { name: 'BLOB_MOUNTING', value: 'ENABLED' })
    const mounted = await v2(mount, { method: 'POST' })
    expect(mounted.status).toBe(201)
    expect(mounted.headers.get('location')).toBe(`/v2/app/blobs/${digestOf(layer)}`)
    expect(new Uint8Array(await (await v2(`/v2/app/blobs/${digestOf(layer)}`)).arrayBuffer())).toEqual(layer)
  })

  it('does not mount between repositories of different encryption, nor a blob no image of the source uses', async () => {
    await ecr.call('PutAccountSetting', { name: 'BLOB_MOUNTING', value: 'ENABLED' })
    await ecr.call('CreateRepository', { repositoryName: 'base' })
    await ecr.call('CreateRepository', { repositoryName: 'secret', encryptionConfiguration: { encryptionType: 'KMS' } })
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    const { layer } = await pushImage(v2, 'base', 'v1')
    expect((await v2(`/v2/secret/blobs/uploads/?mount=${digestOf(layer)}&from=base`, { method: 'POST' })).status).toBe(202)
    const loose = bytesOf(99, 4)
    await v2(`/v2/base/blobs/uploads/?digest=${digestOf(loose)}`, { method: 'POST', body: loose })
    expect((await v2(`/v2/app/blobs/uploads/?mount=${digestOf(loose)}&from=base`, { method: 'POST' })).status).toBe(202)
  })
})
