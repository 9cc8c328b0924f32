/** An AWS partition as the SDK's endpoint rules define it (shared/reference/ECR-API.md §2). */
export interface Partition {
  name: string
  dnsSuffix: string
  dualStackDnsSuffix: string
}

const PARTITIONS: ReadonlyArray<Partition & { regions: RegExp }> = [
  { name: 'aws-cn', regions: /^cn-\w+-\d+$/, dnsSuffix: 'amazonaws.com.cn', dualStackDnsSuffix: 'api.amazonwebservices.com.cn' },
  { name: 'aws-us-gov', regions: /^us-gov-\w+-\d+$/, dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' },
  { name: 'aws-iso', regions: /^us-iso-\w+-\d+$/, dnsSuffix: 'c2s.ic.gov', dualStackDnsSuffix: 'api.aws.ic.gov' },
  { name: 'aws-iso-b', regions: /^us-isob-\w+-\d+$/, dnsSuffix: 'sc2s.sgov.gov', dualStackDnsSuffix: 'api.aws.scloud' },
  { name: 'aws-iso-e', regions: /^eu-isoe-\w+-\d+$/, dnsSuffix: 'cloud.adc-e.uk', dualStackDnsSuffix: 'api.cloud-aws.adc-e.uk' },
  { name: 'aws-iso-f', regions: /^us-isof-\w+-\d+$/, dnsSuffix: 'csp.hci.ic.gov', dualStackDnsSuffix: 'api.aws.hci.ic.gov' },
  { name: 'aws-eusc', regions: /^eusc-(de)-\w+-\d+$/, dnsSuffix: 'amazonaws.eu', dualStackDnsSuffix: 'api.amazonwebservices.eu' },
]

const AWS: Partition = { name: 'aws', dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' }

/** The partition a region belongs to; regions no partition claims fall into `aws`, as in the SDK. */
export function partitionOf(region: string): Partition {
  return PARTITIONS.find((partition) => partition.regions.test(region)) ?? AWS
}

/** Every DNS suffix ECR endpoints use, standard and dual-stack, across partitions. */
export const ENDPOINT_DNS_SUFFIXES: readonly string[] = [
  ...new Set([AWS, ...PARTITIONS].flatMap((p) => [p.dnsSuffix, p.dualStackDnsSuffix])),
]

export function repositoryArn(accountId: string, region: string, name: string): string {
  return `arn:${partitionOf(region).name}:ecr:${region}:${accountId}:repository/${name}`
}

/** The registry host docker uses: `<account>.dkr.ecr.<region>.<dnsSuffix>`. */
export function registryHost(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.${partitionOf(region).dnsSuffix}`
}

/**
 * Where clients reach a registry: the `host[:port]` repository URIs start with, and the
 * `proxyEndpoint` GetAuthorizationToken names. ECR's registry host over HTTPS, unless the call
 * came through a registry endpoint of its own (the standalone server's address), which is then
 * the registry's address for every account and region (decisions/registry-addresses.md).
 */
export function registryAddress(
  accountId: string,
  region: string,
  registryEndpoint: string | undefined,
): { host: string; proxyEndpoint: string } {
  if (registryEndpoint !== undefined) return { host: new URL(registryEndpoint).host, proxyEndpoint: registryEndpoint }
  const host = registryHost(accountId, region)
  return { host, proxyEndpoint: `https://${host}` }
}
