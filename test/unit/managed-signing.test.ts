import { describe, expect, it } from 'vitest'
import { createEcr, type StoredRecord } from '../../src/index.js'

const START = Date.parse('2030-05-01T12:00:00Z')
const PROFILE = 'arn:aws:signer:us-east-1:123456789012:/signing-profiles/release'
const v1 = { repositoryName: 'app', imageId: { imageTag: 'v1' } }

function engine(signingDurationMs?: number) {
  const clock = { now: START }
  const ecr = createEcr({ now: () => clock.now, ...(signingDurationMs !== undefined && { signingDurationMs }) })
  return { ecr, clock }
}

const signing = (records: readonly StoredRecord[]) => records.filter((record) => record.kind === 'image-signing')

describe('managed signing on the engine clock', () => {
  it('with the default duration, completes at the push time, applied by the next call or catchUp', async () => {
    const { ecr, clock } = engine()
    await ecr.call('PutSigningConfiguration', { signingConfiguration: { rules: [{ signingProfileArn: PROFILE }] } })
    const changes: StoredRecord[][] = []
    ecr.on('change', ({ records }) => changes.push([...records]))
    await ecr.seed.image('app', { tag: 'v1' })
    const pushed = signing(ecr.snapshot())
    expect(pushed).toHaveLength(1)
    expect(pushed[0]!.value).toEqual({ signatures: [{ signingProfileArn: PROFILE, status: 'IN_PROGRESS', startedAt: START, completesAt: START }] })

    clock.now += 5_000
    changes.length = 0
    await ecr.catchUp()
    // The effect ran at the moment it fell due, and was announced with what it wrote.
    const written = changes.flat()
    expect(signing(written).map((record) => record.value)).toEqual([
      { signatures: [{ signingProfileArn: PROFILE, status: 'COMPLETE', startedAt: START, completesAt: START }] },
    ])
    const signature = written.find((record) => record.kind === 'image' && (record.value as { subjectDigest?: string }).subjectDigest !== undefined)
    expect(signature?.value).toMatchObject({ pushedAt: START, artifactMediaType: 'application/vnd.cncf.notary.signature' })
    expect(written.filter((record) => record.kind === 'content')).toHaveLength(2)

    const status = await ecr.call('DescribeImageSigningStatus', v1)
    expect(status.signingStatuses).toEqual([{ signingProfileArn: PROFILE, status: 'COMPLETE' }])
  })

  it('stays IN_PROGRESS for signingDurationMs, then completes', async () => {
    const { ecr, clock } = engine(30_000)
    await ecr.call('PutSigningConfiguration', { signingConfiguration: { rules: [{ signingProfileArn: PROFILE }] } })
    await ecr.seed.image('app', { tag: 'v1' })
    clock.now += 29_999
    expect((await ecr.call('DescribeImageSigningStatus', v1)).signingStatuses).toEqual([{ signingProfileArn: PROFILE, status: 'IN_PROGRESS' }])
    clock.now += 1
    expect((await ecr.call('DescribeImageSigningStatus', v1)).signingStatuses).toEqual([{ signingProfileArn: PROFILE, status: 'COMPLETE' }])
  })

  it('signs the same content twice into distinct signatures, and stores their shared config once', async () => {
    const { ecr } = engine()
    await ecr.call('PutSigningConfiguration', { signingConfiguration: { rules: [{ signingProfileArn: PROFILE }] } })
    await ecr.seed.image('app', { tag: 'v1' })
    await ecr.seed.image('app', { tag: 'v2' })
    await ecr.catchUp()
    const images = (await ecr.call('DescribeImages', { repositoryName: 'app' })).imageDetails!
    const signatures = images.filter((image) => image.artifactMediaType === 'application/vnd.cncf.notary.signature')
    expect(signatures).toHaveLength(2)
    expect(new Set(signatures.map((image) => image.imageDigest)).size).toBe(2)
    const emptyConfig = ecr.snapshot().filter((record) => record.kind === 'content' && record.id === 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a')
    expect(emptyConfig).toHaveLength(1)
  })
})
