import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEcr, EcrError } from '../../src/index.js'

afterEach(() => vi.useRealTimers())

describe('faults for loading and error states', () => {
  it('holds a call in its loading state for the latency, then answers it', async () => {
    vi.useFakeTimers()
    const ecr = createEcr()
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    ecr.faults.add({ operations: ['DescribeRepositories'], latencyMs: 1000 })
    let settled = false
    const pending = ecr.call('DescribeRepositories', {}).finally(() => (settled = true))
    await vi.advanceTimersByTimeAsync(999)
    expect(settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect((await pending).repositories?.map((repository) => repository.repositoryName)).toEqual(['web'])
  })

  it('fails after the latency with the chosen error, and affects only the operations named', async () => {
    vi.useFakeTimers()
    const ecr = createEcr()
    ecr.faults.add({ operations: ['CreateRepository'], error: { code: 'ServiceUnavailableException' }, latencyMs: 500 })
    const failing = ecr.call('CreateRepository', { repositoryName: 'web' })
    const outcome = failing.catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(500)
    expect(await outcome).toMatchObject({ code: 'ServiceUnavailableException', status: 503, message: 'Service Unavailable' })
    expect(await ecr.call('DescribeRepositories', {})).toEqual({ repositories: [] })
  })

  it('never changes state, whatever the call would have done, and affects calls by probability from `random`', async () => {
    const draws = [0.9, 0.1, 0.9, 0.1]
    const ecr = createEcr({ random: () => draws.shift() ?? 1 })
    const image = await ecr.seed.image('web', { tag: 'v1' })
    const before = ecr.snapshot()
    const fault = ecr.faults.add({ error: { code: 'ThrottlingException' }, probability: 0.5 })
    // 0.9 ≥ 0.5: the call runs; 0.1 < 0.5: it is throttled.
    await ecr.call('PutImage', { repositoryName: 'web', imageManifest: image.imageManifest, imageTag: 'v2' })
    const changed = ecr.snapshot()
    expect(changed).not.toEqual(before)
    await expect(ecr.call('BatchDeleteImage', { repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] })).rejects.toThrow(EcrError)
    expect(ecr.snapshot()).toEqual(changed)
    await ecr.call('DescribeImages', { repositoryName: 'web' })
    await expect(ecr.call('DeleteRepository', { repositoryName: 'web', force: true })).rejects.toMatchObject({ code: 'ThrottlingException' })
    expect(ecr.snapshot()).toEqual(changed)
    expect(fault.affected).toBe(2)
  })

  it('expires after `times` affected calls and can be removed early', async () => {
    const ecr = createEcr()
    const fault = ecr.faults.add({ error: { code: 'ThrottlingException' }, times: 1 })
    await expect(ecr.call('DescribeRepositories', {})).rejects.toMatchObject({ code: 'ThrottlingException' })
    await ecr.call('DescribeRepositories', {})
    expect(fault.affected).toBe(1)
    const outage = ecr.faults.add({ error: { code: 'ServerException' } })
    await expect(ecr.call('DescribeRepositories', {})).rejects.toMatchObject({ code: 'ServerException', status: 500 })
    outage.remove()
    await ecr.call('DescribeRepositories', {})
  })
})
