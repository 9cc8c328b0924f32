import { EcrError } from '../errors.js'
import { registryPolicyGoverns } from './account-settings.js'
import type { OperationName } from '../glossary.js'
import type { OperationContext } from '../operations/context.js'
import { partitionOf, repositoryArn } from '../partitions.js'
import { combineDecisions, evaluatePolicy, type PolicyDecision, type PolicyRequest } from '../policy-evaluation.js'
import { SINGLETON } from '../state/kinds.js'
import type { RegistryState } from '../state/registry-state.js'

/** What a cross-account call acts on: an ARN in another registry, and the repository it names, if one. */
interface Target {
  registry: RegistryState
  arn: string
  repositoryName?: string
}

/** Actions ECR governs at the registry level only (registry permissions), not by a repository's policy. */
const REGISTRY_ACTIONS: ReadonlySet<OperationName> = new Set(['CreateRepository'])

/** Operations authorized as another action (the model's documentation says which). */
const ACTION_OF: { readonly [Name in OperationName]?: OperationName } = { ListImageReferrers: 'BatchGetImage' }

/** An ECR repository ARN: partition, region, account, name. */
const REPOSITORY_ARN = /^arn:([a-z-]+):ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/

/**
 * Refuses a call into another account's registry that no resource policy allows, as ECR does
 * (decisions/cross-account-access.md). Checked only when signatures are (`ctx.caller` is set):
 * without them the fake cannot tell who calls. Calls into the caller's own registry are allowed
 * (the fake models no IAM identity policies). Across accounts the action `ecr:<operation>` on
 * each resource the call names must be allowed by the repository's policy or the registry's
 * policy and denied by neither. The registry policy governs every request under ECR's default
 * V2 scope, only the registry actions under V1 (the REGISTRY_POLICY_SCOPE account setting).
 *
 * @example
 * authorize(ctx, 'BatchGetImage', { registryId: '111111111111', repositoryName: 'web', imageIds: [] })
 */
export function authorize(ctx: OperationContext, operation: OperationName, input: object): void {
  const { caller } = ctx
  if (caller === undefined) return
  const principal = { accountId: caller.accountId, partition: partitionOf(ctx.region).name }
  const action = `ecr:${ACTION_OF[operation] ?? operation}`
  for (const target of targets(ctx, input)) {
    if (target.registry.accountId === caller.accountId) continue
    const request: PolicyRequest = { action, resource: target.arn, principal }
    const decision = combineDecisions([
      ...(REGISTRY_ACTIONS.has(operation) ? [] : [repositoryDecision(target, request)]),
      ...(registryPolicyGoverns(target.registry, action) ? [policyDecision(target.registry.setting('registry-policy')?.text, request)] : []),
    ])
    if (decision === 'allow') continue
    const user = `arn:${principal.partition}:iam::${principal.accountId}:root`
    throw new EcrError(
      'AccessDeniedException',
      `User: ${user} is not authorized to perform: ${action} on resource: ${target.arn} ` +
        (decision === 'deny' ? 'with an explicit deny in a resource-based policy' : `because no resource-based policy allows the ${action} action`),
    )
  }
}

/**
 * The resources a call names in the registry it targets: the repository of `repositoryName`, each
 * of `repositoryNames`, the repository of `resourceArn`, or else (a listing) all of the registry's
 * repositories, `repository/*`. A call without a `registryId` or `resourceArn` acts in the caller's
 * own registry; so does GetAuthorizationToken, whose `registryIds` only shape its answer.
 */
function targets(ctx: OperationContext, input: object): Target[] {
  const member = (name: string) => (input as Record<string, unknown>)[name]
  const resourceArn = member('resourceArn')
  if (typeof resourceArn === 'string') {
    const match = REPOSITORY_ARN.exec(resourceArn)
    // An ARN of another partition or region is the operation's to refuse (InvalidParameterException).
    if (match === null || match[1] !== partitionOf(ctx.region).name || match[2] !== ctx.region) return []
    return [repositoryTarget(ctx.registry(match[3]), match[4]!)]
  }
  const registryId = member('registryId')
  if (typeof registryId !== 'string') return []
  const registry = ctx.registry(registryId)
  const repositoryName = member('repositoryName')
  if (typeof repositoryName === 'string') return [repositoryTarget(registry, repositoryName)]
  const repositoryNames = member('repositoryNames')
  if (Array.isArray(repositoryNames)) return [...new Set(repositoryNames as string[])].map((name) => repositoryTarget(registry, name))
  return [{ registry, arn: repositoryArn(registry.accountId, registry.region, '*') }]
}

function repositoryTarget(registry: RegistryState, repositoryName: string): Target {
  return { registry, arn: repositoryArn(registry.accountId, registry.region, repositoryName), repositoryName }
}

/**
 * The target repository's policy on the request. A repository that does not exist has no policy:
 * the caller is refused unless the registry policy allows, and learns nothing of what the
 * registry holds.
 */
function repositoryDecision({ registry, repositoryName }: Target, request: PolicyRequest): PolicyDecision {
  if (repositoryName === undefined || !registry.repositories.has(repositoryName)) return 'none'
  return policyDecision(registry.contentsOf(repositoryName).tables['repository-policy'].get(SINGLETON)?.text, request)
}

function policyDecision(text: string | undefined, request: PolicyRequest): PolicyDecision {
  return text === undefined ? 'none' : evaluatePolicy(text, request)
}
