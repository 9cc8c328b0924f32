import { describe, expect, it } from 'vitest'
import type { OperationName } from '../../src/glossary.js'
import { memoryKeyValueStore, memoryStorage } from '../../src/index.js'
import { inputSchemas } from '../../src/model/shapes.generated.js'
import type { Implementation } from '../../src/operations/operation.js'
import { operations } from '../../src/operations/table.js'
import { createSeeder } from '../../src/seed.js'
import { UpstreamCatalog } from '../../src/upstream-catalog.js'
import { validateInput } from '../../src/validation/validate-input.js'
import { testEngine } from './engine-fixture.js'

/**
 * A long run of repositories created, filled and deleted leaves nothing behind: no record, no
 * stored byte, and nothing in the engine's indexes (what falls due, blob references, a
 * registry's repositories and their order), so memory stays flat however long a suite runs.
 */
const ROUNDS = 20

describe('create, fill and delete repositories, again and again', () => {
  it('leaves no record, no stored bytes and no index entry behind', async () => {
    const store = memoryKeyValueStore()
    const storage = memoryStorage(store)
    const { engine } = testEngine(storage)
    const call = ((name: OperationName, input: unknown) =>
      engine.run(
        {},
        (ctx) => (operations[name] as Implementation<OperationName>)(validateInput(inputSchemas[name], input) as never, ctx),
        name,
      )) as Parameters<typeof createSeeder>[0]
    const seed = createSeeder(call, () => crypto.randomUUID(), new UpstreamCatalog())
    const names: string[] = []
    const digests = new Set<string>()
    const blobsOf = ({ imageManifest }: { imageManifest: string }) => {
      const { config, layers } = JSON.parse(imageManifest) as { config: { digest: string }; layers: Array<{ digest: string }> }
      for (const { digest } of [config, ...layers]) digests.add(digest)
    }

    for (let round = 0; round < ROUNDS; round++) {
      const repositoryName = `round-${round}`
      names.push(repositoryName)
      await call('CreateRepository', { repositoryName, imageScanningConfiguration: { scanOnPush: true } })
      // Something falls due in every repository: its lifecycle policy's daily evaluation, an
      // unused blob's collection, an upload left unfinished.
      await call('PutLifecyclePolicy', {
        repositoryName,
        lifecyclePolicyText: JSON.stringify({
          rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 100 }, action: { type: 'expire' } }],
        }),
      })
      for (let i = 0; i < 5; i++) blobsOf(await seed.image(repositoryName, { ...(i % 2 === 0 && { tag: `v${i}` }), layers: [64, 128] }))
      const { children = [] } = await seed.multiPlatformImage(repositoryName, { tag: 'multi' })
      children.forEach(blobsOf)
      digests.add(await seed.blob(repositoryName, new TextEncoder().encode(`unused in ${repositoryName}`)))
      const { uploadId } = await call('InitiateLayerUpload', { repositoryName })
      await call('UploadLayerPart', { repositoryName, uploadId: uploadId!, partFirstByte: 0, partLastByte: 3, layerPartBlob: new Uint8Array(4) })
      // Each index checked below holds something until the repository goes.
      expect(engine.state.indexes.timeline.size).toBeGreaterThan(0)
      expect(engine.state.content.size).toBeGreaterThan(0)
      expect([...store.entries.keys()].some((key) => key.startsWith('chunk/'))).toBe(true)
      await call('DeleteRepository', { repositoryName, force: true })
    }

    expect(engine.snapshot()).toEqual([])
    expect(await storage.read()).toEqual([])
    expect([...store.entries.keys()].filter((key) => key.startsWith('chunk/'))).toEqual([])
    const { state } = engine
    expect(state.content.size).toBe(0)
    expect(state.indexes.timeline.size).toBe(0)
    expect(state.indexes.blobReferences.released.size).toBe(0)
    expect(digests.size).toBeGreaterThan(ROUNDS * 5)
    expect([...digests].filter((digest) => state.indexes.blobReferences.count(digest) > 0)).toEqual([])
    const registry = state.find('111111111111', 'us-east-1')!
    expect(registry.repositories.size).toBe(0)
    expect(registry.repositoryOrder.size).toBe(0)
    for (const name of names) expect(() => registry.contentsOf(name)).toThrow(/has no contents/)
  })
})
