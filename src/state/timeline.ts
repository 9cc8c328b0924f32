import { KINDS, type RecordKind } from './kinds.js'
import type { Hooks } from './record-table.js'

/** A record that something is due for, and when. */
export interface DueEntry {
  at: number
  kind: RecordKind
  scope: readonly string[]
  id: string
}

/**
 * What falls due as the engine's clock moves, earliest first (ties broken by record identity, so
 * the order never depends on how the state was built). The engine's tables keep it in step with
 * their records (see {@link dueHooks}); the engine catches up with it before every call.
 */
export class Timeline {
  private readonly entries: Array<DueEntry & { key: string }> = []

  get size(): number {
    return this.entries.length
  }

  /** The earliest entry, if any. */
  first(): DueEntry | undefined {
    return this.entries[0]
  }

  insert(entry: DueEntry): void {
    const keyed = { ...entry, key: keyOf(entry) }
    const at = this.search(keyed)
    if (this.matches(at, keyed)) return
    this.entries.splice(at, 0, keyed)
  }

  remove(entry: DueEntry): void {
    const keyed = { ...entry, key: keyOf(entry) }
    const at = this.search(keyed)
    if (this.matches(at, keyed)) this.entries.splice(at, 1)
  }

  clear(): void {
    this.entries.length = 0
  }

  private matches(index: number, { at, key }: { at: number; key: string }): boolean {
    const entry = this.entries[index]
    return entry !== undefined && entry.at === at && entry.key === key
  }

  /** Index of the first entry at or after (`at`, `key`). */
  private search({ at, key }: { at: number; key: string }): number {
    let low = 0
    let high = this.entries.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const entry = this.entries[middle]!
      if (entry.at < at || (entry.at === at && entry.key < key)) low = middle + 1
      else high = middle
    }
    return low
  }
}

function keyOf({ kind, scope, id }: DueEntry): string {
  return [kind, ...scope, id].join('\u0000')
}

/**
 * Hooks that keep the records of a kind's tables on the timeline, for kinds that declare `dueAt`
 * (none otherwise). One set serves every table of the kind: the table gives its scope.
 */
export function dueHooks<Value>(kind: RecordKind, timeline: Timeline): Array<Hooks<Value>> {
  const dueAt = (KINDS[kind] as { dueAt?: (value: Value) => number | undefined }).dueAt
  if (dueAt === undefined) return []
  return [
    {
      added: (id, value, scope) => {
        const at = dueAt(value)
        if (at !== undefined) timeline.insert({ at, kind, scope, id })
      },
      removed: (id, value, scope) => {
        const at = dueAt(value)
        if (at !== undefined) timeline.remove({ at, kind, scope, id })
      },
    },
  ]
}
