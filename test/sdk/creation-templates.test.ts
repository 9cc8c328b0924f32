import {
  CreateRepositoryCreationTemplateCommand,
  DeleteRepositoryCreationTemplateCommand,
  DescribeRepositoriesCommand,
  DescribeRepositoryCreationTemplatesCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  InitiateLayerUploadCommand,
  InvalidParameterException,
  ListTagsForResourceCommand,
  PutImageCommand,
  RepositoryNotFoundException,
  TemplateAlreadyExistsException,
  TemplateNotFoundException,
  UpdateRepositoryCreationTemplateCommand,
  paginateDescribeRepositoryCreationTemplates,
  type CreateRepositoryCreationTemplateCommandInput,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { useFakeEcr } from './harness.js'

let clock = Date.UTC(2026, 0, 5, 9)
const { ecr, client } = useFakeEcr({ now: () => clock })
const ACCOUNT = '123456789012'

const repositoryPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Pull', Effect: 'Allow', Principal: { AWS: '210987654321' }, Action: ['ecr:BatchGetImage'] }],
})
const lifecyclePolicy = JSON.stringify({
  rules: [{ action: { type: 'expire' }, selection: { countNumber: 5, countType: 'imageCountMoreThan', tagStatus: 'any' }, rulePriority: 1 }],
})

async function create(input: Partial<CreateRepositoryCreationTemplateCommandInput> = {}) {
  return client().send(new CreateRepositoryCreationTemplateCommand({ prefix: 'team', appliedFor: ['CREATE_ON_PUSH'], ...input }))
}

describe('repository creation templates', () => {
  it('creates a template with ECR’s defaults filled in, keeping policies as ECR writes them back', async () => {
    const { registryId, repositoryCreationTemplate } = await create({
      repositoryPolicy,
      lifecyclePolicy,
      resourceTags: [{ Key: 'team', Value: 'core' }],
      appliedFor: ['PULL_THROUGH_CACHE', 'REPLICATION', 'PULL_THROUGH_CACHE'],
    })
    expect(registryId).toBe(ACCOUNT)
    expect(repositoryCreationTemplate).toEqual({
      prefix: 'team',
      encryptionConfiguration: { encryptionType: 'AES256' },
      resourceTags: [{ Key: 'team', Value: 'core' }],
      imageTagMutability: 'MUTABLE',
      repositoryPolicy:
        '{\n  "Version" : "2012-10-17",\n  "Statement" : [ {\n    "Sid" : "Pull",\n    "Effect" : "Allow",\n    "Principal" : {\n      "AWS" : "arn:aws:iam::210987654321:root"\n    },\n    "Action" : [ "ecr:BatchGetImage" ]\n  } ]\n}',
      lifecyclePolicy: '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}',
      appliedFor: ['PULL_THROUGH_CACHE', 'REPLICATION'],
      createdAt: new Date(clock),
      updatedAt: new Date(clock),
    })
    const described = await client().send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ['team'] }))
    expect(described.repositoryCreationTemplates).toEqual([repositoryCreationTemplate])
  })

  it('refuses a prefix that has a template (the trailing / is implied), and what ECR refuses in a template', async () => {
    await create()
    const duplicate = await create({ prefix: 'team/' }).catch((error) => error)
    expect(duplicate).toBeInstanceOf(TemplateAlreadyExistsException)
    expect(duplicate.message).toBe(`A repository creation template with the prefix 'team/' already exists in the registry with id '${ACCOUNT}'`)
    const refused = [
      { prefix: 'a', appliedFor: [] },
      { prefix: 'b', repositoryPolicy: '{"Statement":[]}' },
      { prefix: 'c', lifecyclePolicy: '{"rules":[]}' },
      { prefix: 'd', encryptionConfiguration: { encryptionType: 'AES256' as const, kmsKey: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k` } },
      { prefix: 'e', imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' as const },
      { prefix: 'f', customRoleArn: 'arn:aws:iam::210987654321:role/templates' },
      { prefix: 'g', customRoleArn: 'not-a-role' },
      { prefix: 'h', resourceTags: [{ Key: 'aws:reserved', Value: 'x' }] },
    ]
    for (const input of refused) await expect(create(input), input.prefix).rejects.toThrow(InvalidParameterException)
    const { repositoryCreationTemplates } = await client().send(new DescribeRepositoryCreationTemplatesCommand({}))
    expect(repositoryCreationTemplates?.map((template) => template.prefix)).toEqual(['team'])
  })

  it('updates only the members given; an empty text removes one', async () => {
    await create({ description: 'first', repositoryPolicy, imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev*' }] })
    const createdAt = new Date(clock)
    clock += 60_000
    const { repositoryCreationTemplate } = await client().send(
      new UpdateRepositoryCreationTemplateCommand({ prefix: 'team/', description: 'second', repositoryPolicy: '', appliedFor: ['REPLICATION'] }),
    )
    expect(repositoryCreationTemplate).toMatchObject({
      prefix: 'team',
      description: 'second',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev*' }],
      appliedFor: ['REPLICATION'],
      createdAt,
      updatedAt: new Date(clock),
    })
    expect(repositoryCreationTemplate).not.toHaveProperty('repositoryPolicy')
    // A new mutability takes its own filters (none, for a plain one).
    const plain = await client().send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'team', imageTagMutability: 'MUTABLE' }))
    expect(plain.repositoryCreationTemplate).not.toHaveProperty('imageTagMutabilityExclusionFilters')
    await expect(client().send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'team', appliedFor: [] }))).rejects.toThrow(InvalidParameterException)
  })

  it('deletes a template and answers with it; a missing one is TemplateNotFoundException', async () => {
    const { repositoryCreationTemplate } = await create({ description: 'gone soon' })
    const deleted = await client().send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'team' }))
    expect(deleted).toMatchObject({ registryId: ACCOUNT, repositoryCreationTemplate })
    const missing = await client().send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'team' })).catch((error) => error)
    expect(missing).toBeInstanceOf(TemplateNotFoundException)
    expect(missing.message).toBe(`The repository creation template with the prefix 'team' does not exist in the registry with id '${ACCOUNT}'`)
    await expect(client().send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'team', description: 'x' }))).rejects.toThrow(TemplateNotFoundException)
    // Describing a prefix without a template answers nothing for it (the model declares no error there).
    const described = await client().send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ['team'] }))
    expect(described.repositoryCreationTemplates).toEqual([])
  })

  it('pages through every template once, in creation order', async () => {
    const prefixes = Array.from({ length: 23 }, (_, index) => `team-${index}`)
    for (const prefix of prefixes) await create({ prefix })
    const seen: string[] = []
    for await (const page of paginateDescribeRepositoryCreationTemplates({ client: client(), pageSize: 5 }, {})) {
      expect(page.repositoryCreationTemplates!.length).toBeLessThanOrEqual(5)
      seen.push(...page.repositoryCreationTemplates!.map((template) => template.prefix!))
    }
    expect(seen).toEqual(prefixes)
    const some: string[] = []
    for await (const page of paginateDescribeRepositoryCreationTemplates({ client: client(), pageSize: 2 }, { prefixes: ['team-9', 'team-1', 'team-4'] })) {
      some.push(...page.repositoryCreationTemplates!.map((template) => template.prefix!))
    }
    expect(some).toEqual(['team-1', 'team-4', 'team-9'])
  })
})

describe('creating repositories on push (CREATE_ON_PUSH)', () => {
  it('creates the repository a push names from the matching template: settings, tags, policies, KMS key', async () => {
    await create({
      prefix: 'team',
      appliedFor: ['CREATE_ON_PUSH'],
      imageTagMutability: 'IMMUTABLE',
      encryptionConfiguration: { encryptionType: 'KMS' },
      resourceTags: [{ Key: 'team', Value: 'core' }],
      repositoryPolicy,
      lifecyclePolicy,
    })
    const { uploadId } = await client().send(new InitiateLayerUploadCommand({ repositoryName: 'team/web' }))
    expect(uploadId).toBeDefined()
    const { repositories } = await client().send(new DescribeRepositoriesCommand({ repositoryNames: ['team/web'] }))
    const repository = repositories![0]!
    expect(repository).toMatchObject({ imageTagMutability: 'IMMUTABLE', encryptionConfiguration: { encryptionType: 'KMS' } })
    expect(repository.encryptionConfiguration!.kmsKey).toMatch(/^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f-]{36}$/)
    const { tags } = await client().send(new ListTagsForResourceCommand({ resourceArn: repository.repositoryArn }))
    expect(tags).toEqual([{ Key: 'team', Value: 'core' }])
    const policy = await client().send(new GetRepositoryPolicyCommand({ repositoryName: 'team/web' }))
    expect(policy.policyText).toContain('"AWS" : "arn:aws:iam::210987654321:root"')
    const lifecycle = await client().send(new GetLifecyclePolicyCommand({ repositoryName: 'team/web' }))
    expect(lifecycle.lifecyclePolicyText).toBe(
      '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}',
    )
  })

  it('takes the longest prefix applied for the push, else ROOT; without one a push is RepositoryNotFoundException', async () => {
    await create({ prefix: 'ROOT', appliedFor: ['CREATE_ON_PUSH'], imageTagMutability: 'IMMUTABLE' })
    await create({ prefix: 'team', appliedFor: ['CREATE_ON_PUSH'], resourceTags: [{ Key: 'from', Value: 'team' }] })
    await create({ prefix: 'team/web', appliedFor: ['REPLICATION'], resourceTags: [{ Key: 'from', Value: 'team/web' }] })
    await client().send(new InitiateLayerUploadCommand({ repositoryName: 'team/web/api' }))
    await client().send(new InitiateLayerUploadCommand({ repositoryName: 'other/app' }))
    const { repositories } = await client().send(new DescribeRepositoriesCommand({ repositoryNames: ['team/web/api', 'other/app'] }))
    const tagsOf = async (arn: string) => (await client().send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags
    expect(await tagsOf(repositories![0]!.repositoryArn!)).toEqual([{ Key: 'from', Value: 'team' }])
    expect(repositories![1]).toMatchObject({ repositoryName: 'other/app', imageTagMutability: 'IMMUTABLE' })
    await client().send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'ROOT' }))
    await expect(client().send(new InitiateLayerUploadCommand({ repositoryName: 'elsewhere/app' }))).rejects.toThrow(RepositoryNotFoundException)
  })

  it('creates nothing when the push fails (PutImage of a manifest whose layers are missing)', async () => {
    await create({ prefix: 'team', appliedFor: ['CREATE_ON_PUSH'] })
    const before = ecr.snapshot()
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 2 },
      layers: [],
    })
    await expect(client().send(new PutImageCommand({ repositoryName: 'team/app', imageManifest: manifest, imageTag: 'v1' }))).rejects.toThrow(/LayersNotFound|Layers with digests/)
    expect(ecr.snapshot()).toEqual(before)
  })
})
