import {
  BatchGetImageCommand,
  DeregisterPullTimeUpdateExclusionCommand,
  DescribeImagesCommand,
  ExclusionAlreadyExistsException,
  ExclusionNotFoundException,
  InvalidParameterException,
  LimitExceededException,
  ListPullTimeUpdateExclusionsCommand,
  RegisterPullTimeUpdateExclusionCommand,
} from '@aws-sdk/client-ecr'
import { beforeEach, describe, expect, it } from 'vitest'
import { rejection } from '../fixtures.js'
import { useFakeEcr } from './harness.js'

const START = Date.parse('2030-06-01T08:00:00Z')
let clock = START
const { ecr, client } = useFakeEcr({ now: () => clock })

const SCANNER = 'arn:aws:iam::123456789012:role/scanner-role'
const CI = 'arn:aws:iam::123456789012:role/ci/pipeline'
const roles = (count: number) => Array.from({ length: count }, (_, index) => `arn:aws:iam::123456789012:role/role-${index}`)

const register = (principalArn: string, config = {}) => client(config).send(new RegisterPullTimeUpdateExclusionCommand({ principalArn }))

/** Every exclusion, page by page. */
async function listAll(maxResults?: number): Promise<{ exclusions: string[]; pages: number }> {
  const exclusions: string[] = []
  let nextToken: string | undefined
  let pages = 0
  do {
    const page = await client().send(new ListPullTimeUpdateExclusionsCommand({ maxResults, nextToken }))
    exclusions.push(...page.pullTimeUpdateExclusions!)
    nextToken = page.nextToken
    pages++
  } while (nextToken !== undefined)
  return { exclusions, pages }
}

beforeEach(() => {
  clock = START
})

describe('pull-time update exclusions', () => {
  it('registers a principal, lists it and deregisters it', async () => {
    expect(await register(SCANNER)).toMatchObject({ principalArn: SCANNER, createdAt: new Date(START) })
    clock += 1000
    expect(await register(CI)).toMatchObject({ principalArn: CI, createdAt: new Date(START + 1000) })
    expect((await listAll()).exclusions).toEqual([SCANNER, CI])

    const deregistered = await client().send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: SCANNER }))
    expect(deregistered).toMatchObject({ principalArn: SCANNER })
    expect((await listAll()).exclusions).toEqual([CI])
    // A registry of another region has its own list.
    expect((await client({ region: 'us-west-2' }).send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions).toEqual([])
  })

  it('refuses a principal registered twice, or deregistered when it is not, and changes nothing', async () => {
    await register(SCANNER)
    const before = ecr.snapshot()
    const twice = await rejection(register(SCANNER))
    expect(twice).toBeInstanceOf(ExclusionAlreadyExistsException)
    expect(twice.message).toBe(`The pull time update exclusion for principal '${SCANNER}' already exists in the registry with id '123456789012'`)
    const missing = await rejection(client().send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: CI })))
    expect(missing).toBeInstanceOf(ExclusionNotFoundException)
    expect(missing.message).toBe(`The pull time update exclusion for principal '${CI}' does not exist in the registry with id '123456789012'`)
    expect(ecr.snapshot()).toEqual(before)
  })

  it('refuses what is no IAM user or role ARN', async () => {
    for (const principalArn of ['arn:aws:iam::123456789012:root', 'arn:aws:sts::123456789012:assumed-role/scanner/session', '123456789012']) {
      const error = await rejection(register(principalArn))
      expect(error).toBeInstanceOf(InvalidParameterException)
      expect(error.message).toMatch(/^Invalid parameter at 'principalArn' failed to satisfy constraint: 'Member must satisfy regular expression pattern/)
    }
    await register('arn:aws:iam::123456789012:user/alice')
    await register('arn:aws-us-gov:iam::123456789012:role/path/to/role')
  })

  it('holds at most 100 exclusions a registry', async () => {
    for (const role of roles(100)) await ecr.call('RegisterPullTimeUpdateExclusion', { principalArn: role }, { region: 'eu-west-1' })
    const error = await rejection(register(SCANNER))
    expect(error).toBeInstanceOf(LimitExceededException)
    expect(error.message).toBe("The registry with id '123456789012' already has the maximum allowed number of pull time update exclusions which is '100'")
    await client().send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: roles(1)[0]! }))
    await register(SCANNER)
  })

  it('lists in pages of 100 by default, or of maxResults, in the order registered', async () => {
    const all = roles(100)
    for (const role of all) await ecr.call('RegisterPullTimeUpdateExclusion', { principalArn: role }, { region: 'eu-west-1' })
    const first = await client().send(new ListPullTimeUpdateExclusionsCommand({}))
    expect(first.pullTimeUpdateExclusions).toEqual(all)
    expect(first.nextToken).toBeUndefined()
    expect(await listAll(30)).toEqual({ exclusions: all, pages: 4 })

    // A cursor, not an offset: exclusions deregistered between pages are simply not listed.
    const page = await client().send(new ListPullTimeUpdateExclusionsCommand({ maxResults: 10 }))
    await client().send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: all[10]! }))
    const next = await client().send(new ListPullTimeUpdateExclusionsCommand({ maxResults: 10, nextToken: page.nextToken }))
    expect(next.pullTimeUpdateExclusions).toEqual(all.slice(11, 21))

    const forged = await rejection(client().send(new ListPullTimeUpdateExclusionsCommand({ nextToken: `${page.nextToken}x` })))
    expect(forged.message).toBe("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'")
  })

  it('without signature checks, excludes no caller: every pull records its time', async () => {
    const image = await ecr.seed.image('app', { tag: 'v1', context: { region: 'eu-west-1' } })
    await register(SCANNER)
    clock += 60_000
    await client().send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }))
    const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageDigest: image.imageDigest }] }))
    expect(imageDetails![0]!.lastRecordedPullTime).toEqual(new Date(START + 60_000))
  })
})
