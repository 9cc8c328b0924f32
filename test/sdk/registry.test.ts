import {
  DescribeRegistryCommand,
  InvalidParameterException,
  PutReplicationConfigurationCommand,
  type ReplicationRule,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { useFakeEcr } from './harness.js'

const { client } = useFakeEcr()

describe('replication configuration', () => {
  it('is empty until configured', async () => {
    const output = await client().send(new DescribeRegistryCommand({}))
    expect(output.registryId).toBe('123456789012')
    expect(output.replicationConfiguration).toEqual({ rules: [] })
  })

  it('stores the rules, echoes them, and DescribeRegistry reports them', async () => {
    const ecrClient = client()
    const rules: ReplicationRule[] = [
      {
        destinations: [
          { region: 'us-east-1', registryId: '123456789012' },
          { region: 'eu-west-1', registryId: '210987654321' },
        ],
        repositoryFilters: [{ filter: 'prod', filterType: 'PREFIX_MATCH' }],
      },
      { destinations: [{ region: 'ap-southeast-2', registryId: '123456789012' }] },
    ]
    const put = await ecrClient.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules } }))
    expect(put.replicationConfiguration).toEqual({ rules })
    const described = await ecrClient.send(new DescribeRegistryCommand({}))
    expect(described.replicationConfiguration).toEqual({ rules })
    // Each region has its own registry.
    const elsewhere = await client({ region: 'us-east-1' }).send(new DescribeRegistryCommand({}))
    expect(elsewhere.replicationConfiguration).toEqual({ rules: [] })
    // An empty rule list replaces the configuration.
    await ecrClient.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [] } }))
    expect((await ecrClient.send(new DescribeRegistryCommand({}))).replicationConfiguration).toEqual({ rules: [] })
  })

  it('refuses a destination that is the source registry and keeps the old configuration', async () => {
    const ecrClient = client()
    const kept = { rules: [{ destinations: [{ region: 'us-west-2', registryId: '123456789012' }] }] }
    await ecrClient.send(new PutReplicationConfigurationCommand({ replicationConfiguration: kept }))
    const error = await ecrClient
      .send(
        new PutReplicationConfigurationCommand({
          replicationConfiguration: {
            rules: [{ destinations: [{ region: 'us-east-1', registryId: '123456789012' }, { region: 'eu-west-1', registryId: '123456789012' }] }],
          },
        }),
      )
      .catch((e) => e)
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe(
      "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'Replication destination cannot be the same as the source registry'",
    )
    expect((await ecrClient.send(new DescribeRegistryCommand({}))).replicationConfiguration).toEqual(kept)
  })

  it('refuses more rules than ECR allows', async () => {
    const rules = Array.from({ length: 26 }, () => ({ destinations: [{ region: 'us-east-1', registryId: '123456789012' }] }))
    await expect(
      client().send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules } })),
    ).rejects.toThrow(InvalidParameterException)
  })
})
