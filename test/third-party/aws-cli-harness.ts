import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest'
import { createEcrServer, type EcrServer } from '../../handlers/node/index.js'

/**
 * The AWS CLI to drive: Debian's package (v2 at /usr/bin/aws) when present, else `aws` on PATH;
 * only a v2 when `v2` is asked for. When none is found, a test file that CI requires to run
 * (`FAKE_ECR_REQUIRE_AWS_CLI=1`) gets a failing test saying how to install it; otherwise the
 * caller's tests are skipped with a warning.
 */
export async function findAwsCli({ v2 = false, purpose }: { v2?: boolean; purpose: string }): Promise<string | undefined> {
  for (const candidate of ['/usr/bin/aws', 'aws']) {
    const version = await new Promise<string | undefined>((resolve) =>
      execFile(candidate, ['--version'], (error, stdout) => resolve(error === null ? stdout : undefined)),
    )
    if (version !== undefined && (!v2 || version.startsWith('aws-cli/2.'))) return candidate
  }
  missingTool({ wanted: v2 ? 'AWS CLI v2' : '`aws` binary', requirement: 'FAKE_ECR_REQUIRE_AWS_CLI', install: 'awscli', purpose })
  return undefined
}

/**
 * Reports a third-party tool that is not installed: a failing test saying how to install it when
 * CI requires it (`requirement`, an environment variable, is `1`), else a warning that the
 * caller's tests are skipped.
 */
export function missingTool({
  wanted,
  requirement,
  install,
  purpose,
}: {
  wanted: string
  requirement: string
  install: string
  purpose: string
}): void {
  const how = `Install it with \`apt-get install -y ${install}\`.`
  if (process.env[requirement] === '1') {
    describe(`${wanted} requirement`, () => {
      it(`finds the ${wanted}`, () => {
        throw new Error(`${requirement}=1 but no ${wanted} was found. ${how}`)
      })
    })
  } else {
    console.warn(`Skipping ${purpose}: no ${wanted} found. ${how}`)
  }
}

/** The outcome of one `aws ecr …` run. */
export interface AwsCliRun {
  code: number
  stdout: string
  stderr: string
}

/**
 * A standalone server for the calling `describe` (reset after each test) and a way to run
 * `aws ecr …` against it, with an environment of its own: the given region, example keys, no
 * pager, and a config file holding only `config` (nothing of the machine's profile leaks in).
 */
export function useAwsCliAgainstServer(aws: string, { region, config = '' }: { region: string; config?: string }) {
  let server: EcrServer
  let home: string
  let env: NodeJS.ProcessEnv

  beforeAll(async () => {
    server = await createEcrServer({ port: 0 })
    home = await mkdtemp(join(tmpdir(), 'fake-ecr-aws-cli-'))
    await writeFile(join(home, 'config'), config)
    env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')))
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_PAGER: '',
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    })
  })
  afterEach(() => server.ecr.reset())
  afterAll(async () => {
    await server?.close()
    if (home !== undefined) await rm(home, { recursive: true, force: true })
  })

  return {
    server: () => server,
    /** A fresh directory under the run's home, for files the CLI reads (`file://…`). */
    directory: () => mkdtemp(join(home, 'case-')),
    run: (args: readonly string[]): Promise<AwsCliRun> =>
      new Promise((resolve, reject) => {
        const argv = ['ecr', ...args, '--endpoint-url', server.url, '--output', 'json']
        execFile(aws, argv, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
          if (error !== null && typeof error.code !== 'number') reject(error)
          else resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
        })
      }),
  }
}
