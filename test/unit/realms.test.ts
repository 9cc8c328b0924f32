import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { awsJsonText } from '../../handlers/aws-json.js'
import { createEcr } from '../../src/index.js'

// Jest runs test files in a VM context: their Dates and Uint8Arrays are not the engine's.
describe('values from another realm', () => {
  it('takes bytes made in another realm as a blob', async () => {
    const ecr = createEcr()
    await ecr.seed.repository('web')
    const { uploadId } = await ecr.call('InitiateLayerUpload', { repositoryName: 'web' })
    const part = runInNewContext('new Uint8Array([1, 2, 3])') as Uint8Array
    const { lastByteReceived } = await ecr.call('UploadLayerPart', { repositoryName: 'web', uploadId: uploadId!, partFirstByte: 0, partLastByte: 2, layerPartBlob: part })
    expect(lastByteReceived).toBe(2)
  })

  it('writes a Date made in another realm as epoch seconds', async () => {
    const createdAt = runInNewContext('new Date(1700000000000)') as Date
    expect(createdAt instanceof Date).toBe(false)
    expect(JSON.parse(awsJsonText({ createdAt }))).toEqual({ createdAt: 1700000000 })
  })
})
