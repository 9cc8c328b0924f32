import * as sdk from '@aws-sdk/client-ecr'
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { attachEcr } from '../../handlers/sdk/index.js'
import { outputReader, Unreadable } from '../../handlers/sdk/output-reader.js'
import { createEcr } from '../../src/index.js'
import { credentials } from '../sdk/harness.js'

type Schema = unknown[]
const operationSchema = (command: object) => (command as { schema: Schema }).schema
const describeRepositories = operationSchema(new DescribeRepositoriesCommand({}))
const deref = (ref: unknown) => (typeof ref === 'function' ? (ref as () => unknown)() : ref) as Schema
/** DescribeRepositoriesResponse with one more member, of schema `extra`. */
const withMember = (extra: unknown): Schema => {
  const response = deref(describeRepositories[5])
  return [...response.slice(0, 4), [...(response[4] as string[]), 'extra'], [...(response[5] as unknown[]), extra]]
}

describe('outputReader', () => {
  it('reads the output of every command @aws-sdk/client-ecr has, without the wire', () => {
    const commands = Object.entries(sdk).filter(([name]) => /^[A-Z]\w+Command$/.test(name))
    expect(commands.length).toBeGreaterThan(60)
    const uncovered = commands
      .filter(([, Command]) => outputReader(operationSchema(new (Command as new (input: object) => object)({}))[5]) === undefined)
      .map(([name]) => name)
    expect(uncovered).toEqual([])
  })

  it('keeps what the SDK keeps: members of the schema that are not null, timestamps as new Dates', () => {
    const read = outputReader(describeRepositories[5])!
    const createdAt = new Date(Date.UTC(2026, 0, 15, 12, 0, 0, 250))
    const output = {
      repositories: [{ repositoryName: 'web', createdAt, encryptionConfiguration: { encryptionType: 'AES256', future: 1 }, imageTagMutability: null }],
      nextToken: undefined,
      future: 'dropped',
    }
    const answer = read(output)
    expect(answer).toStrictEqual({ repositories: [{ repositoryName: 'web', createdAt, encryptionConfiguration: { encryptionType: 'AES256' } }] })
    expect((answer['repositories'] as { createdAt: Date }[])[0]!.createdAt).not.toBe(createdAt)
  })

  it('throws Unreadable for a value it does not know how the SDK reads', () => {
    const read = outputReader(describeRepositories[5])!
    expect(() => read({ repositories: [{ createdAt: 1768478400.25 }] })).toThrow(Unreadable)
    expect(() => read({ repositories: {} })).toThrow(Unreadable)
  })

  it.each([
    ['a blob', 21],
    ['a document', 15],
    ['a member with traits', [0, { mediaType: 'application/json' }]],
    ['a union', [4, 'com.amazonaws.ecr', 'Choice', 0, ['a'], [0]]],
    ['a map of timestamps', 128 | 4],
  ])('has no reader for a schema with %s', (_kind, extra) => {
    expect(outputReader(withMember(extra))).toBeUndefined()
  })

  it('leaves such an output to the client’s own protocol, which reads it as from the wire', async () => {
    const ecr = createEcr()
    await ecr.seed.repository('web', {}, { region: 'eu-west-1' })
    const client = new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1 })
    attachEcr(client, ecr)
    const { $metadata: _metadata, ...expected } = await client.send(new DescribeRepositoriesCommand({}))
    const uncovered = Object.assign(new DescribeRepositoriesCommand({}), {
      schema: [...describeRepositories.slice(0, 5), withMember(21)],
    })
    const { $metadata, ...answer } = await client.send(uncovered)
    expect(answer).toStrictEqual(expected)
    expect($metadata).toMatchObject({ httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 })
  })
})
