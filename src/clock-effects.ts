import { collectUnusedBlob } from './domain/blobs.js'
import { advanceInspection } from './domain/enhanced-scans.js'
import { completeScan } from './domain/scans.js'
import type { OperationContext } from './operations/context.js'
import type { RecordKind } from './state/kinds.js'
import type { DueEntry } from './state/timeline.js'

/**
 * What happens when a record falls due (decisions/time.md): one effect per kind that declares
 * `dueAt`. An effect runs in the transaction of the call that caught up with the clock, at the
 * moment it fell due (`ctx.now`), and must take its record off the timeline or move it later.
 */
const EFFECTS: { readonly [K in RecordKind]?: (ctx: OperationContext, due: DueEntry) => void } = {
  // A scan in progress completes.
  image: (ctx, due) => completeScan(ctx, due.scope, due.id),
  // A blob no image has used for a day is collected.
  blob: (ctx, due) => collectUnusedBlob(ctx, due.scope, due.id),
  // Amazon Inspector scans an image (initial scan, continuous rescan), its eligibility runs out, or closed findings go.
  'enhanced-scan': (ctx, due) => advanceInspection(ctx, due.scope, due.id),
}

/** Applies everything due by `ctx.now`, earliest first, in `ctx`'s transaction. */
export function catchUp(ctx: OperationContext): void {
  const { timeline } = ctx.state.indexes
  for (let due = timeline.first(); due !== undefined && due.at <= ctx.now; due = timeline.first()) {
    const effect = EFFECTS[due.kind]
    if (effect === undefined) throw new Error(`records of kind ${due.kind} fall due but no clock effect handles them`)
    effect(ctx.at({ now: due.at }), due)
    const next = timeline.first()
    if (next !== undefined && next.at === due.at && next.kind === due.kind && next.id === due.id && next.scope.join('/') === due.scope.join('/')) {
      throw new Error(`the clock effect of ${due.kind} ${due.id} left it due at the same time`)
    }
  }
}
