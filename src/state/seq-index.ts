/**
 * Ids kept in the order of a sequence number that only grows (the order items were created in).
 * It gives listings a stable order and lets a page start after any position with a binary
 * search, so a page costs the same in a small collection as in a large one. New items go at the
 * end; removing one shifts the ids after it (a memory move, fast even at 100,000 items).
 */
export class SeqIndex {
  private readonly seqs: number[] = []
  private readonly ids: string[] = []

  get size(): number {
    return this.seqs.length
  }

  insert(seq: number, id: string): void {
    const at = this.firstAfter(seq - 1)
    if (this.seqs[at] === seq) {
      this.ids[at] = id
      return
    }
    this.seqs.splice(at, 0, seq)
    this.ids.splice(at, 0, id)
  }

  remove(seq: number): void {
    const at = this.firstAfter(seq - 1)
    if (this.seqs[at] !== seq) return
    this.seqs.splice(at, 1)
    this.ids.splice(at, 1)
  }

  /** The id at sequence number `seq`, if it is still there. */
  at(seq: number): string | undefined {
    const at = this.firstAfter(seq - 1)
    return this.seqs[at] === seq ? this.ids[at] : undefined
  }

  /** Ids whose sequence number is greater than `seq`, in order. */
  *after(seq: number): Generator<{ seq: number; id: string }> {
    for (let at = this.firstAfter(seq); at < this.seqs.length; at++) {
      yield { seq: this.seqs[at]!, id: this.ids[at]! }
    }
  }

  /** Position of the first sequence number greater than `seq`. */
  private firstAfter(seq: number): number {
    let low = 0
    let high = this.seqs.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.seqs[middle]! <= seq) low = middle + 1
      else high = middle
    }
    return low
  }
}
