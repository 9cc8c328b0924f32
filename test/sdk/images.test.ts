import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ImageAlreadyExistsException,
  ImageDigestDoesNotMatchException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InvalidParameterException,
  LayersNotFoundException,
  ListImagesCommand,
  PutImageCommand,
  PutImageTagMutabilityCommand,
  PutRegistryScanningConfigurationCommand,
  ReferencedImagesNotFoundException,
  RepositoryNotFoundException,
  StartImageScanCommand,
} from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { DOCKER_LIST, DOCKER_MANIFEST, dockerManifest, indexManifest, OCI_INDEX, OCI_MANIFEST, sha256, uploadBlobs } from '../fixtures.js'
import { useFakeEcr } from './harness.js'

const { ecr, client } = useFakeEcr()

async function repository(name = 'app', settings: Partial<ConstructorParameters<typeof CreateRepositoryCommand>[0]> = {}) {
  await client().send(new CreateRepositoryCommand({ repositoryName: name, ...settings }))
  return name
}

async function push(repositoryName: string, imageTag?: string, layerSizes?: number[]) {
  const manifest = dockerManifest(await uploadBlobs(ecr, repositoryName, layerSizes))
  const { image } = await client().send(new PutImageCommand({ repositoryName, imageManifest: manifest, imageTag }))
  return { manifest, digest: image!.imageId!.imageDigest! }
}

async function tagsOf(repositoryName: string, imageDigest: string) {
  const { imageDetails } = await client().send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageDigest }] }))
  return imageDetails![0]!.imageTags ?? []
}

describe('PutImage', () => {
  it('digests the exact manifest bytes and stores them unchanged', async () => {
    await repository()
    const blobs = await uploadBlobs(ecr, 'app')
    const compact = JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, ...blobs })
    const pretty = dockerManifest(blobs)
    const first = await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: compact, imageTag: 'compact' }))
    const second = await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: pretty, imageTag: 'pretty' }))
    expect(first.image?.imageId?.imageDigest).toBe(sha256(compact))
    expect(second.image?.imageId?.imageDigest).toBe(sha256(pretty))
    expect(first.image?.imageManifestMediaType).toBe(DOCKER_MANIFEST)
    const { images } = await client().send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'pretty' }] }))
    expect(images?.[0]?.imageManifest).toBe(pretty)
  })

  it('checks a supplied digest against the manifest', async () => {
    await repository()
    const manifest = dockerManifest(await uploadBlobs(ecr, 'app'))
    const wrong = sha256('something else')
    const error = await client()
      .send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest, imageDigest: wrong }))
      .catch((e) => e)
    expect(error).toBeInstanceOf(ImageDigestDoesNotMatchException)
    expect(error.message).toBe(
      `The image with digest '${wrong}' in repository 'app' and registry ID '123456789012' does not match the image digest that Amazon ECR has calculated.`,
    )
    const { image } = await client().send(
      new PutImageCommand({ repositoryName: 'app', imageManifest: manifest, imageDigest: sha256(manifest) }),
    )
    expect(image?.imageId?.imageDigest).toBe(sha256(manifest))
  })

  it('refuses a manifest whose blobs are not in the repository', async () => {
    await repository()
    const blobs = await uploadBlobs(ecr, 'app')
    const missing = { ...blobs.layers[0]!, digest: sha256('never uploaded') }
    const error = await client()
      .send(new PutImageCommand({ repositoryName: 'app', imageManifest: dockerManifest({ ...blobs, layers: [missing] }), imageTag: 'v1' }))
      .catch((e) => e)
    expect(error).toBeInstanceOf(LayersNotFoundException)
    expect(error.message).toBe(
      `Layers with digests '[${missing.digest}]' required for pushing image into repository with name 'app' in the registry with id '123456789012' do not exist`,
    )
    // Blobs are per repository: the same blobs pushed to another repository are not there.
    await repository('other')
    await expect(
      client().send(new PutImageCommand({ repositoryName: 'other', imageManifest: dockerManifest(blobs) })),
    ).rejects.toThrow(LayersNotFoundException)
    const { imageIds } = await client().send(new ListImagesCommand({ repositoryName: 'app' }))
    expect(imageIds).toEqual([])
  })

  it('refuses an index whose child manifests are missing, and accepts it once they are pushed', async () => {
    await repository()
    const child = await push('app')
    const absent = sha256('absent child')
    const index = indexManifest([child, { digest: absent, manifest: '{}' }])
    const error = await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: index })).catch((e) => e)
    expect(error).toBeInstanceOf(ReferencedImagesNotFoundException)
    expect(error.message).toContain(absent)
    const complete = indexManifest([child])
    const { image } = await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: complete, imageTag: 'multi' }))
    expect(image?.imageManifestMediaType).toBe(DOCKER_LIST)
  })

  it('takes the media type from the parameter, else from the manifest, and refuses neither or both disagreeing', async () => {
    await repository()
    const blobs = await uploadBlobs(ecr, 'app')
    const bare = JSON.stringify({ schemaVersion: 2, config: blobs.config, layers: blobs.layers })
    const send = (imageManifest: string, imageManifestMediaType?: string, imageTag?: string) =>
      client().send(new PutImageCommand({ repositoryName: 'app', imageManifest, imageManifestMediaType, imageTag }))
    const noType = await send(bare).catch((e) => e)
    expect(noType).toBeInstanceOf(InvalidParameterException)
    expect(noType.message).toContain('imageManifestMediaType')
    const { image } = await send(bare, OCI_MANIFEST, 'oci')
    expect(image?.imageManifestMediaType).toBe(OCI_MANIFEST)
    await expect(send(dockerManifest(blobs), OCI_MANIFEST)).rejects.toThrow(InvalidParameterException)
  })

  it('refuses an imageManifestMediaType that contradicts the manifest’s own mediaType, and stores nothing', async () => {
    await repository()
    const blobs = await uploadBlobs(ecr, 'app')
    const docker = dockerManifest(blobs)
    const oci = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: blobs.config, layers: blobs.layers })
    for (const [imageManifest, imageManifestMediaType, declared] of [
      [docker, OCI_MANIFEST, DOCKER_MANIFEST],
      [oci, DOCKER_MANIFEST, OCI_MANIFEST],
      [docker, DOCKER_LIST, DOCKER_MANIFEST],
    ] as const) {
      const error = await client()
        .send(new PutImageCommand({ repositoryName: 'app', imageManifest, imageManifestMediaType, imageTag: 'v1' }))
        .catch((e) => e)
      expect(error).toBeInstanceOf(InvalidParameterException)
      expect(error.message).toBe(
        `Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'imageManifestMediaType '${imageManifestMediaType}' does not match the mediaType '${declared}' in the manifest'`,
      )
    }
    expect((await client().send(new ListImagesCommand({ repositoryName: 'app' }))).imageIds).toEqual([])
    // Naming the manifest's own type is fine.
    const { image } = await client().send(
      new PutImageCommand({ repositoryName: 'app', imageManifest: oci, imageManifestMediaType: OCI_MANIFEST, imageTag: 'v1' }),
    )
    expect(image?.imageManifestMediaType).toBe(OCI_MANIFEST)
  })

  it('refuses text that is not a supported manifest', async () => {
    await repository()
    for (const manifest of ['not json', '[]', JSON.stringify({ schemaVersion: 1, mediaType: 'application/vnd.docker.distribution.manifest.v1+json' }), JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { digest: 'nope' }, layers: [] })]) {
      const error = await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest })).catch((e) => e)
      expect(error).toBeInstanceOf(InvalidParameterException)
      expect(error.message).toBe("Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'")
    }
  })

  it('refuses a tag ECR would not accept, and an unknown repository', async () => {
    await repository()
    const manifest = dockerManifest(await uploadBlobs(ecr, 'app'))
    const error = await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest, imageTag: 'bad tag!' })).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe("Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_.]+''")
    await expect(client().send(new PutImageCommand({ repositoryName: 'nowhere', imageManifest: manifest }))).rejects.toThrow(
      RepositoryNotFoundException,
    )
  })
})

describe('tags', () => {
  it('moving a tag in a MUTABLE repository leaves the old image untagged, not deleted', async () => {
    await repository()
    const old = await push('app', 'latest')
    const fresh = await push('app', 'latest')
    expect(await tagsOf('app', old.digest)).toEqual([])
    expect(await tagsOf('app', fresh.digest)).toEqual(['latest'])
    const { imageIds } = await client().send(new ListImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'UNTAGGED' } }))
    expect(imageIds).toEqual([{ imageDigest: old.digest }])
  })

  it('a second tag on an existing manifest adds the tag; the same tag again is ImageAlreadyExists', async () => {
    await repository()
    const image = await push('app', 'v1')
    await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: image.manifest, imageTag: 'stable' }))
    expect(await tagsOf('app', image.digest)).toEqual(['stable', 'v1'])
    const error = await client()
      .send(new PutImageCommand({ repositoryName: 'app', imageManifest: image.manifest, imageTag: 'v1' }))
      .catch((e) => e)
    expect(error).toBeInstanceOf(ImageAlreadyExistsException)
    expect(error.message).toBe(
      `Image with digest '${image.digest}' and tag 'v1' already exists in the repository with name 'app' in registry with id '123456789012'`,
    )
  })

  it('IMMUTABLE refuses moving a tag; exclusion filters carve out exceptions', async () => {
    await repository('locked', { imageTagMutability: 'IMMUTABLE' })
    await push('locked', 'v1')
    const error = await push('locked', 'v1').catch((e) => e)
    expect(error).toBeInstanceOf(ImageTagAlreadyExistsException)
    expect(error.message).toBe(
      "The image tag 'v1' already exists in the 'locked' repository and cannot be overwritten because the repository is immutable.",
    )

    await repository('mostly', {
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }, { filterType: 'WILDCARD', filter: 'dev-*' }],
    })
    await push('mostly', 'latest')
    await push('mostly', 'latest')
    await push('mostly', 'dev-42')
    await push('mostly', 'dev-42')
    await push('mostly', 'v1')
    await expect(push('mostly', 'v1')).rejects.toThrow(ImageTagAlreadyExistsException)

    await client().send(
      new PutImageTagMutabilityCommand({
        repositoryName: 'mostly',
        imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'release-*' }],
      }),
    )
    await push('mostly', 'v1')
    await push('mostly', 'release-1')
    await expect(push('mostly', 'release-1')).rejects.toThrow(ImageTagAlreadyExistsException)
  })

  it('exclusion filters go with the *_WITH_EXCLUSION settings only', async () => {
    await expect(
      client().send(new CreateRepositoryCommand({ repositoryName: 'app', imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' })),
    ).rejects.toThrow(InvalidParameterException)
    await expect(
      client().send(
        new CreateRepositoryCommand({
          repositoryName: 'app',
          imageTagMutability: 'MUTABLE',
          imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'x' }],
        }),
      ),
    ).rejects.toThrow(InvalidParameterException)
  })
})

describe('BatchGetImage', () => {
  it('returns manifests by tag and digest and reports every failure code', async () => {
    await repository()
    const v1 = await push('app', 'v1')
    const other = await push('app', 'v2')
    const { images, failures } = await client().send(
      new BatchGetImageCommand({
        repositoryName: 'app',
        acceptedMediaTypes: [DOCKER_MANIFEST, OCI_MANIFEST],
        imageIds: [
          { imageTag: 'v1' },
          { imageDigest: other.digest },
          { imageTag: 'missing' },
          {},
          { imageDigest: 'not-a-digest' },
          { imageTag: 'bad tag' },
          { imageTag: 'v1', imageDigest: other.digest },
        ],
      }),
    )
    expect(images?.map((image) => image.imageId)).toEqual([
      { imageDigest: v1.digest, imageTag: 'v1' },
      { imageDigest: other.digest },
    ])
    expect(images?.[0]?.imageManifest).toBe(v1.manifest)
    expect(failures?.map((failure) => [failure.failureCode, failure.failureReason])).toEqual([
      ['ImageNotFound', 'Requested image not found'],
      ['MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null'],
      ['InvalidImageDigest', "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"],
      ['InvalidImageTag', "Invalid request parameters: image tag should satisfy the regex '[a-zA-Z0-9-_.]+'"],
      ['ImageTagDoesNotMatchDigest', 'Invalid request parameters: given tag does not map to the given digest'],
    ])
    expect(failures?.[0]?.imageId).toEqual({ imageTag: 'missing' })
  })

  it('records the pull time DescribeImages reports', async () => {
    await repository()
    const image = await push('app', 'v1')
    const before = await client().send(new DescribeImagesCommand({ repositoryName: 'app' }))
    expect(before.imageDetails?.[0]?.lastRecordedPullTime).toBeUndefined()
    await client().send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: image.digest }] }))
    const after = await client().send(new DescribeImagesCommand({ repositoryName: 'app' }))
    expect(after.imageDetails?.[0]?.lastRecordedPullTime).toBeInstanceOf(Date)
  })
})

describe('BatchDeleteImage', () => {
  it('deleting one tag of a multi-tag image removes only that tag; the last tag takes the image', async () => {
    await repository()
    const image = await push('app', 'v1')
    await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: image.manifest, imageTag: 'latest' }))
    const first = await client().send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }))
    expect(first.imageIds).toEqual([{ imageDigest: image.digest, imageTag: 'v1' }])
    expect(await tagsOf('app', image.digest)).toEqual(['latest'])
    await client().send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'latest' }] }))
    await expect(
      client().send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageDigest: image.digest }] })),
    ).rejects.toThrow(ImageNotFoundException)
  })

  it('deleting by digest removes the image and all its tags', async () => {
    await repository()
    const image = await push('app', 'v1')
    await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: image.manifest, imageTag: 'latest' }))
    const { imageIds, failures } = await client().send(
      new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: image.digest }, { imageTag: 'ghost' }] }),
    )
    expect(imageIds).toEqual([
      { imageDigest: image.digest, imageTag: 'latest' },
      { imageDigest: image.digest, imageTag: 'v1' },
    ])
    expect(failures).toEqual([{ imageId: { imageTag: 'ghost' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }])
    const { imageIds: left } = await client().send(new ListImagesCommand({ repositoryName: 'app' }))
    expect(left).toEqual([])
  })

  it('with both digest and tag, removes only that tag of a multi-tag image; the last tag takes the image', async () => {
    await repository()
    const image = await push('app', 'v1')
    for (const tag of ['latest', 'stable']) {
      await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: image.manifest, imageTag: tag }))
    }
    const first = await client().send(
      new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: image.digest, imageTag: 'latest' }] }),
    )
    expect(first).toMatchObject({ imageIds: [{ imageDigest: image.digest, imageTag: 'latest' }], failures: [] })
    expect(await tagsOf('app', image.digest)).toEqual(['stable', 'v1'])

    // ListImages' own answer fed back, one {digest, tag} per tag: every tag goes, then the image.
    const { imageIds: listed } = await client().send(new ListImagesCommand({ repositoryName: 'app' }))
    const rest = await client().send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: listed }))
    expect(rest).toMatchObject({
      imageIds: [
        { imageDigest: image.digest, imageTag: 'stable' },
        { imageDigest: image.digest, imageTag: 'v1' },
      ],
      failures: [],
    })
    await expect(
      client().send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageDigest: image.digest }] })),
    ).rejects.toThrow(ImageNotFoundException)
  })

  it('refuses to delete an image a manifest list references until the list is gone', async () => {
    await repository()
    const child = await push('app')
    const { image: index } = await client().send(
      new PutImageCommand({ repositoryName: 'app', imageManifest: indexManifest([child], OCI_INDEX), imageTag: 'multi' }),
    )
    const refused = await client().send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: child.digest }] }))
    expect(refused.failures).toEqual([
      {
        imageId: { imageDigest: child.digest },
        failureCode: 'ImageReferencedByManifestList',
        failureReason: `Requested image referenced by manifest list: [${index!.imageId!.imageDigest}]`,
      },
    ])
    const both = await client().send(
      new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'multi' }, { imageDigest: child.digest }] }),
    )
    expect(both.failures).toEqual([])
    expect(both.imageIds).toHaveLength(2)
  })
})

describe('the order of an image’s tags', () => {
  it('is one stable order (sorted) in DescribeImages, ListImages and BatchDeleteImage, whatever order the tags came in', async () => {
    await repository()
    const image = await push('app', 'v2')
    for (const tag of ['latest', '10', 'abc', '1.0', 'B']) {
      await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: image.manifest, imageTag: tag }))
    }
    // Moving a tag away and back does not change where it is listed.
    const other = await push('app', 'abc')
    await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: image.manifest, imageTag: 'abc' }))
    const order = ['1.0', '10', 'B', 'abc', 'latest', 'v2']
    for (let round = 0; round < 2; round++) {
      expect(await tagsOf('app', image.digest)).toEqual(order)
      const { imageIds } = await client().send(new ListImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'TAGGED' } }))
      expect(imageIds).toEqual(order.map((imageTag) => ({ imageDigest: image.digest, imageTag })))
    }
    // Paging through them one at a time meets them in the same order.
    const paged: string[] = []
    let nextToken: string | undefined
    do {
      const page = await client().send(new ListImagesCommand({ repositoryName: 'app', maxResults: 1, filter: { tagStatus: 'TAGGED' }, nextToken }))
      paged.push(...(page.imageIds ?? []).map((id) => id.imageTag!))
      nextToken = page.nextToken
    } while (nextToken !== undefined)
    expect(paged).toEqual(order)
    const { imageIds: deleted } = await client().send(
      new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: image.digest }, { imageDigest: other.digest }] }),
    )
    expect(deleted).toEqual([...order.map((imageTag) => ({ imageDigest: image.digest, imageTag })), { imageDigest: other.digest }])
  })
})

describe('DescribeImages', () => {
  // Front ends keep the wire text of each detail they wrote (decisions/page-cost.md): every answer
  // here follows one that wrote the same image before it changed.
  it('describes an image as it is now after each change, listed and by id', async () => {
    await repository()
    const { manifest, digest } = await push('app', 'v1')
    const described = async () => {
      const listed = await client().send(new DescribeImagesCommand({ repositoryName: 'app' }))
      const byId = await client().send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageDigest: digest }] }))
      expect(byId.imageDetails).toEqual(listed.imageDetails)
      expect(listed.imageDetails).toHaveLength(1)
      return listed.imageDetails![0]!
    }
    expect(await described()).toMatchObject({ imageTags: ['v1'], imageStatus: 'ACTIVE' })

    await client().send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest, imageTag: 'v2' }))
    expect((await described()).imageTags).toEqual(['v1', 'v2'])
    await client().send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }))
    expect((await described()).imageTags).toEqual(['v2'])

    expect((await described()).lastRecordedPullTime).toBeUndefined()
    await client().send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: digest }] }))
    expect((await described()).lastRecordedPullTime).toBeInstanceOf(Date)

    expect((await described()).imageScanStatus).toBeUndefined()
    await client().send(new StartImageScanCommand({ repositoryName: 'app', imageId: { imageDigest: digest } }))
    expect((await described()).imageScanStatus?.status).toBe('COMPLETE')
    // Under enhanced scanning DescribeImages shows no basic scan, though the image's record is unchanged.
    await client().send(new PutRegistryScanningConfigurationCommand({ scanType: 'ENHANCED' }))
    expect((await described()).imageScanStatus).toBeUndefined()
    await client().send(new PutRegistryScanningConfigurationCommand({ scanType: 'BASIC' }))
    expect((await described()).imageScanFindingsSummary).toBeDefined()
  })

  it('reports sizes as ECR does: config plus layers; an index reports its largest child', async () => {
    await repository()
    const small = await push('app', 'small', [1000, 2000])
    const large = await push('app', 'large', [50_000])
    const { image } = await client().send(
      new PutImageCommand({ repositoryName: 'app', imageManifest: indexManifest([small, large]), imageTag: 'multi' }),
    )
    const { imageDetails } = await client().send(
      new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'small' }, { imageTag: 'large' }, { imageTag: 'multi' }] }),
    )
    const configSize = (manifest: string) => JSON.parse(manifest).config.size as number
    expect(imageDetails?.map((detail) => detail.imageSizeInBytes)).toEqual([
      configSize(small.manifest) + 3000,
      configSize(large.manifest) + 50_000,
      configSize(large.manifest) + 50_000,
    ])
    expect(imageDetails?.[2]).toMatchObject({
      imageDigest: image?.imageId?.imageDigest,
      imageManifestMediaType: DOCKER_LIST,
      imageStatus: 'ACTIVE',
    })
    expect(imageDetails?.[0]).toMatchObject({
      registryId: '123456789012',
      repositoryName: 'app',
      imageTags: ['small'],
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    })
    expect(imageDetails?.[0]?.imagePushedAt).toBeInstanceOf(Date)
  })

  it('fails the whole call for an unknown image id, and refuses maxResults with imageIds', async () => {
    await repository()
    await push('app', 'v1')
    const error = await client()
      .send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }, { imageTag: 'nope' }] }))
      .catch((e) => e)
    expect(error).toBeInstanceOf(ImageNotFoundException)
    expect(error.message).toBe(
      "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the repository with name 'app' in the registry with id '123456789012'",
    )
    await expect(
      client().send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }], maxResults: 5 })),
    ).rejects.toThrow(InvalidParameterException)
  })

  it('filters by tag status', async () => {
    await repository()
    const untagged = await push('app')
    const tagged = await push('app', 'v1')
    const digests = async (tagStatus: 'TAGGED' | 'UNTAGGED' | 'ANY') =>
      (await client().send(new DescribeImagesCommand({ repositoryName: 'app', filter: { tagStatus } }))).imageDetails?.map(
        (detail) => detail.imageDigest,
      )
    expect(await digests('TAGGED')).toEqual([tagged.digest])
    expect(await digests('UNTAGGED')).toEqual([untagged.digest])
    expect(await digests('ANY')).toEqual([untagged.digest, tagged.digest])
  })
})
