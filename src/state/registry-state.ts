import type { StoredRecord } from '../storage/storage.js'
import { RecordTable } from './record-table.js'
import type {
  BlobRecord,
  ImageRecord,
  RegistryRecord,
  RepositoryRecord,
  TagRecord,
  UploadRecord,
} from './records.js'
import { SeqIndex } from './seq-index.js'
import type { Transaction } from './transaction.js'

/** What a repository holds, with the indexes that keep look-ups O(1) and listings O(page). */
export class RepositoryContents {
  readonly imageOrder = new SeqIndex()
  /** digest → tags naming it. */
  readonly tagsByDigest = new Map<string, Set<string>>()
  /** child manifest digest → digests of the indexes that list it. */
  readonly referencedBy = new Map<string, Set<string>>()
  /** blob digest → its media type (from the manifests that reference it) and how many images do. */
  readonly blobUsage = new Map<string, { mediaType: string; images: number }>()
  readonly images: RecordTable<ImageRecord>
  readonly tags: RecordTable<TagRecord>
  readonly blobs: RecordTable<BlobRecord>
  readonly uploads: RecordTable<UploadRecord>

  constructor(scope: readonly string[]) {
    this.images = new RecordTable<ImageRecord>('image', scope, {
      added: (digest, image) => {
        this.imageOrder.insert({ seq: image.seq, id: digest })
        for (const reference of image.references) {
          if (image.isIndex) addTo(this.referencedBy, reference.digest, digest)
          else this.countBlob(reference, 1)
        }
      },
      removed: (digest, image) => {
        this.imageOrder.remove({ seq: image.seq, id: digest })
        for (const reference of image.references) {
          if (image.isIndex) removeFrom(this.referencedBy, reference.digest, digest)
          else this.countBlob(reference, -1)
        }
      },
    })
    this.tags = new RecordTable<TagRecord>('tag', scope, {
      added: (tag, { digest }) => addTo(this.tagsByDigest, digest, tag),
      removed: (tag, { digest }) => removeFrom(this.tagsByDigest, digest, tag),
    })
    this.blobs = new RecordTable<BlobRecord>('blob', scope)
    this.uploads = new RecordTable<UploadRecord>('upload', scope)
  }

  private countBlob({ digest, mediaType }: { digest: string; mediaType: string }, change: 1 | -1): void {
    const usage = this.blobUsage.get(digest)
    const images = (usage?.images ?? 0) + change
    if (images <= 0) this.blobUsage.delete(digest)
    else this.blobUsage.set(digest, { mediaType: usage?.mediaType ?? mediaType, images })
  }

  /** Tags of an image, sorted (the order listings use). */
  tagsOf(digest: string): string[] {
    const tags = this.tagsByDigest.get(digest)
    return tags === undefined ? [] : [...tags].sort()
  }
}

const SETTINGS = 'settings'

/** One account's registry in one region. */
export class RegistryState {
  readonly scope: readonly [string, string]
  readonly repositoryOrder = new SeqIndex()
  readonly repositories: RecordTable<RepositoryRecord>
  private readonly settingsTable: RecordTable<RegistryRecord>
  private readonly contents = new Map<string, RepositoryContents>()

  constructor(
    readonly accountId: string,
    readonly region: string,
  ) {
    this.scope = [accountId, region]
    this.repositories = new RecordTable<RepositoryRecord>('repository', this.scope, {
      added: (name, record) => this.repositoryOrder.insert({ seq: record.seq, id: name }),
      removed: (name, record) => this.repositoryOrder.remove({ seq: record.seq, id: name }),
    })
    this.settingsTable = new RecordTable<RegistryRecord>('registry', this.scope)
  }

  get settings(): RegistryRecord {
    return this.settingsTable.get(SETTINGS) ?? DEFAULT_SETTINGS
  }

  updateSettings(tx: Transaction, change: (settings: RegistryRecord) => RegistryRecord): RegistryRecord {
    const next = change(this.settings)
    this.settingsTable.set(tx, SETTINGS, next)
    return next
  }

  contentsOf(name: string): RepositoryContents {
    const contents = this.contents.get(name)
    if (contents === undefined) throw new Error(`Repository '${name}' has no contents: state is inconsistent`)
    return contents
  }

  createRepository(tx: Transaction, record: RepositoryRecord): void {
    this.repositories.set(tx, record.name, record)
    this.contents.set(record.name, new RepositoryContents([...this.scope, record.name]))
    tx.undoable(() => this.contents.delete(record.name))
  }

  /** Deletes a repository and everything in it (storage cascades from the repository record). */
  deleteRepository(tx: Transaction, name: string): void {
    const contents = this.contents.get(name)
    this.repositories.delete(tx, name)
    this.contents.delete(name)
    tx.undoable(() => {
      if (contents !== undefined) this.contents.set(name, contents)
    })
  }

  /**
   * Applies a stored record outside any transaction: while loading, or when another engine
   * sharing the storage changed it. `undefined` deletes (a repository with everything in it).
   */
  load(record: StoredRecord): void {
    const { id, value } = record
    switch (record.kind) {
      case 'registry':
        this.settingsTable.load(id, value as RegistryRecord | undefined)
        return
      case 'repository':
        this.repositories.load(id, value as RepositoryRecord | undefined)
        if (value === undefined) this.contents.delete(id)
        else if (!this.contents.has(id)) this.contents.set(id, new RepositoryContents([...this.scope, id]))
        return
    }
    const repository = record.scope[2]
    const contents = repository === undefined ? undefined : this.contents.get(repository)
    if (contents === undefined) return
    switch (record.kind) {
      case 'image':
        contents.images.load(id, value as ImageRecord | undefined)
        return
      case 'tag':
        contents.tags.load(id, value as TagRecord | undefined)
        return
      case 'blob':
        contents.blobs.load(id, value as BlobRecord | undefined)
        return
      case 'upload':
        contents.uploads.load(id, value as UploadRecord | undefined)
        return
    }
  }

  /** Every record of this registry, as storage sees them. */
  *records(): Generator<StoredRecord> {
    yield* this.settingsTable.records()
    yield* this.repositories.records()
    for (const contents of this.contents.values()) {
      yield* contents.images.records()
      yield* contents.tags.records()
      yield* contents.blobs.records()
      yield* contents.uploads.records()
    }
  }
}

const DEFAULT_SETTINGS: RegistryRecord = {
  scanning: { scanType: 'BASIC', rules: [] },
  replication: { rules: [] },
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
