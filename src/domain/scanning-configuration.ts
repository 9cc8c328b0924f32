import type { ScanFrequency, ScanningRepositoryFilter } from '@aws-sdk/client-ecr'
import type { RepositoryRecord, ValueOf } from '../state/kinds.js'
import type { RegistryState } from '../state/registry-state.js'
import { wildcard } from '../wildcard.js'

/** The registry's scanning configuration (BASIC with no rules until one is put). */
export function registryScanning(registry: RegistryState): ValueOf<'registry-scanning'> {
  return registry.setting('registry-scanning') ?? DEFAULT_SCANNING
}

const DEFAULT_SCANNING: ValueOf<'registry-scanning'> = { scanType: 'BASIC', rules: [] }

/**
 * How a repository is scanned under the registry's configuration. A matching CONTINUOUS_SCAN rule
 * (ENHANCED only) wins over SCAN_ON_PUSH. AWS reports the one filter that matched, not the rule's
 * whole list. The repository's own scanOnPush flag only counts under BASIC: with ENHANCED,
 * Amazon Inspector scans what the registry rules select.
 */
export function repositoryScanning(
  scanning: ValueOf<'registry-scanning'>,
  repository: RepositoryRecord,
): { scanFrequency: ScanFrequency; appliedScanFilters: ScanningRepositoryFilter[] } {
  const { scanType, rules } = scanning
  const matching = (frequency: ScanFrequency) =>
    rules
      .filter((rule) => rule.scanFrequency === frequency)
      .flatMap((rule) => rule.repositoryFilters)
      .find((filter) => scanFilterMatches(filter.filter, repository.name))
  const continuous = scanType === 'ENHANCED' ? matching('CONTINUOUS_SCAN') : undefined
  if (continuous !== undefined) return { scanFrequency: 'CONTINUOUS_SCAN', appliedScanFilters: [continuous] }
  const onPush = matching('SCAN_ON_PUSH')
  if (onPush !== undefined) return { scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [onPush] }
  if (scanType === 'BASIC' && repository.scanOnPush) return { scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [] }
  return { scanFrequency: 'MANUAL', appliedScanFilters: [] }
}

/** How often Amazon Inspector scans a repository's images: only under ENHANCED, and only where a rule selects it. */
export type InspectorFrequency = Exclude<ScanFrequency, 'MANUAL'>

/** The frequency Amazon Inspector scans a repository with, or `undefined` when it does not (BASIC, or no rule matches). */
export function inspectorFrequency(registry: RegistryState, repository: RepositoryRecord): InspectorFrequency | undefined {
  const scanning = registryScanning(registry)
  if (scanning.scanType !== 'ENHANCED') return undefined
  const { scanFrequency } = repositoryScanning(scanning, repository)
  return scanFrequency === 'MANUAL' ? undefined : scanFrequency
}

/** ECR's scan filters: without `*` a filter matches names containing it; with `*` it is a full glob. */
function scanFilterMatches(filter: string, repositoryName: string): boolean {
  return filter.includes('*') ? wildcard(filter).test(repositoryName) : repositoryName.includes(filter)
}
