/** Small DOM helpers for the console: build elements, find them, and format what ECR returns. */

type Child = Node | string | number | null | undefined | false

type Props<Tag extends keyof HTMLElementTagNameMap> = Partial<Omit<HTMLElementTagNameMap[Tag], 'dataset' | 'style'>> & {
  dataset?: Record<string, string>
}

/**
 * Creates an element with properties and children; `false`, `null` and `undefined` children are skipped.
 *
 * @example
 * h('td', { className: 'mono' }, shortDigest(digest))
 */
export function h<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  props: Props<Tag> = {},
  ...children: Child[]
): HTMLElementTagNameMap[Tag] {
  const { dataset, ...rest } = props
  const element = Object.assign(document.createElement(tag), rest)
  if (dataset !== undefined) Object.assign(element.dataset, dataset)
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    element.append(typeof child === 'number' ? String(child) : child)
  }
  return element
}

/**
 * The element with this id, typed; a missing one is a bug in index.html, so it throws.
 *
 * @example
 * const form = byId<HTMLFormElement>('create-repository')
 */
export function byId<Element extends HTMLElement>(id: string): Element {
  const element = document.getElementById(id)
  if (element === null) throw new Error(`The console page has no element #${id}`)
  return element as Element
}

/**
 * Bytes as the console shows them (binary units, one decimal).
 *
 * @example
 * formatBytes(44_032) // '43.0 KiB'
 */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—'
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/**
 * A date as `YYYY-MM-DD HH:MM:SS` in the browser's time zone.
 *
 * @example
 * formatDate(new Date(2026, 0, 2, 3, 4, 5)) // '2026-01-02 03:04:05'
 */
export function formatDate(date: Date | undefined): string {
  if (date === undefined) return '—'
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

/**
 * A `<time>` showing {@link formatDate}'s text; it wraps between the date and the time, never inside either.
 *
 * @example
 * h('td', {}, timeElement(repository.createdAt))
 */
export function timeElement(date: Date | undefined): HTMLElement | string {
  if (date === undefined) return '—'
  const [day, time] = formatDate(date).split(' ')
  return h('time', { dateTime: date.toISOString() }, h('span', { className: 'nowrap' }, day), ' ', h('span', { className: 'nowrap' }, time))
}

/**
 * A digest cut to its algorithm and first 12 hex digits, as registries usually show it.
 *
 * @example
 * shortDigest('sha256:0123456789abcdef…') // 'sha256:0123456789ab'
 */
export function shortDigest(digest: string | undefined): string {
  if (digest === undefined) return '—'
  const colon = digest.indexOf(':')
  return digest.slice(0, colon + 13)
}

/**
 * How the console shows an error: the SDK's exception name, its message and the HTTP status.
 *
 * @example
 * describeError(error) // "RepositoryNotFoundException: The repository with name 'x' does not exist … (HTTP 400)"
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
  return `${error.name}: ${error.message}${status === undefined ? '' : ` (HTTP ${status})`}`
}
