import { describe, expect, it } from 'vitest'
import { createRepositoryFromTemplate, matchingTemplate, namespacesOf, prefixKey } from '../../src/domain/creation-templates.js'
import { matchingRule } from '../../src/domain/pull-through-cache.js'
import { creationTemplateOperations } from '../../src/operations/creation-templates.js'
import { pullThroughCacheOperations } from '../../src/operations/pull-through-cache.js'
import { SINGLETON } from '../../src/state/kinds.js'
import { testEngine } from './engine-fixture.js'

const DESTINATION = { accountId: '222222222222', region: 'eu-west-1' }

describe('prefixes', () => {
  it('name the namespaces a repository lies in, the most specific first, and ignore a trailing /', () => {
    expect([...namespacesOf('a/b/c')]).toEqual(['a/b', 'a'])
    expect([...namespacesOf('app')]).toEqual([])
    expect(prefixKey('team/')).toBe('team')
    expect(prefixKey('ROOT')).toBe('ROOT')
  })
})

describe('createRepositoryFromTemplate', () => {
  it('creates a replicated repository from the destination registry’s template, in the caller’s transaction', async () => {
    const { engine } = testEngine()
    await engine.loaded
    await engine.run(
      DESTINATION,
      (ctx) =>
        creationTemplateOperations.CreateRepositoryCreationTemplate(
          {
            prefix: 'prod',
            appliedFor: ['REPLICATION'],
            imageTagMutability: 'IMMUTABLE',
            encryptionConfiguration: { encryptionType: 'KMS' },
            resourceTags: [{ Key: 'copy', Value: 'yes' }],
            lifecyclePolicy: '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}',
          },
          ctx,
        ),
      'template',
    )
    const created = await engine.run(
      {},
      (ctx) => {
        const { record, contents } = createRepositoryFromTemplate(ctx.at(DESTINATION), 'prod/web', 'REPLICATION')
        return { record, lifecycle: contents.tables['lifecycle-policy'].get(SINGLETON) }
      },
      'replicate',
    )
    expect(created.record).toMatchObject({
      name: 'prod/web',
      imageTagMutability: 'IMMUTABLE',
      tags: [{ Key: 'copy', Value: 'yes' }],
      encryption: { encryptionType: 'KMS', kmsKey: expect.stringMatching(/^arn:aws:kms:eu-west-1:222222222222:key\//) },
    })
    expect(created.lifecycle?.text).toContain('"countNumber":3')
    // Not applied for pull through cache, and not in the source registry.
    const other = await engine.run(
      {},
      (ctx) => [
        matchingTemplate(ctx.at(DESTINATION).registry(), 'prod/api', 'PULL_THROUGH_CACHE'),
        matchingTemplate(ctx.registry(), 'prod/api', 'REPLICATION'),
      ],
      'match',
    )
    expect(other).toEqual([undefined, undefined])
  })

  it('uses ECR’s defaults without a matching template, and fails as CreateRepository does for a name that is taken', async () => {
    const { engine } = testEngine()
    await engine.loaded
    const record = await engine.run({}, (ctx) => createRepositoryFromTemplate(ctx, 'app', 'REPLICATION').record, 'create')
    expect(record).toMatchObject({ imageTagMutability: 'MUTABLE', scanOnPush: false, encryption: { encryptionType: 'AES256' }, tags: [] })
    await expect(engine.run({}, (ctx) => createRepositoryFromTemplate(ctx, 'app', 'REPLICATION'), 'again')).rejects.toMatchObject({
      code: 'RepositoryAlreadyExistsException',
    })
  })
})

describe('matchingRule', () => {
  it('maps a cache repository to its upstream repository, through the longest prefix or ROOT', async () => {
    const { engine } = testEngine()
    await engine.loaded
    const create = (ecrRepositoryPrefix: string, upstreamRepositoryPrefix?: string) =>
      engine.run(
        {},
        (ctx) =>
          pullThroughCacheOperations.CreatePullThroughCacheRule(
            {
              ecrRepositoryPrefix,
              upstreamRegistryUrl: '111111111111.dkr.ecr.eu-west-1.amazonaws.com',
              ...(upstreamRepositoryPrefix !== undefined && { upstreamRepositoryPrefix }),
            },
            ctx,
          ),
        'rule',
      )
    await create('my-app', 'upstream-app')
    await create('team-a', 'team-a')
    await create('team-a/deep')
    await create('ROOT')
    const upstreamOf = (name: string) => engine.run({}, (ctx) => matchingRule(ctx, name)?.upstreamRepositoryName, 'match')
    expect(await upstreamOf('my-app/image1')).toBe('upstream-app/image1')
    expect(await upstreamOf('team-a/myapp/image1')).toBe('team-a/myapp/image1')
    expect(await upstreamOf('team-a/deep/image1')).toBe('image1')
    expect(await upstreamOf('my-app')).toBe('my-app')
  })
})
