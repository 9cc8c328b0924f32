import type { CallContext, Ecr, RegistrySeed } from './glossary.js'

/**
 * Turns a registry described as data into a `seed` function for `createEcr({ seed })`: each
 * repository is created with its settings and policies, then its images are pushed (generated
 * config and layer blobs, then the manifest), oldest first.
 *
 * @example
 * import { createEcr } from 'fake-ecr'
 * import { seedRegistry } from 'fake-ecr'
 *
 * const ecr = createEcr({
 *   seed: seedRegistry({
 *     repositories: [
 *       { name: 'web', images: [{ tag: 'v1' }, { tags: ['v2', 'latest'] }] },
 *       { name: 'base', imageTagMutability: 'IMMUTABLE', images: [{ tag: '1.0', platforms: [{ os: 'linux', architecture: 'arm64' }] }] },
 *     ],
 *   }),
 * })
 */
export function seedRegistry(description: RegistrySeed): (ecr: Ecr) => Promise<void> {
  return async (ecr) => {
    for (const repository of description.repositories ?? []) {
      const { name, accountId, region, images = [], policy, lifecyclePolicy, ...settings } = repository
      const context: CallContext = { ...(accountId !== undefined && { accountId }), ...(region !== undefined && { region }) }
      await ecr.seed.repository(name, settings, context)
      if (policy !== undefined) {
        await ecr.call('SetRepositoryPolicy', { repositoryName: name, policyText: asText(policy) }, context)
      }
      if (lifecyclePolicy !== undefined) {
        await ecr.call('PutLifecyclePolicy', { repositoryName: name, lifecyclePolicyText: asText(lifecyclePolicy) }, context)
      }
      for (const image of images) {
        const [tag, ...moreTags] = [...(image.tag === undefined ? [] : [image.tag]), ...(image.tags ?? [])]
        const common = { ...(tag !== undefined && { tag }), ...(image.format !== undefined && { format: image.format }), context }
        const seeded =
          image.platforms === undefined
            ? await ecr.seed.image(name, {
                ...common,
                ...(image.layers !== undefined && { layers: image.layers }),
                ...(image.platform !== undefined && { platform: image.platform }),
              })
            : await ecr.seed.multiPlatformImage(name, { ...common, platforms: image.platforms })
        for (const imageTag of moreTags) {
          await ecr.call(
            'PutImage',
            { repositoryName: name, imageManifest: seeded.imageManifest, imageManifestMediaType: seeded.imageManifestMediaType, imageTag },
            context,
          )
        }
      }
    }
  }
}

function asText(policy: string | object): string {
  return typeof policy === 'string' ? policy : JSON.stringify(policy)
}
