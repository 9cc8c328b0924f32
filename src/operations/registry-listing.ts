import { DEFAULT_PAGE_SIZE, position, takePage, type Page } from '../pagination.js'
import type { SeqIndex } from '../state/seq-index.js'
import type { OperationContext } from './context.js'

/**
 * One page of a registry-wide collection kept in creation order (pull through cache rules,
 * creation templates): all of it, or only the records `keys` names (in creation order, each
 * once), after the position the token names. The token is bound to `listing` (operation,
 * registry, region, and the keys asked for).
 */
export function registryPage<Record extends { seq: number }, Item>(
  ctx: OperationContext,
  request: { listing: string; order: SeqIndex; get: (key: string) => Record | undefined; keys?: readonly string[] },
  input: { maxResults?: number; nextToken?: string },
  item: (record: Record) => Item,
): Page<Item> {
  const { order, get, keys } = request
  const listing = keys === undefined ? request.listing : `${request.listing}\u0000${keys.join('\u0000')}`
  const after = input.nextToken === undefined ? undefined : position(ctx.tokens.decode(listing, input.nextToken))
  const positions =
    keys === undefined
      ? order.after(after)
      : [...new Set(keys)]
          .map((key) => ({ seq: get(key)!.seq, id: key }))
          .sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : 1))
          .filter(({ seq, id }) => after === undefined || seq > after.seq || (seq === after.seq && id > after.id))
  return takePage(
    (function* () {
      for (const { seq, id } of positions) yield { item: item(get(id)!), cursor: { seq, id } }
    })(),
    input.maxResults ?? DEFAULT_PAGE_SIZE,
    ctx.tokens,
    listing,
  )
}
