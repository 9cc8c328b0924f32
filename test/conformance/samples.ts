import { codePoints, patternOf, type Shape } from './model.js'

/** The account the suite's engine answers as. */
export const ACCOUNT = '123456789012'

/** One code point outside the Basic Multilingual Plane: two UTF-16 units, one Smithy character. */
export const NON_ASCII = '\u{1F433}'

interface PatternSamples {
  /** A value of `length` code points that matches the pattern (any suitable length when omitted). */
  ofLength(length?: number): string
  /** ASCII values of an allowed length that break the pattern. */
  bad: readonly string[]
}

const repositoryPath = (length = 11) => 'r'.repeat(length)

/**
 * Known-good and known-bad values for every pattern in the model. Values of a given length are
 * checked against the pattern before use, so a wrong entry here shows up as a case that does not
 * apply, not as a false expectation.
 */
const PATTERN_SAMPLES: Record<string, PatternSamples> = {
  RegistryId: { ofLength: () => ACCOUNT, bad: ['12345', '1234567890123', 'abcdefghijkl'] },
  RepositoryName: { ofLength: repositoryPath, bad: ['Bad_Name!', 'UPPER', '_app', 'app/', 'a___b', 'a//b', '__proto__'] },
  UploadId: { ofLength: () => '0f0f0f0f-0000-4000-8000-00000000cafe', bad: ['upload-1', '0f0f0f0f00004000800000000000cafe', 'g0000000-0000-4000-8000-000000000000'] },
  LayerDigest: { ofLength: () => `sha256:${'ab'.repeat(32)}`, bad: ['sha256', 'sha256:', 'sha256:xyz', ':abcdef', 'sha 256:abcdef'] },
  ImageTagMutabilityExclusionFilterValue: { ofLength: (length = 7) => 'a'.repeat(length), bad: ['has space', 'release/1', 'v1!'] },
  ScanningRepositoryFilterValue: { ofLength: (length = 4) => 'p'.repeat(length), bad: ['Prod', '-prod', 'prod-', 'pr od'] },
  RepositoryFilterValue: { ofLength: (length = 4) => 'p'.repeat(length), bad: ['Prod', 'prod!', 'pr od'] },
  Region: { ofLength: (length = 9) => 'a'.repeat(length), bad: ['EU-WEST-1', 'eu_west_1', 'eu.west.1'] },
  Prefix: { ofLength: repositoryPath, bad: ['Bad_Prefix', 'a//b', 'ROOT!'] },
  PullThroughCacheRuleRepositoryPrefix: { ofLength: repositoryPath, bad: ['Bad_Prefix', 'a//b', '_hub'] },
  CredentialArn: {
    ofLength: (length = 80) =>
      `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:ecr-pullthroughcache/`.padEnd(length, 'c'),
    bad: [`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:other-prefix/credentials`, `arn:aws:iam::${ACCOUNT}:secret:ecr-pullthroughcache/x`],
  },
  PrincipalArn: { ofLength: (length = 40) => `arn:aws:iam::${ACCOUNT}:role/`.padEnd(length, 'r'), bad: [`arn:aws:iam::${ACCOUNT}:group/admins`, 'role/admin'] },
  SigningProfileArn: {
    ofLength: (length = 70) => `arn:aws:signer:us-east-1:${ACCOUNT}:/signing-profiles/`.padEnd(length, 'p'),
    bad: [`arn:aws:signer:us-east-1:${ACCOUNT}:/signing-profiles/x`, `arn:aws:kms:us-east-1:${ACCOUNT}:/signing-profiles/profile`],
  },
  SigningRepositoryFilterValue: { ofLength: (length = 4) => 'p'.repeat(length), bad: ['Prod', 'prod-', 'pr od'] },
  KmsKeyForRepositoryCreationTemplate: {
    ofLength: (length = 60) => (length === 0 ? '' : `arn:aws:kms:us-east-1:${ACCOUNT}:key/`.padEnd(length, 'k')),
    bad: ['alias/my-key', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/my-key`],
  },
  Base64: { ofLength: (length = 8) => 'QQ'.padEnd(length, 'A'), bad: ['has space'] },
  ReplicationBackfillId: {
    ofLength: () => '0f0f0f0f-0000-4000-8000-00000000beef',
    bad: ['backfill-1', '0f0f0f0f00004000800000000000beef', 'g0000000-0000-4000-8000-000000000000'],
  },
}

type StringShape = Extract<Shape, { kind: 'string' }>

function samplesOf(shape: StringShape): PatternSamples {
  const samples = PATTERN_SAMPLES[shape.name]
  if (samples === undefined) {
    throw new Error(`No sample values for the pattern of ${shape.name}: add them to PATTERN_SAMPLES in test/conformance/samples.ts`)
  }
  return samples
}

/**
 * A value of exactly `length` code points that satisfies the shape's pattern, or `undefined` when
 * the pattern allows none (e.g. Region's `{2,25}` forbids 26 characters). Without a length: any
 * value the shape accepts.
 *
 * @example
 * sampleString(repositoryNameShape, 256) // 'rrr…' (256 characters, matches RepositoryName's pattern)
 */
export function sampleString(shape: StringShape, length?: number): string | undefined {
  if (shape.pattern === undefined) {
    return 'a'.repeat(length ?? Math.min(Math.max(6, shape.min ?? 0), shape.max ?? Infinity))
  }
  const value = samplesOf(shape).ofLength(length)
  if (length !== undefined && codePoints(value) !== length) return undefined
  return patternOf(shape.pattern).test(value) ? value : undefined
}

/** Values of an allowed length that break the shape's pattern: ASCII ones and one non-ASCII. */
export function patternBreakers(shape: StringShape): string[] {
  const fits = (value: string) => codePoints(value) >= (shape.min ?? 0) && codePoints(value) <= (shape.max ?? Infinity)
  const regex = patternOf(shape.pattern!)
  const good = sampleString(shape)!
  // The same value with its first character made non-ASCII: same length, pattern broken.
  const nonAscii = `\u00e9${[...good].slice(1).join('')}`
  return [...samplesOf(shape).bad, nonAscii].filter((value) => fits(value) && !regex.test(value))
}

/** Base64 text of `count` bytes (all `a`). */
export function base64Bytes(count: number): string {
  return Buffer.alloc(count, 0x61).toString('base64')
}

/**
 * A value the shape accepts (the model's constraints only), used where a case needs one.
 *
 * @example
 * fill(imageIdentifierListShape) // [{ imageDigest: 'aaaaaa', imageTag: 'aaaaaa' }]
 */
export function fill(shape: Shape): unknown {
  switch (shape.kind) {
    case 'string':
      return sampleString(shape)
    case 'enum':
      return shape.values[0]
    case 'integer':
    case 'long':
      return clamp(1, shape)
    case 'double':
      return 1
    case 'boolean':
      return true
    case 'timestamp':
      return 0
    case 'blob':
      return base64Bytes(clamp(1, shape))
    case 'list':
      return Array.from({ length: clamp(1, shape) }, () => fill(shape.member))
    case 'map':
      return {}
    case 'structure':
      return Object.fromEntries(shape.members.map((member) => [member.name, fill(member.shape)]))
  }
}

function clamp(value: number, { min, max }: { min?: number; max?: number }): number {
  return Math.min(Math.max(value, min ?? value), max ?? value)
}
