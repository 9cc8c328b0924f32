import { base64url, fromBase64url } from '../encoding.js'
import type { AuthorizationTokenClaims } from '../glossary.js'
import { registryAddress } from '../partitions.js'
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
        proxyEndpoint: registryAddress(registryId, ctx.region, ctx.registryEndpoint).proxyEndpoint,
      })),
    }
  },
} satisfies Implementations

/**
 * The docker password: whom it was issued to and until when, then the engine's signature of that
 * payload, so that a password can be checked without storing it. Both parts are base64url/hex,
 * safe for docker.
 */
function password(ctx: OperationContext, expiresAt: number): string {
  const payload = base64url(JSON.stringify({ accountId: ctx.accountId, region: ctx.region, expiresAt }))
  return `${payload}.${ctx.sign(payload)}`
}

/** What a password from {@link password} was issued for, if this engine's key signed it and it has not expired. */
export function verifyPassword(
  text: string,
  engine: { now: number; sign: (text: string) => string },
): AuthorizationTokenClaims | undefined {
  const claims = readPassword(text, engine)
  return claims === undefined || engine.now >= claims.expiresAt.getTime() ? undefined : claims
}

/** What a password from {@link password} was issued for, if this engine's key signed it, expired or not. */
export function readPassword(text: string, engine: { sign: (text: string) => string }): AuthorizationTokenClaims | undefined {
  const [payload = '', signature, extra] = text.split('.')
  if (signature === undefined || extra !== undefined || engine.sign(payload) !== signature) return undefined
  let claims: unknown
  try {
    claims = JSON.parse(new TextDecoder().decode(fromBase64url(payload)))
  } catch {
    return undefined
  }
  const { accountId, region, expiresAt } = (typeof claims === 'object' && claims !== null ? claims : {}) as Record<string, unknown>
  if (typeof accountId !== 'string' || typeof region !== 'string' || typeof expiresAt !== 'number') return undefined
  return { accountId, region, expiresAt: new Date(expiresAt) }
}
