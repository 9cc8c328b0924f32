import { describe, expect, it } from 'vitest'
import { handleApiRequest } from '../../handlers/index.js'
import { createEcr } from '../../src/index.js'

// Tests of the wire itself (shared/reference/ECR-API.md §1): raw requests into the handler.
const ecr = createEcr()
const TARGET = 'AmazonEC2ContainerRegistry_V20150921'

function post(body: string, { target, host = 'api.ecr.eu-west-1.amazonaws.com', authorization }: { target?: string; host?: string; authorization?: string } = {}) {
  const headers = new Headers({ 'content-type': 'application/x-amz-json-1.1' })
  if (target !== undefined) headers.set('X-Amz-Target', target)
  if (authorization !== undefined) headers.set('authorization', authorization)
  return new Request(`https://${host}/`, { method: 'POST', headers, body })
}

describe('AWS JSON 1.1 wire format', () => {
  it('answers success with the JSON content type, a request id and epoch-second timestamps', async () => {
    const response = (await handleApiRequest(ecr, post('{"repositoryName":"app"}', { target: `${TARGET}.CreateRepository` })))!
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1')
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    const body = await response.json()
    expect(typeof body.repository.createdAt).toBe('number')
    expect(body.repository.createdAt).toBeCloseTo(Date.now() / 1000, -1)
    await ecr.reset()
  })

  it('answers errors with status 400 and {__type, message}', async () => {
    const response = (await handleApiRequest(ecr, post('{"repositoryNames":["missing"]}', { target: `${TARGET}.DescribeRepositories` })))!
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      __type: 'RepositoryNotFoundException',
      message: "The repository with name 'missing' does not exist in the registry with id '123456789012'",
    })
  })

  it('refuses malformed JSON with SerializationException and unknown operations with UnknownOperationException', async () => {
    const malformed = (await handleApiRequest(ecr, post('{"repositoryName":', { target: `${TARGET}.CreateRepository` })))!
    expect(malformed.status).toBe(400)
    expect((await malformed.json()).__type).toBe('com.amazon.coral.service#SerializationException')

    const unknown = (await handleApiRequest(ecr, post('{}', { target: `${TARGET}.StealImages` })))!
    expect(unknown.status).toBe(400)
    expect((await unknown.json()).__type).toBe('com.amazon.coral.service#UnknownOperationException')

    const noTarget = (await handleApiRequest(ecr, post('{}')))!
    expect(noTarget.status).toBe(400)
    expect((await noTarget.json()).__type).toBe('com.amazon.coral.service#UnknownOperationException')
  })

  it('takes requests for other services on other hosts as not its own', async () => {
    expect(await handleApiRequest(ecr, post('{}', { host: 'dynamodb.us-east-1.amazonaws.com', target: 'DynamoDB_20120810.ListTables' }))).toBeUndefined()
    expect(await handleApiRequest(ecr, new Request('https://api.ecr.us-east-1.amazonaws.com/', { method: 'GET' }))).toBeUndefined()
  })

  it('on a custom endpoint, takes the region from the SigV4 credential scope', async () => {
    const authorization =
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/ap-southeast-2/ecr/aws4_request, SignedHeaders=host, Signature=abc'
    const response = (await handleApiRequest(
      ecr,
      post('{"repositoryName":"app"}', { host: 'localhost:4566', target: `${TARGET}.CreateRepository`, authorization }),
    ))!
    const body = await response.json()
    expect(body.repository.repositoryArn).toBe('arn:aws:ecr:ap-southeast-2:123456789012:repository/app')
    await ecr.reset()
  })
})
