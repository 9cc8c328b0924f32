import { afterEach, describe, expect, it } from 'vitest'
import { createEcr } from '../../src/index.js'
import { randomId } from '../../src/random-id.js'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

// A page served over plain http from another address than localhost is not a secure context:
// its `crypto` has getRandomValues but no randomUUID.
describe('random ids outside secure contexts', () => {
  afterEach(() => {
    delete (globalThis.crypto as { randomUUID?: unknown }).randomUUID
  })

  it('are version 4 UUIDs, distinct, with randomUUID or without it', () => {
    expect(randomId()).toMatch(UUID_V4)
    Object.defineProperty(globalThis.crypto, 'randomUUID', { value: undefined, configurable: true })
    const ids = Array.from({ length: 1000 }, randomId)
    for (const id of ids) expect(id).toMatch(UUID_V4)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('let an engine start uploads', async () => {
    Object.defineProperty(globalThis.crypto, 'randomUUID', { value: undefined, configurable: true })
    const ecr = createEcr()
    await ecr.call('CreateRepository', { repositoryName: 'app' })
    const { uploadId } = await ecr.call('InitiateLayerUpload', { repositoryName: 'app' })
    expect(uploadId).toMatch(UUID_V4)
  })
})
