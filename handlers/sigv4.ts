import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import { formatAmzDate, parseAmzDate } from '../src/amz-date.js'
import { EcrError } from '../src/errors.js'
import { regionOfApiHost } from './hosts.js'
import type { WireRequest } from './wire-request.js'

/** An access key the handlers accept when they verify signatures, and the account it acts as. */
export interface EcrCredentials {
  accessKeyId: string
  secretAccessKey: string
  /** The account that requests signed with this key act as (default: the engine's account). */
  accountId?: string
  /**
   * The IAM user or role this key belongs to (`arn:aws:iam::<account>:user/…` or `…:role/…`), in
   * the key's account. Pull-time update exclusions name principals this way.
   */
  principalArn?: string
}

/** Who sent a request whose signature checked out. */
export interface VerifiedCaller {
  accessKeyId: string
  accountId: string
  /** The IAM user or role of the key, when its credentials name one. */
  principalArn?: string
  /** The region the request was signed for. */
  region: string
}

/** Checks a request's SigV4 signature against its body; rejects with the error AWS would send. */
export type RequestVerifier = (request: WireRequest, body: Uint8Array) => Promise<VerifiedCaller>

/** How far a request's signing time may be from the server's clock (ECR's own message says 15 min.). */
const ALLOWED_SKEW_MS = 15 * 60 * 1000
const SERVICE = 'ecr'
/** An HTTP header name (RFC 9110 token), lower-cased as SigV4 lists them. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/
const ALGORITHM = 'AWS4-HMAC-SHA256'
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

/**
 * A verifier for requests signed with one of `credentials` (AWS Signature Version 4, service
 * `ecr`). The signature is recomputed with `@smithy/signature-v4` from the signed headers and the
 * body, then compared in constant time. Throws a TypeError when the list cannot work (empty,
 * repeated access key ids, an account id that is not 12 digits, a principal ARN that is no IAM
 * user or role of the key's account).
 *
 * @example
 * const verify = createRequestVerifier([{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }], '123456789012')
 * const { accountId, region } = await verify(request, body)
 */
export function createRequestVerifier(
  credentials: readonly EcrCredentials[],
  defaultAccountId: string,
  now: () => number = Date.now,
): RequestVerifier {
  const keys = keyTable(credentials, defaultAccountId)
  return async (request, body) => {
    const authorization = request.header('authorization')
    if (authorization === null) {
      throw new EcrError('MissingAuthenticationTokenException', 'Request is missing Authentication Token')
    }
    const { accessKeyId, scopeDate, region, service, signedHeaders, signature } = parseAuthorization(authorization)
    const key = keys.get(accessKeyId)
    if (key === undefined) {
      throw new EcrError('UnrecognizedClientException', 'The security token included in the request is invalid.')
    }
    const amzDate = request.header('x-amz-date')
    const signedAt = amzDate === null ? undefined : parseAmzDate(amzDate)
    if (amzDate === null || signedAt === undefined) {
      throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    }
    // AWS requires the host to be signed, else a captured signature would hold for another host.
    // (The date need not be: the string to sign holds it either way.)
    if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority')) {
      throw invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    }
    if (service !== SERVICE) throw invalidSignature(`Credential should be scoped to correct service: '${SERVICE}'. `)
    const hostRegion = regionOfApiHost(request.hostname)
    if (hostRegion !== undefined && hostRegion !== region) {
      throw invalidSignature(`Credential should be scoped to a valid region, not '${region}'. `)
    }
    if (scopeDate !== amzDate.slice(0, 8)) {
      throw invalidSignature(
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      )
    }
    checkSkew(amzDate, signedAt, now())

    // The signer trusts a signed x-amz-content-sha256 header, so it has to match the body itself.
    const claimedHash = request.header('x-amz-content-sha256')
    if (claimedHash !== null && claimedHash !== (await hexSha256(body))) throw invalidSignature(SIGNATURE_MISMATCH)

    // Header names come from the client: a null-prototype object keeps `__proto__` an ordinary name.
    const headers: Record<string, string> = Object.create(null)
    for (const name of signedHeaders) {
      // A name that cannot be a header's names none: the signature over it cannot match.
      const value = HEADER_NAME.test(name) ? (request.header(name) ?? forbiddenHeader(name, request, body)) : undefined
      if (value !== undefined) headers[name] = value
    }
    const signed = await key.signer.sign(
      {
        method: request.method,
        protocol: request.protocol,
        hostname: request.hostname,
        path: request.path,
        query: request.query(),
        headers,
        body,
      },
      { signingDate: new Date(signedAt), signingRegion: region, signingService: SERVICE, signableHeaders: new Set(signedHeaders) },
    )
    const expected = /Signature=([0-9a-f]+)$/.exec(signed.headers['authorization'] ?? '')?.[1] ?? ''
    if (!sameText(expected, signature)) throw invalidSignature(SIGNATURE_MISMATCH)
    return { accessKeyId, accountId: key.accountId ?? defaultAccountId, ...(key.principalArn !== undefined && { principalArn: key.principalArn }), region }
  }
}

interface Key {
  accountId: string | undefined
  principalArn: string | undefined
  signer: SignatureV4
}

/** An IAM user or role ARN, as pull-time update exclusions name principals (the model's PrincipalArn). */
const PRINCIPAL_ARN = /^arn:aws(-[a-z]+)*:iam::([0-9]{12}):(role|user)\/[\w+=,.@-]+(\/[\w+=,.@-]+)*$/

function keyTable(credentials: readonly EcrCredentials[], defaultAccountId: string): Map<string, Key> {
  if (credentials.length === 0) {
    throw new TypeError('fake-ecr: credentials must list at least one access key; leave the option out to accept any signature.')
  }
  const keys = new Map<string, Key>()
  for (const { accessKeyId, secretAccessKey, accountId, principalArn } of credentials) {
    if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === '') {
      throw new TypeError('fake-ecr: every credential needs a non-empty accessKeyId and secretAccessKey.')
    }
    if (keys.has(accessKeyId)) throw new TypeError(`fake-ecr: access key id '${accessKeyId}' is listed more than once.`)
    if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
      throw new TypeError(`fake-ecr: the accountId of access key '${accessKeyId}' must be 12 digits, got '${accountId}'.`)
    }
    if (principalArn !== undefined && PRINCIPAL_ARN.exec(principalArn)?.[2] !== (accountId ?? defaultAccountId)) {
      throw new TypeError(
        `fake-ecr: the principalArn of access key '${accessKeyId}' must be an IAM user or role ARN in account ${accountId ?? defaultAccountId}, got '${principalArn}'.`,
      )
    }
    const signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey },
      region: 'us-east-1',
      service: SERVICE,
      sha256: Sha256,
      // Only headers the client signed take part; the signer must not add a payload hash of its own.
      applyChecksum: false,
    })
    keys.set(accessKeyId, { accountId, principalArn, signer })
  }
  return keys
}

interface Authorization {
  accessKeyId: string
  scopeDate: string
  region: string
  service: string
  signedHeaders: string[]
  signature: string
}

function parseAuthorization(header: string): Authorization {
  const [algorithm = '', ...rest] = header.trim().split(/\s+/)
  if (algorithm !== ALGORITHM) throw incomplete(`Unsupported authorization algorithm '${algorithm}': only ${ALGORITHM} is accepted.`)
  const parameters = new Map<string, string>()
  for (const part of rest.join(' ').split(',')) {
    const at = part.indexOf('=')
    if (at > 0) parameters.set(part.slice(0, at).trim(), part.slice(at + 1).trim())
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !parameters.has(name))
  if (missing.length > 0) {
    throw incomplete(`${missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' ')} Authorization=${header}`)
  }
  const scope = parameters.get('Credential')!.split('/')
  const [accessKeyId = '', scopeDate = '', region = '', service = '', terminator = ''] = scope
  if (scope.length !== 5 || terminator !== 'aws4_request') {
    throw incomplete(`Credential should have exactly 5 slash-separated parts: <key>/<date>/<region>/<service>/aws4_request.`)
  }
  return {
    accessKeyId,
    scopeDate,
    region,
    service,
    signedHeaders: parameters.get('SignedHeaders')!.split(';').map((name) => name.trim().toLowerCase()),
    signature: parameters.get('Signature')!,
  }
}

function checkSkew(amzDate: string, signedAt: number, now: number): void {
  const minutes = ALLOWED_SKEW_MS / 60_000
  if (signedAt < now - ALLOWED_SKEW_MS) {
    throw invalidSignature(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - ALLOWED_SKEW_MS)} (${formatAmzDate(now)} - ${minutes} min.)`,
    )
  }
  if (signedAt > now + ALLOWED_SKEW_MS) {
    throw invalidSignature(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + ALLOWED_SKEW_MS)} (${formatAmzDate(now)} + ${minutes} min.)`,
    )
  }
}

/**
 * Host and Content-Length as the client sent them. Browsers (a service worker's request) do not
 * show these forbidden headers, but the SDK signs them: the URL and the body tell their values.
 */
function forbiddenHeader(name: string, request: WireRequest, body: Uint8Array): string | undefined {
  if (name === 'host') return request.host
  if (name === 'content-length') return String(body.byteLength)
  return undefined
}

async function hexSha256(bytes: Uint8Array): Promise<string> {
  const hash = new Sha256()
  hash.update(bytes)
  return Array.from(await hash.digest(), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** Compares two signatures in time that does not depend on where they differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return difference === 0
}

function invalidSignature(message: string): EcrError {
  return new EcrError('InvalidSignatureException', message)
}

function incomplete(message: string): EcrError {
  return new EcrError('IncompleteSignatureException', message)
}
