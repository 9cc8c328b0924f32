import type { Ecr, EcrOptions, OperationName } from '../../src/index.js'
import { MediaTypes } from '../../src/index.js'
import { sha256 } from '../fixtures.js'
import type { Input } from './generate-cases.js'
import { codePoints, modelOperations, type Shape } from './model.js'
import { ACCOUNT, NON_ASCII, sampleString } from './samples.js'

/**
 * One entry per implemented operation: the state a call needs and the valid inputs the generator
 * varies. Everything the model cannot say lives here: which repository, image, upload or policy
 * must exist, which members only go together, and which boundary values ECR refuses for reasons
 * beyond the model (each with its reason). How to add an operation: decisions/conformance-suite.md.
 */

/** What every setup is given: the repository the call is about. */
export interface Named {
  repositoryName: string
}

/** A case's input made semantically valid, or why the case does not apply. */
export type Adjustment = string | ((input: Input) => Input)

/** A call that must be refused for a reason beyond the model (feeds the error audit). */
export interface Refusal {
  code: string
  /** ECR's exact message, where it is known (discoveries/ecr-behaviour.md §5). */
  message?: string
  edit: (input: Input) => Input
}

export interface Scenario<Fixture extends object = object> {
  /** Options of the scenario's engine beyond the suite's fixed clock and counted ids. */
  engine?: EcrOptions
  /** Creates the state the call needs around a repository of this name; returns what inputs use. */
  setup?(ecr: Ecr, repositoryName: string): Promise<Fixture>
  /** Valid inputs: the first is the main one; each further one holds members that cannot go with it. */
  inputs(fixture: Fixture & Named): Input[]
  /** By case id: a semantically valid version of the generated input, or why the case does not apply. */
  cases?(fixture: Fixture & Named): Record<string, Adjustment>
  /** By name: inputs ECR refuses for reasons beyond the model, and the error they get. */
  refusals?(fixture: Fixture & Named): Record<string, Refusal>
}

/** Types a scenario by its own fixture; the table holds them all (methods compare bivariantly). */
function scenario<Fixture extends object>(definition: Scenario<Fixture>): Scenario {
  return definition
}

/** The repository every case is about, unless a case varies the name. */
export const REPOSITORY = 'conformance/app'
/** A repository that holds something the main one does not (or the reverse), for refusals. */
const OTHER = 'conformance/other'
const TAG = 'v1'
const KMS_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`
const NO_SUCH_DIGEST = `sha256:${'0'.repeat(64)}`

const memberShape = (operation: string, member: string): Shape =>
  modelOperations.get(operation)!.input.members.find((candidate) => candidate.name === member)!.shape

/** The tags the generator's boundary cases ask for (ImageTag of 1 and 300 characters) and the main one. */
const IMAGE_TAGS = (() => {
  const shape = memberShape('PutImage', 'imageTag') as Extract<Shape, { kind: 'string' }>
  return [TAG, sampleString(shape, shape.min)!, sampleString(shape, shape.max)!]
})()

/** The repository names of RepositoryName's boundary cases (2 and 256 characters). */
const BOUNDARY_NAMES = (() => {
  const shape = memberShape('CreateRepository', 'repositoryName') as Extract<Shape, { kind: 'string' }>
  return [sampleString(shape, shape.min)!, sampleString(shape, shape.max)!]
})()

/** `make(filler)` with the filler of `unit`s that brings the text to exactly `length` code points. */
function ofLength(length: number, make: (filler: string) => string, unit = 'a'): string {
  const text = make(unit.repeat(length - codePoints(make(''))))
  if (codePoints(text) !== length) throw new Error(`Could not build a text of ${length} code points`)
  return text
}

const repositoryPolicy = (condition?: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PullOnly',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        ...(condition !== undefined && { Condition: { StringEquals: { 'aws:PrincipalTag/team': condition } } }),
      },
    ],
  })

const registryPolicy = (condition?: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReplicateFromPartner',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::210987654321:root' },
        Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
        Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/*`,
        ...(condition !== undefined && { Condition: { StringEquals: { 'aws:PrincipalTag/team': condition } } }),
      },
    ],
  })

const lifecyclePolicy = (description?: string) =>
  JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        ...(description !== undefined && { description }),
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 },
        action: { type: 'expire' },
      },
    ],
  })

/** No valid lifecycle policy is shorter: one rule, its required members, the shortest values. */
const SHORTEST_LIFECYCLE_POLICY = JSON.stringify({
  rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }],
})

/** Policy texts of exactly `length` characters: the policy with a condition value that fills it. */
const policyCases = (field: 'policyText', policy: (condition?: string) => string, max: number) => ({
  [`${field} shortest (0)`]: 'an empty text is not a policy (decisions/policy-validation.md)',
  [`${field} longest (${max})`]: (input: Input) => ({ ...input, [field]: ofLength(max, policy) }),
  [`${field} longest non-ASCII (${max})`]: (input: Input) => ({ ...input, [field]: ofLength(max, policy, NON_ASCII) }),
})

const withoutExclusionFilters = (input: Input): Input => {
  const { imageTagMutabilityExclusionFilters: _filters, ...rest } = input
  return rest
}
const plainMutability = (input: Input): Input => ({ ...input, imageTagMutability: 'IMMUTABLE' })

/** Exclusion filters go with the *_WITH_EXCLUSION settings and only with them (src/operations/repositories.ts). */
const mutabilityCases = {
  'imageTagMutability = MUTABLE': withoutExclusionFilters,
  'imageTagMutability = IMMUTABLE': withoutExclusionFilters,
  'imageTagMutabilityExclusionFilters absent': plainMutability,
  'imageTagMutabilityExclusionFilters null': plainMutability,
}

const NOT_A_TAG = 'ECR refuses an image tag outside [a-zA-Z0-9-_.] with InvalidParameterException (discoveries/ecr-behaviour.md §12)'

/** Replication destinations of the suite's registry (us-east-1): another Region, and a third for backfills in progress. */
const REPLICA = { region: 'eu-west-1', registryId: ACCOUNT }
const ELSEWHERE = { region: 'us-west-2', registryId: ACCOUNT }
const NO_REGION = 'no AWS Region has a name of this length, and replication goes only to Regions'

/** Makes the registry replicate every repository to `destinations`. */
async function replicateTo(ecr: Ecr, ...destinations: Array<typeof REPLICA>): Promise<void> {
  await ecr.call('PutReplicationConfiguration', { replicationConfiguration: { rules: [{ destinations }] } })
}

/** What the backfill operations refuse for an id no backfill of the registry has. */
const missingBackfill = (): Record<string, Refusal> => ({
  'backfill that does not exist': {
    code: 'ReplicationBackfillNotFoundException',
    message: `The replication backfill with id '0f0f0f0f-0000-4000-8000-00000000beef' does not exist in the registry with id '${ACCOUNT}'`,
    edit: (input) => ({ ...input, replicationBackfillId: '0f0f0f0f-0000-4000-8000-00000000beef' }),
  },
})

async function repository(ecr: Ecr, name: string): Promise<void> {
  await ecr.seed.repository(name)
}

/** A pushed image (one small layer) carrying `tags`; its digest, manifest and layer. */
async function image(ecr: Ecr, name: string, tags: readonly string[] = IMAGE_TAGS) {
  const seeded = await ecr.seed.image(name, { tag: tags[0]!, layers: [64] })
  for (const tag of tags.slice(1)) await ecr.call('PutImage', { repositoryName: name, imageManifest: seeded.imageManifest, imageTag: tag })
  const layerDigest = (JSON.parse(seeded.imageManifest) as { layers: Array<{ digest: string }> }).layers[0]!.digest
  return { digest: seeded.imageDigest, manifest: seeded.imageManifest, layerDigest }
}

/** An upload with one part of `bytes` received. */
async function upload(ecr: Ecr, name: string, bytes?: Uint8Array) {
  await repository(ecr, name)
  const { uploadId } = await ecr.call('InitiateLayerUpload', { repositoryName: name })
  if (bytes !== undefined) {
    await ecr.call('UploadLayerPart', { repositoryName: name, uploadId: uploadId!, partFirstByte: 0, partLastByte: bytes.length - 1, layerPartBlob: bytes })
  }
  return { uploadId: uploadId! }
}

const arnOf = (name: string) => `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`

/** What the tagging operations refuse in a resource ARN. */
const arnRefusals = (): Record<string, Refusal> => ({
  'ARN of a repository that does not exist': {
    code: 'RepositoryNotFoundException',
    message: `The repository with name 'conformance/missing' does not exist in the registry with id '${ACCOUNT}'`,
    edit: (input) => ({ ...input, resourceArn: arnOf('conformance/missing') }),
  },
  'ARN that names no repository': { code: 'InvalidParameterException', edit: (input) => ({ ...input, resourceArn: 'arn:aws:s3:::bucket' }) },
})

/** A Docker v2 schema 2 manifest over an uploaded config and layer, padded with trailing spaces. */
function dockerManifest(config: object, layer: object, padding = ''): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.dockerManifest, config, layers: [layer] }, null, 2) + padding
}

export const scenarios: Partial<Record<OperationName, Scenario>> = {
  CreateRepository: scenario({
    async setup(ecr) {
      await repository(ecr, OTHER)
      return {}
    },
    inputs: ({ repositoryName }) => [
      {
        registryId: ACCOUNT,
        repositoryName,
        tags: [{ Key: 'team', Value: 'core' }],
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest*' }],
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KMS_KEY },
      },
    ],
    cases: () => {
      const noKey = 'a kmsKey names a KMS key (ARN, id or alias, at most a few hundred characters); AWS answers other values with KmsException, which the fake does not model'
      return {
        ...mutabilityCases,
        'imageTagMutability absent': withoutExclusionFilters,
        'imageTagMutability null': withoutExclusionFilters,
        'encryptionConfiguration.encryptionType = AES256': (input) => ({ ...input, encryptionConfiguration: { encryptionType: 'AES256' } }),
        'encryptionConfiguration.kmsKey shortest (1)': noKey,
        'encryptionConfiguration.kmsKey longest (2048)': noKey,
        'encryptionConfiguration.kmsKey longest non-ASCII (2048)': noKey,
      }
    },
    refusals: () => ({
      'repository that exists': {
        code: 'RepositoryAlreadyExistsException',
        message: `The repository with name '${OTHER}' already exists in the registry with id '${ACCOUNT}'`,
        edit: (input) => ({ ...input, repositoryName: OTHER }),
      },
      'tag key with the reserved aws: prefix': { code: 'InvalidTagParameterException', edit: (input) => ({ ...input, tags: [{ Key: 'aws:team', Value: 'x' }] }) },
      '51 tags': {
        code: 'TooManyTagsException',
        edit: (input) => ({ ...input, tags: Array.from({ length: 51 }, (_, index) => ({ Key: `k${index}`, Value: 'v' })) }),
      },
    }),
  }),

  DescribeRepositories: scenario({
    async setup(ecr, name) {
      for (const each of [name, OTHER, ...BOUNDARY_NAMES]) await repository(ecr, each)
      const { nextToken } = await ecr.call('DescribeRepositories', { maxResults: 1 })
      return { nextToken: nextToken! }
    },
    inputs: ({ repositoryName, nextToken }) => [
      { registryId: ACCOUNT, repositoryNames: [repositoryName] },
      { registryId: ACCOUNT, maxResults: 1, nextToken },
    ],
  }),

  DeleteRepository: scenario({
    async setup(ecr, name) {
      await repository(ecr, name)
      await image(ecr, OTHER, [TAG])
      return {}
    },
    inputs: ({ repositoryName }) => [{ registryId: ACCOUNT, repositoryName, force: true }],
    refusals: () => ({
      'repository that holds images, without force': {
        code: 'RepositoryNotEmptyException',
        message: `The repository with name '${OTHER}' in registry with id '${ACCOUNT}' cannot be deleted because it still contains images`,
        edit: (input) => ({ ...input, repositoryName: OTHER, force: false }),
      },
    }),
  }),

  PutImageTagMutability: scenario({
    setup: (ecr, name) => repository(ecr, name).then(() => ({})),
    inputs: ({ repositoryName }) => [
      {
        registryId: ACCOUNT,
        repositoryName,
        imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }],
      },
    ],
    cases: () => ({ ...mutabilityCases, 'required members only': plainMutability }),
  }),

  PutImageScanningConfiguration: scenario({
    setup: (ecr, name) => repository(ecr, name).then(() => ({})),
    inputs: ({ repositoryName }) => [{ registryId: ACCOUNT, repositoryName, imageScanningConfiguration: { scanOnPush: true } }],
  }),

  PutImage: scenario({
    async setup(ecr, name) {
      await repository(ecr, name)
      const blob = async (text: string, mediaType: string) => {
        const bytes = new TextEncoder().encode(text)
        return { mediaType, digest: await ecr.seed.blob(name, bytes), size: bytes.length }
      }
      const config = await blob('{"architecture":"amd64","os":"linux"}', MediaTypes.dockerConfig)
      const layer = await blob('conformance layer', MediaTypes.dockerLayer)
      return { config, layer, manifest: dockerManifest(config, layer) }
    },
    inputs: ({ repositoryName, manifest }) => [
      {
        registryId: ACCOUNT,
        repositoryName,
        imageManifest: manifest,
        imageManifestMediaType: MediaTypes.dockerManifest,
        imageTag: TAG,
        imageDigest: sha256(manifest),
      },
    ],
    cases: ({ config, layer, manifest }) => ({
      'imageManifest shortest (1)': 'a manifest is a JSON object; no 1-character text is one',
      'imageManifest longest (4194304)': (input) => {
        const padded = dockerManifest(config, layer, ' '.repeat(4194304 - codePoints(manifest)))
        return { ...input, imageManifest: padded, imageDigest: sha256(padded) }
      },
      'imageManifest longest non-ASCII (4194304)':
        "ECR's manifest quota is 4 MiB of UTF-8 (src/limits.ts): 4,194,304 non-ASCII characters are more than that",
      'imageTag longest non-ASCII (300)': NOT_A_TAG,
    }),
    refusals: ({ config, layer }) => ({
      'digest that does not match the manifest': {
        code: 'ImageDigestDoesNotMatchException',
        edit: (input) => ({ ...input, imageDigest: NO_SUCH_DIGEST }),
      },
      'manifest naming a layer never uploaded': {
        code: 'LayersNotFoundException',
        edit: (input) => {
          const missing = dockerManifest(config, { ...layer, digest: NO_SUCH_DIGEST })
          return { ...input, imageManifest: missing, imageDigest: sha256(missing) }
        },
      },
      'manifest that is not JSON': {
        code: 'InvalidParameterException',
        message: "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
        edit: ({ imageDigest: _digest, ...input }) => ({ ...input, imageManifest: '{"schemaVersion":' }),
      },
    }),
  }),

  BatchGetImage: scenario({
    setup: (ecr, name) => image(ecr, name),
    inputs: ({ repositoryName, digest }) => [
      { registryId: ACCOUNT, repositoryName, imageIds: [{ imageDigest: digest, imageTag: TAG }], acceptedMediaTypes: [MediaTypes.dockerManifest] },
    ],
  }),

  BatchDeleteImage: scenario({
    setup: (ecr, name) => image(ecr, name),
    inputs: ({ repositoryName, digest }) => [{ registryId: ACCOUNT, repositoryName, imageIds: [{ imageDigest: digest, imageTag: TAG }] }],
  }),

  DescribeImages: scenario({
    async setup(ecr, name) {
      const { digest } = await image(ecr, name)
      await image(ecr, name, ['v2'])
      const { nextToken } = await ecr.call('DescribeImages', { repositoryName: name, maxResults: 1 })
      return { digest, nextToken: nextToken! }
    },
    inputs: ({ repositoryName, digest, nextToken }) => [
      { registryId: ACCOUNT, repositoryName, imageIds: [{ imageDigest: digest, imageTag: TAG }] },
      { registryId: ACCOUNT, repositoryName, maxResults: 1, filter: { tagStatus: 'TAGGED', imageStatus: 'ACTIVE' } },
      { registryId: ACCOUNT, repositoryName, nextToken },
    ],
    cases: () => ({ 'imageIds[].imageTag longest non-ASCII (300)': NOT_A_TAG }),
    refusals: ({ repositoryName }) => ({
      'tag no image has': {
        code: 'ImageNotFoundException',
        message: `The image with imageId {imageDigest:'null', imageTag:'missing'} does not exist within the repository with name '${repositoryName}' in the registry with id '${ACCOUNT}'`,
        edit: (input) => ({ ...input, imageIds: [{ imageTag: 'missing' }] }),
      },
    }),
  }),

  ListImages: scenario({
    async setup(ecr, name) {
      await image(ecr, name)
      await image(ecr, name, ['v2'])
      const { nextToken } = await ecr.call('ListImages', { repositoryName: name, maxResults: 1 })
      return { nextToken: nextToken! }
    },
    inputs: ({ repositoryName, nextToken }) => [
      { registryId: ACCOUNT, repositoryName, maxResults: 1, filter: { tagStatus: 'TAGGED', imageStatus: 'ACTIVE' } },
      { registryId: ACCOUNT, repositoryName, nextToken },
    ],
  }),

  InitiateLayerUpload: scenario({
    setup: (ecr, name) => repository(ecr, name).then(() => ({})),
    inputs: ({ repositoryName }) => [{ registryId: ACCOUNT, repositoryName }],
  }),

  UploadLayerPart: scenario({
    setup: (ecr, name) => upload(ecr, name),
    inputs: ({ repositoryName, uploadId }) => [
      { registryId: ACCOUNT, repositoryName, uploadId, partFirstByte: 0, partLastByte: 3, layerPartBlob: btoa('abcd') },
    ],
    cases: () => ({
      'partLastByte min (0)': (input) => ({ ...input, layerPartBlob: btoa('a') }),
      'layerPartBlob shortest (0 bytes)': 'a part holds the bytes partFirstByte to partLastByte, so it is at least one byte long',
      'layerPartBlob longest (20971520 bytes)': (input) => ({ ...input, partLastByte: 20971519 }),
    }),
    refusals: ({ uploadId }) => ({
      'part that does not start at the next byte': {
        code: 'InvalidLayerPartException',
        edit: (input) => ({ ...input, partFirstByte: 5, partLastByte: 8 }),
      },
      'upload that does not exist': {
        code: 'UploadNotFoundException',
        edit: (input) => ({ ...input, uploadId: uploadId.replace(/.$/, 'f') }),
      },
    }),
  }),

  CompleteLayerUpload: scenario({
    async setup(ecr, name) {
      const bytes = new TextEncoder().encode('conformance layer')
      return { ...(await upload(ecr, name, bytes)), digest: sha256(bytes) }
    },
    inputs: ({ repositoryName, uploadId, digest }) => [{ registryId: ACCOUNT, repositoryName, uploadId, layerDigests: [digest] }],
    refusals: () => ({
      'digest that does not match the bytes': { code: 'InvalidLayerException', edit: (input) => ({ ...input, layerDigests: [NO_SUCH_DIGEST] }) },
    }),
  }),

  BatchCheckLayerAvailability: scenario({
    setup: (ecr, name) => image(ecr, name, [TAG]),
    inputs: ({ repositoryName, layerDigest }) => [{ registryId: ACCOUNT, repositoryName, layerDigests: [layerDigest] }],
  }),

  GetDownloadUrlForLayer: scenario({
    setup: (ecr, name) => image(ecr, name, [TAG]),
    inputs: ({ repositoryName, layerDigest }) => [{ registryId: ACCOUNT, repositoryName, layerDigest }],
    refusals: () => ({
      'layer the repository does not hold': { code: 'LayersNotFoundException', edit: (input) => ({ ...input, layerDigest: NO_SUCH_DIGEST }) },
    }),
  }),

  TagResource: scenario({
    setup: (ecr, name) => repository(ecr, name).then(() => ({ arn: arnOf(name) })),
    inputs: ({ arn }) => [{ resourceArn: arn, tags: [{ Key: 'team', Value: 'core' }] }],
    refusals: () => ({
      'tag key with the reserved aws: prefix': { code: 'InvalidTagParameterException', edit: (input) => ({ ...input, tags: [{ Key: 'aws:team', Value: 'x' }] }) },
      '51 tags': {
        code: 'TooManyTagsException',
        edit: (input) => ({ ...input, tags: Array.from({ length: 51 }, (_, index) => ({ Key: `k${index}`, Value: 'v' })) }),
      },
      ...arnRefusals(),
    }),
  }),

  UntagResource: scenario({
    async setup(ecr, name) {
      await ecr.seed.repository(name, { tags: [{ Key: 'team', Value: 'core' }] })
      return { arn: arnOf(name) }
    },
    inputs: ({ arn }) => [{ resourceArn: arn, tagKeys: ['team'] }],
    refusals: arnRefusals,
  }),

  ListTagsForResource: scenario({
    async setup(ecr, name) {
      await ecr.seed.repository(name, { tags: [{ Key: 'team', Value: 'core' }] })
      return { arn: arnOf(name) }
    },
    inputs: ({ arn }) => [{ resourceArn: arn }],
    refusals: arnRefusals,
  }),

  SetRepositoryPolicy: scenario({
    setup: (ecr, name) => repository(ecr, name).then(() => ({})),
    inputs: ({ repositoryName }) => [{ registryId: ACCOUNT, repositoryName, policyText: repositoryPolicy(), force: true }],
    cases: () => policyCases('policyText', repositoryPolicy, 10240),
    refusals: () => ({
      'policy that names a Resource': {
        code: 'InvalidParameterException',
        message: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
        edit: (input) => ({ ...input, policyText: registryPolicy() }),
      },
    }),
  }),

  GetRepositoryPolicy: scenario({
    async setup(ecr, name) {
      await repository(ecr, name)
      await repository(ecr, OTHER)
      await ecr.call('SetRepositoryPolicy', { repositoryName: name, policyText: repositoryPolicy() })
      return {}
    },
    inputs: ({ repositoryName }) => [{ registryId: ACCOUNT, repositoryName }],
    refusals: () => ({
      'repository without a policy': {
        code: 'RepositoryPolicyNotFoundException',
        message: `Repository policy does not exist for the repository with name '${OTHER}' in the registry with id '${ACCOUNT}'`,
        edit: (input) => ({ ...input, repositoryName: OTHER }),
      },
    }),
  }),

  DeleteRepositoryPolicy: scenario({
    async setup(ecr, name) {
      await repository(ecr, name)
      await ecr.call('SetRepositoryPolicy', { repositoryName: name, policyText: repositoryPolicy() })
      return {}
    },
    inputs: ({ repositoryName }) => [{ registryId: ACCOUNT, repositoryName }],
  }),

  PutRegistryPolicy: scenario({
    inputs: () => [{ policyText: registryPolicy() }],
    cases: () => policyCases('policyText', registryPolicy, 10240),
    refusals: () => ({
      'text that is not a policy': {
        code: 'InvalidParameterException',
        message: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided'",
        edit: () => ({ policyText: '{"Statement":[]}' }),
      },
    }),
  }),

  GetRegistryPolicy: scenario({
    async setup(ecr) {
      await ecr.call('PutRegistryPolicy', { policyText: registryPolicy() })
      return {}
    },
    inputs: () => [{}],
  }),

  DeleteRegistryPolicy: scenario({
    async setup(ecr) {
      await ecr.call('PutRegistryPolicy', { policyText: registryPolicy() })
      return {}
    },
    inputs: () => [{}],
  }),

  PutLifecyclePolicy: scenario({
    setup: (ecr, name) => repository(ecr, name).then(() => ({})),
    inputs: ({ repositoryName }) => [{ registryId: ACCOUNT, repositoryName, lifecyclePolicyText: lifecyclePolicy() }],
    cases: () => ({
      'lifecyclePolicyText shortest (100)': `the shortest valid lifecycle policy (one rule, required members only) has ${codePoints(SHORTEST_LIFECYCLE_POLICY)} characters`,
      'lifecyclePolicyText longest (30720)': (input) => ({ ...input, lifecyclePolicyText: ofLength(30720, lifecyclePolicy) }),
      'lifecyclePolicyText longest non-ASCII (30720)': (input) => ({ ...input, lifecyclePolicyText: ofLength(30720, lifecyclePolicy, NON_ASCII) }),
    }),
    refusals: () => ({
      'policy with an unknown action': {
        code: 'InvalidParameterException',
        edit: (input) => ({ ...input, lifecyclePolicyText: lifecyclePolicy().replace('"expire"', '"keep"') }),
      },
    }),
  }),

  GetLifecyclePolicy: scenario({
    async setup(ecr, name) {
      for (const each of [name, OTHER]) await repository(ecr, each)
      await ecr.call('PutLifecyclePolicy', { repositoryName: name, lifecyclePolicyText: lifecyclePolicy() })
      return {}
    },
    inputs: ({ repositoryName }) => [{ registryId: ACCOUNT, repositoryName }],
    refusals: () => ({
      'repository without a lifecycle policy': {
        code: 'LifecyclePolicyNotFoundException',
        message: `Lifecycle policy does not exist for the repository with name '${OTHER}' in the registry with id '${ACCOUNT}'`,
        edit: (input) => ({ ...input, repositoryName: OTHER }),
      },
    }),
  }),

  DeleteLifecyclePolicy: scenario({
    async setup(ecr, name) {
      await repository(ecr, name)
      await ecr.call('PutLifecyclePolicy', { repositoryName: name, lifecyclePolicyText: lifecyclePolicy() })
      return {}
    },
    inputs: ({ repositoryName }) => [{ registryId: ACCOUNT, repositoryName }],
  }),

  PutRegistryScanningConfiguration: scenario({
    inputs: () => [
      { scanType: 'ENHANCED', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'prod*', filterType: 'WILDCARD' }] }] },
    ],
    cases: () => {
      // BASIC scanning has no continuous mode (decisions/scanning.md).
      const onPush = (input: Input): Input => ({
        ...input,
        rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'prod*', filterType: 'WILDCARD' }] }],
      })
      return { 'scanType = BASIC': onPush, 'scanType absent': onPush, 'scanType null': onPush }
    },
    refusals: () => ({
      'continuous scanning under BASIC': { code: 'InvalidParameterException', edit: (input) => ({ ...input, scanType: 'BASIC' }) },
    }),
  }),

  GetRegistryScanningConfiguration: scenario({
    async setup(ecr) {
      await ecr.call('PutRegistryScanningConfiguration', {
        scanType: 'ENHANCED',
        rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'conformance', filterType: 'WILDCARD' }] }],
      })
      return {}
    },
    inputs: () => [{}],
  }),

  BatchGetRepositoryScanningConfiguration: scenario({
    async setup(ecr, name) {
      await repository(ecr, name)
      await ecr.call('PutRegistryScanningConfiguration', {
        rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'conformance', filterType: 'WILDCARD' }] }],
      })
      return {}
    },
    inputs: ({ repositoryName }) => [{ repositoryNames: [repositoryName] }],
  }),

  StartImageScan: scenario({
    setup: (ecr, name) => image(ecr, name),
    inputs: ({ repositoryName, digest }) => [{ registryId: ACCOUNT, repositoryName, imageId: { imageDigest: digest, imageTag: TAG } }],
    cases: ({ digest }) => ({
      // An image id must name the image by digest or tag (discoveries §6, MissingDigestAndTag).
      'required members only': (input) => ({ ...input, imageId: { imageDigest: digest } }),
      'imageId.imageTag longest non-ASCII (300)': NOT_A_TAG,
    }),
    refusals: ({ digest }) => ({
      'image that does not exist': {
        code: 'ImageNotFoundException',
        edit: (input) => ({ ...input, imageId: { imageDigest: digest.replace(/.$/, (last) => (last === '0' ? '1' : '0')) } }),
      },
    }),
  }),

  DescribeImageScanFindings: scenario({
    async setup(ecr, name) {
      const { digest } = await image(ecr, name)
      const unscanned = await image(ecr, name, ['v2'])
      await ecr.call('StartImageScan', { repositoryName: name, imageId: { imageDigest: digest } })
      const { nextToken } = await ecr.call('DescribeImageScanFindings', { repositoryName: name, imageId: { imageDigest: digest }, maxResults: 1 })
      return { digest, unscanned: unscanned.digest, nextToken: nextToken! }
    },
    inputs: ({ repositoryName, digest, nextToken }) => [
      { registryId: ACCOUNT, repositoryName, imageId: { imageDigest: digest, imageTag: TAG }, maxResults: 1 },
      { registryId: ACCOUNT, repositoryName, imageId: { imageDigest: digest }, nextToken },
    ],
    cases: ({ digest }) => ({
      'required members only': (input) => ({ ...input, imageId: { imageDigest: digest } }),
      'imageId.imageTag longest non-ASCII (300)': NOT_A_TAG,
    }),
    refusals: ({ repositoryName, unscanned }) => ({
      'image never scanned': {
        code: 'ScanNotFoundException',
        message: `Image scan does not exist for the image with '{imageDigest:'${unscanned}', imageTag:'null'}' in the repository with name '${repositoryName}' in the registry with id '${ACCOUNT}'`,
        edit: (input) => ({ ...input, imageId: { imageDigest: unscanned } }),
      },
    }),
  }),

  DescribeRegistry: scenario({
    async setup(ecr) {
      await ecr.call('PutReplicationConfiguration', {
        replicationConfiguration: { rules: [{ destinations: [{ region: 'eu-west-1', registryId: ACCOUNT }] }] },
      })
      return {}
    },
    inputs: () => [{}],
  }),

  PutReplicationConfiguration: scenario({
    inputs: () => [
      {
        replicationConfiguration: {
          rules: [
            {
              destinations: [{ region: 'eu-west-1', registryId: ACCOUNT }],
              repositoryFilters: [{ filter: 'prod', filterType: 'PREFIX_MATCH' }],
            },
          ],
        },
      },
    ],
    cases: () => ({
      'replicationConfiguration.rules[].destinations[].region shortest (2)': NO_REGION,
      'replicationConfiguration.rules[].destinations[].region longest (25)': NO_REGION,
    }),
    refusals: () => ({
      'destination that is the source registry': {
        code: 'InvalidParameterException',
        edit: () => ({ replicationConfiguration: { rules: [{ destinations: [{ region: 'us-east-1', registryId: ACCOUNT }] }] } }),
      },
    }),
  }),

  GetAuthorizationToken: scenario({
    inputs: () => [{ registryIds: [ACCOUNT] }],
  }),

  DescribeImageReplicationStatus: scenario({
    async setup(ecr, name) {
      await replicateTo(ecr, REPLICA)
      return image(ecr, name)
    },
    inputs: ({ repositoryName, digest }) => [{ registryId: ACCOUNT, repositoryName, imageId: { imageDigest: digest, imageTag: TAG } }],
    cases: ({ digest }) => ({
      'required members only': (input) => ({ ...input, imageId: { imageDigest: digest } }),
      'imageId.imageTag longest non-ASCII (300)': NOT_A_TAG,
    }),
    refusals: ({ repositoryName, digest }) => {
      const other = digest.replace(/.$/, (last) => (last === '0' ? '1' : '0'))
      return {
        'image that does not exist': {
          code: 'ImageNotFoundException',
          message: `The image with imageId {imageDigest:'${other}', imageTag:'null'} does not exist within the repository with name '${repositoryName}' in the registry with id '${ACCOUNT}'`,
          edit: (input) => ({ ...input, imageId: { imageDigest: other } }),
        },
      }
    },
  }),

  StartReplicationBackfill: scenario({
    // Replication takes time, so the backfill the setup starts is still in progress.
    engine: { replicationDurationMs: 60_000 },
    async setup(ecr, name) {
      await image(ecr, name, [TAG])
      await replicateTo(ecr, REPLICA, ELSEWHERE)
      await ecr.call('StartReplicationBackfill', { destination: ELSEWHERE })
      return {}
    },
    inputs: () => [{ registryId: ACCOUNT, destination: REPLICA }],
    cases: () => ({
      'destination.region shortest (2)': NO_REGION,
      'destination.region longest (25)': NO_REGION,
    }),
    refusals: () => ({
      'destination the replication configuration does not name': {
        code: 'InvalidParameterException',
        message: "Invalid parameter at 'destination' failed to satisfy constraint: 'The destination is not in the registry's replication configuration'",
        edit: (input) => ({ ...input, destination: { region: 'ap-south-1', registryId: ACCOUNT } }),
      },
      'destination Region with a backfill in progress': {
        code: 'ReplicationBackfillInProgressException',
        edit: (input) => ({ ...input, destination: ELSEWHERE }),
      },
    }),
  }),

  StopReplicationBackfill: scenario({
    // Replication takes time, so the backfill is still preparing when it is stopped.
    engine: { replicationDurationMs: 60_000 },
    async setup(ecr) {
      await replicateTo(ecr, REPLICA, ELSEWHERE)
      const { replicationBackfillId } = await ecr.call('StartReplicationBackfill', { destination: REPLICA })
      const stopped = await ecr.call('StartReplicationBackfill', { destination: ELSEWHERE })
      await ecr.call('StopReplicationBackfill', { replicationBackfillId: stopped.replicationBackfillId! })
      return { id: replicationBackfillId!, stopped: stopped.replicationBackfillId! }
    },
    inputs: ({ id }) => [{ registryId: ACCOUNT, replicationBackfillId: id }],
    refusals: ({ stopped }) => ({
      'backfill that has stopped': {
        code: 'ReplicationBackfillInvalidStatusException',
        message: `The replication backfill with id '${stopped}' cannot be stopped because its status is STOPPED`,
        edit: (input) => ({ ...input, replicationBackfillId: stopped }),
      },
      ...missingBackfill(),
    }),
  }),

  ListReplicationBackfills: scenario({
    async setup(ecr) {
      await replicateTo(ecr, REPLICA, ELSEWHERE)
      for (const destination of [REPLICA, ELSEWHERE]) await ecr.call('StartReplicationBackfill', { destination })
      const { nextToken } = await ecr.call('ListReplicationBackfills', { maxResults: 1 })
      return { nextToken: nextToken! }
    },
    inputs: ({ nextToken }) => [{ registryId: ACCOUNT, maxResults: 1 }, { registryId: ACCOUNT, nextToken }],
  }),

  DescribeReplicationBackfillResults: scenario({
    async setup(ecr, name) {
      await image(ecr, name)
      await replicateTo(ecr, REPLICA)
      const { replicationBackfillId } = await ecr.call('StartReplicationBackfill', { destination: REPLICA })
      const id = replicationBackfillId!
      const { nextToken } = await ecr.call('DescribeReplicationBackfillResults', { replicationBackfillId: id, maxResults: 1 })
      return { id, nextToken: nextToken! }
    },
    inputs: ({ id, nextToken }) => [
      { registryId: ACCOUNT, replicationBackfillId: id, resultStatusFilter: 'COMPLETE', maxResults: 1 },
      { registryId: ACCOUNT, replicationBackfillId: id, nextToken },
    ],
    refusals: () => missingBackfill(),
  }),
}
