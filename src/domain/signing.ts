import type { OperationContext } from '../operations/context.js'
import { SINGLETON, type ImageRecord, type ValueOf } from '../state/kinds.js'
import { wildcardMatches } from '../wildcard.js'
import type { FoundRepository } from './repositories.js'

/** The artifact type of a Notary Project signature, which managed signing pushes next to the image it signs. */
export const NOTARY_SIGNATURE = 'application/vnd.cncf.notary.signature'

export type Signature = ValueOf<'image-signing'>['signatures'][number]
type SigningConfiguration = ValueOf<'signing-configuration'>

/**
 * Starts ECR managed signing of an image just pushed (decisions/managed-signing.md): one
 * signature per signing profile whose rule matches the repository (a rule without filters
 * matches every repository), IN_PROGRESS until the engine's clock reaches
 * `startedAt + signingDurationMs`. Then a clock effect completes it (`completeSigning`): with the
 * default duration of 0, the next call does. Signatures themselves are not signed.
 */
export function signOnPush(ctx: OperationContext, { registry, record, contents }: FoundRepository, image: ImageRecord): void {
  if (image.artifactMediaType === NOTARY_SIGNATURE) return
  const rules = registry.setting('signing-configuration')?.rules ?? []
  const profiles = new Set(
    rules
      .filter(({ repositoryFilters }) => repositoryFilters === undefined || repositoryFilters.some(({ filter }) => wildcardMatches(filter, record.name)))
      .map((rule) => rule.signingProfileArn),
  )
  if (profiles.size === 0) return
  const completesAt = ctx.now + ctx.settings.signingDurationMs
  const signatures = [...profiles].map((signingProfileArn): Signature => ({ signingProfileArn, status: 'IN_PROGRESS', startedAt: ctx.now, completesAt }))
  contents.tables['image-signing'].set(ctx.tx, image.digest, { signatures })
}

/** Forgets the signing of an image that is deleted (signatures already pushed stay, as referrers do). */
export function forgetSigning(ctx: OperationContext, { contents }: FoundRepository, digest: string): void {
  contents.tables['image-signing'].delete(ctx.tx, digest)
}

/** The acting registry's signing configuration, if one is put. */
export function signingConfiguration(ctx: OperationContext): SigningConfiguration | undefined {
  return ctx.registry().setting('signing-configuration')
}

/** Stores the acting registry's signing configuration; `undefined` deletes it. */
export function setSigningConfiguration(ctx: OperationContext, configuration: SigningConfiguration | undefined): void {
  if (configuration === undefined) ctx.registry().tables['signing-configuration'].delete(ctx.tx, SINGLETON)
  else ctx.openRegistry().tables['signing-configuration'].set(ctx.tx, SINGLETON, configuration)
}
