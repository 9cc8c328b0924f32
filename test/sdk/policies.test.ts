import {
  CreateRepositoryCommand,
  DeleteRegistryPolicyCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  GetRegistryPolicyCommand,
  GetRepositoryPolicyCommand,
  InvalidParameterException,
  PutRegistryPolicyCommand,
  RegistryPolicyNotFoundException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { rejection as failure } from '../fixtures.js'
import { useFakeEcr } from './harness.js'

const { client } = useFakeEcr()

const ACCOUNT = '123456789012'

// Odd spacing on purpose: ECR keeps the document as it writes it back (the *_STORED texts).
const PULL_POLICY = `{
  "Version" : "2008-10-17",
  "Statement": [ { "Sid": "pull", "Effect": "Allow",
      "Principal": { "AWS": [ "arn:aws:iam::111122223333:root", "444455556666" ] },
      "Action": [ "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ] } ]
}`
const OPEN_POLICY = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"ecr:*"}}'
const PULL_POLICY_STORED = [
  '{',
  '  "Version" : "2008-10-17",',
  '  "Statement" : [ {',
  '    "Sid" : "pull",',
  '    "Effect" : "Allow",',
  '    "Principal" : {',
  '      "AWS" : [ "arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root" ]',
  '    },',
  '    "Action" : [ "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]',
  '  } ]',
  '}',
].join('\n')
const OPEN_POLICY_STORED = '{\n  "Version" : "2012-10-17",\n  "Statement" : {\n    "Effect" : "Allow",\n    "Principal" : "*",\n    "Action" : "ecr:*"\n  }\n}'
const REPLICATION_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'replicate',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
      Resource: `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/*`,
    },
  ],
})
const REPLICATION_POLICY_STORED = [
  '{',
  '  "Version" : "2012-10-17",',
  '  "Statement" : [ {',
  '    "Sid" : "replicate",',
  '    "Effect" : "Allow",',
  '    "Principal" : {',
  '      "AWS" : "arn:aws:iam::111122223333:root"',
  '    },',
  '    "Action" : [ "ecr:CreateRepository", "ecr:ReplicateImage" ],',
  `    "Resource" : "arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/*"`,
  '  } ]',
  '}',
].join('\n')

async function repository(name = 'app') {
  await client().send(new CreateRepositoryCommand({ repositoryName: name }))
  return name
}

describe('repository policies', () => {
  it('sets, gets and deletes a policy, returning the text as ECR writes it back', async () => {
    const repositoryName = await repository()
    const ecr = client()
    const set = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText: PULL_POLICY }))
    expect({ ...set, $metadata: undefined }).toEqual({
      $metadata: undefined,
      registryId: ACCOUNT,
      repositoryName,
      policyText: PULL_POLICY_STORED,
    })
    const got = await ecr.send(new GetRepositoryPolicyCommand({ repositoryName }))
    expect(got).toMatchObject({ registryId: ACCOUNT, repositoryName, policyText: PULL_POLICY_STORED })

    const replaced = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText: OPEN_POLICY, force: true }))
    expect(replaced.policyText).toBe(OPEN_POLICY_STORED)
    const deleted = await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName }))
    expect(deleted).toMatchObject({ registryId: ACCOUNT, repositoryName, policyText: OPEN_POLICY_STORED })

    const message = `Repository policy does not exist for the repository with name 'app' in the registry with id '${ACCOUNT}'`
    const afterDelete = await failure(ecr.send(new GetRepositoryPolicyCommand({ repositoryName })))
    expect(afterDelete).toBeInstanceOf(RepositoryPolicyNotFoundException)
    expect(afterDelete.message).toBe(message)
    const deleteAgain = await failure(ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName })))
    expect(deleteAgain).toBeInstanceOf(RepositoryPolicyNotFoundException)
    expect(deleteAgain.message).toBe(message)
  })

  it('answers the AWS CLI example’s documented policyText for its my-policy.json', async () => {
    const repositoryName = await repository()
    // awscli/examples/ecr/set-repository-policy.rst: the file, then the documented policyText.
    const file =
      '{\n    "Version" : "2008-10-17",\n    "Statement" : [ \n        {\n            "Sid" : "allow public pull",\n            "Effect" : "Allow",\n            "Principal" : "*",\n            "Action" : [\n                "ecr:BatchCheckLayerAvailability",\n                "ecr:BatchGetImage",\n                "ecr:GetDownloadUrlForLayer" \n            ]\n        }\n    ]\n}\n'
    const documented =
      '{\n  "Version" : "2008-10-17",\n  "Statement" : [ {\n    "Sid" : "allow public pull",\n    "Effect" : "Allow",\n    "Principal" : "*",\n    "Action" : [ "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]\n  } ]\n}'
    expect((await client().send(new SetRepositoryPolicyCommand({ repositoryName, policyText: file }))).policyText).toBe(documented)
    expect((await client().send(new GetRepositoryPolicyCommand({ repositoryName }))).policyText).toBe(documented)
    expect((await client().send(new DeleteRepositoryPolicyCommand({ repositoryName }))).policyText).toBe(documented)
  })

  it('names an account principal by the ARN of its root, in the partition of the region', async () => {
    const gov = client({ region: 'us-gov-west-1' })
    await gov.send(new CreateRepositoryCommand({ repositoryName: 'gov' }))
    const { policyText } = await gov.send(
      new SetRepositoryPolicyCommand({ repositoryName: 'gov', policyText: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"ecr:*"}]}' }),
    )
    expect(JSON.parse(policyText!).Statement[0].Principal).toEqual({ AWS: 'arn:aws-us-gov:iam::111122223333:root' })
  })

  it('keeps each repository its own policy', async () => {
    await repository('web')
    await repository('api')
    await client().send(new SetRepositoryPolicyCommand({ repositoryName: 'web', policyText: OPEN_POLICY }))
    await expect(client().send(new GetRepositoryPolicyCommand({ repositoryName: 'api' }))).rejects.toThrow(
      RepositoryPolicyNotFoundException,
    )
  })

  it.each([
    ['text that is not JSON', 'allow everyone'],
    ['an empty text', ''],
    ['a Resource element', REPLICATION_POLICY],
    ['a statement without a principal', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*"}]}'],
    ['an Effect other than Allow or Deny', '{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Principal":"*","Action":"ecr:*"}]}'],
  ])('refuses %s and keeps the previous policy', async (_case, policyText) => {
    const repositoryName = await repository()
    await client().send(new SetRepositoryPolicyCommand({ repositoryName, policyText: PULL_POLICY }))
    const error = await failure(client().send(new SetRepositoryPolicyCommand({ repositoryName, policyText })))
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'")
    const { policyText: kept } = await client().send(new GetRepositoryPolicyCommand({ repositoryName }))
    expect(kept).toBe(PULL_POLICY_STORED)
  })

  it('answers RepositoryNotFound for a missing repository, in the registry asked for', async () => {
    const ecr = client()
    const calls = [
      new SetRepositoryPolicyCommand({ repositoryName: 'missing', policyText: OPEN_POLICY }),
      new GetRepositoryPolicyCommand({ repositoryName: 'missing' }),
      new DeleteRepositoryPolicyCommand({ repositoryName: 'missing' }),
    ]
    for (const command of calls) {
      const error = await failure(ecr.send(command as SetRepositoryPolicyCommand))
      expect(error).toBeInstanceOf(RepositoryNotFoundException)
      expect(error.message).toBe(`The repository with name 'missing' does not exist in the registry with id '${ACCOUNT}'`)
    }
    await repository()
    const elsewhere = await failure(
      ecr.send(new SetRepositoryPolicyCommand({ registryId: '999999999999', repositoryName: 'app', policyText: OPEN_POLICY })),
    )
    expect(elsewhere).toBeInstanceOf(RepositoryNotFoundException)
    expect(elsewhere.message).toBe("The repository with name 'app' does not exist in the registry with id '999999999999'")
  })

  it('goes away with its repository', async () => {
    const repositoryName = await repository()
    await client().send(new SetRepositoryPolicyCommand({ repositoryName, policyText: OPEN_POLICY }))
    await client().send(new DeleteRepositoryCommand({ repositoryName }))
    await repository()
    await expect(client().send(new GetRepositoryPolicyCommand({ repositoryName }))).rejects.toThrow(
      RepositoryPolicyNotFoundException,
    )
  })
})

describe('the registry policy', () => {
  it('puts, gets and deletes the policy of the caller’s registry', async () => {
    const ecr = client()
    const put = await ecr.send(new PutRegistryPolicyCommand({ policyText: REPLICATION_POLICY }))
    expect({ ...put, $metadata: undefined }).toEqual({ $metadata: undefined, registryId: ACCOUNT, policyText: REPLICATION_POLICY_STORED })
    expect(await ecr.send(new GetRegistryPolicyCommand({}))).toMatchObject({ registryId: ACCOUNT, policyText: REPLICATION_POLICY_STORED })
    await ecr.send(new PutRegistryPolicyCommand({ policyText: OPEN_POLICY }))
    expect(await ecr.send(new DeleteRegistryPolicyCommand({}))).toMatchObject({ registryId: ACCOUNT, policyText: OPEN_POLICY_STORED })

    const message = `Registry policy does not exist in the registry with id '${ACCOUNT}'`
    for (const command of [new GetRegistryPolicyCommand({}), new DeleteRegistryPolicyCommand({})]) {
      const error = await failure(ecr.send(command as GetRegistryPolicyCommand))
      expect(error).toBeInstanceOf(RegistryPolicyNotFoundException)
      expect(error.message).toBe(message)
    }
  })

  it('is one per region', async () => {
    await client().send(new PutRegistryPolicyCommand({ policyText: OPEN_POLICY }))
    await expect(client({ region: 'us-west-2' }).send(new GetRegistryPolicyCommand({}))).rejects.toThrow(
      RegistryPolicyNotFoundException,
    )
  })

  it('refuses an invalid policy and keeps the previous one', async () => {
    await client().send(new PutRegistryPolicyCommand({ policyText: REPLICATION_POLICY }))
    for (const policyText of ['{"Version":"2012-10-17"}', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::111122223333:root","Action":"ecr:ReplicateImage"}]}']) {
      const error = await failure(client().send(new PutRegistryPolicyCommand({ policyText })))
      expect(error).toBeInstanceOf(InvalidParameterException)
      expect(error.message).toBe("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided'")
    }
    expect((await client().send(new GetRegistryPolicyCommand({}))).policyText).toBe(REPLICATION_POLICY_STORED)
  })
})
