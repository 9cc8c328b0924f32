import { describe, expect, it } from 'vitest'
import { createEcr, EcrError } from '../../src/index.js'
import { awsJsonErrorBody } from '../../handlers/aws-json.js'

const ecr = createEcr()

/** Runs an operation with raw (possibly ill-typed) input and returns the error it fails with. */
async function failure(operation: string, input: unknown): Promise<EcrError> {
  const error = await ecr.call(operation as never, input as never).then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof EcrError)) throw new Error(`${operation} did not fail with an EcrError: ${String(error)}`)
  return error
}

const invalid = (member: string, constraint: string) =>
  `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`

describe('constraint violations are InvalidParameterException, worded as ECR words them', () => {
  it.each([
    ['CreateRepository', {}, invalid('repositoryName', 'must not be null')],
    ['CreateRepository', { repositoryName: 'a' }, invalid('repositoryName', 'must have length greater than or equal to 2')],
    ['CreateRepository', { repositoryName: 'x'.repeat(257) }, invalid('repositoryName', 'must have length less than or equal to 256')],
    ['PutImageTagMutability', { repositoryName: 'app' }, invalid('imageTagMutability', 'Member must not be null')],
    [
      'CreateRepository',
      { repositoryName: 'app', imageTagMutability: 'WRONG' },
      invalid('imageTagMutability', 'Member must satisfy enum value set: [IMMUTABLE, MUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION]'),
    ],
    ['BatchDeleteImage', { repositoryName: 'app', imageIds: [] }, invalid('imageIds', 'Member must have length greater than or equal to 1')],
    [
      'BatchGetImage',
      { repositoryName: 'app', imageIds: [{ imageTag: '' }] },
      invalid('imageIds.1.member.imageTag', 'Member must have length greater than or equal to 1'),
    ],
    [
      'DescribeRepositories',
      { registryId: '12345' },
      invalid('registryId', 'Member must satisfy regular expression pattern: [0-9]{12}'),
    ],
    [
      'BatchGetRepositoryScanningConfiguration',
      { repositoryNames: ['ok', 'Not_OK'] },
      invalid(
        'repositoryNames',
        'Member must satisfy constraint: [Member must satisfy regular expression pattern: [a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*]',
      ),
    ],
    ['ListImages', { repositoryName: 'app', maxResults: 0 }, invalid('maxResults', 'Member must have value greater than or equal to 1')],
    [
      'PutImageScanningConfiguration',
      { repositoryName: 'app', imageScanningConfiguration: {} , registryId: 'abc' },
      invalid('registryId', 'Member must satisfy regular expression pattern: [0-9]{12}'),
    ],
  ])('%s %j', async (operation, input, message) => {
    const error = await failure(operation, input)
    expect(error.code).toBe('InvalidParameterException')
    expect(error.status).toBe(400)
    expect(error.message).toBe(message)
  })

  it('counts string length in Unicode code points, as Smithy does', async () => {
    const emoji = '\u{1F433}'
    const fits = await ecr.call('CreateRepository', { repositoryName: 'app' })
    expect(fits.repository?.repositoryName).toBe('app')
    const ok = await ecr.call('BatchGetImage', { repositoryName: 'app', imageIds: [{ imageTag: emoji.repeat(300) }] })
    expect(ok.failures?.[0]?.failureCode).toBe('InvalidImageTag')
    const error = await failure('BatchGetImage', { repositoryName: 'app', imageIds: [{ imageTag: emoji.repeat(301) }] })
    expect(error.message).toBe(invalid('imageIds.1.member.imageTag', 'Member must have length less than or equal to 300'))
    await ecr.reset()
  })
})

describe('values of the wrong JSON type are SerializationException', () => {
  it.each([
    [{ repositoryName: 5 }, 'NUMBER_VALUE can not be converted to a String'],
    [{ repositoryName: true }, 'TRUE_VALUE can not be converted to a String'],
    [{ repositoryName: {} }, 'Start of structure or map found where not expected.'],
    [{ repositoryName: [] }, 'Start of list found where not expected'],
    [{ repositoryName: 'app', tags: 'x' }, 'Expected list or null'],
    [{ repositoryName: 'app', imageScanningConfiguration: 5 }, 'Expected null'],
    [{ repositoryName: 'app', imageScanningConfiguration: { scanOnPush: 'yes' } }, 'STRING_VALUE can not be converted to a Boolean'],
  ])('CreateRepository %j', async (input, message) => {
    const error = await failure('CreateRepository', input)
    expect(error.code).toBe('SerializationException')
    expect(error.message).toBe(message)
    expect(awsJsonErrorBody(error)).toEqual({ __type: 'com.amazon.coral.service#SerializationException', Message: message })
  })

  it('refuses deeply nested values without overflowing the stack', async () => {
    const deep = JSON.parse(`{"repositoryName":"app","extra":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)
    expect((await failure('CreateRepository', deep)).code).toBe('SerializationException')
  })

  it('refuses a body that is not an object and blob text that is not base64', async () => {
    expect((await failure('DescribeRepositories', [])).code).toBe('SerializationException')
    expect((await failure('DescribeRepositories', 'text')).code).toBe('SerializationException')
    const error = await failure('UploadLayerPart', {
      repositoryName: 'app',
      uploadId: '0f0f0f0f-0000-4000-8000-000000000000',
      partFirstByte: 0,
      partLastByte: 0,
      layerPartBlob: 'not base64!',
    })
    expect(error.code).toBe('SerializationException')
  })
})

describe('lenient where AWS is lenient', () => {
  it('ignores unknown members, treats null as absent and truncates fractions', async () => {
    const { repository } = await ecr.call('CreateRepository', {
      repositoryName: 'app',
      unknownMember: { deep: true },
      imageTagMutability: null,
    } as never)
    expect(repository?.imageTagMutability).toBe('MUTABLE')
    await ecr.call('CreateRepository', { repositoryName: 'second' })
    const page = await ecr.call('DescribeRepositories', { maxResults: 1.9 } as never)
    expect(page.repositories).toHaveLength(1)
    await ecr.reset()
  })

  it('keeps __proto__ and constructor ordinary: no prototype pollution, no crash', async () => {
    const input = JSON.parse('{"repositoryName":"constructor","__proto__":{"polluted":true},"tags":[{"Key":"__proto__","Value":"x"}]}')
    const { repository } = await ecr.call('CreateRepository', input)
    expect(repository?.repositoryName).toBe('constructor')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const { tags } = await ecr.call('ListTagsForResource', { resourceArn: repository!.repositoryArn! })
    expect(tags).toEqual([{ Key: '__proto__', Value: 'x' }])
    const error = await failure('CreateRepository', { repositoryName: '__proto__' })
    expect(error.code).toBe('InvalidParameterException')
    await expect(ecr.call('DescribeRepositories', { repositoryNames: ['tostring'] })).rejects.toMatchObject({
      code: 'RepositoryNotFoundException',
    })
    await ecr.reset()
  })
})

describe('operations', () => {
  it.each(['DoesNotExist', 'constructor', '__proto__', 'toString'])(
    'operation %s is UnknownOperationException',
    async (operation) => {
      const error = await failure(operation, {})
      expect(error.code).toBe('UnknownOperationException')
      expect(error.status).toBe(400)
    },
  )

  it('a failed call changes nothing', async () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
    const error = await failure('CreateRepository', { repositoryName: 'app', tags })
    expect(error.code).toBe('TooManyTagsException')
    const { repositories } = await ecr.call('DescribeRepositories', {})
    expect(repositories).toEqual([])
  })
})
