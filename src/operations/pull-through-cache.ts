import type { PullThroughCacheRule } from '@aws-sdk/client-ecr'
import { prefixKey, ROOT } from '../domain/creation-templates.js'
import { authenticationProblem, upstreamKindOf, type UpstreamKind } from '../domain/pull-through-cache.js'
import { EcrError, invalidParameter } from '../errors.js'
import { partitionOf } from '../partitions.js'
import type { PullThroughCacheRuleRecord } from '../state/kinds.js'
import type { RegistryState } from '../state/registry-state.js'
import type { OperationContext } from './context.js'
import type { Implementations } from './operation.js'
import { registryPage } from './registry-listing.js'

const SECRET_ARN = /^arn:([\w-]+):secretsmanager:([a-z0-9-]+):(\d{12}):secret:/
const ROLE_ARN = /^arn:([\w-]+):iam::(\d{12}):role\/[\w+=,.@/-]+$/

/**
 * Pull through cache rules (decisions/pull-through-cache.md): Create, Describe, Update, Delete and
 * Validate. What a rule does to pulls is in src/domain/pull-through-cache.ts.
 */
export const pullThroughCacheOperations = {
  CreatePullThroughCacheRule(input, ctx) {
    const registry = ctx.registry(input.registryId)
    const kind = upstreamKindOf(input.upstreamRegistryUrl)
    if (kind === undefined || (input.upstreamRegistry !== undefined && input.upstreamRegistry !== kind.registry)) {
      throw new EcrError(
        'UnsupportedUpstreamRegistryException',
        `The upstream registry URL ${input.upstreamRegistryUrl} is invalid. Specify a valid upstream registry URL and try again`,
      )
    }
    const prefix = input.ecrRepositoryPrefix
    const upstreamPrefix = input.upstreamRepositoryPrefix
    if (kind.ecr === undefined) {
      if (prefix === ROOT) throw invalidParameter('ecrRepositoryPrefix', 'ROOT can only be used with an Amazon ECR upstream registry')
      if (upstreamPrefix !== undefined) {
        throw invalidParameter('upstreamRepositoryPrefix', 'upstreamRepositoryPrefix can only be used with an Amazon ECR upstream registry')
      }
    } else {
      if (prefix === ROOT && upstreamPrefix !== undefined && upstreamPrefix !== ROOT) {
        throw invalidParameter('upstreamRepositoryPrefix', 'upstreamRepositoryPrefix can only be set when ecrRepositoryPrefix is not ROOT')
      }
      if (kind.ecr.accountId === registry.accountId && kind.ecr.region === ctx.region) {
        throw invalidParameter('upstreamRegistryUrl', 'The upstream registry cannot be the registry the rule is created in')
      }
    }
    const credentialArn = checkCredential(ctx, registry, kind, input.credentialArn)
    if (kind.authentication === 'secret' && credentialArn === undefined) {
      throw new EcrError(
        'UnsupportedUpstreamRegistryException',
        'The specified upstream registry requires authentication. Specify a valid Secrets Manager ARN and try again',
      )
    }
    const customRoleArn = checkCustomRole(ctx, registry, kind, input.customRoleArn)
    const rules = registry.tables['pull-through-cache-rule']
    const key = prefixKey(prefix)
    if (rules.has(key)) {
      throw new EcrError(
        'PullThroughCacheRuleAlreadyExistsException',
        `A pull through cache rule with the prefix '${prefix}' already exists in the registry with id '${registry.accountId}'`,
      )
    }
    const limit = ctx.settings.limits.pullThroughCacheRulesPerRegistry
    if (rules.size >= limit) {
      throw new EcrError(
        'LimitExceededException',
        `The registry with id '${registry.accountId}' already has the maximum allowed number of pull through cache rules which is '${limit}'`,
      )
    }
    const rule: PullThroughCacheRuleRecord = {
      seq: ctx.nextSeq(),
      ecrRepositoryPrefix: prefix,
      upstreamRegistryUrl: input.upstreamRegistryUrl,
      upstreamRegistry: kind.registry,
      ...(credentialArn !== undefined && { credentialArn }),
      ...(customRoleArn !== undefined && { customRoleArn }),
      // An ECR upstream maps names from ROOT unless told otherwise (the model's documentation).
      ...(kind.ecr !== undefined && { upstreamRepositoryPrefix: upstreamPrefix ?? ROOT }),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }
    ctx.openRegistry(input.registryId).tables['pull-through-cache-rule'].set(ctx.tx, key, rule)
    const { updatedAt: _updated, ...created } = ruleOutput(registry, rule)
    return created
  },

  DescribePullThroughCacheRules(input, ctx) {
    const registry = ctx.registry(input.registryId)
    const rules = registry.tables['pull-through-cache-rule']
    const keys = input.ecrRepositoryPrefixes?.map((prefix) => {
      findRule(registry, prefix)
      return prefixKey(prefix)
    })
    const page = registryPage(
      ctx,
      {
        listing: `DescribePullThroughCacheRules\u0000${registry.accountId}\u0000${ctx.region}`,
        order: registry.pullThroughCacheRuleOrder,
        get: (key) => rules.get(key),
        ...(keys !== undefined && { keys }),
      },
      input,
      (rule) => ruleOutput(registry, rule),
    )
    return { pullThroughCacheRules: page.items, ...(page.nextToken !== undefined && { nextToken: page.nextToken }) }
  },

  UpdatePullThroughCacheRule(input, ctx) {
    const registry = ctx.registry(input.registryId)
    const rule = findRule(registry, input.ecrRepositoryPrefix)
    const kind = upstreamKindOf(rule.upstreamRegistryUrl)!
    const { credentialArn: _credential, customRoleArn: _role, ...rest } = rule
    const credentialArn = input.credentialArn === undefined ? rule.credentialArn : checkCredential(ctx, registry, kind, input.credentialArn)
    const customRoleArn = input.customRoleArn === undefined ? rule.customRoleArn : checkCustomRole(ctx, registry, kind, input.customRoleArn)
    const updated: PullThroughCacheRuleRecord = {
      ...rest,
      ...(credentialArn !== undefined && { credentialArn }),
      ...(customRoleArn !== undefined && { customRoleArn }),
      updatedAt: ctx.now,
    }
    registry.tables['pull-through-cache-rule'].set(ctx.tx, prefixKey(rule.ecrRepositoryPrefix), updated)
    return {
      ecrRepositoryPrefix: updated.ecrRepositoryPrefix,
      registryId: registry.accountId,
      updatedAt: new Date(updated.updatedAt),
      ...optionalMembers(updated),
    }
  },

  DeletePullThroughCacheRule(input, ctx) {
    const registry = ctx.registry(input.registryId)
    const rule = findRule(registry, input.ecrRepositoryPrefix)
    // Repositories the rule created stay, with what they cached; only future pulls are affected.
    registry.tables['pull-through-cache-rule'].delete(ctx.tx, prefixKey(rule.ecrRepositoryPrefix))
    const { upstreamRegistry: _upstream, updatedAt: _updated, ...deleted } = ruleOutput(registry, rule)
    return deleted
  },

  ValidatePullThroughCacheRule(input, ctx) {
    const registry = ctx.registry(input.registryId)
    const rule = findRule(registry, input.ecrRepositoryPrefix)
    const failure = authenticationProblem(ctx, rule)
    return {
      ecrRepositoryPrefix: rule.ecrRepositoryPrefix,
      registryId: registry.accountId,
      upstreamRegistryUrl: rule.upstreamRegistryUrl,
      ...optionalMembers(rule),
      isValid: failure === undefined,
      ...(failure !== undefined && { failure }),
    }
  },
} satisfies Implementations

/** The PullThroughCacheRule structure ECR returns for a rule. */
function ruleOutput(registry: RegistryState, rule: PullThroughCacheRuleRecord): PullThroughCacheRule {
  return {
    ecrRepositoryPrefix: rule.ecrRepositoryPrefix,
    upstreamRegistryUrl: rule.upstreamRegistryUrl,
    createdAt: new Date(rule.createdAt),
    registryId: registry.accountId,
    ...optionalMembers(rule),
    upstreamRegistry: rule.upstreamRegistry,
    updatedAt: new Date(rule.updatedAt),
  }
}

function optionalMembers({ credentialArn, customRoleArn, upstreamRepositoryPrefix }: PullThroughCacheRuleRecord) {
  return {
    ...(credentialArn !== undefined && { credentialArn }),
    ...(customRoleArn !== undefined && { customRoleArn }),
    ...(upstreamRepositoryPrefix !== undefined && { upstreamRepositoryPrefix }),
  }
}

function findRule(registry: RegistryState, prefix: string): PullThroughCacheRuleRecord {
  const rule = registry.tables['pull-through-cache-rule'].get(prefixKey(prefix))
  if (rule === undefined) {
    throw new EcrError(
      'PullThroughCacheRuleNotFoundException',
      `The pull through cache rule with the prefix '${prefix}' does not exist in the registry with id '${registry.accountId}'`,
    )
  }
  return rule
}

/**
 * The secret a rule authenticates to its upstream with. ECR reads it from Secrets Manager in the
 * registry's account and Region: a secret elsewhere is not found there, or not accessible.
 */
function checkCredential(ctx: OperationContext, registry: RegistryState, kind: UpstreamKind, credentialArn: string | undefined): string | undefined {
  if (credentialArn === undefined) return undefined
  if (kind.authentication === 'role') {
    throw invalidParameter('credentialArn', 'credentialArn cannot be used with an Amazon ECR upstream registry, which is reached with an IAM role')
  }
  const [, partition, region, accountId] = SECRET_ARN.exec(credentialArn) ?? []
  if (partition !== partitionOf(ctx.region).name || region !== ctx.region) {
    throw new EcrError(
      'SecretNotFoundException',
      `The secret '${credentialArn}' was not found. Specify a Secrets Manager secret in the Region of the registry and try again`,
    )
  }
  if (accountId !== registry.accountId) {
    throw new EcrError(
      'UnableToAccessSecretException',
      `The secret '${credentialArn}' cannot be accessed. Verify the resource permissions for the secret and try again`,
    )
  }
  return credentialArn
}

/**
 * The IAM role a rule reaches an ECR upstream with: a role of the registry's own account, and
 * required when the upstream registry is another account's. An empty text removes it.
 */
function checkCustomRole(ctx: OperationContext, registry: RegistryState, kind: UpstreamKind, customRoleArn: string | undefined): string | undefined {
  const crossAccount = kind.ecr !== undefined && kind.ecr.accountId !== registry.accountId
  if (customRoleArn === undefined || customRoleArn === '') {
    if (crossAccount) {
      throw invalidParameter('customRoleArn', 'customRoleArn must be specified when the upstream registry belongs to another account')
    }
    return undefined
  }
  if (kind.ecr === undefined) throw invalidParameter('customRoleArn', 'customRoleArn can only be used with an Amazon ECR upstream registry')
  return checkRoleArn(ctx, registry, customRoleArn)
}

/** A role ARN of the registry's own account, as ECR requires for the roles it assumes (rules, templates). */
export function checkRoleArn(ctx: OperationContext, registry: RegistryState, roleArn: string): string {
  const [, partition, accountId] = ROLE_ARN.exec(roleArn) ?? []
  if (partition !== partitionOf(ctx.region).name) throw invalidParameter('customRoleArn', `Invalid IAM role ARN '${roleArn}'`)
  if (accountId !== registry.accountId) {
    throw invalidParameter('customRoleArn', `The role must be in the same account as the registry with id '${registry.accountId}'`)
  }
  return roleArn
}
