import type { RepositoryCreationTemplate, Tag } from '@aws-sdk/client-ecr'
import { prefixKey } from '../domain/creation-templates.js'
import { EcrError, invalidParameter } from '../errors.js'
import { policyProblem } from '../iam-policy.js'
import { parseLifecyclePolicy, storedLifecyclePolicyText } from '../lifecycle-policy.js'
import type { ValidatedInput } from './operation.js'
import { partitionOf } from '../partitions.js'
import { storedPolicyText } from '../policy-text.js'
import type { CreationTemplateRecord } from '../state/kinds.js'
import type { RegistryState } from '../state/registry-state.js'
import type { OperationContext } from './context.js'
import type { Implementations } from './operation.js'
import { checkRoleArn } from './pull-through-cache.js'
import { registryPage } from './registry-listing.js'
import { checkExclusionFilters } from './repositories.js'
import { checkNewTags } from './resource-tags.js'

type TemplateInput = ValidatedInput<'UpdateRepositoryCreationTemplate'>

/**
 * Repository creation templates (decisions/repository-creation-templates.md): Create, Describe,
 * Update and Delete. How a template shapes the repositories ECR creates is in
 * src/domain/creation-templates.ts.
 */
export const creationTemplateOperations = {
  CreateRepositoryCreationTemplate(input, ctx) {
    const registry = ctx.registry()
    const key = prefixKey(input.prefix)
    const settings = templateSettings(ctx, registry, input, DEFAULTS)
    if (registry.tables['repository-creation-template'].has(key)) {
      throw new EcrError(
        'TemplateAlreadyExistsException',
        `A repository creation template with the prefix '${input.prefix}' already exists in the registry with id '${registry.accountId}'`,
      )
    }
    const template: CreationTemplateRecord = { seq: ctx.nextSeq(), prefix: input.prefix, ...settings, createdAt: ctx.now, updatedAt: ctx.now }
    ctx.openRegistry().tables['repository-creation-template'].set(ctx.tx, key, template)
    return { registryId: registry.accountId, repositoryCreationTemplate: templateOutput(template) }
  },

  DescribeRepositoryCreationTemplates(input, ctx) {
    const registry = ctx.registry()
    const templates = registry.tables['repository-creation-template']
    // Prefixes without a template are left out (the model declares no TemplateNotFoundException here).
    const keys = input.prefixes?.map(prefixKey).filter((key) => templates.has(key))
    const page = registryPage(
      ctx,
      {
        listing: `DescribeRepositoryCreationTemplates\u0000${registry.accountId}\u0000${ctx.region}`,
        order: registry.creationTemplateOrder,
        get: (key) => templates.get(key),
        ...(keys !== undefined && { keys }),
      },
      input,
      templateOutput,
    )
    return {
      registryId: registry.accountId,
      repositoryCreationTemplates: page.items,
      ...(page.nextToken !== undefined && { nextToken: page.nextToken }),
    }
  },

  UpdateRepositoryCreationTemplate(input, ctx) {
    const registry = ctx.registry()
    const template = findTemplate(registry, input.prefix)
    const { seq, prefix, createdAt } = template
    const updated: CreationTemplateRecord = { seq, prefix, ...templateSettings(ctx, registry, input, template), createdAt, updatedAt: ctx.now }
    registry.tables['repository-creation-template'].set(ctx.tx, prefixKey(prefix), updated)
    return { registryId: registry.accountId, repositoryCreationTemplate: templateOutput(updated) }
  },

  DeleteRepositoryCreationTemplate(input, ctx) {
    const registry = ctx.registry()
    const template = findTemplate(registry, input.prefix)
    registry.tables['repository-creation-template'].delete(ctx.tx, prefixKey(template.prefix))
    return { registryId: registry.accountId, repositoryCreationTemplate: templateOutput(template) }
  },
} satisfies Implementations

type TemplateSettings = Omit<CreationTemplateRecord, 'seq' | 'prefix' | 'createdAt' | 'updatedAt'>

/** What a template holds when CreateRepositoryCreationTemplate leaves a member out. */
const DEFAULTS: TemplateSettings = {
  encryption: { encryptionType: 'AES256' },
  resourceTags: [],
  imageTagMutability: 'MUTABLE',
  appliedFor: [],
}

/**
 * A template's settings after a create or update: each member given replaces the one of `base`
 * (an empty text removes an optional one), checked as ECR checks it. Policies are kept as ECR
 * writes them back. Exclusion filters go with the mutability they are given with, else with the
 * template's.
 */
function templateSettings(ctx: OperationContext, registry: RegistryState, input: TemplateInput, base: TemplateSettings): TemplateSettings {
  const { description, repositoryPolicy, lifecyclePolicy, customRoleArn, imageTagMutabilityExclusionFilters: _filters, ...kept } = base
  const optional = <Value>(given: string | undefined, old: Value | undefined, check: (text: string) => Value) =>
    given === undefined ? old : given === '' ? undefined : check(given)
  const newDescription = optional(input.description, description, (text) => text)
  const newRepositoryPolicy = optional(input.repositoryPolicy, repositoryPolicy, (text) => {
    if (policyProblem(text, 'repository') !== undefined) throw invalidParameter('repositoryPolicy', 'Invalid repository policy provided')
    return storedPolicyText(text, partitionOf(ctx.region).name)
  })
  const newLifecyclePolicy = optional(input.lifecyclePolicy, lifecyclePolicy, (text) => {
    parseLifecyclePolicy(text)
    return storedLifecyclePolicyText(text)
  })
  const newCustomRoleArn = optional(input.customRoleArn, customRoleArn, (arn) => checkRoleArn(ctx, registry, arn))
  const imageTagMutability = input.imageTagMutability ?? kept.imageTagMutability
  const filters = checkExclusionFilters(
    imageTagMutability,
    input.imageTagMutabilityExclusionFilters ?? (input.imageTagMutability === undefined ? base.imageTagMutabilityExclusionFilters : undefined),
  )
  const appliedFor = input.appliedFor === undefined ? kept.appliedFor : [...new Set(input.appliedFor)]
  if (appliedFor.length === 0) throw invalidParameter('appliedFor', 'Member must have length greater than or equal to 1')
  return {
    ...kept,
    ...(newDescription !== undefined && { description: newDescription }),
    ...(newRepositoryPolicy !== undefined && { repositoryPolicy: newRepositoryPolicy }),
    ...(newLifecyclePolicy !== undefined && { lifecyclePolicy: newLifecyclePolicy }),
    ...(newCustomRoleArn !== undefined && { customRoleArn: newCustomRoleArn }),
    ...(input.encryptionConfiguration !== undefined && { encryption: templateEncryption(input.encryptionConfiguration) }),
    ...(input.resourceTags !== undefined && { resourceTags: templateTags(input.resourceTags) }),
    imageTagMutability,
    ...(filters !== undefined && { imageTagMutabilityExclusionFilters: filters }),
    appliedFor,
  }
}

function templateEncryption({ encryptionType, kmsKey }: NonNullable<TemplateInput['encryptionConfiguration']>): TemplateSettings['encryption'] {
  if (kmsKey === undefined || kmsKey === '') return { encryptionType }
  if (encryptionType === 'AES256') {
    throw invalidParameter('encryptionConfiguration.kmsKey', 'kmsKey can only be specified when encryptionType is KMS or KMS_DSSE')
  }
  return { encryptionType, kmsKey }
}

/** The tag rules of repositories, reported as the one error the template operations declare for bad input. */
function templateTags(tags: readonly Tag[]): TemplateSettings['resourceTags'] {
  try {
    return checkNewTags([], tags)
  } catch (error) {
    if (error instanceof EcrError) throw invalidParameter('resourceTags', error.message)
    throw error
  }
}

function findTemplate(registry: RegistryState, prefix: string): CreationTemplateRecord {
  const template = registry.tables['repository-creation-template'].get(prefixKey(prefix))
  if (template === undefined) {
    throw new EcrError(
      'TemplateNotFoundException',
      `The repository creation template with the prefix '${prefix}' does not exist in the registry with id '${registry.accountId}'`,
    )
  }
  return template
}

/** The RepositoryCreationTemplate structure ECR returns for a template. */
function templateOutput(template: CreationTemplateRecord): RepositoryCreationTemplate {
  return {
    prefix: template.prefix,
    ...(template.description !== undefined && { description: template.description }),
    encryptionConfiguration: template.encryption,
    resourceTags: template.resourceTags,
    imageTagMutability: template.imageTagMutability,
    ...(template.imageTagMutabilityExclusionFilters && { imageTagMutabilityExclusionFilters: template.imageTagMutabilityExclusionFilters }),
    ...(template.repositoryPolicy !== undefined && { repositoryPolicy: template.repositoryPolicy }),
    ...(template.lifecyclePolicy !== undefined && { lifecyclePolicy: template.lifecyclePolicy }),
    appliedFor: template.appliedFor,
    ...(template.customRoleArn !== undefined && { customRoleArn: template.customRoleArn }),
    createdAt: new Date(template.createdAt),
    updatedAt: new Date(template.updatedAt),
  }
}
