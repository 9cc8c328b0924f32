import { describe, expect, it } from 'vitest'
import { bytesOf, pushImage, REGION, useRegistry } from './harness.js'

const { v2, ecr } = useRegistry({ limits: { layerBytes: 4096 } })

type Errors = { errors: Array<{ code: string; message: string }> }

describe('ECR’s rules apply to pushes through the registry API', () => {
  it('needs the repository: a push to a missing one is NAME_UNKNOWN from the first upload', async () => {
    const response = await v2('/v2/nowhere/blobs/uploads/', { method: 'POST' })
    expect(response.status).toBe(404)
    expect(((await response.json()) as Errors).errors[0]!.code).toBe('NAME_UNKNOWN')
  })

  it('scans on push where the repository says so', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web', imageScanningConfiguration: { scanOnPush: true } })
    const { digest } = await pushImage(v2, 'web', 'v1')
    const { imageScanStatus } = await ecr.call('DescribeImageScanFindings', { repositoryName: 'web', imageId: { imageDigest: digest } })
    expect(imageScanStatus?.status).toBe('COMPLETE')
  })

  it('replicates a pushed image where the registry’s replication rules say', async () => {
    await ecr.call('PutReplicationConfiguration', {
      replicationConfiguration: { rules: [{ destinations: [{ region: 'us-east-2', registryId: '123456789012' }] }] },
    })
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const { digest } = await pushImage(v2, 'web', 'v1')
    const replica = await ecr.call('DescribeImages', { repositoryName: 'web' }, { region: 'us-east-2' })
    expect(replica.imageDetails!.map((image) => image.imageDigest)).toEqual([digest])
  })

  it('refuses a layer over the layer size limit, in ECR’s words, as DENIED', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const started = await v2('/v2/web/blobs/uploads/', { method: 'POST' })
    const response = await v2(started.headers.get('location')!, { method: 'PATCH', body: bytesOf(5000) })
    expect(response.status).toBe(403)
    const { errors } = (await response.json()) as Errors
    expect(errors[0]!.code).toBe('DENIED')
    expect(errors[0]!.message).toMatch(/would exceed the maximum layer size of 4096 bytes/)
  })

  it('refuses a push with a token of another account that no policy allows', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    const { authorizationData } = await ecr.call('GetAuthorizationToken', {}, { accountId: '210987654321' })
    const response = await v2('/v2/web/blobs/uploads/', { method: 'POST', authorization: `Basic ${authorizationData![0]!.authorizationToken!}` })
    expect(response.status).toBe(403)
    expect(((await response.json()) as Errors).errors[0]!.message).toBe(
      `User: arn:aws:iam::210987654321:root is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:${REGION}:123456789012:repository/web because no resource-based policy allows the ecr:InitiateLayerUpload action`,
    )
  })
})

describe('faults injected into an ECR action act on its registry API steps too', () => {
  it('throttles manifest pulls (BatchGetImage) with TOOMANYREQUESTS, and nothing else', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'web' })
    await pushImage(v2, 'web', 'v1')
    const fault = ecr.faults.add({ operations: ['BatchGetImage'], error: { code: 'ThrottlingException' }, times: 1 })
    const throttled = await v2('/v2/web/manifests/v1')
    expect(throttled.status).toBe(429)
    expect(await throttled.json()).toEqual({ errors: [{ code: 'TOOMANYREQUESTS', message: 'Rate exceeded' }] })
    expect(fault.affected).toBe(1)
    expect((await v2('/v2/web/manifests/v1')).status).toBe(200)
  })
})
