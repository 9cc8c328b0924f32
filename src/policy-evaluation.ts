/**
 * Evaluates a resource policy (a repository or registry permission policy) for one request, with
 * IAM's rules as far as the fake can know the request (decisions/cross-account-access.md): an
 * explicit Deny wins, else an Allow grants, else the policy says nothing.
 */

/** What one policy says about a request: `allow`, an explicit `deny`, or `none` (no statement applies). */
export type PolicyDecision = 'allow' | 'deny' | 'none'

/** The request a policy is asked about. */
export interface PolicyRequest {
  /** The IAM action, e.g. `ecr:BatchGetImage`. */
  action: string
  /** The ARN of the resource acted on, e.g. `arn:aws:ecr:eu-west-1:111111111111:repository/web`. */
  resource: string
  /** The calling account: the fake knows a caller's access key and its account, nothing finer. */
  principal: { accountId: string; partition: string }
}

type Statement = { readonly [member: string]: unknown }

/**
 * What a policy document (valid per `policyProblem`) says about a request.
 *
 * @example
 * evaluatePolicy('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"ecr:BatchGetImage"}]}', {
 *   action: 'ecr:BatchGetImage',
 *   resource: 'arn:aws:ecr:eu-west-1:111111111111:repository/web',
 *   principal: { accountId: '222222222222', partition: 'aws' },
 * }) // 'allow'
 */
export function evaluatePolicy(text: string, request: PolicyRequest): PolicyDecision {
  const { Statement: statements } = JSON.parse(text) as { Statement: Statement | Statement[] }
  let decision: PolicyDecision = 'none'
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    if (!applies(statement, request)) continue
    if (statement.Effect === 'Deny') return 'deny'
    decision = 'allow'
  }
  return decision
}

/** Several policies' decisions about one request as one: any Deny wins, then any Allow. */
export function combineDecisions(decisions: readonly PolicyDecision[]): PolicyDecision {
  if (decisions.includes('deny')) return 'deny'
  return decisions.includes('allow') ? 'allow' : 'none'
}

function applies(statement: Statement, { action, resource, principal }: PolicyRequest): boolean {
  // The fake has no request context (organization, source IP, VPC endpoint, tags, transport) to
  // test a condition against, so a conditional statement neither allows nor denies.
  if (Object.hasOwn(statement, 'Condition')) return false
  const principalMatch = Object.hasOwn(statement, 'Principal')
    ? namesPrincipal(statement.Principal, principal)
    : !namesPrincipal(statement.NotPrincipal, principal)
  if (!principalMatch) return false
  const actionMatch = Object.hasOwn(statement, 'Action')
    ? list(statement.Action).some((pattern) => matches(pattern, action, 'i'))
    : !list(statement.NotAction).some((pattern) => matches(pattern, action, 'i'))
  if (!actionMatch) return false
  // A repository policy has no Resource: it is about the repository it is attached to.
  if (Object.hasOwn(statement, 'Resource')) return list(statement.Resource).some((pattern) => matches(pattern, resource, ''))
  if (Object.hasOwn(statement, 'NotResource')) return !list(statement.NotResource).some((pattern) => matches(pattern, resource, ''))
  return true
}

/**
 * Whether a Principal element names the calling account: `*`, `{"AWS": "*"}`, the account id, or
 * its `root` ARN (which IAM reads as the whole account). User, role and session ARNs name one
 * identity, which a caller known only by its account cannot be shown to be; service, federated
 * and canonical-user principals are never an IAM caller.
 */
function namesPrincipal(element: unknown, { accountId, partition }: PolicyRequest['principal']): boolean {
  if (element === '*') return true
  const aws = (element as { AWS?: unknown }).AWS
  if (aws === undefined) return false
  const root = `arn:${partition}:iam::${accountId}:root`
  return list(aws).some((value) => value === '*' || value === accountId || value === root)
}

/** Whether an action pattern (`ecr:Batch*`) covers an action, as IAM compares them. */
export function matchesAction(pattern: string, action: string): boolean {
  return matches(pattern, action, 'i')
}

/** IAM's wildcards: `*` any run of characters, `?` any one; actions compare case-insensitively. */
function matches(pattern: string, value: string, flags: '' | 'i'): boolean {
  const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/, '\\$&'))).join('')
  return new RegExp(`^${source}$`, `s${flags}`).test(value)
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value : [value as string]
}
