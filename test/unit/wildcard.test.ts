import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { wildcard, wildcardMatches } from '../../src/wildcard.js'

describe('wildcardMatches', () => {
  it('matches whole names as the documented examples say', () => {
    expect(wildcardMatches('myapp/*', 'myapp/api')).toBe(true)
    expect(wildcardMatches('myapp/*', 'other/myapp/api')).toBe(false)
    expect(wildcardMatches('*/production', 'web/production')).toBe(true)
    expect(wildcardMatches('*prod*', 'team/prod-api')).toBe(true)
    expect(wildcardMatches('*prod*', 'team/staging')).toBe(false)
    expect(wildcardMatches('web', 'web')).toBe(true)
    expect(wildcardMatches('web', 'web/api')).toBe(false)
    expect(wildcardMatches('a*a', 'a')).toBe(false)
  })

  it('agrees with the wildcard regex on any filter and name', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '/', '.', '*'), maxLength: 8 })
    fc.assert(
      fc.property(text, text, (filter, name) => {
        const plain = name.replaceAll('*', '')
        expect(wildcardMatches(filter, plain)).toBe(wildcard(filter).test(plain))
      }),
      { numRuns: 2000 },
    )
  })
})
