import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  GetLifecyclePolicyCommand,
  InvalidParameterException,
  LifecyclePolicyNotFoundException,
  PutLifecyclePolicyCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { rejection as failure } from '../fixtures.js'
import { createEcr } from '../../src/index.js'
import type { RepositoryRecord } from '../../src/state/kinds.js'
import type { StoredRecord } from '../../src/storage/storage.js'
import { useFakeEcr } from './harness.js'

const { client } = useFakeEcr()

const ACCOUNT = '123456789012'
const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS

// Pretty-printed on purpose: ECR keeps it compact (KEEP_TEN_STORED).
const KEEP_TEN = JSON.stringify(
  {
    rules: [
      {
        rulePriority: 1,
        description: 'expire untagged images after 14 days',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 },
        action: { type: 'expire' },
      },
    ],
  },
  null,
  2,
)
/** KEEP_TEN as ECR writes it back: its members are in ECR's order already. */
const KEEP_TEN_STORED = JSON.stringify(JSON.parse(KEEP_TEN))
// Compact and in ECR's member order: stored as given.
const ARCHIVE_OLD = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      selection: { tagStatus: 'tagged', tagPatternList: ['release-*'], countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 },
      action: { type: 'transition', targetStorageClass: 'archive' },
    },
  ],
})

async function repository(name = 'app') {
  await client().send(new CreateRepositoryCommand({ repositoryName: name }))
  return name
}

describe('lifecycle policies', () => {
  it('puts, gets and deletes a policy with the members of the model', async () => {
    const repositoryName = await repository()
    const ecr = client()
    const put = await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: KEEP_TEN }))
    expect({ ...put, $metadata: undefined }).toEqual({
      $metadata: undefined,
      registryId: ACCOUNT,
      repositoryName,
      lifecyclePolicyText: KEEP_TEN_STORED,
    })
    // Never evaluated yet: ECR answers epoch 0.
    const got = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }))
    expect({ ...got, $metadata: undefined }).toEqual({ ...put, $metadata: undefined, lastEvaluatedAt: new Date(0) })

    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: ARCHIVE_OLD }))
    const deleted = await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName }))
    expect({ ...deleted, $metadata: undefined }).toEqual({
      $metadata: undefined,
      registryId: ACCOUNT,
      repositoryName,
      lifecyclePolicyText: ARCHIVE_OLD,
      lastEvaluatedAt: new Date(0),
    })

    const message = `Lifecycle policy does not exist for the repository with name 'app' in the registry with id '${ACCOUNT}'`
    for (const command of [new GetLifecyclePolicyCommand({ repositoryName }), new DeleteLifecyclePolicyCommand({ repositoryName })]) {
      const error = await failure(ecr.send(command as GetLifecyclePolicyCommand))
      expect(error).toBeInstanceOf(LifecyclePolicyNotFoundException)
      expect(error.message).toBe(message)
    }
  })

  it('keeps the policy as ECR writes it back: compact, rules by priority, members in ECR’s order', async () => {
    const repositoryName = await repository()
    const ecr = client()
    // Keys sorted, as Terraform sends them, and the rules out of order.
    const sent = `{ "rules": [
      { "action": { "type": "expire" }, "rulePriority": 2,
        "selection": { "countNumber": 10, "countType": "imageCountMoreThan", "tagStatus": "any" } },
      { "action": { "type": "expire" }, "description": "tab\\tand \\u00e9",  "rulePriority": 1,
        "selection": { "countNumber": 14, "countType": "sinceImagePushed", "countUnit": "days", "tagPrefixList": ["pr-"], "tagStatus": "tagged" } }
    ] }`
    const stored =
      '{"rules":[{"rulePriority":1,"description":"tab\\tand é","selection":{"tagStatus":"tagged","tagPrefixList":["pr-"],"countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},' +
      '{"rulePriority":2,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}'
    expect((await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: sent }))).lifecyclePolicyText).toBe(stored)
    expect((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }))).lifecyclePolicyText).toBe(stored)
    expect((await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName }))).lifecyclePolicyText).toBe(stored)
  })

  it.each([
    [
      'two rules that select untagged images',
      KEEP_TEN.replace('"tagStatus": "any"', '"tagStatus": "untagged"'),
      'Only one rule can select Untagged images per storage class.',
    ],
    [
      'an any rule before another rule',
      KEEP_TEN.replace('"rulePriority": 1', '"rulePriority": 3'),
      'Rule for tagStatus=ANY must have the lowest priority per storage class',
    ],
    [
      'a null targetStorageClass on an expire action',
      KEEP_TEN.replace('"type": "expire"', '"type": "expire", "targetStorageClass": null'),
      'instance failed to match exactly one schema (matched 0 out of 2)\n',
    ],
    ['text that is not JSON', `rules:${' expire everything'.repeat(6)}`, 'Could not map policyString into LifecyclePolicy.'],
  ])('refuses %s and keeps the previous policy', async (_case, lifecyclePolicyText, detail) => {
    const repositoryName = await repository()
    await client().send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: ARCHIVE_OLD }))
    const error = await failure(client().send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText })))
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe(
      `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${detail}'`,
    )
    const { lifecyclePolicyText: kept } = await client().send(new GetLifecyclePolicyCommand({ repositoryName }))
    expect(kept).toBe(ARCHIVE_OLD)
  })

  it('refuses text shorter than the model allows before reading it', async () => {
    const repositoryName = await repository()
    const error = await failure(client().send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: '{"rules":[]}' })))
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe(
      "Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'Member must have length greater than or equal to 100'",
    )
  })

  it('answers RepositoryNotFound for a missing repository', async () => {
    const ecr = client()
    const calls = [
      new PutLifecyclePolicyCommand({ repositoryName: 'missing', lifecyclePolicyText: KEEP_TEN }),
      new GetLifecyclePolicyCommand({ repositoryName: 'missing' }),
      new DeleteLifecyclePolicyCommand({ repositoryName: 'missing' }),
    ]
    for (const command of calls) {
      const error = await failure(ecr.send(command as GetLifecyclePolicyCommand))
      expect(error).toBeInstanceOf(RepositoryNotFoundException)
      expect(error.message).toBe(`The repository with name 'missing' does not exist in the registry with id '${ACCOUNT}'`)
    }
  })
})

describe('lifecycle policies: lastEvaluatedAt (engine)', () => {
  const evaluatedAt = Date.UTC(2026, 0, 2, 3, 4, 5)

  /** An engine whose stored state holds a repository with a policy evaluated at `evaluatedAt`. */
  function engineWithEvaluatedPolicy() {
    const record: RepositoryRecord = {
      seq: 1,
      name: 'app',
      createdAt: evaluatedAt,
      imageTagMutability: 'MUTABLE',
      scanOnPush: false,
      encryption: { encryptionType: 'AES256' },
      tags: [],
    }
    const stored: StoredRecord[] = [
      { kind: 'repository', scope: [ACCOUNT, 'us-east-1'], id: 'app', value: record },
      {
        kind: 'lifecycle-policy',
        scope: [ACCOUNT, 'us-east-1', 'app'],
        id: 'default',
        value: { text: KEEP_TEN, lastEvaluatedAt: evaluatedAt, evaluatesAt: evaluatedAt + DAY_MS },
      },
    ]
    // Before the policy's next daily evaluation.
    return createEcr({ now: () => evaluatedAt + HOUR_MS, storage: { read: () => stored, write: () => {}, clear: () => {} } })
  }

  it('reports when the policy was last evaluated, on get and on delete', async () => {
    const ecr = engineWithEvaluatedPolicy()
    const expected = { registryId: ACCOUNT, repositoryName: 'app', lifecyclePolicyText: KEEP_TEN, lastEvaluatedAt: new Date(evaluatedAt) }
    expect(await ecr.call('GetLifecyclePolicy', { repositoryName: 'app' })).toEqual(expected)
    expect(await ecr.call('DeleteLifecyclePolicy', { repositoryName: 'app' })).toEqual(expected)
  })

  it('forgets it when a new policy replaces the evaluated one', async () => {
    const ecr = engineWithEvaluatedPolicy()
    await ecr.call('PutLifecyclePolicy', { repositoryName: 'app', lifecyclePolicyText: ARCHIVE_OLD })
    const got = await ecr.call('GetLifecyclePolicy', { repositoryName: 'app' })
    expect(got).toEqual({ registryId: ACCOUNT, repositoryName: 'app', lifecyclePolicyText: ARCHIVE_OLD, lastEvaluatedAt: new Date(0) })
  })
})
