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

/** Lifecycle policy texts at the bounds of the model's 100..30720 (PutLifecyclePolicy, StartLifecyclePolicyPreview). */
const lifecyclePolicyTextCases: Record<string, Adjustment> = {
  'lifecyclePolicyText shortest (100)': `the shortest valid lifecycle policy (one rule, required members only) has ${codePoints(SHORTEST_LIFECYCLE_POLICY)} characters`,
  'lifecyclePolicyText longest (30720)': (input) => ({ ...input, lifecyclePolicyText: ofLength(30720, lifecyclePolicy) }),
  'lifecyclePolicyText longest non-ASCII (30720)': (input) => ({ ...input, lifecyclePolicyText: ofLength(30720, lifecyclePolicy, NON_ASCII) }),
}

const unknownLifecycleAction: Refusal = {
  code: 'InvalidParameterException',
  edit: (input) => ({ ...input, lifecyclePolicyText: lifecyclePolicy().replace('"expire"', '"keep"') }),
}

/** Policy texts of exactly `length` characters: the policy with a condition value that fills it. */
const policyCases = (field: string, policy: (condition?: string) => string, max: number) => ({
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

const SIGNING_PROFILE = `arn:aws:signer:us-east-1:${ACCOUNT}:/signing-profiles/conformance`
const signingConfiguration = () => ({
  rules: [{ signingProfileArn: SIGNING_PROFILE, repositoryFilters: [{ filter: 'conformance/*', filterType: 'WILDCARD_MATCH' as const }] }],
})

/** ECR knows three account settings (src/domain/account-settings.ts): a name of another length is none. */
const accountSettingNameCases = Object.fromEntries(
  ['name shortest (1)', 'name longest (64)', 'name longest non-ASCII (64)'].map((id) => [id, 'ECR knows three account settings, and no other name']),
)
const unknownAccountSetting: Refusal = {
  code: 'InvalidParameterException',
  message: "Invalid parameter at 'name' failed to satisfy constraint: 'Member must satisfy enum value set: [BASIC_SCAN_TYPE_VERSION, REGISTRY_POLICY_SCOPE, BLOB_MOUNTING]'",
  edit: (input) => ({ ...input, name: 'SCAN_ON_PUSH' }),
}

const REGISTERED_PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/excluded`
/** The principal ARNs of PrincipalArn's boundary cases, which DeregisterPullTimeUpdateExclusion needs registered. */
const BOUNDARY_PRINCIPALS = (() => {
  const shape = memberShape('DeregisterPullTimeUpdateExclusion', 'principalArn') as Extract<Shape, { kind: 'string' }>
  return [sampleString(shape, shape.max)!]
})()

const SBOM = 'application/spdx+json'

/** Pushes an SBOM artifact whose subject is the image. */
async function referrer(ecr: Ecr, name: string, subject: { digest: string; manifest: string }, content: string): Promise<void> {
  const blob = async (mediaType: string, text: string) => {
    const bytes = new TextEncoder().encode(text)
    return { mediaType, digest: await ecr.seed.blob(name, bytes), size: bytes.length }
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType: SBOM,
    config: await blob('application/vnd.oci.empty.v1+json', '{}'),
    layers: [await blob('application/spdx+json', content)],
    subject: { mediaType: MediaTypes.dockerManifest, digest: subject.digest, size: new TextEncoder().encode(subject.manifest).length },
  })
  await ecr.call('PutImage', { repositoryName: name, imageManifest: manifest })
}

const ROLE = `arn:aws:iam::${ACCOUNT}:role/ecr-repository-templates`

/** A custom role is an IAM role ARN of the registry's account (src/operations/pull-through-cache.ts). */
const roleCases: Record<string, Adjustment> = {
  'customRoleArn longest (2048)': (input) => ({ ...input, customRoleArn: ofLength(2048, (filler) => `${ROLE}${filler}`) }),
  'customRoleArn longest non-ASCII (2048)': 'a role name is ASCII (IAM)',
}

const TEMPLATE_PREFIX = 'conformance'
/** The main prefix and the generator's boundary prefixes (Prefix of 1 and 256 characters). */
const TEMPLATE_PREFIXES = (() => {
  const shape = memberShape('UpdateRepositoryCreationTemplate', 'prefix') as Extract<Shape, { kind: 'string' }>
  return [TEMPLATE_PREFIX, sampleString(shape, shape.min)!, sampleString(shape, shape.max)!]
})()

async function template(ecr: Ecr, prefix: string): Promise<void> {
  await ecr.call('CreateRepositoryCreationTemplate', { prefix, appliedFor: ['PULL_THROUGH_CACHE'] })
}

/** Templates under the main prefix and the boundary ones. */
async function templates(ecr: Ecr): Promise<object> {
  for (const prefix of TEMPLATE_PREFIXES) await template(ecr, prefix)
  return {}
}

/** What the template operations need to make generated inputs valid (src/operations/creation-templates.ts). */
const templateCases: Record<string, Adjustment> = {
  ...mutabilityCases,
  'imageTagMutability absent': withoutExclusionFilters,
  'imageTagMutability null': withoutExclusionFilters,
  'appliedFor empty': 'a template applies to at least one kind of repository creation (decisions/repository-creation-templates.md)',
  'lifecyclePolicy longest (30720)': (input) => ({ ...input, lifecyclePolicy: ofLength(30720, lifecyclePolicy) }),
  'lifecyclePolicy longest non-ASCII (30720)': (input) => ({ ...input, lifecyclePolicy: ofLength(30720, lifecyclePolicy, NON_ASCII) }),
  'encryptionConfiguration.encryptionType = AES256': (input) => ({ ...input, encryptionConfiguration: { encryptionType: 'AES256' } }),
  ...roleCases,
  ...policyCases('repositoryPolicy', repositoryPolicy, 10240),
  // An empty text leaves the template without a repository policy.
  'repositoryPolicy shortest (0)': (input) => input,
}

const templateRefusals: Record<string, Refusal> = {
  'repository policy that is not one': { code: 'InvalidParameterException', edit: (input) => ({ ...input, repositoryPolicy: '{"Statement":[]}' }) },
  'role of another account': { code: 'InvalidParameterException', edit: (input) => ({ ...input, customRoleArn: 'arn:aws:iam::210987654321:role/x' }) },
}

const missingTemplate: Refusal = {
  code: 'TemplateNotFoundException',
  message: `The repository creation template with the prefix 'conformance/missing' does not exist in the registry with id '${ACCOUNT}'`,
  edit: (input) => ({ ...input, prefix: 'conformance/missing' }),
}

const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:ecr-pullthroughcache/docker-hub`
const UPSTREAM_ECR = `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com`
const RULE_PREFIX = 'conformance'
const MISSING_RULE = 'conformance-missing'
/** The main prefix and the generator's boundary prefixes (2 and 30 characters). */
const RULE_PREFIXES = (() => {
  const shape = memberShape('DeletePullThroughCacheRule', 'ecrRepositoryPrefix') as Extract<Shape, { kind: 'string' }>
  return [RULE_PREFIX, sampleString(shape, shape.min)!, sampleString(shape, shape.max)!]
})()

/** A rule for Docker Hub (which needs a secret) under `prefix`. */
async function rule(ecr: Ecr, prefix: string): Promise<void> {
  await ecr.call('CreatePullThroughCacheRule', { ecrRepositoryPrefix: prefix, upstreamRegistryUrl: 'registry-1.docker.io', credentialArn: SECRET })
}

/** Rules under the main prefix and the boundary ones. */
async function rules(ecr: Ecr): Promise<object> {
  for (const prefix of RULE_PREFIXES) await rule(ecr, prefix)
  return {}
}

const withoutMember = (input: Input, member: string): Input => {
  const { [member]: _removed, ...rest } = input
  return rest
}

const missingRule: Refusal = {
  code: 'PullThroughCacheRuleNotFoundException',
  message: `The pull through cache rule with the prefix '${MISSING_RULE}' does not exist in the registry with id '${ACCOUNT}'`,
  edit: (input) => ({ ...input, ecrRepositoryPrefix: MISSING_RULE }),
}

/** DeletePullThroughCacheRule and ValidatePullThroughCacheRule: a rule named by its prefix. */
const ruleByPrefix = scenario({
  setup: rules,
  inputs: () => [{ registryId: ACCOUNT, ecrRepositoryPrefix: RULE_PREFIX }],
  refusals: () => ({ 'prefix without a rule': missingRule }),
})

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
    cases: () => lifecyclePolicyTextCases,
    refusals: () => ({
      'policy with an unknown action': unknownLifecycleAction,
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

  StartLifecyclePolicyPreview: scenario({
    async setup(ecr, name) {
      await image(ecr, name)
      await repository(ecr, OTHER)
      // The required-members-only case previews the stored policy.
      await ecr.call('PutLifecyclePolicy', { repositoryName: name, lifecyclePolicyText: lifecyclePolicy() })
      return {}
    },
    inputs: ({ repositoryName }) => [{ registryId: ACCOUNT, repositoryName, lifecyclePolicyText: lifecyclePolicy('preview') }],
    cases: () => lifecyclePolicyTextCases,
    refusals: () => ({
      'no text, and a repository without a lifecycle policy': {
        code: 'LifecyclePolicyNotFoundException',
        message: `Lifecycle policy does not exist for the repository with name '${OTHER}' in the registry with id '${ACCOUNT}'`,
        edit: ({ lifecyclePolicyText: _text, ...input }) => ({ ...input, repositoryName: OTHER }),
      },
      'policy with an unknown action': unknownLifecycleAction,
    }),
  }),

  GetLifecyclePolicyPreview: scenario({
    async setup(ecr, name) {
      const { digest } = await image(ecr, name)
      for (const tag of ['v2', 'v3']) await image(ecr, name, [tag])
      await repository(ecr, OTHER)
      // Keeps one image of three: two results, to page through.
      const keepOne = JSON.stringify({
        rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }],
      })
      await ecr.call('StartLifecyclePolicyPreview', { repositoryName: name, lifecyclePolicyText: keepOne })
      const { nextToken } = await ecr.call('GetLifecyclePolicyPreview', { repositoryName: name, maxResults: 1 })
      return { digest, nextToken: nextToken! }
    },
    inputs: ({ repositoryName, digest, nextToken }) => [
      { registryId: ACCOUNT, repositoryName, imageIds: [{ imageDigest: digest, imageTag: TAG }], filter: { tagStatus: 'TAGGED' } },
      { registryId: ACCOUNT, repositoryName, maxResults: 1, nextToken },
    ],
    cases: () => ({ 'imageIds[].imageTag longest non-ASCII (300)': NOT_A_TAG }),
    refusals: () => ({
      'repository without a preview': {
        code: 'LifecyclePolicyPreviewNotFoundException',
        message: `Lifecycle policy preview does not exist for the repository with name '${OTHER}' in the registry with id '${ACCOUNT}'`,
        edit: (input) => ({ ...input, repositoryName: OTHER }),
      },
      'imageIds with maxResults': {
        code: 'InvalidParameterException',
        message: "Invalid parameter at 'maxResults' failed to satisfy constraint: 'maxResults and nextToken cannot be used when you specify imageIds'",
        edit: (input) => ({ ...input, maxResults: 1 }),
      },
    }),
  }),

  UpdateImageStorageClass: scenario({
    async setup(ecr, name) {
      const { digest } = await image(ecr, name)
      const archived = await image(ecr, name, ['archived'])
      await ecr.call('UpdateImageStorageClass', { repositoryName: name, imageId: { imageDigest: archived.digest }, targetStorageClass: 'ARCHIVE' })
      return { digest, archived: archived.digest }
    },
    inputs: ({ repositoryName, digest }) => [
      { registryId: ACCOUNT, repositoryName, imageId: { imageDigest: digest, imageTag: TAG }, targetStorageClass: 'ARCHIVE' },
    ],
    cases: ({ digest, archived }) => ({
      'required members only': (input) => ({ ...input, imageId: { imageDigest: digest } }),
      'targetStorageClass = STANDARD': (input) => ({ ...input, imageId: { imageDigest: archived } }),
      'imageId.imageTag longest non-ASCII (300)': NOT_A_TAG,
    }),
    refusals: ({ repositoryName, archived }) => ({
      'image that is archived already': {
        code: 'ImageStorageClassUpdateNotSupportedException',
        edit: (input) => ({ ...input, imageId: { imageDigest: archived } }),
      },
      'image that does not exist': {
        code: 'ImageNotFoundException',
        message: `The image with imageId {imageDigest:'null', imageTag:'missing'} does not exist within the repository with name '${repositoryName}' in the registry with id '${ACCOUNT}'`,
        edit: (input) => ({ ...input, imageId: { imageTag: 'missing' } }),
      },
    }),
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

  GetAccountSetting: scenario({
    inputs: () => [{ name: 'REGISTRY_POLICY_SCOPE' }],
    cases: () => accountSettingNameCases,
    refusals: () => ({ 'name ECR does not know': unknownAccountSetting }),
  }),

  PutAccountSetting: scenario({
    inputs: () => [{ name: 'BLOB_MOUNTING', value: 'ENABLED' }],
    cases: () => accountSettingNameCases,
    refusals: () => ({
      'name ECR does not know': unknownAccountSetting,
      'basic scan type Clair, retired': {
        code: 'InvalidParameterException',
        message: "Invalid parameter at 'value' failed to satisfy constraint: 'Member must satisfy enum value set: [AWS_NATIVE]'",
        edit: () => ({ name: 'BASIC_SCAN_TYPE_VERSION', value: 'CLAIR' }),
      },
    }),
  }),

  PutSigningConfiguration: scenario({
    inputs: () => [{ signingConfiguration: signingConfiguration() }],
  }),

  GetSigningConfiguration: scenario({
    setup: (ecr) => ecr.call('PutSigningConfiguration', { signingConfiguration: signingConfiguration() }).then(() => ({})),
    inputs: () => [{}],
  }),

  DeleteSigningConfiguration: scenario({
    setup: (ecr) => ecr.call('PutSigningConfiguration', { signingConfiguration: signingConfiguration() }).then(() => ({})),
    inputs: () => [{}],
  }),

  DescribeImageSigningStatus: scenario({
    async setup(ecr, name) {
      await ecr.call('PutSigningConfiguration', { signingConfiguration: signingConfiguration() })
      return image(ecr, name)
    },
    inputs: ({ repositoryName, digest }) => [{ registryId: ACCOUNT, repositoryName, imageId: { imageDigest: digest, imageTag: TAG } }],
    cases: ({ digest }) => ({
      'required members only': (input) => ({ ...input, imageId: { imageDigest: digest } }),
      'imageId.imageTag longest non-ASCII (300)': NOT_A_TAG,
    }),
    refusals: ({ repositoryName }) => ({
      'tag no image has': {
        code: 'ImageNotFoundException',
        message: `The image with imageId {imageDigest:'null', imageTag:'missing'} does not exist within the repository with name '${repositoryName}' in the registry with id '${ACCOUNT}'`,
        edit: (input) => ({ ...input, imageId: { imageTag: 'missing' } }),
      },
    }),
  }),

  RegisterPullTimeUpdateExclusion: scenario({
    async setup(ecr) {
      await ecr.call('RegisterPullTimeUpdateExclusion', { principalArn: REGISTERED_PRINCIPAL })
      return {}
    },
    inputs: () => [{ principalArn: `arn:aws:iam::${ACCOUNT}:role/scanner` }],
    refusals: () => ({
      'principal already excluded': {
        code: 'ExclusionAlreadyExistsException',
        message: `The pull time update exclusion for principal '${REGISTERED_PRINCIPAL}' already exists in the registry with id '${ACCOUNT}'`,
        edit: () => ({ principalArn: REGISTERED_PRINCIPAL }),
      },
    }),
  }),

  DeregisterPullTimeUpdateExclusion: scenario({
    async setup(ecr) {
      for (const principalArn of [REGISTERED_PRINCIPAL, ...BOUNDARY_PRINCIPALS]) await ecr.call('RegisterPullTimeUpdateExclusion', { principalArn })
      return {}
    },
    inputs: () => [{ principalArn: REGISTERED_PRINCIPAL }],
    refusals: () => ({
      'principal not excluded': {
        code: 'ExclusionNotFoundException',
        message: `The pull time update exclusion for principal 'arn:aws:iam::${ACCOUNT}:role/scanner' does not exist in the registry with id '${ACCOUNT}'`,
        edit: () => ({ principalArn: `arn:aws:iam::${ACCOUNT}:role/scanner` }),
      },
    }),
  }),

  ListPullTimeUpdateExclusions: scenario({
    async setup(ecr) {
      for (const principalArn of [REGISTERED_PRINCIPAL, `arn:aws:iam::${ACCOUNT}:user/ci`]) await ecr.call('RegisterPullTimeUpdateExclusion', { principalArn })
      const { nextToken } = await ecr.call('ListPullTimeUpdateExclusions', { maxResults: 1 })
      return { nextToken: nextToken! }
    },
    inputs: ({ nextToken }) => [{ maxResults: 1 }, { nextToken }],
  }),

  ListImageReferrers: scenario({
    async setup(ecr, name) {
      const { digest, manifest } = await image(ecr, name, [TAG])
      for (const content of ['sbom 1', 'sbom 2']) await referrer(ecr, name, { digest, manifest }, content)
      const { nextToken } = await ecr.call('ListImageReferrers', { repositoryName: name, subjectId: { imageDigest: digest }, maxResults: 1 })
      return { digest, nextToken: nextToken! }
    },
    inputs: ({ repositoryName, digest, nextToken }) => [
      {
        registryId: ACCOUNT,
        repositoryName,
        subjectId: { imageDigest: digest },
        filter: { artifactTypes: [SBOM], artifactStatus: 'ACTIVE' },
        maxResults: 1,
      },
      { registryId: ACCOUNT, repositoryName, subjectId: { imageDigest: digest }, nextToken },
    ],
  }),

  CreateRepositoryCreationTemplate: scenario({
    async setup(ecr) {
      await template(ecr, TEMPLATE_PREFIX)
      return {}
    },
    inputs: () => [
      {
        prefix: 'conformance/new',
        description: 'Repositories of the conformance suite',
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KMS_KEY },
        resourceTags: [{ Key: 'team', Value: 'core' }],
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest*' }],
        repositoryPolicy: repositoryPolicy(),
        lifecyclePolicy: lifecyclePolicy(),
        appliedFor: ['PULL_THROUGH_CACHE', 'REPLICATION', 'CREATE_ON_PUSH'],
        customRoleArn: ROLE,
      },
    ],
    cases: () => templateCases,
    refusals: () => ({
      'prefix of a template that exists': {
        code: 'TemplateAlreadyExistsException',
        edit: (input) => ({ ...input, prefix: TEMPLATE_PREFIX }),
      },
      ...templateRefusals,
    }),
  }),

  DescribeRepositoryCreationTemplates: scenario({
    async setup(ecr) {
      for (const prefix of [TEMPLATE_PREFIX, 'conformance/other']) await template(ecr, prefix)
      const { nextToken } = await ecr.call('DescribeRepositoryCreationTemplates', { maxResults: 1 })
      return { nextToken: nextToken! }
    },
    inputs: ({ nextToken }) => [{ prefixes: [TEMPLATE_PREFIX], maxResults: 1 }, { maxResults: 1, nextToken }],
  }),

  UpdateRepositoryCreationTemplate: scenario({
    setup: templates,
    inputs: () => [
      {
        prefix: TEMPLATE_PREFIX,
        description: 'Updated',
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KMS_KEY },
        resourceTags: [{ Key: 'team', Value: 'core' }],
        imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev*' }],
        repositoryPolicy: repositoryPolicy(),
        lifecyclePolicy: lifecyclePolicy(),
        appliedFor: ['REPLICATION'],
        customRoleArn: ROLE,
      },
    ],
    cases: () => templateCases,
    refusals: () => ({ ...templateRefusals, 'prefix without a template': missingTemplate }),
  }),

  CreatePullThroughCacheRule: scenario({
    async setup(ecr) {
      await rule(ecr, RULE_PREFIX)
      return {}
    },
    inputs: () => [
      { registryId: ACCOUNT, ecrRepositoryPrefix: 'docker-hub', upstreamRegistryUrl: 'registry-1.docker.io', upstreamRegistry: 'docker-hub', credentialArn: SECRET },
      {
        ecrRepositoryPrefix: 'ecr-west',
        upstreamRegistryUrl: UPSTREAM_ECR,
        upstreamRegistry: 'ecr',
        customRoleArn: ROLE,
        upstreamRepositoryPrefix: 'team',
      },
    ],
    cases: () => {
      // Each upstream registry has its URL; the ECR one is reached with a role, not a secret.
      const upstream = (upstreamRegistry: string, upstreamRegistryUrl: string) => (input: Input): Input => {
        const { credentialArn: _secret, ...rest } = input
        return { ...(upstreamRegistry === 'ecr' ? rest : input), upstreamRegistry, upstreamRegistryUrl }
      }
      const withoutSecret = (input: Input): Input => upstream('ecr-public', 'public.ecr.aws')(withoutMember(input, 'credentialArn'))
      return {
        'upstreamRegistry = ecr': upstream('ecr', UPSTREAM_ECR),
        'upstreamRegistry = ecr-public': upstream('ecr-public', 'public.ecr.aws'),
        'upstreamRegistry = quay': upstream('quay', 'quay.io'),
        'upstreamRegistry = k8s': upstream('k8s', 'registry.k8s.io'),
        'upstreamRegistry = github-container-registry': upstream('github-container-registry', 'ghcr.io'),
        'upstreamRegistry = azure-container-registry': upstream('azure-container-registry', 'conformance.azurecr.io'),
        'upstreamRegistry = gitlab-container-registry': upstream('gitlab-container-registry', 'registry.gitlab.com'),
        'upstreamRegistry = chainguard': upstream('chainguard', 'cgr.dev'),
        'required members only': withoutSecret,
        'credentialArn absent': withoutSecret,
        'credentialArn null': withoutSecret,
        ...roleCases,
      }
    },
    refusals: () => ({
      'prefix of a rule that exists': {
        code: 'PullThroughCacheRuleAlreadyExistsException',
        edit: (input) => ({ ...input, ecrRepositoryPrefix: RULE_PREFIX }),
      },
      'registry URL ECR does not support': {
        code: 'UnsupportedUpstreamRegistryException',
        message: 'The upstream registry URL harbor.example.com is invalid. Specify a valid upstream registry URL and try again',
        edit: (input) => ({ ...withoutMember(input, 'upstreamRegistry'), upstreamRegistryUrl: 'harbor.example.com' }),
      },
      'upstream that needs a secret, without one': {
        code: 'UnsupportedUpstreamRegistryException',
        edit: (input) => withoutMember(input, 'credentialArn'),
      },
      'secret in another Region': { code: 'SecretNotFoundException', edit: (input) => ({ ...input, credentialArn: SECRET.replace('us-east-1', 'eu-west-1') }) },
      'secret of another account': { code: 'UnableToAccessSecretException', edit: (input) => ({ ...input, credentialArn: SECRET.replace(ACCOUNT, '210987654321') }) },
      'ROOT for an upstream other than ECR': { code: 'InvalidParameterException', edit: (input) => ({ ...input, ecrRepositoryPrefix: 'ROOT' }) },
    }),
  }),

  DescribePullThroughCacheRules: scenario({
    async setup(ecr) {
      await rules(ecr)
      const { nextToken } = await ecr.call('DescribePullThroughCacheRules', { maxResults: 1 })
      return { nextToken: nextToken! }
    },
    inputs: ({ nextToken }) => [
      { registryId: ACCOUNT, ecrRepositoryPrefixes: [RULE_PREFIX], maxResults: 1 },
      { registryId: ACCOUNT, maxResults: 1, nextToken },
    ],
    refusals: () => ({ 'prefix without a rule': { ...missingRule, edit: (input) => ({ ...input, ecrRepositoryPrefixes: [MISSING_RULE] }) } }),
  }),

  UpdatePullThroughCacheRule: scenario({
    async setup(ecr) {
      await rules(ecr)
      await ecr.call('CreatePullThroughCacheRule', { ecrRepositoryPrefix: 'ecr-west', upstreamRegistryUrl: UPSTREAM_ECR })
      return {}
    },
    inputs: () => [
      { registryId: ACCOUNT, ecrRepositoryPrefix: RULE_PREFIX, credentialArn: SECRET },
      { registryId: ACCOUNT, ecrRepositoryPrefix: 'ecr-west', customRoleArn: ROLE },
    ],
    cases: () => roleCases,
    refusals: () => ({
      'prefix without a rule': missingRule,
      'secret in another Region': { code: 'SecretNotFoundException', edit: (input) => ({ ...input, credentialArn: SECRET.replace('us-east-1', 'eu-west-1') }) },
    }),
  }),

  DeletePullThroughCacheRule: ruleByPrefix,

  ValidatePullThroughCacheRule: ruleByPrefix,

  DeleteRepositoryCreationTemplate: scenario({
    setup: templates,
    inputs: () => [{ prefix: TEMPLATE_PREFIX }],
    refusals: () => ({ 'prefix without a template': missingTemplate }),
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
