import { base64url } from '../encoding.js'
import { registryHost } from '../partitions.js'
import type { OperationContext } from './context.js'
import type { Implementations } from './operation.js'

/** Authorization tokens are valid for 12 hours (model docs of AuthorizationData). */
const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000

/** GetAuthorizationToken: the `docker login` credentials of the caller. */
export const authOperations = {
  GetAuthorizationToken(input, ctx) {
    const expiresAt = ctx.now + TOKEN_LIFETIME_MS
    const authorizationToken = btoa(`AWS:${password(ctx, expiresAt)}`)
    // registryIds (deprecated) changes nothing the token allows: it only adds one entry per id.
    return {
      authorizationData: (input.registryIds ?? [ctx.accountId]).map((registryId) => ({
        authorizationToken,
        expiresAt: new Date(expiresAt),
        proxyEndpoint: `https://${registryHost(registryId, ctx.region)}`,
      })),
    }
  },
} satisfies Implementations

/**
 * The docker password: whom it was issued to and until when, then the engine's signature of that
 * payload, so the registry API can check a password without storing it. Both parts are
 * base64url/hex, safe for docker.
 */
function password(ctx: OperationContext, expiresAt: number): string {
  const payload = base64url(JSON.stringify({ accountId: ctx.accountId, region: ctx.region, expiresAt }))
  return `${payload}.${ctx.sign(payload)}`
}
