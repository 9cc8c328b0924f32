import { invalidParameter } from '../errors.js'
import { matchesAction } from '../policy-evaluation.js'
import type { RegistryState } from '../state/registry-state.js'

/**
 * ECR's account settings (GetAccountSetting, PutAccountSetting): the values each accepts and its
 * default (discoveries/account-settings.md). Settings are kept per account and region, like every
 * ECR setting.
 */
export const ACCOUNT_SETTINGS = {
  /** Clair was retired in February 2026: every account scans with AWS_NATIVE, the only value left. */
  BASIC_SCAN_TYPE_VERSION: { values: ['AWS_NATIVE'], default: 'AWS_NATIVE' },
  /** V2, the default since December 2024, applies the registry policy to every request. */
  REGISTRY_POLICY_SCOPE: { values: ['V1', 'V2'], default: 'V2' },
  /** Opt-in: registry blob mounting is off until it is ENABLED. */
  BLOB_MOUNTING: { values: ['ENABLED', 'DISABLED'], default: 'DISABLED' },
} as const satisfies Record<string, { values: readonly string[]; default: string }>

export type AccountSettingName = keyof typeof ACCOUNT_SETTINGS

/** The only actions a registry policy may name, and governs, under the V1 scope. */
const V1_REGISTRY_ACTIONS = ['ecr:ReplicateImage', 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository']

/** The setting of this name, refused as ECR refuses a name it does not know. */
export function accountSettingName(name: string): AccountSettingName {
  if (!Object.hasOwn(ACCOUNT_SETTINGS, name)) {
    throw invalidParameter('name', `Member must satisfy enum value set: [${Object.keys(ACCOUNT_SETTINGS).join(', ')}]`)
  }
  return name as AccountSettingName
}

/** Refuses a value the setting does not take. */
export function checkAccountSettingValue(name: AccountSettingName, value: string): void {
  const values: readonly string[] = ACCOUNT_SETTINGS[name].values
  if (!values.includes(value)) throw invalidParameter('value', `Member must satisfy enum value set: [${values.join(', ')}]`)
}

/** A setting's value in a registry: the one put there, else its default. */
export function accountSetting(registry: RegistryState, name: AccountSettingName): string {
  return registry.tables['account-setting'].get(name)?.value ?? ACCOUNT_SETTINGS[name].default
}

/**
 * Whether the registry policy governs a request for `action` (`ecr:<Operation>`): always under
 * the V2 scope; under V1 only for the registry actions (replication, pull through cache imports,
 * repository creation).
 */
export function registryPolicyGoverns(registry: RegistryState, action: string): boolean {
  return accountSetting(registry, 'REGISTRY_POLICY_SCOPE') === 'V2' || V1_REGISTRY_ACTIONS.includes(action)
}

/**
 * Under the V1 scope a registry policy may only name the registry actions: ECR refuses any other
 * (observed: "Invalid registry policy provided" for pull and push actions). A pattern is allowed
 * when it covers at least one of them (`ecr:*` does). Checks a policy `policyProblem` accepts.
 */
export function allowedByRegistryPolicyScope(registry: RegistryState, policyText: string): boolean {
  if (accountSetting(registry, 'REGISTRY_POLICY_SCOPE') === 'V2') return true
  const { Statement: statements } = JSON.parse(policyText) as { Statement: Array<{ Action?: unknown }> | { Action?: unknown } }
  return (Array.isArray(statements) ? statements : [statements]).every(({ Action: actions }) =>
    actions === undefined
      ? true
      : (Array.isArray(actions) ? actions : [actions]).every((pattern: string) => V1_REGISTRY_ACTIONS.some((action) => matchesAction(pattern, action))),
  )
}
