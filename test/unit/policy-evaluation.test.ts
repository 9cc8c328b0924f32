import { describe, expect, it } from 'vitest'
import { policyProblem } from '../../src/iam-policy.js'
import { combineDecisions, evaluatePolicy, type PolicyRequest } from '../../src/policy-evaluation.js'

const request: PolicyRequest = {
  action: 'ecr:BatchGetImage',
  resource: 'arn:aws:ecr:eu-west-1:111111111111:repository/team/web',
  principal: { accountId: '222222222222', partition: 'aws' },
}

/** A registry policy (so Resource is allowed) of these statements, checked to be one ECR accepts. */
function policy(...statements: Array<Record<string, unknown>>): string {
  const text = JSON.stringify({ Version: '2012-10-17', Statement: statements })
  expect(policyProblem(text, 'registry')).toBeUndefined()
  return text
}

const allow = (members: Record<string, unknown> = {}) => ({ Effect: 'Allow', Principal: { AWS: '222222222222' }, Action: 'ecr:BatchGetImage', ...members })

describe('evaluatePolicy', () => {
  it('allows what an Allow statement names, and says nothing otherwise', () => {
    expect(evaluatePolicy(policy(allow()), request)).toBe('allow')
    expect(evaluatePolicy(policy(allow({ Action: 'ecr:ListImages' })), request)).toBe('none')
  })

  it('lets a Deny win over an Allow, whatever their order', () => {
    const deny = { Effect: 'Deny', Principal: '*', Action: 'ecr:*' }
    expect(evaluatePolicy(policy(allow(), deny), request)).toBe('deny')
    expect(evaluatePolicy(policy(deny, allow()), request)).toBe('deny')
  })

  it('reads a single statement object as a list of one', () => {
    const text = JSON.stringify({ Version: '2008-10-17', Statement: allow() })
    expect(evaluatePolicy(text, request)).toBe('allow')
  })

  it.each([
    ['"*"', '*', 'allow'],
    ['{"AWS": "*"}', { AWS: '*' }, 'allow'],
    ['the account id', { AWS: '222222222222' }, 'allow'],
    ['the root ARN', { AWS: 'arn:aws:iam::222222222222:root' }, 'allow'],
    ['the root ARN of another partition', { AWS: 'arn:aws-cn:iam::222222222222:root' }, 'none'],
    ['another account', { AWS: ['111111111111', 'arn:aws:iam::333333333333:root'] }, 'none'],
    ['a role of the account', { AWS: 'arn:aws:iam::222222222222:role/ci' }, 'none'],
    ['a service', { Service: 'lambda.amazonaws.com' }, 'none'],
  ])('matches a Principal of %s: %s', (_case, principal, decision) => {
    expect(evaluatePolicy(policy(allow({ Principal: principal })), request)).toBe(decision)
  })

  it('matches the China partition’s root ARN in a China region', () => {
    const china = { ...request, principal: { accountId: '222222222222', partition: 'aws-cn' } }
    expect(evaluatePolicy(policy(allow({ Principal: { AWS: 'arn:aws-cn:iam::222222222222:root' } })), china)).toBe('allow')
  })

  it('applies NotPrincipal to everyone it does not name', () => {
    const deny = (named: string) => policy({ Effect: 'Deny', NotPrincipal: { AWS: named }, Action: 'ecr:*' })
    expect(evaluatePolicy(deny('111111111111'), request)).toBe('deny')
    expect(evaluatePolicy(deny('arn:aws:iam::222222222222:root'), request)).toBe('none')
  })

  it.each([
    ['ecr:*', 'allow'],
    ['*', 'allow'],
    ['ECR:batchgetimage', 'allow'],
    ['ecr:Batch?etImage', 'allow'],
    ['ecr:Batch?Image', 'none'],
    ['ecr:BatchGet', 'none'],
    ['ecr:Get*', 'none'],
  ])('matches Action %s (case-insensitively, * and ?): %s', (action, decision) => {
    expect(evaluatePolicy(policy(allow({ Action: action })), request)).toBe(decision)
  })

  it('applies NotAction to every action it does not name', () => {
    expect(evaluatePolicy(policy(allow({ Action: undefined, NotAction: ['ecr:Delete*', 'ecr:Put*'] })), request)).toBe('allow')
    expect(evaluatePolicy(policy(allow({ Action: undefined, NotAction: 'ecr:BatchGet*' })), request)).toBe('none')
  })

  it.each([
    ['*', 'allow'],
    ['arn:aws:ecr:eu-west-1:111111111111:repository/*', 'allow'],
    ['arn:aws:ecr:*:111111111111:repository/team/*', 'allow'],
    ['arn:aws:ecr:eu-west-1:111111111111:repository/team/we?', 'allow'],
    ['arn:aws:ecr:eu-west-1:111111111111:repository/Team/*', 'none'],
    ['arn:aws:ecr:eu-west-1:111111111111:repository/team', 'none'],
    ['arn:aws:ecr:eu-west-1:333333333333:repository/*', 'none'],
  ])('matches Resource %s (case-sensitively): %s', (resource, decision) => {
    expect(evaluatePolicy(policy(allow({ Resource: resource })), request)).toBe(decision)
  })

  it('applies NotResource to every resource it does not name', () => {
    expect(evaluatePolicy(policy(allow({ NotResource: 'arn:aws:ecr:*:*:repository/private/*' })), request)).toBe('allow')
    expect(evaluatePolicy(policy(allow({ NotResource: 'arn:aws:ecr:*:*:repository/team/*' })), request)).toBe('none')
  })

  it('treats regular-expression characters in a pattern literally', () => {
    expect(evaluatePolicy(policy(allow({ Resource: 'arn:aws:ecr:eu-west-1:111111111111:repository/team.web' })), {
      ...request,
      resource: 'arn:aws:ecr:eu-west-1:111111111111:repository/teamxweb',
    })).toBe('none')
  })

  it('skips a statement with a Condition, Allow or Deny', () => {
    const condition = { StringEquals: { 'aws:PrincipalAccount': '222222222222' } }
    expect(evaluatePolicy(policy(allow({ Condition: condition })), request)).toBe('none')
    expect(evaluatePolicy(policy(allow(), { Effect: 'Deny', Principal: '*', Action: '*', Condition: condition }), request)).toBe('allow')
  })
})

describe('combineDecisions', () => {
  it.each([
    [['allow', 'deny'], 'deny'],
    [['none', 'allow'], 'allow'],
    [['none', 'none'], 'none'],
    [[], 'none'],
  ] as const)('combines %j into %s', (decisions, combined) => {
    expect(combineDecisions(decisions)).toBe(combined)
  })
})
