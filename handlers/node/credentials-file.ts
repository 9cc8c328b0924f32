import { readFile } from 'node:fs/promises'
import type { EcrCredentials } from '../sigv4.js'

/**
 * Reads the access keys for signature verification from a JSON file: an array (or one object) of
 * `{ "accessKeyId", "secretAccessKey", "accountId"?, "principalArn"? }`. Rejects with a message that names the
 * file and what is wrong with it.
 *
 * @example
 * const credentials = await readCredentialsFile('keys.json')
 * await createEcrServer({ credentials })
 */
export async function readCredentialsFile(path: string): Promise<EcrCredentials[]> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new Error(`Failed to read credentials from ${path}: ${(error as Error).message}.`, { cause: error })
  }
  const entries = Array.isArray(parsed) ? parsed : [parsed]
  return entries.map((entry: unknown, index) => {
    const { accessKeyId, secretAccessKey, accountId, principalArn } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<
      string,
      unknown
    >
    const optional = [accountId, principalArn]
    if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || optional.some((value) => value !== undefined && typeof value !== 'string')) {
      throw new Error(
        `Failed to read credentials from ${path}: entry ${index} must be an object with string "accessKeyId" and "secretAccessKey" (and optionally "accountId" and "principalArn").`,
      )
    }
    return {
      accessKeyId,
      secretAccessKey,
      ...(typeof accountId === 'string' && { accountId }),
      ...(typeof principalArn === 'string' && { principalArn }),
    }
  })
}
