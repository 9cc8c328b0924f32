import { ENDPOINT_DNS_SUFFIXES } from '../src/partitions.js'

/** The X-Amz-Target prefix of every ECR operation. */
export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.'

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** Any partition's DNS suffix, as a pattern. */
const DNS_SUFFIX = `(?:${ENDPOINT_DNS_SUFFIXES.map(escape).join('|')})`

/**
 * Every ECR API host form of every partition (shared/reference/ECR-API.md §2): standard
 * `api.ecr.<region>.<suffix>`, FIPS `api.ecr-fips.…`, dual-stack `ecr.<region>.<dual-stack suffix>`,
 * FIPS dual-stack `ecr-fips.…`, and the older FIPS form `ecr-fips.<region>.amazonaws.com`.
 */
const API_HOST = new RegExp(`^(?:api\\.)?ecr(?:-fips)?\\.([a-z0-9-]+)\\.${DNS_SUFFIX}$`)

/** The region an ECR API host serves, or `undefined` if the host is not an ECR API host. */
export function regionOfApiHost(hostname: string): string | undefined {
  return API_HOST.exec(hostname.toLowerCase())?.[1]
}

/** ECR's registry hosts, every partition: `<account>.dkr.ecr[-fips].<region>.<dns suffix>`. */
const REGISTRY_HOST = new RegExp(`^(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.${DNS_SUFFIX}$`)

/** The registry account and region a host names, if it is an ECR registry host. */
export function registryOfHost(hostname: string): { accountId: string; region: string } | undefined {
  const match = REGISTRY_HOST.exec(hostname.toLowerCase())
  return match === null ? undefined : { accountId: match[1]!, region: match[2]! }
}

/** Hosts under ECR's registry and layer-bucket domains (`….dkr.ecr.<region>.…`, `….s3.<region>.…`). */
const SERVICE_HOST = new RegExp(`\\.(?:dkr\\.ecr|s3)\\.[a-z0-9-]+\\.${DNS_SUFFIX}$`)

/** Whether a host name is one of ECR's own: its API hosts, registry hosts or layer buckets. */
export function isEcrHostName(hostname: string): boolean {
  return regionOfApiHost(hostname) !== undefined || SERVICE_HOST.test(hostname)
}

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/ecr\/aws4_request/

/** The region in a SigV4 `Authorization` header's credential scope (what custom endpoints rely on). */
export function regionOfSignature(authorization: string | null): string | undefined {
  return authorization === null ? undefined : CREDENTIAL_SCOPE.exec(authorization)?.[1]
}
