import { describe, expect, it } from 'vitest'
import { modelOperations } from './model.js'
import { shapeProblems } from './output-shape.js'

// The output checker of the conformance suite must itself be able to fail.
const output = (operation: string) => modelOperations.get(operation)!.output

const repository = {
  repositoryArn: 'arn:aws:ecr:us-east-1:123456789012:repository/app',
  registryId: '123456789012',
  repositoryName: 'app',
  repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app',
  createdAt: 1768478400.5,
  imageTagMutability: 'MUTABLE',
  imageScanningConfiguration: { scanOnPush: false },
  encryptionConfiguration: { encryptionType: 'AES256' },
}

describe('shapeProblems', () => {
  it('accepts a body that matches the output shape, optional members left out', () => {
    expect(shapeProblems(output('DescribeRepositories'), { repositories: [repository] })).toEqual([])
    expect(shapeProblems(output('DescribeRepositories'), {})).toEqual([])
  })

  it.each([
    [{ ...repository, createdAt: '2026-01-15T12:00:00Z' }, '$.repositories[0].createdAt: expected epoch seconds (a number), got string'],
    [{ ...repository, imageTagMutability: 'SOMETIMES' }, '$.repositories[0].imageTagMutability: "SOMETIMES" is not in ImageTagMutability [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]'],
    [{ ...repository, lifecyclePolicy: {} }, '$.repositories[0].lifecyclePolicy: Repository has no such member'],
    [{ ...repository, imageScanningConfiguration: { scanOnPush: 'false' } }, '$.repositories[0].imageScanningConfiguration.scanOnPush: expected a boolean, got string'],
    [{ ...repository, encryptionConfiguration: {} }, '$.repositories[0].encryptionConfiguration.encryptionType: required by EncryptionConfiguration, missing'],
  ])('reports %j', (body, problem) => {
    expect(shapeProblems(output('DescribeRepositories'), { repositories: [body] })).toEqual([problem])
  })

  it('reports fractions in integers, nulls and wrong map keys', () => {
    const detail = { imageSizeInBytes: 1.5, imageDigest: null, imageScanFindingsSummary: { findingSeverityCounts: { SEVERE: 1 } } }
    expect(shapeProblems(output('DescribeImages'), { imageDetails: [detail] })).toEqual([
      '$.imageDetails[0].imageSizeInBytes: expected a whole number, got 1.5',
      '$.imageDetails[0].imageDigest: expected a string, got null',
      '$.imageDetails[0].imageScanFindingsSummary.findingSeverityCounts key: "SEVERE" is not in FindingSeverity [INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL, UNDEFINED]',
    ])
  })
})
