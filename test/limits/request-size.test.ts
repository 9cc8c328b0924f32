import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  InitiateLayerUploadCommand,
  UploadLayerPartCommand,
} from '@aws-sdk/client-ecr'
import { request as httpRequest } from 'node:http'
import { Readable } from 'node:stream'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rejection } from '../fixtures.js'
import { handleApiRequest, ecrHandlers, MAX_REQUEST_BYTES } from '../../handlers/index.js'
import { createEcrServer, type EcrServer } from '../../handlers/node/index.js'
import { createEcr } from '../../src/index.js'
import { credentials } from '../sdk/harness.js'

const MiB = 1024 * 1024
const TARGET = 'AmazonEC2ContainerRegistry_V20150921.'

/** A layer part one MiB over the model's 20 MiB: as base64 in JSON it is just over the 28 MiB cap. */
const oversizedPart = new Uint8Array(21 * MiB)

/** Uploads the oversized part through `client` and checks the 413, and that the upload did not change. */
async function expectOversizedPartRefused(client: ECRClient, ecr: ReturnType<typeof createEcr>) {
  await client.send(new CreateRepositoryCommand({ repositoryName: 'app' }))
  const { uploadId } = await client.send(new InitiateLayerUploadCommand({ repositoryName: 'app' }))
  const before = ecr.snapshot()
  const error = await rejection(
    client.send(
      new UploadLayerPartCommand({
        repositoryName: 'app',
        uploadId,
        partFirstByte: 0,
        partLastByte: oversizedPart.byteLength - 1,
        layerPartBlob: oversizedPart,
      }),
    ),
  )
  expect(error.name).toBe('RequestEntityTooLargeException')
  expect(error.$metadata.httpStatusCode).toBe(413)
  expect(error.message).toBe(`Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the UploadLayerPart operation`)
  expect(ecr.snapshot()).toEqual(before)
  // The client and the upload keep working.
  const { lastByteReceived } = await client.send(
    new UploadLayerPartCommand({ repositoryName: 'app', uploadId, partFirstByte: 0, partLastByte: 0, layerPartBlob: new Uint8Array(1) }),
  )
  expect(lastByteReceived).toBe(0)
}

describe('request body cap', () => {
  it('is 28 MiB: above the largest valid request, a 20 MiB layer part in base64', () => {
    expect(MAX_REQUEST_BYTES).toBe(28 * MiB)
    expect(Math.ceil((20 * MiB) / 3) * 4 + 1024).toBeLessThan(MAX_REQUEST_BYTES)
  })

  it('refuses a declared Content-Length over the cap without reading the body', async () => {
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(MiB))
      },
    })
    const response = await handleApiRequest(
      createEcr(),
      new Request('https://api.ecr.us-east-1.amazonaws.com/', {
        method: 'POST',
        headers: { 'x-amz-target': `${TARGET}UploadLayerPart`, 'content-type': 'application/x-amz-json-1.1', 'content-length': String(MAX_REQUEST_BYTES + 1) },
        body,
        duplex: 'half',
      } as RequestInit),
    )
    expect(response?.status).toBe(413)
    expect(await response?.json()).toMatchObject({ __type: 'RequestEntityTooLargeException' })
    // At most what the stream buffers ahead on its own: nothing was read.
    expect(pulled).toBeLessThanOrEqual(1)
  })

  it('stops reading an endless body without Content-Length once it passes the cap', async () => {
    let pulled = 0
    const chunk = new Uint8Array(MiB)
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(chunk)
      },
    })
    const response = await handleApiRequest(
      createEcr(),
      new Request('http://127.0.0.1:4566/', {
        method: 'POST',
        headers: { 'x-amz-target': `${TARGET}PutImage`, 'content-type': 'application/x-amz-json-1.1' },
        body: endless,
        duplex: 'half',
      } as RequestInit),
    )
    expect(response?.status).toBe(413)
    expect(pulled).toBeLessThan(MAX_REQUEST_BYTES / MiB + 3)
  })

  describe('through MSW', () => {
    const ecr = createEcr()
    const server = setupServer(...ecrHandlers(ecr))
    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
    afterAll(() => server.close())

    it('answers an oversized UploadLayerPart with 413 RequestEntityTooLargeException', async () => {
      await expectOversizedPartRefused(new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1 }), ecr)
    })
  })

  describe('over the standalone server', () => {
    const ecr = createEcr()
    let standalone: EcrServer
    beforeAll(async () => {
      standalone = await createEcrServer({ ecr, port: 0 })
    })
    afterAll(() => standalone.close())

    it('answers an oversized UploadLayerPart with 413 RequestEntityTooLargeException', async () => {
      const client = new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1, endpoint: standalone.url })
      await expectOversizedPartRefused(client, ecr)
    })

    it('answers an endless chunked body with 413 instead of waiting for its end, and keeps serving', async () => {
      const chunk = Buffer.alloc(MiB)
      const endless = new Readable({
        read() {
          this.push(chunk)
        },
      })
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const outgoing = httpRequest(
          `${standalone.url}/`,
          { method: 'POST', headers: { 'x-amz-target': `${TARGET}PutImage`, 'content-type': 'application/x-amz-json-1.1' } },
          (incoming) => {
            let text = ''
            incoming.setEncoding('utf8').on('data', (data: string) => (text += data))
            incoming.on('end', () => {
              resolve({ status: incoming.statusCode ?? 0, text })
              endless.destroy()
              outgoing.destroy()
            })
          },
        )
        outgoing.on('error', reject)
        endless.pipe(outgoing)
      })
      expect(status).toBe(413)
      expect(JSON.parse(text)).toMatchObject({ __type: 'RequestEntityTooLargeException' })
      const { repositories } = await new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1, endpoint: standalone.url }).send(
        new DescribeRepositoriesCommand({}),
      )
      expect(repositories).toBeDefined()
    })
  })
})
