import { ENDPOINT_DNS_SUFFIXES } from '../src/partitions.js'

/** The X-Amz-Target prefix of every ECR operation. */
export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.'

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Every ECR API host form of every partition (shared/reference/ECR-API.md §2): standard
 * `api.ecr.<region>.<suffix>`, FIPS `api.ecr-fips.…`, dual-stack `ecr.<region>.<dual-stack suffix>`,
 * FIPS dual-stack `ecr-fips.…`, and the older FIPS form `ecr-fips.<region>.amazonaws.com`.
 */
const API_HOST = new RegExp(
  `^(?:api\\.)?ecr(?:-fips)?\\.([a-z0-9-]+)\\.(?:${ENDPOINT_DNS_SUFFIXES.map(escape).join('|')})$`,
)

/** The region an ECR API host serves, or `undefined` if the host is not an ECR API host. */
export function regionOfApiHost(hostname: string): string | undefined {
  return API_HOST.exec(hostname.toLowerCase())?.[1]
}

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/ecr\/aws4_request/

/** The region in a SigV4 `Authorization` header's credential scope (what custom endpoints rely on). */
export function regionOfSignature(authorization: string | null): string | undefined {
  return authorization === null ? undefined : CREDENTIAL_SCOPE.exec(authorization)?.[1]
}
