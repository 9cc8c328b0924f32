/** A `*` wildcard filter (the only special character ECR's filters have) as an anchored regex. */
export function wildcard(filter: string): RegExp {
  return new RegExp(`^${filter.split('*').map(escapeRegExp).join('.*')}$`)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
