import { describe, expect, it } from 'vitest'
import { policyProblem } from '../../src/iam-policy.js'

const pull = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']

/** A policy of one statement: a valid pull grant with these members changed (`undefined` removes one). */
function withStatement(changes: Record<string, unknown>, version: unknown = '2012-10-17'): string {
  const statement: Record<string, unknown> = { Sid: 'Pull', Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: pull }
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete statement[key]
    else statement[key] = value
  }
  return JSON.stringify({ Version: version, Statement: [statement] })
}

describe('policyProblem: accepted policies', () => {
  it.each([
    ['Principal "*" and Action "ecr:*"', withStatement({ Principal: '*', Action: 'ecr:*' })],
    ['a list of AWS principals', withStatement({ Principal: { AWS: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::111122223333:role/ci'] } })],
    ['an IAM user and an STS session', withStatement({ Principal: { AWS: ['arn:aws:iam::111122223333:user/a/b', 'arn:aws:sts::111122223333:assumed-role/ci/run-1'] } })],
    ['a service principal', withStatement({ Principal: { Service: 'codebuild.amazonaws.com' } })],
    ['AWS "*" in an object', withStatement({ Principal: { AWS: '*' } })],
    ['a China-partition ARN', withStatement({ Principal: { AWS: 'arn:aws-cn:iam::111122223333:root' } })],
    ['NotPrincipal with Deny', withStatement({ Effect: 'Deny', Principal: undefined, NotPrincipal: { AWS: '111122223333' } })],
    ['NotAction', withStatement({ Action: undefined, NotAction: 'ecr:DeleteRepository' })],
    ['wildcard actions', withStatement({ Action: ['ecr:Get*', 'ecr:Batch?etImage', '*'] })],
    ['no Sid', withStatement({ Sid: undefined })],
    ['a condition', withStatement({ Condition: { StringEquals: { 'aws:PrincipalOrgID': ['o-abc123'] }, Bool: { 'aws:SecureTransport': true } } })],
    ['the 2008 version the ECR console writes', withStatement({}, '2008-10-17')],
    ['a single statement object', JSON.stringify({ Version: '2012-10-17', Id: 'p', Statement: { Effect: 'Allow', Principal: '*', Action: 'ecr:*' } })],
  ])('accepts %s', (_case, text) => {
    expect(policyProblem(text, 'repository')).toBeUndefined()
  })

  it('accepts a Resource in a registry policy only', () => {
    const text = withStatement({ Action: ['ecr:ReplicateImage', 'ecr:CreateRepository'], Resource: 'arn:aws:ecr:us-east-1:111122223333:repository/*' })
    expect(policyProblem(text, 'registry')).toBeUndefined()
    expect(policyProblem(text, 'repository')).toBe('statement 1: a repository policy cannot name a Resource')
    expect(policyProblem(withStatement({ NotResource: '*' }), 'repository')).toBe('statement 1: a repository policy cannot name a Resource')
    expect(policyProblem(withStatement({ Resource: [] }), 'registry')).toBe(
      'statement 1: Resource must be a string or a non-empty list of strings',
    )
    expect(policyProblem(withStatement({ Resource: '*', NotResource: '*' }), 'registry')).toBe(
      'statement 1: Resource and NotResource cannot both be given',
    )
  })
})

describe('policyProblem: the document', () => {
  it.each([
    ['empty text', '', 'the text is not JSON'],
    ['text that is not JSON', '{Version: 2012-10-17}', 'the text is not JSON'],
    ['a list', '[]', 'the policy is not a JSON object'],
    ['a string', '"policy"', 'the policy is not a JSON object'],
    ['no Version', JSON.stringify({ Statement: [] }), 'Version must be one of 2012-10-17, 2008-10-17'],
    ['an unknown Version', withStatement({}, '2021-01-01'), 'Version must be one of 2012-10-17, 2008-10-17'],
    ['a numeric Version', withStatement({}, 2012), 'Version must be one of 2012-10-17, 2008-10-17'],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' }), 'the policy has no Statement'],
    ['an empty Statement list', JSON.stringify({ Version: '2012-10-17', Statement: [] }), 'the policy has no Statement'],
    ['an unknown member', JSON.stringify({ Version: '2012-10-17', Statement: [], Extra: 1 }), "unknown policy member 'Extra'"],
    ['a numeric Id', JSON.stringify({ Version: '2012-10-17', Id: 1, Statement: [] }), 'Id must be a string'],
    ['a statement that is not an object', JSON.stringify({ Version: '2012-10-17', Statement: ['Allow'] }), 'statement 1: a statement must be an object'],
  ])('refuses %s', (_case, text, problem) => {
    expect(policyProblem(text, 'repository')).toBe(problem)
  })

  it('names the statement at fault', () => {
    const good = { Effect: 'Allow', Principal: '*', Action: 'ecr:*' }
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [good, { ...good, Effect: 'allow' }] })
    expect(policyProblem(text, 'registry')).toBe('statement 2: Effect must be Allow or Deny')
  })
})

describe('policyProblem: a statement', () => {
  it.each([
    ['an unknown member', { Principals: '*' }, "unknown statement member 'Principals'"],
    ['a numeric Sid', { Sid: 1 }, 'Sid must be a string'],
    ['no Effect', { Effect: undefined }, 'Effect must be Allow or Deny'],
    ['a lower-case Effect', { Effect: 'allow' }, 'Effect must be Allow or Deny'],
    ['no principal', { Principal: undefined }, 'exactly one of Principal and NotPrincipal is required'],
    ['Principal and NotPrincipal', { NotPrincipal: '*' }, 'exactly one of Principal and NotPrincipal is required'],
    ['a bare ARN as Principal', { Principal: 'arn:aws:iam::111122223333:root' }, 'a principal is "*" or an object such as {"AWS": [...]}'],
    ['an empty principal object', { Principal: {} }, 'the principal names nobody'],
    ['an unknown principal type', { Principal: { User: 'me' } }, "unknown principal type 'User'"],
    ['an empty principal list', { Principal: { AWS: [] } }, 'AWS principals must be a string or a non-empty list of strings'],
    ['a wildcard account ARN', { Principal: { AWS: 'arn:aws:iam::111122223333:*' } }, "'arn:aws:iam::111122223333:*' is not a valid AWS principal"],
    ['a short account id', { Principal: { AWS: 'arn:aws:iam::123:user/me' } }, "'arn:aws:iam::123:user/me' is not a valid AWS principal"],
    ['a group as principal', { Principal: { AWS: 'arn:aws:iam::111122223333:group/devs' } }, "'arn:aws:iam::111122223333:group/devs' is not a valid AWS principal"],
    ['an empty service principal', { Principal: { Service: '' } }, "'' is not a valid Service principal"],
    ['no action', { Action: undefined }, 'exactly one of Action and NotAction is required'],
    ['Action and NotAction', { NotAction: 'ecr:*' }, 'exactly one of Action and NotAction is required'],
    ['an empty action list', { Action: [] }, 'Action must be a string or a non-empty list of strings'],
    ['an action without a service', { Action: 'BatchGetImage' }, "'BatchGetImage' is not an action (expected service:Action)"],
    ['a condition that is not an object', { Condition: 'StringEquals' }, 'Condition must map operators to objects of keys and values'],
    ['a condition operator without keys', { Condition: { StringEquals: 'x' } }, 'Condition must map operators to objects of keys and values'],
    ['a condition value that is an object', { Condition: { StringEquals: { 'aws:SourceAccount': { a: 1 } } } }, 'Condition must map operators to objects of keys and values'],
  ])('refuses %s', (_case, changes, problem) => {
    expect(policyProblem(withStatement(changes), 'repository')).toBe(`statement 1: ${problem}`)
  })

  it('does not mistake a JSON __proto__ member for a known one', () => {
    const text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"__proto__":["*"]},"Action":"ecr:*"}]}'
    expect(policyProblem(text, 'repository')).toBe("statement 1: unknown principal type '__proto__'")
  })
})
