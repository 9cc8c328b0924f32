import type { StoredRecord } from '../storage/storage.js'
import { kindsAt, SINGLETON, type ImageRecord, type KindAt, type RecordKind, type ValueOf } from './kinds.js'
import { RecordTable, type Hooks } from './record-table.js'
import { SeqIndex, type Position } from './seq-index.js'
import { dueHooks, type Timeline } from './timeline.js'
import type { Transaction } from './transaction.js'

/** Indexes over the whole engine, which every table helps keep. */
export interface EngineIndexes {
  timeline: Timeline
  blobReferences: BlobReferences
  /** The engine-wide hooks of each kind's tables, made once (see {@link sharedHooks}). */
  sharedHooks: Map<RecordKind, Array<Hooks<unknown>>>
}

/** How many blob records (across all repositories) point at each digest's content. */
export class BlobReferences {
  private readonly counts = new Map<string, number>()
  /** Digests whose last blob record went away since the engine last looked (see `collectGarbage`). */
  readonly released = new Set<string>()

  count(digest: string): number {
    return this.counts.get(digest) ?? 0
  }

  add(digest: string, change: 1 | -1): void {
    const count = this.count(digest) + change
    if (count > 0) {
      this.counts.set(digest, count)
      return
    }
    this.counts.delete(digest)
    this.released.add(digest)
  }

  clear(): void {
    this.counts.clear()
    this.released.clear()
  }
}

type Tables<L extends 'registry' | 'repository'> = { readonly [K in KindAt<L>]: RecordTable<K> }

function createTables<L extends 'registry' | 'repository'>(
  level: L,
  scope: readonly string[],
  indexes: EngineIndexes,
  options: { detached?: boolean; hooks?: { [K in KindAt<L>]?: Hooks<ValueOf<K>> } } = {},
): Tables<L> {
  const tables: Partial<Record<RecordKind, RecordTable<RecordKind>>> = {}
  for (const kind of kindsAt(level)) {
    tables[kind] = new RecordTable<RecordKind, unknown>(kind, scope, {
      hooks: options.hooks?.[kind] as Hooks<unknown> | undefined,
      shared: sharedHooks(kind, indexes),
      ...(options.detached && { detached: true }),
    }) as unknown as RecordTable<RecordKind>
  }
  return tables as unknown as Tables<L>
}

/**
 * The engine-wide hooks of every table of a kind: the timeline's for kinds with a due time, blob
 * reference counts for blobs. Made once per engine and kind, not per table: a repository has a
 * table of each kind, and per-table closures were a third of what an empty repository costs.
 */
function sharedHooks(kind: RecordKind, indexes: EngineIndexes): Array<Hooks<unknown>> {
  let shared = indexes.sharedHooks.get(kind)
  if (shared === undefined) {
    shared = dueHooks(kind, indexes.timeline)
    if (kind === 'blob') {
      shared.push({
        added: (_id, blob) => indexes.blobReferences.add((blob as ValueOf<'blob'>).digest, 1),
        removed: (_id, blob) => indexes.blobReferences.add((blob as ValueOf<'blob'>).digest, -1),
      })
    }
    indexes.sharedHooks.set(kind, shared)
  }
  return shared
}

/** A blob an image references: its digest and the media type the image's manifest gives it. */
type BlobReference = ImageRecord['references'][number]

/**
 * An image in creation order, with what listings read of it: its record, and the set of tags
 * naming it (the one in `tagsByDigest`, kept in step by the tag hooks; `undefined` when untagged).
 */
export interface ImageEntry extends Position {
  image: ImageRecord
  tags: ReadonlySet<string> | undefined
}

/** What a repository holds, with the indexes that keep look-ups O(1) and listings O(page). */
export class RepositoryContents {
  readonly imageOrder = new SeqIndex<ImageEntry>()
  /** digest → tags naming it. */
  readonly tagsByDigest = new Map<string, Set<string>>()
  /** child manifest digest → digests of the indexes that list it. */
  readonly referencedBy = new Map<string, Set<string>>()
  /** subject digest → the images whose manifest names it as `subject` (its OCI referrers), in push order. */
  readonly referrers = new Map<string, SeqIndex>()
  /**
   * blob digest → how many images reference it and how many of those are archived (or being
   * restored), with the reference the first of them holds: its media type is the blob's, and the
   * images pushed after it share it (see {@link sharedReference}).
   */
  readonly blobUsage = new Map<string, { reference: BlobReference; images: number; archived: number }>()
  readonly tables: Tables<'repository'>

  constructor(scope: readonly string[], indexes: EngineIndexes, detached = false) {
    this.tables = createTables('repository', scope, indexes, {
      detached,
      hooks: {
        image: {
          added: (digest, image: ImageRecord) => this.indexImage(digest, image, 1),
          removed: (digest, image: ImageRecord) => this.indexImage(digest, image, -1),
        },
        tag: {
          added: (tag, { digest }) => {
            addTo(this.tagsByDigest, digest, tag)
            this.entryTags(digest)
          },
          removed: (tag, { digest }) => {
            removeFrom(this.tagsByDigest, digest, tag)
            this.entryTags(digest)
          },
        },
      },
    })
  }

  get images(): RecordTable<'image'> {
    return this.tables.image
  }

  get tags(): RecordTable<'tag'> {
    return this.tables.tag
  }

  get blobs(): RecordTable<'blob'> {
    return this.tables.blob
  }

  get uploads(): RecordTable<'upload'> {
    return this.tables.upload
  }

  /** Tags of an image, sorted (the order listings use). */
  tagsOf(digest: string): string[] {
    return sortedTags(this.tagsByDigest.get(digest))
  }

  /**
   * The reference to a blob that images of the repository already hold, if it says the same (its
   * digest and media type), else `reference`: an image record then keeps no strings of its own
   * for the layers it shares with others (a digest and a media type are ~150 bytes per layer).
   */
  sharedReference(reference: BlobReference): BlobReference {
    const held = this.blobUsage.get(reference.digest)?.reference
    return held !== undefined && held.mediaType === reference.mediaType ? held : reference
  }

  /** Takes the repository's records out of the engine-wide indexes (it is deleted), or puts them back. */
  share(shared: boolean): void {
    for (const table of Object.values(this.tables)) table.share(shared)
  }

  *records(): Generator<StoredRecord> {
    for (const table of Object.values(this.tables)) yield* table.records()
  }

  private indexImage(digest: string, image: ImageRecord, change: 1 | -1): void {
    if (change === 1) this.imageOrder.insert({ seq: image.seq, id: digest, image, tags: this.tagsByDigest.get(digest) })
    else this.imageOrder.remove({ seq: image.seq, id: digest })
    if (image.subjectDigest !== undefined) this.indexReferrer(image.subjectDigest, { seq: image.seq, id: digest }, change)
    for (const reference of image.references) {
      if (image.isIndex) (change === 1 ? addTo : removeFrom)(this.referencedBy, reference.digest, digest)
      else this.countBlob(reference, change, image.status !== undefined)
    }
  }

  /** Points the image's entry at its tags again, after a tag change (the first tag makes the set, the last drops it). */
  private entryTags(digest: string): void {
    const image = this.images.get(digest)
    const entry = image === undefined ? undefined : this.imageOrder.find({ seq: image.seq, id: digest })
    if (entry !== undefined) entry.tags = this.tagsByDigest.get(digest)
  }

  private indexReferrer(subject: string, referrer: Position, change: 1 | -1): void {
    let referrers = this.referrers.get(subject)
    if (change === 1) {
      if (referrers === undefined) this.referrers.set(subject, (referrers = new SeqIndex()))
      referrers.insert(referrer)
      return
    }
    referrers?.remove(referrer)
    if (referrers?.size === 0) this.referrers.delete(subject)
  }

  private countBlob(reference: BlobReference, change: 1 | -1, archived: boolean): void {
    const { digest } = reference
    const usage = this.blobUsage.get(digest)
    const images = (usage?.images ?? 0) + change
    if (images <= 0) this.blobUsage.delete(digest)
    else {
      const archivedImages = (usage?.archived ?? 0) + (archived ? change : 0)
      this.blobUsage.set(digest, { reference: usage?.reference ?? reference, images, archived: archivedImages })
    }
  }
}

/**
 * One account's registry in one region. A registry that nothing opened for writing (looked up
 * by a read before anything was created in it) is `detached`: empty, and any write to it throws.
 */
export class RegistryState {
  readonly scope: readonly [string, string]
  readonly repositoryOrder = new SeqIndex()
  readonly pullThroughCacheRuleOrder = new SeqIndex()
  readonly creationTemplateOrder = new SeqIndex()
  /** Replication backfills in the order they were started. */
  readonly backfillOrder = new SeqIndex()
  readonly tables: Tables<'registry'>
  private readonly contents = new Map<string, RepositoryContents>()

  constructor(
    readonly accountId: string,
    readonly region: string,
    private readonly indexes: EngineIndexes,
    readonly detached = false,
  ) {
    this.scope = [accountId, region]
    this.tables = createTables('registry', this.scope, indexes, {
      detached,
      hooks: {
        repository: {
          added: (name, record) => this.repositoryOrder.insert({ seq: record.seq, id: name }),
          removed: (name, record) => this.repositoryOrder.remove({ seq: record.seq, id: name }),
        },
        'pull-through-cache-rule': {
          added: (prefix, rule) => this.pullThroughCacheRuleOrder.insert({ seq: rule.seq, id: prefix }),
          removed: (prefix, rule) => this.pullThroughCacheRuleOrder.remove({ seq: rule.seq, id: prefix }),
        },
        'repository-creation-template': {
          added: (prefix, template) => this.creationTemplateOrder.insert({ seq: template.seq, id: prefix }),
          removed: (prefix, template) => this.creationTemplateOrder.remove({ seq: template.seq, id: prefix }),
        },
        'replication-backfill': {
          added: (id, backfill) => this.backfillOrder.insert({ seq: backfill.seq, id }),
          removed: (id, backfill) => this.backfillOrder.remove({ seq: backfill.seq, id }),
        },
      },
    })
  }

  get repositories(): RecordTable<'repository'> {
    return this.tables.repository
  }

  /** A registry-wide setting (a kind with one record per registry), if set. */
  setting<K extends KindAt<'registry'>>(kind: K): ValueOf<K> | undefined {
    return (this.tables[kind] as RecordTable<K>).get(SINGLETON)
  }

  contentsOf(name: string): RepositoryContents {
    const contents = this.contents.get(name)
    if (contents === undefined) throw new Error(`Repository '${name}' has no contents: state is inconsistent`)
    return contents
  }

  createRepository(tx: Transaction, record: ValueOf<'repository'>): RepositoryContents {
    this.repositories.set(tx, record.name, record)
    const contents = new RepositoryContents([...this.scope, record.name], this.indexes)
    this.contents.set(record.name, contents)
    tx.undoable(() => this.contents.delete(record.name))
    return contents
  }

  /** Deletes a repository and everything in it (storage cascades from the repository record). */
  deleteRepository(tx: Transaction, name: string): void {
    const contents = this.contentsOf(name)
    this.repositories.delete(tx, name)
    this.contents.delete(name)
    contents.share(false)
    tx.undoable(() => {
      contents.share(true)
      this.contents.set(name, contents)
    })
  }

  /**
   * Applies a stored record outside any transaction: while loading, or when another engine
   * sharing the storage changed it. `undefined` deletes (a repository with everything in it).
   */
  load(record: StoredRecord & { kind: KindAt<'registry'> | KindAt<'repository'> }): void {
    const { id, value } = record
    if (record.kind === 'repository') {
      this.repositories.load(id, value as ValueOf<'repository'> | undefined)
      const existing = this.contents.get(id)
      if (value === undefined && existing !== undefined) {
        existing.share(false)
        this.contents.delete(id)
      } else if (value !== undefined && existing === undefined) {
        this.contents.set(id, new RepositoryContents([...this.scope, id], this.indexes))
      }
      return
    }
    if (record.scope.length === 2) {
      ;(this.tables[record.kind as KindAt<'registry'>] as RecordTable<RecordKind, unknown>).load(id, value)
      return
    }
    const contents = this.contents.get(record.scope[2]!)
    if (contents === undefined) return
    ;(contents.tables[record.kind as KindAt<'repository'>] as RecordTable<RecordKind, unknown>).load(id, value)
  }

  /** Every record of this registry, as storage sees them. */
  *records(): Generator<StoredRecord> {
    for (const table of Object.values(this.tables)) yield* table.records()
    for (const contents of this.contents.values()) yield* contents.records()
  }
}

/** An image's tags, sorted (a new array, the caller's to keep). */
export function sortedTags(tags: ReadonlySet<string> | undefined): string[] {
  return tags === undefined ? [] : [...tags].sort()
}

function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key)
  if (set === undefined) index.set(key, (set = new Set()))
  set.add(value)
}

function removeFrom(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key)
  if (set === undefined) return
  set.delete(value)
  if (set.size === 0) index.delete(key)
}
