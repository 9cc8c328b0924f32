import { createContentHash, type ContentHash, type HashAlgorithm } from '../digest.js'
import type { BlobContent } from '../glossary.js'
import { layerUploadTooLarge } from '../limits.js'
import type { OperationContext, ReadChunk } from '../operations/context.js'
import type { EngineState } from '../state/engine-state.js'
import { uploadChunkId, type ContentRecord, type UploadRecord } from '../state/kinds.js'
import type { FoundRepository } from './repositories.js'

// Blob bytes live apart from the records: each upload part is one chunk, stored once when the call
// that received it commits; a completed upload's chunks become the content of its digest, shared
// by every repository that holds the blob (a `blob` record each) and dropped when none does.

/** How much of a chunk a stream reads at a time. */
const STREAM_PIECE = 1024 * 1024

const isHashAlgorithm = (name: string): name is HashAlgorithm => name === 'sha256' || name === 'sha512'

/** Starts a blob upload into a repository. */
export function startUpload(ctx: OperationContext, { contents }: FoundRepository): UploadRecord {
  const id = ctx.newId()
  const upload: UploadRecord = { id, createdAt: ctx.now, size: 0, partSizes: [] }
  contents.uploads.set(ctx.tx, id, upload)
  return upload
}

/**
 * The SHA-256 of an upload's parts so far, fed with each part as it arrives (its bytes are at hand
 * then; at completion they would have to be read back, from disk with a data directory). Kept
 * under the upload's record: a record is replaced at each part, so the hash stands for exactly
 * the parts its record lists, and that of a call that is undone is never looked up. A record
 * loaded from storage has none: its upload is hashed from its chunks at completion.
 */
const partsHashes = new WeakMap<UploadRecord, ContentHash>()

/**
 * Appends a part to an upload: its bytes become one chunk, written once. Refused beyond ECR's
 * limits on parts per upload and layer size.
 */
export function appendUploadPart(ctx: OperationContext, { contents }: FoundRepository, upload: UploadRecord, bytes: Uint8Array): UploadRecord {
  const { limits } = ctx.settings
  if (upload.partSizes.length >= limits.layerPartsPerUpload) throw layerUploadTooLarge(upload.id, 'parts', limits.layerPartsPerUpload)
  if (upload.size + bytes.byteLength > limits.layerBytes) throw layerUploadTooLarge(upload.id, 'bytes', limits.layerBytes)
  ctx.tx.putChunk(uploadChunkId(upload.id, upload.partSizes.length), bytes)
  const next = { ...upload, size: upload.size + bytes.byteLength, partSizes: [...upload.partSizes, bytes.byteLength] }
  contents.uploads.set(ctx.tx, upload.id, next)
  const hash = upload.partSizes.length === 0 ? createContentHash('sha256') : partsHashes.get(upload)?.copy()
  if (hash !== undefined) {
    hash.update(bytes)
    partsHashes.set(next, hash)
  }
  return next
}

/**
 * An upload's sha256 digest (from the hash fed as its parts arrived, or its chunks read back), and
 * the first of `candidates` (`algorithm:hex`, sha256 or sha512) that matches its bytes, if any.
 */
export async function digestUpload(
  ctx: OperationContext,
  upload: UploadRecord,
  candidates: readonly string[],
): Promise<{ sha256: string; matching: string | undefined }> {
  const hashedSoFar = partsHashes.get(upload)
  const algorithms = new Set<HashAlgorithm>(candidates.map((candidate) => candidate.split(':')[0]!).filter(isHashAlgorithm))
  if (hashedSoFar === undefined) algorithms.add('sha256')
  else algorithms.delete('sha256')
  const hashes = new Map([...algorithms].map((name) => [name, createContentHash(name)]))
  // Only hashes still to compute read the chunks back: none, for an upload hashed as it arrived.
  const parts = hashes.size === 0 ? 0 : upload.partSizes.length
  const read = (part: number) => readWhole(ctx.readChunk, uploadChunkId(upload.id, part))
  let next: Promise<Uint8Array> | undefined
  for (let part = 0; part < parts; part++) {
    const bytes = await (next ?? read(part))
    // The next part is read (from storage, off the main thread) while this one is hashed; the
    // catch only keeps a read that fails meanwhile from counting as unhandled: it is awaited next.
    next = part + 1 < parts ? read(part + 1) : undefined
    next?.catch(() => undefined)
    for (const hash of hashes.values()) hash.update(bytes)
  }
  // A copy: the upload stays open if no candidate matches, and may be completed again.
  if (hashedSoFar !== undefined) hashes.set('sha256', hashedSoFar.copy())
  const hex = new Map<string, string>([...hashes].map(([name, hash]) => [name, hash.hex()]))
  const matching = candidates.find((candidate) => {
    const [algorithm = '', encoded = ''] = candidate.split(':')
    return hex.get(algorithm) === encoded.toLowerCase()
  })
  return { sha256: `sha256:${hex.get('sha256')!}`, matching }
}

/**
 * Ends an upload whose bytes have `digest`: the repository holds the blob from now on. Its chunks
 * become the digest's content, unless the engine stores those bytes already (for any repository):
 * then they are dropped, and the blob is stored once.
 */
export function finishUpload(ctx: OperationContext, { contents }: FoundRepository, upload: UploadRecord, digest: string): void {
  const chunks = upload.partSizes.map((size, part) => ({ id: uploadChunkId(upload.id, part), size }))
  if (ctx.state.content.has(digest)) {
    for (const { id } of chunks) ctx.tx.dropChunk(id)
  } else {
    ctx.state.content.set(ctx.tx, digest, { size: upload.size, chunks })
  }
  if (!contents.blobs.has(digest)) {
    // Unused until an image references it (with `verifyReferences: false`, one may already).
    const used = contents.blobUsage.has(digest)
    contents.blobs.set(ctx.tx, digest, { digest, size: upload.size, createdAt: ctx.now, ...(!used && { unusedSince: ctx.now }) })
  }
  contents.uploads.delete(ctx.tx, upload.id)
}

/** Abandons an upload: its record goes, and the chunks of its parts with it. */
export function cancelUpload(ctx: OperationContext, { contents }: FoundRepository, upload: UploadRecord): void {
  for (const [part] of upload.partSizes.entries()) ctx.tx.dropChunk(uploadChunkId(upload.id, part))
  contents.uploads.delete(ctx.tx, upload.id)
}

/**
 * Lets a repository hold a blob the engine stores already (a cross-repository mount): no byte is
 * copied, the content is shared by digest. Unused until an image references it, as after an upload.
 */
export function mountBlob(ctx: OperationContext, { contents }: FoundRepository, digest: string): void {
  const content = ctx.state.content.get(digest)
  if (content === undefined || contents.blobs.has(digest)) return
  const used = contents.blobUsage.has(digest)
  contents.blobs.set(ctx.tx, digest, { digest, size: content.size, createdAt: ctx.now, ...(!used && { unusedSince: ctx.now }) })
}

/** Blobs an image now references are in use: they are not collected. */
export function useBlobs(ctx: OperationContext, { contents }: FoundRepository, references: Iterable<{ digest: string }>): void {
  for (const { digest } of references) {
    const blob = contents.blobs.get(digest)
    if (blob?.unusedSince === undefined) continue
    const { unusedSince: _unused, ...used } = blob
    contents.blobs.set(ctx.tx, digest, used)
  }
}

/** Blobs that no image in the repository references any more count as unused from now (collected a day later). */
export function releaseBlobs(ctx: OperationContext, { contents }: FoundRepository, references: Iterable<{ digest: string }>): void {
  for (const { digest } of references) {
    const blob = contents.blobs.get(digest)
    if (blob === undefined || blob.unusedSince !== undefined || contents.blobUsage.has(digest)) continue
    contents.blobs.set(ctx.tx, digest, { ...blob, unusedSince: ctx.now })
  }
}

/** The clock effect of a blob unused for a day: the repository lets it go (its bytes go once no repository holds them). */
export function collectUnusedBlob(ctx: OperationContext, scope: readonly string[], digest: string): void {
  const [accountId = '', region = '', repositoryName = ''] = scope
  const contents = ctx.state.find(accountId, region)?.contentsOf(repositoryName)
  if (contents?.blobs.get(digest)?.unusedSince !== undefined) contents.blobs.delete(ctx.tx, digest)
}

/**
 * Drops the content of every digest no repository holds any more (its last `blob` record went in
 * this call): run by the commit path after every call.
 */
export function collectGarbage(ctx: OperationContext): void {
  const { blobReferences } = ctx.state.indexes
  for (const digest of blobReferences.released) {
    const content = ctx.state.content.get(digest)
    if (blobReferences.count(digest) > 0 || content === undefined) continue
    for (const { id } of content.chunks) ctx.tx.dropChunk(id)
    ctx.state.content.delete(ctx.tx, digest)
  }
  blobReferences.released.clear()
}

/** A blob's bytes, if the engine stores its digest: read lazily, in ranges, from wherever they are kept. */
export function openContent(state: EngineState, readChunk: ReadChunk, digest: string): BlobContent | undefined {
  const content = state.content.get(digest)
  if (content === undefined) return undefined
  const { size } = content
  const bounds = (start = 0, end = size): [number, number] => {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end > size || start > end) {
      throw new RangeError(`fake-ecr: bytes ${start} to ${end} are outside the ${size} bytes of ${digest}`)
    }
    return [start, end]
  }
  return {
    digest,
    size,
    async read(start, end) {
      const [from, to] = bounds(start, end)
      const bytes = new Uint8Array(to - from)
      for await (const piece of pieces(content, readChunk, from, to, Number.POSITIVE_INFINITY)) bytes.set(piece.bytes, piece.at - from)
      return bytes
    },
    stream(start, end) {
      const [from, to] = bounds(start, end)
      const source = pieces(content, readChunk, from, to, STREAM_PIECE)
      return new ReadableStream<Uint8Array<ArrayBuffer>>({
        async pull(controller) {
          const next = await source.next()
          if (next.done) controller.close()
          else controller.enqueue(next.value.bytes)
        },
        async cancel() {
          await source.return(undefined)
        },
      })
    },
  }
}

/** The bytes from `from` to `to` of some content, in pieces of at most `pieceSize`, with where each starts. */
async function* pieces(
  content: ContentRecord,
  readChunk: ReadChunk,
  from: number,
  to: number,
  pieceSize: number,
): AsyncGenerator<{ at: number; bytes: Uint8Array<ArrayBuffer> }> {
  let chunkStart = 0
  for (const chunk of content.chunks) {
    const chunkEnd = chunkStart + chunk.size
    for (let at = Math.max(from, chunkStart); at < Math.min(to, chunkEnd); at += pieceSize) {
      const length = Math.min(pieceSize, Math.min(to, chunkEnd) - at)
      const bytes = await readChunk(chunk.id, at - chunkStart, length)
      if (bytes === undefined || bytes.byteLength !== length) throw missingChunk(chunk.id)
      yield { at, bytes: bytes as Uint8Array<ArrayBuffer> }
    }
    chunkStart = chunkEnd
    if (chunkStart >= to) return
  }
}

async function readWhole(readChunk: ReadChunk, id: string): Promise<Uint8Array> {
  const bytes = await readChunk(id)
  if (bytes === undefined) throw missingChunk(id)
  return bytes
}

function missingChunk(id: string): Error {
  return new Error(`the stored bytes of chunk ${id} are missing or cut short`)
}
