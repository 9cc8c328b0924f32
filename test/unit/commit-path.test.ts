import { describe, expect, it } from 'vitest'
import { resolveEnhancedScanning } from '../../src/domain/enhanced-scans.js'
import { createRepository } from '../../src/domain/repositories.js'
import { Engine } from '../../src/engine.js'
import { defaultEnhancedScanFindings } from '../../src/enhanced-scan-findings.js'
import { createEmitter } from '../../src/events.js'
import { createEcr, EcrError, memoryStorage, type StoredRecord } from '../../src/index.js'
import { resolveLimits } from '../../src/limits.js'
import { defaultScanFindings } from '../../src/scan-findings.js'

/** An engine as createEcr builds it, to drive the commit path with work of the test's own. */
function engine(storage = memoryStorage()) {
  const emitter = createEmitter()
  const changes: Array<readonly StoredRecord[]> = []
  emitter.on('change', ({ records }) => changes.push(records))
  const instance = new Engine({
    accountId: '111111111111',
    region: 'us-east-1',
    now: () => Date.UTC(2025, 0, 15, 12),
    newId: () => crypto.randomUUID(),
    settings: {
      verifyReferences: true,
      scanDurationMs: 0,
      scanFindings: defaultScanFindings,
      enhancedScanFindings: defaultEnhancedScanFindings,
      enhancedScanning: resolveEnhancedScanning(),
      limits: resolveLimits(),
    },
    storage,
    emitter,
    reportStorageError: (error) => {
      throw error
    },
    beforeWrite: undefined,
  })
  return { engine: instance, changes, storage }
}

const settings = (name: string) => ({
  name,
  imageTagMutability: 'MUTABLE' as const,
  scanOnPush: false,
  encryption: { encryptionType: 'AES256' as const },
  tags: [],
})

describe('the commit path', () => {
  it('acts in other accounts and regions inside one transaction: all of it commits, or none of it', async () => {
    const { engine: ecr, changes, storage } = engine()
    await ecr.loaded
    const work = (fail: boolean) =>
      ecr.run(
        {},
        (ctx) => {
          createRepository(ctx, settings('source'))
          createRepository(ctx.at({ region: 'eu-west-1' }), settings('copy'))
          createRepository(ctx.at({ accountId: '222222222222', region: 'ap-south-1' }), settings('copy'))
          if (fail) throw new EcrError('ServerException', 'replication failed')
        },
        'replicate',
      )
    await expect(work(true)).rejects.toThrow('replication failed')
    expect(ecr.snapshot()).toEqual([])
    expect(ecr.state.find('111111111111', 'eu-west-1')).toBeUndefined()
    await work(false)
    expect(changes).toHaveLength(1)
    expect(changes[0]!.map((record) => `${record.scope.join('/')} ${record.id}`).sort()).toEqual([
      '111111111111/eu-west-1 copy',
      '111111111111/us-east-1 source',
      '222222222222/ap-south-1 copy',
    ])
    const reloaded = createEcr({ storage })
    await reloaded.ready
    expect(reloaded.snapshot()).toEqual(ecr.snapshot())
  })

  it('a read creates no registry, even for an account and region never seen', async () => {
    const ecr = createEcr()
    expect(await ecr.call('DescribeRepositories', {}, { accountId: '333333333333', region: 'sa-east-1' })).toEqual({ repositories: [] })
    await expect(ecr.call('GetRegistryPolicy', {}, { region: 'sa-east-1' })).rejects.toMatchObject({ code: 'RegistryPolicyNotFoundException' })
    expect(ecr.snapshot()).toEqual([])
  })

  it('gives operations the verified caller', async () => {
    const { engine: ecr } = engine()
    const caller = { accessKeyId: 'AKIDBOB', accountId: '222222222222' }
    const seen = await ecr.run({ accountId: caller.accountId, caller }, (ctx) => [ctx.caller, ctx.accountId], 'whoami')
    expect(seen).toEqual([caller, '222222222222'])
    expect(await ecr.run({}, (ctx) => ctx.caller, 'anonymous')).toBeUndefined()
  })

  it('refuses a write to a registry it did not open, as a bug rather than a lost change', async () => {
    const { engine: ecr } = engine()
    const attempt = ecr.run({}, (ctx) => ctx.registry().tables['registry-policy'].set(ctx.tx, 'default', { text: '{}' }), 'bug')
    await expect(attempt).rejects.toMatchObject({ code: 'ServerException', message: expect.stringContaining('did not open for writing') })
  })
})
