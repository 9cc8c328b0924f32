/** A place in creation order: the item's sequence number, with its id to break ties. */
export interface Position {
  seq: number
  id: string
}

/**
 * Ids kept in creation order (a sequence number that only grows, ties broken by id: engines
 * sharing storage from two browser tabs may hand out the same number). It gives listings a stable
 * order and lets a page start after any position with a binary search, so a page costs the same
 * in a small collection as in a large one. New items go at the end; removing one shifts the
 * entries after it (a memory move, fast even at 100,000 items). An entry is kept as inserted, so
 * it can carry what a listing reads with it (an image's record and tags): a page of 1,000 then
 * takes no hash look-up per item, which in a collection of 100,000 is a cache miss or several.
 */
export class SeqIndex<Entry extends Position = Position> {
  private readonly entries: Entry[] = []

  get size(): number {
    return this.entries.length
  }

  insert(entry: Entry): void {
    const at = this.firstAfter(entry, true)
    if (this.matches(at, entry)) return
    this.entries.splice(at, 0, entry)
  }

  remove(position: Position): void {
    const at = this.firstAfter(position, true)
    if (this.matches(at, position)) this.entries.splice(at, 1)
  }

  has(position: Position): boolean {
    return this.find(position) !== undefined
  }

  /** The entry at `position`, if there is one. */
  find(position: Position): Entry | undefined {
    const at = this.firstAfter(position, true)
    return this.matches(at, position) ? this.entries[at] : undefined
  }

  /** Entries after `position` (all of them when it is omitted), in order. */
  *after(position?: Position): Generator<Entry> {
    for (let at = position === undefined ? 0 : this.firstAfter(position, false); at < this.entries.length; at++) {
      yield this.entries[at]!
    }
  }

  private matches(at: number, { seq, id }: Position): boolean {
    const entry = this.entries[at]
    return entry !== undefined && entry.seq === seq && entry.id === id
  }

  /** Index of the first entry after `position` (or at it, when `inclusive`). */
  private firstAfter({ seq, id }: Position, inclusive: boolean): number {
    let low = 0
    let high = this.entries.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const entry = this.entries[middle]!
      const before = entry.seq < seq || (entry.seq === seq && (inclusive ? entry.id < id : entry.id <= id))
      if (before) low = middle + 1
      else high = middle
    }
    return low
  }
}
