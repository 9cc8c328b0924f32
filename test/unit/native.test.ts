import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'

// The engine hashes and decodes base64 with Node's own code where the runtime offers it
// (src/native.ts), and in JavaScript elsewhere (browsers, workers): both must give the same
// digests, and accept and refuse the same base64, as `node:crypto` and RFC 4648 say.

/** src/digest.ts and src/encoding.ts as Node loads them, and as a runtime without Node's built-ins does. */
async function implementations() {
  vi.resetModules()
  const native = { digest: await import('../../src/digest.js'), encoding: await import('../../src/encoding.js') }
  vi.resetModules()
  vi.doMock('../../src/native.js', () => ({ nativeCreateHash: undefined, nativeBuffer: undefined }))
  const portable = { digest: await import('../../src/digest.js'), encoding: await import('../../src/encoding.js') }
  vi.doUnmock('../../src/native.js')
  vi.resetModules()
  return { native, portable }
}

const { native, portable } = await implementations()

/** What the wire accepts as a blob: RFC 4648's alphabet, padded to a multiple of 4 characters. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

describe.each([
  ['Node built-ins', native],
  ['portable JavaScript', portable],
])('%s', (_name, { digest, encoding }) => {
  it('hashes bytes fed in pieces as node:crypto hashes them whole (sha256 and sha512)', () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 7)
    for (const algorithm of ['sha256', 'sha512'] as const) {
      const hash = digest.createContentHash(algorithm)
      for (let at = 0; at < bytes.byteLength; at += 1024 * 1024 - 1) hash.update(bytes.subarray(at, at + 1024 * 1024 - 1))
      expect(hash.hex()).toBe(createHash(algorithm).update(bytes).digest('hex'))
    }
    expect(digest.sha256Digest('é')).toBe(`sha256:${createHash('sha256').update('é').digest('hex')}`)
  })

  it('copies a hash: the copy and the original go on from the same pieces, each on its own', () => {
    const hash = digest.createContentHash('sha256')
    hash.update(new TextEncoder().encode('ab'))
    const copy = hash.copy()
    copy.update(new TextEncoder().encode('c'))
    hash.update(new TextEncoder().encode('d'))
    expect(copy.hex()).toBe(createHash('sha256').update('abc').digest('hex'))
    expect(hash.hex()).toBe(createHash('sha256').update('abd').digest('hex'))
  })

  it('decodes padded base64 into a plain Uint8Array', () => {
    for (const size of [0, 1, 2, 3, 4, 5, 4097, 100_000]) {
      const bytes = randomBytes(size)
      const decoded = encoding.fromBase64(bytes.toString('base64'))
      expect(decoded?.constructor).toBe(Uint8Array)
      expect(decoded).toEqual(new Uint8Array(bytes))
    }
    // Bits past the last byte are ignored, as by atob.
    expect(encoding.fromBase64('AB==')).toEqual(new Uint8Array([0]))
  })

  it('refuses what is not padded base64: other characters, whitespace, misplaced or missing padding', () => {
    const refused = ['A', 'AAA', 'AA=', 'A===', '====', 'AA==AAAA', 'AAA=AAAA', 'AA-_', 'AA_A', 'AA A', 'AA\nA', ' AAAA', 'AAAA\t', 'AAé=', 'AA\u0100A', 'AA.A', '$AAA']
    for (const text of refused) expect([text, encoding.fromBase64(text)]).toEqual([text, undefined])
  })

  it('accepts exactly the texts of the wire alphabet, for every text of up to 8 characters over a few', () => {
    const alphabet = ['A', '=', ' ', '_', 'é']
    const texts = (length: number): string[] => (length === 0 ? [''] : texts(length - 1).flatMap((text) => alphabet.map((c) => text + c)))
    for (const length of [4, 8]) {
      for (const text of texts(length)) {
        const accepted = encoding.fromBase64(text) !== undefined
        if (accepted !== BASE64.test(text)) expect.fail(`${JSON.stringify(text)} ${accepted ? 'accepted' : 'refused'}`)
      }
    }
  })
})
