import {
  GetAccountSettingCommand,
  GetRegistryPolicyCommand,
  InvalidParameterException,
  PutAccountSettingCommand,
  PutRegistryPolicyCommand,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { rejection } from '../fixtures.js'
import { useFakeEcr } from './harness.js'

const { ecr, client } = useFakeEcr()

/** A registry policy that lets a partner account call these actions. */
function registryPolicy(...actions: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: actions, Resource: '*' }],
  })
}

describe('account settings', () => {
  it('reads each setting at its default until one is put', async () => {
    const ecrClient = client()
    const read = (name: string) => ecrClient.send(new GetAccountSettingCommand({ name }))
    expect(await read('BASIC_SCAN_TYPE_VERSION')).toMatchObject({ name: 'BASIC_SCAN_TYPE_VERSION', value: 'AWS_NATIVE' })
    expect(await read('REGISTRY_POLICY_SCOPE')).toMatchObject({ name: 'REGISTRY_POLICY_SCOPE', value: 'V2' })
    expect(await read('BLOB_MOUNTING')).toMatchObject({ name: 'BLOB_MOUNTING', value: 'DISABLED' })
    // Reading creates nothing.
    expect(ecr.snapshot()).toEqual([])
  })

  it('keeps what is put, per account and region', async () => {
    const ecrClient = client()
    const put = await ecrClient.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'ENABLED' }))
    expect(put).toMatchObject({ name: 'BLOB_MOUNTING', value: 'ENABLED' })
    expect(await ecrClient.send(new GetAccountSettingCommand({ name: 'BLOB_MOUNTING' }))).toMatchObject({ value: 'ENABLED' })
    const elsewhere = await client({ region: 'us-west-2' }).send(new GetAccountSettingCommand({ name: 'BLOB_MOUNTING' }))
    expect(elsewhere.value).toBe('DISABLED')
    const otherAccount = await ecr.call('GetAccountSetting', { name: 'BLOB_MOUNTING' }, { accountId: '111111111111', region: 'eu-west-1' })
    expect(otherAccount.value).toBe('DISABLED')

    await ecrClient.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'DISABLED' }))
    expect(await ecrClient.send(new GetAccountSettingCommand({ name: 'BLOB_MOUNTING' }))).toMatchObject({ value: 'DISABLED' })
  })

  it('refuses a name it does not know, for reading and writing', async () => {
    const ecrClient = client()
    const expected = "Invalid parameter at 'name' failed to satisfy constraint: 'Member must satisfy enum value set: [BASIC_SCAN_TYPE_VERSION, REGISTRY_POLICY_SCOPE, BLOB_MOUNTING]'"
    const read = await rejection(ecrClient.send(new GetAccountSettingCommand({ name: 'SCAN_ON_PUSH' })))
    expect(read).toBeInstanceOf(InvalidParameterException)
    expect(read.message).toBe(expected)
    const write = await rejection(ecrClient.send(new PutAccountSettingCommand({ name: 'basic_scan_type_version', value: 'AWS_NATIVE' })))
    expect(write.message).toBe(expected)
    expect(ecr.snapshot()).toEqual([])
  })

  it("refuses a value the setting does not take (Clair is retired) and changes nothing", async () => {
    const ecrClient = client()
    await ecrClient.send(new PutAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE', value: 'V1' }))
    const before = ecr.snapshot()
    const clair = await rejection(ecrClient.send(new PutAccountSettingCommand({ name: 'BASIC_SCAN_TYPE_VERSION', value: 'CLAIR' })))
    expect(clair).toBeInstanceOf(InvalidParameterException)
    expect(clair.message).toBe("Invalid parameter at 'value' failed to satisfy constraint: 'Member must satisfy enum value set: [AWS_NATIVE]'")
    const lowerCase = await rejection(ecrClient.send(new PutAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE', value: 'v2' })))
    expect(lowerCase.message).toBe("Invalid parameter at 'value' failed to satisfy constraint: 'Member must satisfy enum value set: [V1, V2]'")
    expect(ecr.snapshot()).toEqual(before)
    expect(await ecrClient.send(new GetAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE' }))).toMatchObject({ value: 'V1' })
  })
})

describe('the registry policy scope', () => {
  it('takes a registry policy with any ECR action under V2, the default', async () => {
    const ecrClient = client()
    const policyText = registryPolicy('ecr:BatchGetImage', 'ecr:CreateRepository')
    await ecrClient.send(new PutRegistryPolicyCommand({ policyText }))
    expect(JSON.parse((await ecrClient.send(new GetRegistryPolicyCommand({}))).policyText!)).toEqual(JSON.parse(policyText))
  })

  it('under V1, refuses a registry policy naming actions beyond replication, pull through cache and repository creation', async () => {
    const ecrClient = client()
    await ecrClient.send(new PutAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE', value: 'V1' }))
    const before = ecr.snapshot()
    const refused = await rejection(ecrClient.send(new PutRegistryPolicyCommand({ policyText: registryPolicy('ecr:CreateRepository', 'ecr:BatchGetImage') })))
    expect(refused).toBeInstanceOf(InvalidParameterException)
    expect(refused.message).toBe("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided'")
    expect(ecr.snapshot()).toEqual(before)

    for (const actions of [['ecr:ReplicateImage', 'ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'], ['ecr:*'], ['ECR:replicate*']]) {
      await ecrClient.send(new PutRegistryPolicyCommand({ policyText: registryPolicy(...actions) }))
    }
    // Back to V2: any action again.
    await ecrClient.send(new PutAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE', value: 'V2' }))
    await ecrClient.send(new PutRegistryPolicyCommand({ policyText: registryPolicy('ecr:BatchGetImage') }))
  })
})
