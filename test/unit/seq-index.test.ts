import { describe, expect, it } from 'vitest'
import { SeqIndex } from '../../src/state/seq-index.js'

describe('SeqIndex', () => {
  it('orders by sequence number, then id, so equal numbers from two engines never collide', () => {
    const index = new SeqIndex()
    index.insert({ seq: 2, id: 'b' })
    index.insert({ seq: 1, id: 'z' })
    index.insert({ seq: 2, id: 'a' })
    index.insert({ seq: 3, id: 'c' })
    index.insert({ seq: 2, id: 'a' })
    expect([...index.after()]).toEqual([
      { seq: 1, id: 'z' },
      { seq: 2, id: 'a' },
      { seq: 2, id: 'b' },
      { seq: 3, id: 'c' },
    ])
    expect([...index.after({ seq: 2, id: 'a' })].map((entry) => entry.id)).toEqual(['b', 'c'])
    // A position that is gone still says where to resume.
    index.remove({ seq: 2, id: 'a' })
    expect(index.has({ seq: 2, id: 'a' })).toBe(false)
    expect([...index.after({ seq: 2, id: 'a' })].map((entry) => entry.id)).toEqual(['b', 'c'])
    expect(index.size).toBe(3)
  })
})
