import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  ListImageReferrersCommand,
  PutAccountSettingCommand,
  PutRegistryPolicyCommand,
  RegisterPullTimeUpdateExclusionCommand,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { ecrHandlers } from '../../handlers/index.js'
import { rejection } from '../fixtures.js'
import { ALICE, BOB, client, REGION, useSignedRegistry } from './signed-registry.js'

// Signed callers whose keys name their IAM principal: pull-time update exclusions, and the
// registry policy scope (an account setting) in cross-account checks.

const SCANNER = `arn:aws:iam::${ALICE}:role/scanner`
const alice = { accessKeyId: 'AKIAALICEEXAMPLE0001', secretAccessKey: 'alice/secret/key', accountId: ALICE, principalArn: `arn:aws:iam::${ALICE}:user/alice` }
const scanner = { accessKeyId: 'AKIASCANNEREXAMPLE01', secretAccessKey: 'scanner/secret/key', accountId: ALICE, principalArn: SCANNER }
const bob = { accessKeyId: 'AKIABOBEXAMPLE000002', secretAccessKey: 'bob/secret/key', accountId: BOB }

let clock = Date.parse('2030-07-01T09:00:00Z')
const { ecr, seeded } = useSignedRegistry([alice, scanner, bob], { now: () => clock })

const pull = (key: typeof alice | typeof scanner | typeof bob) =>
  client(key).send(new BatchGetImageCommand({ registryId: ALICE, repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }))
const lastPull = async () =>
  (await client(alice).send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }))).imageDetails![0]!.lastRecordedPullTime

describe('pull-time update exclusions', () => {
  it('leaves lastRecordedPullTime alone when an excluded principal pulls, and records everyone else’s pulls', async () => {
    await client(alice).send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: SCANNER }))
    const pushedAt = clock
    clock += 60_000
    await pull(scanner)
    expect(await lastPull()).toBeUndefined()

    clock += 60_000
    await pull(alice)
    expect(await lastPull()).toEqual(new Date(pushedAt + 120_000))

    clock += 60_000
    await pull(scanner)
    expect(await lastPull()).toEqual(new Date(pushedAt + 120_000))
  })

  it('consults the exclusions of the registry pulled from, for callers of any account', async () => {
    await client(alice).send(
      new PutRegistryPolicyCommand({
        policyText: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: BOB }, Action: 'ecr:BatchGetImage', Resource: '*' }] }),
      }),
    )
    // Bob's key names no principal: he is never excluded.
    clock += 60_000
    await pull(bob)
    expect(await lastPull()).toEqual(new Date(clock))
  })

  it('refuses credentials whose principal is no IAM user or role of the key’s account', () => {
    const key = { accessKeyId: 'AKIAOTHEREXAMPLE0003', secretAccessKey: 'other' }
    expect(() => ecrHandlers(ecr, { credentials: [{ ...key, accountId: ALICE, principalArn: `arn:aws:iam::${BOB}:role/scanner` }] })).toThrow(
      `fake-ecr: the principalArn of access key 'AKIAOTHEREXAMPLE0003' must be an IAM user or role ARN in account ${ALICE}, got 'arn:aws:iam::${BOB}:role/scanner'.`,
    )
    expect(() => ecrHandlers(ecr, { credentials: [{ ...key, principalArn: `arn:aws:iam::${ecr.accountId}:root` }] })).toThrow(TypeError)
  })
})

describe('the registry policy scope in cross-account checks', () => {
  const grantBob = (...actions: string[]) =>
    client(alice).send(
      new PutRegistryPolicyCommand({
        policyText: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: BOB }, Action: actions, Resource: '*' }] }),
      }),
    )

  it('under V2, the default, lets the registry policy grant a pull', async () => {
    await grantBob('ecr:BatchGetImage')
    await expect(pull(bob)).resolves.toMatchObject({ failures: [] })
  })

  it('under V1, consults the registry policy for the registry actions only', async () => {
    await grantBob('ecr:*')
    await client(alice).send(new PutAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE', value: 'V1' }))
    const refused = await rejection(pull(bob))
    expect(refused.name).toBe('AccessDeniedException')
    expect(refused.message).toBe(
      `User: arn:aws:iam::${BOB}:root is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:${REGION}:${ALICE}:repository/app because no resource-based policy allows the ecr:BatchGetImage action`,
    )
    // Repository creation stays a registry action, which the registry policy governs under V1 too.
    await expect(ecr.call('CreateRepository', { registryId: ALICE, repositoryName: 'bobs' }, { accountId: BOB, region: REGION, caller: bob })).resolves.toMatchObject({
      repository: { repositoryName: 'bobs', registryId: ALICE },
    })
  })

  it('authorizes ListImageReferrers as ecr:BatchGetImage, as its documentation says', async () => {
    const listReferrers = () =>
      client(bob).send(new ListImageReferrersCommand({ registryId: ALICE, repositoryName: 'app', subjectId: { imageDigest: seeded().imageDigest } }))
    const refused = await rejection(listReferrers())
    expect(refused.message).toContain('is not authorized to perform: ecr:BatchGetImage on resource')
    await grantBob('ecr:BatchGetImage')
    await expect(listReferrers()).resolves.toMatchObject({ referrers: [] })
  })
})
