import {
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
  GetLifecyclePolicyCommand,
  InitiateLayerUploadCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  StartImageScanCommand,
  TagResourceCommand,
  UploadLayerPartCommand,
  type ECRServiceException,
} from '@aws-sdk/client-ecr'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ecrHandlers } from '../../handlers/index.js'
import { attachEcr } from '../../handlers/sdk/index.js'
import { createEcr } from '../../src/index.js'
import { credentials } from '../sdk/harness.js'
import { OCI_MANIFEST, sha256 } from '../fixtures.js'

// The same calls through MSW (the wire: AWS JSON parsed by the SDK) and through attachEcr, each
// from an empty engine with the same clock, ids and signing key: every answer and every error
// must be the same.

let next = 0
const ecr = createEcr({
  now: () => Date.UTC(2026, 0, 15, 12, 0, 0, 250),
  generateId: () => `00000000-0000-4000-8000-${(next++).toString(16).padStart(12, '0')}`,
})
/** Empties the engine and restarts its ids (its signing key, for URLs and tokens, stays). */
async function restart() {
  next = 0
  await ecr.reset()
}
const server = setupServer(...ecrHandlers(ecr))
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

const wireClient = new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1 })
const attachedClient = new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1 })
attachEcr(attachedClient, ecr)

const layer = new TextEncoder().encode('a layer of bytes')
const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}')
const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.byteLength },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.byteLength }],
})
const policy = JSON.stringify({
  rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } }],
})

/** Commands in order, each made afresh for each client (an upload id comes from the call before). */
const calls: ((uploadId: string) => { send(client: ECRClient): Promise<unknown> })[] = [
  () => command(new CreateRepositoryCommand({ repositoryName: 'team/app', tags: [{ Key: 'team', Value: 'a' }] })),
  () => command(new CreateRepositoryCommand({ repositoryName: 'team/app' })),
  () => command(new CreateRepositoryCommand({ repositoryName: 'Upper' })),
  () => command(new InitiateLayerUploadCommand({ repositoryName: 'team/app' })),
  (uploadId) => command(new UploadLayerPartCommand({ repositoryName: 'team/app', uploadId, partFirstByte: 0, partLastByte: layer.byteLength - 1, layerPartBlob: layer })),
  (uploadId) => command(new CompleteLayerUploadCommand({ repositoryName: 'team/app', uploadId, layerDigests: [sha256(layer)] })),
  () => command(new InitiateLayerUploadCommand({ repositoryName: 'team/app' })),
  (uploadId) => command(new UploadLayerPartCommand({ repositoryName: 'team/app', uploadId, partFirstByte: 0, partLastByte: config.byteLength - 1, layerPartBlob: config })),
  (uploadId) => command(new CompleteLayerUploadCommand({ repositoryName: 'team/app', uploadId, layerDigests: [sha256(config)] })),
  () => command(new PutImageCommand({ repositoryName: 'team/app', imageManifest: manifest, imageTag: 'v1' })),
  () => command(new PutImageCommand({ repositoryName: 'team/app', imageManifest: '{}', imageTag: 'v2' })),
  () => command(new DescribeImagesCommand({ repositoryName: 'team/app' })),
  () => command(new ListImagesCommand({ repositoryName: 'team/app', maxResults: 1 })),
  () => command(new BatchGetImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }, { imageTag: 'missing' }] })),
  () => command(new GetDownloadUrlForLayerCommand({ repositoryName: 'team/app', layerDigest: sha256(layer) })),
  () => command(new StartImageScanCommand({ repositoryName: 'team/app', imageId: { imageTag: 'v1' } })),
  () => command(new DescribeImageScanFindingsCommand({ repositoryName: 'team/app', imageId: { imageTag: 'v1' } })),
  () => command(new PutLifecyclePolicyCommand({ repositoryName: 'team/app', lifecyclePolicyText: policy })),
  () => command(new GetLifecyclePolicyCommand({ repositoryName: 'team/app' })),
  () => command(new TagResourceCommand({ resourceArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/team/app', tags: [{ Key: 'b', Value: '2' }] })),
  () => command(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/team/app' })),
  () => command(new DescribeRepositoriesCommand({})),
  () => command(new DescribeRepositoriesCommand({ repositoryNames: ['missing'] })),
  () => command(new DeleteRepositoryCommand({ repositoryName: 'team/app' })),
  () => command(new DeleteRepositoryCommand({ repositoryName: 'team/app', force: true })),
]

/** A command as something to send: the SDK's `send` is typed per command class. */
function command(made: object) {
  return { send: (client: ECRClient) => client.send(made as DescribeRepositoriesCommand) }
}

/** A call's outcome with the request id (random per answer) and the response (wire only) left out. */
async function outcome(promise: Promise<unknown>) {
  try {
    const { $metadata, ...output } = (await promise) as { $metadata: { requestId?: string } }
    expect($metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
    return { output, $metadata: { ...$metadata, requestId: 'random' } }
  } catch (caught) {
    const error = caught as ECRServiceException
    expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
    return {
      error: { ...error, $metadata: { ...error.$metadata, requestId: 'random' } },
      constructor: error.constructor,
      message: error.message,
      response: typeof error.$response,
    }
  }
}

describe('attachEcr answers as the SDK reads the same answer off the wire', () => {
  it('for a sequence of calls, successes and errors alike', async () => {
    const run = async (client: ECRClient) => {
      const outcomes = []
      let uploadId = ''
      for (const call of calls) {
        const result = await outcome(call(uploadId).send(client))
        uploadId = (result.output as { uploadId?: string } | undefined)?.uploadId ?? uploadId
        outcomes.push(result)
      }
      return { outcomes, state: ecr.snapshot() }
    }
    await restart()
    const wire = await run(wireClient)
    await restart()
    const attached = await run(attachedClient)
    for (const [index, expected] of wire.outcomes.entries()) expect(attached.outcomes[index], `call ${index}`).toStrictEqual(expected)
    expect(attached.state).toStrictEqual(wire.state)
    // The sequence covers both kinds of answer, or the comparison proves little.
    expect(wire.outcomes.filter((result) => 'error' in result)).toHaveLength(5)
  })
})
