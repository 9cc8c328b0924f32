import { EcrError, invalidParameter } from '../errors.js'
import type { OperationContext } from '../operations/context.js'
import type { ValueOf } from '../state/kinds.js'
import type { RegistryState } from '../state/registry-state.js'
import { destinationKey, destinationsOf, recordReplication, REPLICATION_FAILURES, replicateImage, type Destination } from './replication.js'

// Replication backfills (decisions/replication.md): a registry's existing images that its rules
// give a destination, replicated there. PREPARING for `replicationDurationMs`, then IN_PROGRESS a
// batch of replications at a time (each batch as long), then COMPLETE, FAILED or STOPPED; kept
// for 90 days after it ends.

export type Backfill = ValueOf<'replication-backfill'>
type PlannedReplication = NonNullable<Backfill['plan']>[number]

/** A registry may have this many backfills in progress at once (StartReplicationBackfill's documentation). */
const BACKFILLS_IN_PROGRESS = 10
/** Replications a backfill performs at once (the fake's choice: progress shows, and a stop leaves the rest undone). */
const BATCH_SIZE = 10
/**
 * The failure code of a backfill that failed because half or more of its replications did, as
 * ECR's documentation says one does. ECR does not document the code; this is the fake's own.
 */
export const TOO_MANY_FAILED_REPLICATIONS = 'TooManyFailedReplications'

/** Whether a backfill has yet to end: preparing, replicating, or finishing the replications under way before it stops. */
export function inProgress(backfill: Backfill): boolean {
  return backfill.endedAt === undefined
}

/**
 * Starts a backfill of the registry to one of the destinations its replication rules name. Only
 * one may be in progress per destination Region, and 10 per registry.
 */
export function startBackfill(ctx: OperationContext, registry: RegistryState, destination: Destination): { id: string; backfill: Backfill } {
  const key = destinationKey(destination)
  const configured = (registry.setting('replication-configuration')?.rules ?? []).some((rule) =>
    rule.destinations.some((candidate) => destinationKey(candidate) === key),
  )
  if (!configured) {
    throw invalidParameter('destination', "The destination is not in the registry's replication configuration")
  }
  const running = [...registry.tables['replication-backfill'].values()].filter(inProgress)
  if (running.some((backfill) => backfill.destination.region === destination.region)) {
    throw new EcrError(
      'ReplicationBackfillInProgressException',
      `A replication backfill to the Region '${destination.region}' is already in progress in the registry with id '${registry.accountId}'`,
    )
  }
  if (running.length >= BACKFILLS_IN_PROGRESS) {
    throw new EcrError(
      'LimitExceededException',
      `The registry with id '${registry.accountId}' already has the maximum allowed number of replication backfills in progress which is '${BACKFILLS_IN_PROGRESS}'`,
    )
  }
  const id = ctx.newId()
  const backfill: Backfill = {
    seq: ctx.nextSeq(),
    destination: { region: destination.region, registryId: destination.registryId },
    status: 'PREPARING',
    startedAt: ctx.now,
    nextAt: ctx.now + ctx.settings.replicationDurationMs,
    results: [],
  }
  registry.tables['replication-backfill'].set(ctx.tx, id, backfill)
  return { id, backfill }
}

/** A backfill of the registry by id, or ReplicationBackfillNotFoundException. */
export function findBackfill(registry: RegistryState, id: string): Backfill {
  const backfill = registry.tables['replication-backfill'].get(id)
  if (backfill === undefined) {
    throw new EcrError(
      'ReplicationBackfillNotFoundException',
      `The replication backfill with id '${id}' does not exist in the registry with id '${registry.accountId}'`,
    )
  }
  return backfill
}

/**
 * Stops a backfill: at once while it prepares (it replicated nothing), else once the batch of
 * replications under way completes (STOPPING until then). One that ended or is stopping already
 * cannot be stopped.
 */
export function stopBackfill(ctx: OperationContext, registry: RegistryState, id: string): Backfill {
  const backfill = findBackfill(registry, id)
  if (backfill.status !== 'PREPARING' && backfill.status !== 'IN_PROGRESS') {
    throw new EcrError(
      'ReplicationBackfillInvalidStatusException',
      `The replication backfill with id '${id}' cannot be stopped because its status is ${backfill.status}`,
    )
  }
  const stopped: Backfill =
    backfill.status === 'PREPARING' ? { ...backfill, status: 'STOPPED', endedAt: ctx.now } : { ...backfill, status: 'STOPPING' }
  registry.tables['replication-backfill'].set(ctx.tx, id, stopped)
  return stopped
}

/**
 * The clock effect of a backfill: it takes every step due by now (preparation, then a batch of
 * replications at a time), or, 90 days after it ended, it is forgotten.
 */
export function advanceBackfill(ctx: OperationContext, scope: readonly string[], id: string): void {
  const [accountId = '', region = ''] = scope
  const registry = ctx.state.find(accountId, region)
  const table = registry?.tables['replication-backfill']
  let backfill = table?.get(id)
  if (registry === undefined || table === undefined || backfill === undefined) return
  if (!inProgress(backfill)) {
    table.delete(ctx.tx, id)
    return
  }
  while (inProgress(backfill) && backfill.nextAt <= ctx.now) backfill = step(ctx, registry, backfill)
  table.set(ctx.tx, id, backfill)
}

function step(ctx: OperationContext, registry: RegistryState, backfill: Backfill): Backfill {
  const next = ctx.now + ctx.settings.replicationDurationMs
  if (backfill.plan === undefined) {
    const plan = planOf(registry, backfill.destination)
    const progress = { totalReplicationCount: plan.length, completedReplicationCount: 0, failedReplicationCount: 0, failureCodes: [] }
    const prepared: Backfill = { ...backfill, status: 'IN_PROGRESS', plan, progress, nextAt: next }
    return plan.length === 0 ? { ...prepared, status: 'COMPLETE', endedAt: ctx.now } : prepared
  }
  const { plan } = backfill
  const results = [...backfill.results]
  for (const planned of plan.slice(results.length, results.length + BATCH_SIZE)) {
    const outcome = replicatePlanned(ctx, registry, planned, backfill.destination)
    results.push({ status: outcome.failureCode === undefined ? 'COMPLETE' : 'FAILED', ...outcome })
  }
  const failed = results.filter((result) => result.status === 'FAILED')
  const progress = {
    totalReplicationCount: plan.length,
    completedReplicationCount: results.length - failed.length,
    failedReplicationCount: failed.length,
    failureCodes: [...new Set(failed.map((result) => result.failureCode!))],
  }
  const ran: Backfill = { ...backfill, results, progress, nextAt: next }
  if (failed.length * 2 >= plan.length) return { ...ran, status: 'FAILED', failureCode: TOO_MANY_FAILED_REPLICATIONS, endedAt: ctx.now }
  if (backfill.status === 'STOPPING') return { ...ran, status: 'STOPPED', endedAt: ctx.now }
  return results.length === plan.length ? { ...ran, status: 'COMPLETE', endedAt: ctx.now } : ran
}

/**
 * What a backfill replicates, fixed when it has prepared: in every repository the rules give the
 * destination, each image once per tag, and each untagged image that is not a child of an index
 * there (children are replicated with their index).
 */
function planOf(registry: RegistryState, destination: Destination): PlannedReplication[] {
  const key = destinationKey(destination)
  const plan: PlannedReplication[] = []
  for (const { id: repositoryName } of registry.repositoryOrder.after()) {
    if (!destinationsOf(registry, repositoryName).some((candidate) => destinationKey(candidate) === key)) continue
    const contents = registry.contentsOf(repositoryName)
    for (const { id: digest } of contents.imageOrder.after()) {
      const tags = contents.tagsOf(digest)
      if (tags.length === 0 && !contents.referencedBy.has(digest)) plan.push({ repositoryName, digest })
      for (const tag of tags) plan.push({ repositoryName, digest, tag })
    }
  }
  return plan
}

/**
 * One planned replication, as the source is now: the image with its tag if the tag still names
 * it. Its outcome is also the image's replication status for the destination.
 */
function replicatePlanned(ctx: OperationContext, registry: RegistryState, planned: PlannedReplication, destination: Destination) {
  const record = registry.repositories.get(planned.repositoryName)
  if (record === undefined) return { failureCode: REPLICATION_FAILURES.imageNotFound }
  const source = { registry, record, contents: registry.contentsOf(planned.repositoryName) }
  const { digest, tag } = planned
  const tags = tag !== undefined && source.contents.tags.get(tag)?.digest === digest ? [tag] : []
  const outcome = replicateImage(ctx, source, digest, tags, destination)
  if (source.contents.images.has(digest)) recordReplication(ctx, source, digest, destination, outcome)
  return outcome
}
