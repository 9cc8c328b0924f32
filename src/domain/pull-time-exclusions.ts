import type { OperationContext } from '../operations/context.js'
import type { RegistryState } from '../state/registry-state.js'

/**
 * Whether a pull by the calling principal updates lastRecordedPullTime in this registry: not when
 * the registry excludes it (RegisterPullTimeUpdateExclusion). The fake knows a principal only
 * when signatures are checked and the caller's key names its IAM user or role
 * (`credentials: [{ …, principalArn }]`); any other caller is never excluded
 * (decisions/pull-time-update-exclusions.md).
 */
export function recordsPullTime(ctx: OperationContext, registry: RegistryState): boolean {
  const principalArn = ctx.caller?.principalArn
  return principalArn === undefined || !registry.tables['pull-time-update-exclusion'].has(principalArn)
}
