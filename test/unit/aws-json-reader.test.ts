import { describe, expect, it } from 'vitest'
import { readJsonInput } from '../../handlers/aws-json-reader.js'
import { wireInputs } from '../../src/model/wire-shapes.generated.js'

const read = (text: string, operation: keyof typeof wireInputs = 'DescribeImages') => readJsonInput(text, wireInputs[operation])

/** The code and message a read fails with. */
function failure(text: string, operation?: keyof typeof wireInputs): { code: string; message: string } {
  try {
    read(text, operation)
  } catch (error) {
    const { code, message } = error as { code: string; message: string }
    return { code, message }
  }
  throw new Error(`read ${text.slice(0, 40)} without an error`)
}

describe('readJsonInput', () => {
  it('reads what JSON.parse reads for a well-formed input', () => {
    const text = JSON.stringify({
      repositoryName: 'app/web',
      imageIds: [{ imageTag: 'v1' }, { imageDigest: `sha256:${'a'.repeat(64)}` }],
      filter: { tagStatus: 'TAGGED' },
      maxResults: 10,
      nextToken: 'é\u2028"\\/\n',
    })
    expect(read(text)).toEqual(JSON.parse(text))
  })

  it('reads escapes wherever they are in a string', () => {
    // Python's json (boto3) writes every non-ASCII character as \uXXXX.
    const text = '{"repositoryName":"a\\nb","nextToken":"caf\\u00e9 \\/ x"}'
    expect(read(text)).toEqual({ repositoryName: 'a\nb', nextToken: 'café / x' })
  })

  it('leaves out nulls and unknown members, however they nest, and keeps __proto__ an ordinary key', () => {
    const input = read(
      '{"repositoryName":"app","registryId":null,"imageIds":[null,{"imageTag":"v1","imageDigest":null}],' +
        '"x":{"y":[1,{"z":[true,false,null,"\\"]"]}]},"__proto__":{"polluted":true}}',
    )
    expect(input).toEqual({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] })
    expect(Object.getPrototypeOf(input)).toBe(null)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('answers a body that is not an object as Coral does', () => {
    for (const text of ['null', '"app"', '7', 'true']) {
      expect(failure(text)).toEqual({ code: 'SerializationException', message: 'Start of structure or map expected' })
    }
    expect(failure('[]')).toEqual({ code: 'SerializationException', message: 'Start of list found where not expected' })
    for (const text of ['', '{', '{"repositoryName":"app"', '{"repositoryName":"app"}x', '{"a":tru}', '{"a":"\u0001"}', "{'a':1}", '{"a":1,}']) {
      expect(failure(text)).toEqual({ code: 'SerializationException', message: 'The request body is not valid JSON' })
    }
  })

  it('refuses a value of the wrong JSON type with the deserializer’s message, at the first one', () => {
    expect(failure('{"repositoryName":1,"maxResults":"x"}')).toEqual({
      code: 'SerializationException',
      message: 'NUMBER_VALUE can not be converted to a String',
    })
    expect(failure('{"maxResults":"10"}').message).toBe('STRING_VALUE can not be converted to an Integer')
    expect(failure('{"imageIds":{}}').message).toBe('Start of structure or map found where not expected.')
    expect(failure('{"imageIds":"v1"}').message).toBe('Expected list or null')
    expect(failure('{"filter":"TAGGED"}').message).toBe('Expected null')
  })

  it('refuses a list once it passes its maximum, before reading its other items', () => {
    // 101 valid names and then something that is not JSON at all: the length error comes first.
    const text = `{"repositoryNames":[${'"a",'.repeat(101)}garbage`
    expect(failure(text, 'DescribeRepositories')).toEqual({
      code: 'InvalidParameterException',
      message: expect.stringContaining("'repositoryNames'"),
    })
    // Nulls are not items: 100 names among many nulls are fine.
    expect(read(`{"repositoryNames":[${'null,'.repeat(1000)}${'"a",'.repeat(99)}"a"]}`, 'DescribeRepositories').repositoryNames).toHaveLength(100)
  })

  it('refuses values nested more than 32 deep, known or unknown, without recursing on them', () => {
    const deep = (levels: number) => `{"x":${'['.repeat(levels)}${']'.repeat(levels)}}`
    expect(read(deep(31))).toEqual({})
    expect(failure(deep(33)).message).toBe('The request nests values too deeply')
    expect(failure(deep(1_000_000)).message).toBe('The request nests values too deeply')
  })

  it('decodes a blob member from base64; text that is not base64 is left for validation, control characters are not JSON', () => {
    const part = (text: string) => read(`{"layerPartBlob":"${text}"}`, 'UploadLayerPart').layerPartBlob
    expect(part('AQID')).toEqual(new Uint8Array([1, 2, 3]))
    expect(part('')).toEqual(new Uint8Array())
    expect(part('//8=')).toEqual(new Uint8Array([255, 255]))
    // Text with escapes (a writer may escape '/') is read as a string, which validation decodes.
    expect(part('\\/w==')).toBe('/w==')
    expect(part('not base64!')).toBe('not base64!')
    expect(part('AQ-_')).toBe('AQ-_')
    for (const control of ['\u0001', '\n', '\t']) {
      expect(failure(`{"layerPartBlob":"AQ${control}D"}`, 'UploadLayerPart').message).toBe('The request body is not valid JSON')
    }
  })

  it('reads an operation the model does not have as an object with no known members', () => {
    expect(readJsonInput('{"a":1}', undefined)).toEqual({})
  })
})
