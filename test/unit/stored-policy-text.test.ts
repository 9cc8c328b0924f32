import { describe, expect, it } from 'vitest'
import { compactJsonText, parseJsonText, prettyJsonText } from '../../src/json-text.js'
import { parseLifecyclePolicy, storedLifecyclePolicyText } from '../../src/lifecycle-policy.js'
import { storedPolicyText } from '../../src/policy-text.js'

// Inputs and outputs published with real ECR responses (discoveries §25, §26): the fake must
// turn each input into exactly the text ECR answered with.
describe('storedPolicyText: published ECR responses', () => {
  it('rewrites the AWS CLI set-repository-policy example file into the documented policyText', () => {
    // awscli/examples/ecr/set-repository-policy.rst, trailing spaces included.
    const file = [
      '{',
      '    "Version" : "2008-10-17",',
      '    "Statement" : [ ',
      '        {',
      '            "Sid" : "allow public pull",',
      '            "Effect" : "Allow",',
      '            "Principal" : "*",',
      '            "Action" : [',
      '                "ecr:BatchCheckLayerAvailability",',
      '                "ecr:BatchGetImage",',
      '                "ecr:GetDownloadUrlForLayer" ',
      '            ]',
      '        }',
      '    ]',
      '}',
      '',
    ].join('\n')
    expect(storedPolicyText(file, 'aws')).toBe(
      '{\n  "Version" : "2008-10-17",\n  "Statement" : [ {\n    "Sid" : "allow public pull",\n    "Effect" : "Allow",\n    "Principal" : "*",\n    "Action" : [ "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]\n  } ]\n}',
    )
  })

  it('opens a nested principal object on its member’s line', () => {
    const sent = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "LambdaECRImageRetrievalPolicy",
    "Effect": "Allow",
    "Principal": {
      "Service": "lambda.amazonaws.com"
    },
    "Action": [
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer"
    ]
  }]
}`
    expect(storedPolicyText(sent, 'aws')).toBe(
      '{\n  "Version" : "2012-10-17",\n  "Statement" : [ {\n    "Sid" : "LambdaECRImageRetrievalPolicy",\n    "Effect" : "Allow",\n    "Principal" : {\n      "Service" : "lambda.amazonaws.com"\n    },\n    "Action" : [ "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]\n  } ]\n}',
    )
  })

  it('rewrites a compact registry policy as AWS’s CloudFormation handler expects ECR to answer', () => {
    const sent =
      '{"Version":"2012-10-17","Statement":[{"Sid":"ReplicationAccessCrossAccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123412341234:root"},"Action":["ecr:CreateRepository","ecr:ReplicateImage"],"Resource":"arn:aws:ecr:us-west-2:123456123456:repository"}]}'
    expect(storedPolicyText(sent, 'aws')).toBe(
      '{\n  "Version" : "2012-10-17",\n  "Statement" : [ {\n    "Sid" : "ReplicationAccessCrossAccount",\n    "Effect" : "Allow",\n    "Principal" : {\n      "AWS" : "arn:aws:iam::123412341234:root"\n    },\n    "Action" : [ "ecr:CreateRepository", "ecr:ReplicateImage" ],\n    "Resource" : "arn:aws:ecr:us-west-2:123456123456:repository"\n  } ]\n}',
    )
  })
})

describe('storedPolicyText: the rules behind them', () => {
  it('separates statements with "}, {" and keeps a single action a string', () => {
    const sent = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'a', Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' },
        { Sid: 'b', Effect: 'Deny', Principal: '*', NotAction: ['ecr:*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ],
    })
    expect(storedPolicyText(sent, 'aws')).toBe(
      [
        '{',
        '  "Version" : "2012-10-17",',
        '  "Statement" : [ {',
        '    "Sid" : "a",',
        '    "Effect" : "Allow",',
        '    "Principal" : "*",',
        '    "Action" : "ecr:BatchGetImage"',
        '  }, {',
        '    "Sid" : "b",',
        '    "Effect" : "Deny",',
        '    "Principal" : "*",',
        '    "NotAction" : [ "ecr:*" ],',
        '    "Condition" : {',
        '      "Bool" : {',
        '        "aws:SecureTransport" : "false"',
        '      }',
        '    }',
        '  } ]',
        '}',
      ].join('\n'),
    )
  })

  it('names an account principal by its root ARN, in the region’s partition, in lists too', () => {
    const sent = (aws: unknown, member = 'Principal') =>
      JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', [member]: { AWS: aws }, Action: 'ecr:*' } })
    const principal = (text: string, member = 'Principal') =>
      (JSON.parse(text) as { Statement: Record<string, { AWS: unknown }> }).Statement[member]!.AWS
    expect(principal(storedPolicyText(sent('111122223333'), 'aws'))).toBe('arn:aws:iam::111122223333:root')
    expect(principal(storedPolicyText(sent(['111122223333', 'arn:aws:iam::444455556666:role/ci', '*']), 'aws-cn'))).toEqual([
      'arn:aws-cn:iam::111122223333:root',
      'arn:aws:iam::444455556666:role/ci',
      '*',
    ])
    expect(principal(storedPolicyText(sent('111122223333', 'NotPrincipal'), 'aws'), 'NotPrincipal')).toBe('arn:aws:iam::111122223333:root')
  })
})

describe('the JSON layouts', () => {
  it('keeps member order, integer-like names included, and a repeated name in its first place with its last value', () => {
    const parsed = parseJsonText('{"b":1,"2":true,"a":null,"b":"last"}')
    expect(compactJsonText(parsed)).toBe('{"b":"last","2":true,"a":null}')
  })

  it('writes empty containers and nested arrays as Jackson does', () => {
    expect(prettyJsonText(parseJsonText('{"a":{},"b":[],"c":[[1],[]],"d":[{}]}'))).toBe(
      '{\n  "a" : { },\n  "b" : [ ],\n  "c" : [ [ 1 ], [ ] ],\n  "d" : [ { } ]\n}',
    )
  })

  it.each([
    ['10', '10'],
    ['-0', '0'],
    ['123456789012345678901234567890', '123456789012345678901234567890'],
    ['1.50', '1.5'],
    ['1e2', '100.0'],
    ['0.001', '0.001'],
    ['0.0001', '1.0E-4'],
    ['1234567.5', '1234567.5'],
    ['12345678.9', '1.23456789E7'],
    ['-2.5E-10', '-2.5E-10'],
    ['0.0', '0.0'],
    ['-0.0', '-0.0'],
    ['1e400', '"Infinity"'],
  ])('writes the number %s as %s', (literal, written) => {
    expect(compactJsonText(parseJsonText(`[${literal}]`))).toBe(`[${written}]`)
  })

  it('escapes only quotes, backslashes and control characters, in upper-case hex', () => {
    const text = JSON.stringify({ s: 'quote " backslash \\ slash / tab \t newline \n bell \u0007 unit \u001f é ✓ \u2028' })
    expect(compactJsonText(parseJsonText(text))).toBe('{"s":"quote \\" backslash \\\\ slash / tab \\t newline \\n bell \\u0007 unit \\u001F é ✓ \u2028"}')
    expect(compactJsonText(parseJsonText('["\\u0041\\/\\b\\f\\r"]'))).toBe('["A/\\b\\f\\r"]')
  })

  it.each(['', '{', '{"a":1,}', '[1 2]', '01', '"\u0001"', '{"a" 1}', 'tru', '[1]x', '"\\x"', '"\\u12G4"'])(
    'refuses %j as JSON.parse does',
    (text) => {
      expect(() => JSON.parse(text)).toThrow(SyntaxError)
      expect(() => parseJsonText(text)).toThrow(SyntaxError)
    },
  )
})

describe('storedLifecyclePolicyText', () => {
  it('answers the documented put-lifecycle-policy output for the documented policy.json', () => {
    // awscli/examples/ecr/put-lifecycle-policy.rst
    const file = `{
   "rules": [
       {
           "rulePriority": 1,
           "description": "Expire images older than 14 days",
           "selection": {
               "tagStatus": "untagged",
               "countType": "sinceImagePushed",
               "countUnit": "days",
               "countNumber": 14
           },
           "action": {
               "type": "expire"
           }
       }
   ]
}
`
    expect(storedLifecyclePolicyText(file)).toBe(
      '{"rules":[{"rulePriority":1,"description":"Expire images older than 14 days","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}',
    )
  })

  it('writes members in ECR’s order and rules by priority, whatever order they came in', () => {
    // What Terraform sends (keys sorted) for a policy ECR then answered in its own order.
    const sorted =
      '{"rules":[{"action":{"type":"expire"},"description":"Keep last 10 images","rulePriority":2,"selection":{"countNumber":10,"countType":"imageCountMoreThan","tagStatus":"any"}},' +
      '{"action":{"targetStorageClass":"archive","type":"transition"},"rulePriority":1,"selection":{"countNumber":90,"countType":"sinceImagePulled","countUnit":"days","tagPatternList":["v*"],"tagStatus":"tagged"}}]}'
    parseLifecyclePolicy(sorted)
    expect(storedLifecyclePolicyText(sorted)).toBe(
      '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["v*"],"countType":"sinceImagePulled","countUnit":"days","countNumber":90},"action":{"type":"transition","targetStorageClass":"archive"}},' +
        '{"rulePriority":2,"description":"Keep last 10 images","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}',
    )
  })

  it('writes rulePriority and countNumber as integers and keeps storageClass only when given', () => {
    const text =
      '{"rules":[{"rulePriority":1.0,"selection":{"storageClass":"standard","tagStatus":"any","countType":"imageCountMoreThan","countNumber":1e1},"action":{"type":"expire"}}]}'
    parseLifecyclePolicy(text)
    expect(storedLifecyclePolicyText(text)).toBe(
      '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","storageClass":"standard","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}',
    )
  })
})
