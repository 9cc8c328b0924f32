import { completeRestore } from './domain/archival.js'
import { collectUnusedBlob } from './domain/blobs.js'
import { completePreview, evaluateDueLifecyclePolicy } from './domain/lifecycle.js'
import { completeImageReplication } from './domain/replication.js'
import { advanceBackfill } from './domain/replication-backfills.js'
import { advanceInspection } from './domain/enhanced-scans.js'
import { completeScan } from './domain/scans.js'
import { completeSigning } from './domain/signatures.js'
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
  // A lifecycle policy's daily evaluation: images expire and are archived.
  'lifecycle-policy': (ctx, due) => evaluateDueLifecyclePolicy(ctx, due.scope),
  // A lifecycle policy preview completes.
  'lifecycle-policy-preview': (ctx, due) => completePreview(ctx, due.scope),
  // An archived image being restored is active again.
  'image-restore': (ctx, due) => completeRestore(ctx, due.scope, due.id),
  // Managed signatures in progress complete (or fail).
  'image-signing': (ctx, due) => completeSigning(ctx, due.scope, due.id),
  // An image replication under way completes in its destinations.
  'image-replication': (ctx, due) => completeImageReplication(ctx, due.scope, due.id),
  // A replication backfill takes its next steps, or is forgotten 90 days after it ended.
  'replication-backfill': (ctx, due) => advanceBackfill(ctx, due.scope, due.id),
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
