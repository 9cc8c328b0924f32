import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readCredentialsFile } from '../../handlers/node/credentials-file.js'

let folder: string
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'fake-ecr-credentials-'))
})
afterAll(() => rm(folder, { recursive: true, force: true }))

async function file(name: string, text: string): Promise<string> {
  const path = join(folder, name)
  await writeFile(path, text)
  return path
}

describe('credentials file (fake-ecr --credentials)', () => {
  it('reads a list of keys, or a single key, keeping only the known members', async () => {
    const list = await file(
      'list.json',
      JSON.stringify([
        { accessKeyId: 'AKIDA', secretAccessKey: 'a', accountId: '111111111111', note: 'ci' },
        { accessKeyId: 'AKIDB', secretAccessKey: 'b', principalArn: 'arn:aws:iam::123456789012:role/scanner' },
      ]),
    )
    expect(await readCredentialsFile(list)).toEqual([
      { accessKeyId: 'AKIDA', secretAccessKey: 'a', accountId: '111111111111' },
      { accessKeyId: 'AKIDB', secretAccessKey: 'b', principalArn: 'arn:aws:iam::123456789012:role/scanner' },
    ])
    expect(await readCredentialsFile(await file('one.json', '{"accessKeyId":"AKIDC","secretAccessKey":"c"}'))).toEqual([
      { accessKeyId: 'AKIDC', secretAccessKey: 'c' },
    ])
  })

  it('says which file and which entry is wrong', async () => {
    await expect(readCredentialsFile(join(folder, 'missing.json'))).rejects.toThrow(/^Failed to read credentials from .*missing\.json: ENOENT/)
    await expect(readCredentialsFile(await file('broken.json', '[{'))).rejects.toThrow(/broken\.json: .*JSON/)
    await expect(readCredentialsFile(await file('partial.json', '[{"accessKeyId":"AKIDA","secretAccessKey":"a"},{"accessKeyId":"AKIDB"}]'))).rejects.toThrow(
      /partial\.json: entry 1 must be an object with string "accessKeyId" and "secretAccessKey"/,
    )
    await expect(readCredentialsFile(await file('principal.json', '{"accessKeyId":"AKIDA","secretAccessKey":"a","principalArn":7}'))).rejects.toThrow(
      'entry 0 must be an object with string "accessKeyId" and "secretAccessKey" (and optionally "accountId" and "principalArn").',
    )
  })
})
