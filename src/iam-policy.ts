/**
 * The check ECR runs on repository and registry permission policies: the text must be an IAM
 * resource-policy document. The rule set is in decisions/policy-validation.md; it refuses what
 * IAM or ECR refuse and nothing they accept.
 */

/** Which policy is checked: repository policies may not name a Resource, registry policies may. */
export type PolicyKind = 'repository' | 'registry'

const VERSIONS = ['2012-10-17', '2008-10-17']
const DOCUMENT_MEMBERS = ['Version', 'Id', 'Statement']
const STATEMENT_MEMBERS = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']
const PRINCIPAL_TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser']
/** `*`, or `service:Action` where the action may use `*` and `?` wildcards. */
const ACTION = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/
/** An account id, or the ARN of an IAM root, user or role, or of an STS session. */
const AWS_PRINCIPAL =
  /^(\*|\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|user\/.+|role\/.+)|arn:aws[a-z-]*:sts::\d{12}:(assumed-role|federated-user)\/.+)$/

type JsonObject = { readonly [key: string]: unknown }

/**
 * Why `text` is not a valid policy of this kind, or `undefined` when it is.
 *
 * @example
 * policyProblem('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*"}]}', 'repository') // undefined
 */
export function policyProblem(text: string, kind: PolicyKind): string | undefined {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    return 'the text is not JSON'
  }
  if (!isObject(document)) return 'the policy is not a JSON object'
  const unknown = Object.keys(document).find((key) => !DOCUMENT_MEMBERS.includes(key))
  if (unknown !== undefined) return `unknown policy member '${unknown}'`
  if (typeof document.Version !== 'string' || !VERSIONS.includes(document.Version)) {
    return `Version must be one of ${VERSIONS.join(', ')}`
  }
  if (document.Id !== undefined && typeof document.Id !== 'string') return 'Id must be a string'
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement]
  if (document.Statement === undefined || statements.length === 0) return 'the policy has no Statement'
  for (const [index, statement] of statements.entries()) {
    const problem = statementProblem(statement, kind)
    if (problem !== undefined) return `statement ${index + 1}: ${problem}`
  }
  return undefined
}

function statementProblem(statement: unknown, kind: PolicyKind): string | undefined {
  if (!isObject(statement)) return 'a statement must be an object'
  const unknown = Object.keys(statement).find((key) => !STATEMENT_MEMBERS.includes(key))
  if (unknown !== undefined) return `unknown statement member '${unknown}'`
  const has = (key: string) => Object.hasOwn(statement, key)
  if (has('Sid') && typeof statement.Sid !== 'string') return 'Sid must be a string'
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') return 'Effect must be Allow or Deny'
  // A resource policy applies to others: it must say to whom.
  if (has('Principal') === has('NotPrincipal')) return 'exactly one of Principal and NotPrincipal is required'
  const principalProblem = principalsProblem(has('Principal') ? statement.Principal : statement.NotPrincipal)
  if (principalProblem !== undefined) return principalProblem
  if (has('Action') === has('NotAction')) return 'exactly one of Action and NotAction is required'
  const actions = stringList(has('Action') ? statement.Action : statement.NotAction)
  if (actions === undefined) return 'Action must be a string or a non-empty list of strings'
  const badAction = actions.find((action) => !ACTION.test(action))
  if (badAction !== undefined) return `'${badAction}' is not an action (expected service:Action)`
  if (has('Resource') || has('NotResource')) {
    // The repository is the policy's resource; ECR refuses a Resource element (observed).
    if (kind === 'repository') return 'a repository policy cannot name a Resource'
    if (has('Resource') && has('NotResource')) return 'Resource and NotResource cannot both be given'
    if (stringList(has('Resource') ? statement.Resource : statement.NotResource) === undefined) {
      return 'Resource must be a string or a non-empty list of strings'
    }
  }
  if (has('Condition') && !conditionIsValid(statement.Condition)) {
    return 'Condition must map operators to objects of keys and values'
  }
  return undefined
}

function principalsProblem(principal: unknown): string | undefined {
  if (principal === '*') return undefined
  if (!isObject(principal)) return 'a principal is "*" or an object such as {"AWS": [...]}'
  const types = Object.keys(principal)
  if (types.length === 0) return 'the principal names nobody'
  for (const type of types) {
    if (!PRINCIPAL_TYPES.includes(type)) return `unknown principal type '${type}'`
    const values = stringList(principal[type])
    if (values === undefined) return `${type} principals must be a string or a non-empty list of strings`
    const bad = type === 'AWS' ? values.find((value) => !AWS_PRINCIPAL.test(value)) : values.find((value) => value === '')
    if (bad !== undefined) return `'${bad}' is not a valid ${type} principal`
  }
  return undefined
}

/** `{"StringEquals": {"aws:PrincipalOrgID": ["o-123"]}}`: operator → key → scalar or list of scalars. */
function conditionIsValid(condition: unknown): boolean {
  if (!isObject(condition)) return false
  return Object.values(condition).every(
    (keys) =>
      isObject(keys) &&
      Object.values(keys).every((value) => (Array.isArray(value) ? value.every(isScalar) : isScalar(value))),
  )
}

/** A string or a non-empty list of strings, as a list; `undefined` for anything else. */
function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')) return value
  return undefined
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
