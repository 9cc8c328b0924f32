/** A `*` wildcard filter (the only special character ECR's filters have) as an anchored regex. */
export function wildcard(filter: string): RegExp {
  return new RegExp(`^${filter.split('*').map(escapeRegExp).join('.*')}$`)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * Whether `text` matches a `*` wildcard filter as a whole, as {@link wildcard}'s regex would, without
 * compiling one: cheap enough to test every filter of a configuration on every push.
 *
 * @example
 * wildcardMatches('team-*-api', 'team-a-api') // true
 */
export function wildcardMatches(filter: string, text: string): boolean {
  const parts = filter.split('*')
  const first = parts[0]!
  const last = parts[parts.length - 1]!
  if (parts.length === 1) return filter === text
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false
  let at = first.length
  const end = text.length - last.length
  for (const part of parts.slice(1, -1)) {
    const found = text.indexOf(part, at)
    if (found === -1 || found + part.length > end) return false
    at = found + part.length
  }
  return true
}
