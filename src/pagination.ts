import { base64url, fromBase64url } from './encoding.js'
import { EcrError } from './errors.js'
import type { Position } from './state/seq-index.js'

/** ECR's page size when `maxResults` is not given. */
export const DEFAULT_PAGE_SIZE = 100

/**
 * Where a listing stopped: the position of the last item (its sequence number, and its id when
 * sequence numbers can tie), and a sub-position within it.
 */
export interface Cursor {
  seq: number
  id?: string
  /** For listings with several entries per item (ListImages: one per tag), the last entry. */
  sub?: string
}

export interface Page<Item> {
  items: Item[]
  nextToken?: string
}

/**
 * Opaque, tamper-evident page tokens. A token carries the cursor where the previous page
 * stopped, bound to the listing it came from (operation, registry, repository, filter) and
 * signed with a per-engine secret, so a token that was edited, forged or taken from another
 * listing is refused with InvalidParameterException instead of silently returning the wrong page.
 * Cursors name positions, not offsets, so pages stay correct while items come and go.
 */
export class PageTokens {
  constructor(private readonly engineSign: (text: string) => string) {}

  encode(listing: string, cursor: Cursor): string {
    // Only the cursor's own members: a listing's positions may carry more (src/state/seq-index.ts).
    const payload = base64url(JSON.stringify({ seq: cursor.seq, id: cursor.id, sub: cursor.sub }))
    return `${payload}.${this.sign(listing, payload)}`
  }

  decode(listing: string, token: string): Cursor {
    const [payload, signature, extra] = token.split('.')
    if (payload === undefined || signature === undefined || extra !== undefined || this.sign(listing, payload) !== signature)
      throw invalidToken()
    const cursor = parseCursor(payload)
    if (cursor === undefined) throw invalidToken()
    return cursor
  }

  private sign(listing: string, payload: string): string {
    return this.engineSign(`${listing}\u0000${payload}`).slice(0, 32)
  }
}

/** The creation-order position a cursor names. */
export function position({ seq, id = '' }: Cursor): Position {
  return { seq, id }
}

/**
 * Takes one page from `entries` (in listing order, each with the cursor just after it): at most
 * `limit` items, and a token only when more entries follow.
 */
export function takePage<Item>(
  entries: Iterable<{ item: Item; cursor: Cursor }>,
  limit: number,
  tokens: PageTokens,
  listing: string,
): Page<Item> {
  const items: Item[] = []
  let last: Cursor | undefined
  for (const entry of entries) {
    if (items.length === limit) {
      return { items, nextToken: tokens.encode(listing, last!) }
    }
    items.push(entry.item)
    last = entry.cursor
  }
  return { items }
}

/**
 * {@link takePage} for the big listings (a page of 1,000 image details): `cursors` are the
 * listing's positions in order, each its own cursor; `listed` says whether one is in the listing
 * (its filter) and `itemAt` makes its item. No object per entry beyond the item itself.
 */
export function takeListed<At extends Cursor, Item>(
  cursors: Iterable<At>,
  listed: (cursor: At) => boolean,
  itemAt: (cursor: At) => Item,
  limit: number,
  tokens: PageTokens,
  listing: string,
): Page<Item> {
  const items: Item[] = []
  let last: At | undefined
  for (const cursor of cursors) {
    if (!listed(cursor)) continue
    if (items.length === limit) return { items, nextToken: tokens.encode(listing, last!) }
    items.push(itemAt(cursor))
    last = cursor
  }
  return { items }
}

function invalidToken(): EcrError {
  return new EcrError(
    'InvalidParameterException',
    "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'",
  )
}

function parseCursor(payload: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(fromBase64url(payload)))
    if (typeof value !== 'object' || value === null) return undefined
    const { seq, id, sub } = value as Record<string, unknown>
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) return undefined
    if ((id !== undefined && typeof id !== 'string') || (sub !== undefined && typeof sub !== 'string')) return undefined
    return { seq, ...(id !== undefined && { id }), ...(sub !== undefined && { sub }) }
  } catch {
    return undefined
  }
}
