#!/usr/bin/env node
import { parseArgs } from 'node:util'
import type { EcrCredentials } from '../sigv4.js'
import { readCredentialsFile } from './credentials-file.js'
import type { EcrServer } from './glossary.js'

const USAGE = `Usage: fake-ecr [options]

Runs a fake Amazon ECR on this machine: the ECR API (AWS CLI, SDKs) and the registry API
(/v2/: docker, skopeo, crane) on one port. State lives in memory and is gone when it stops,
unless --data names a directory to keep it in.

Options:
  --data <dir>         keep state and layers in this directory (created if needed), so that
                       they survive a restart; one server at a time per directory
  --port <port>        TCP port to listen on (default 4566; 0 picks a free one)
  --host <host>        interface to listen on (default 127.0.0.1)
  --allow-host <name>  on a loopback interface, answer requests for this host name too (repeat
                       for several); by default only loopback names and ECR's own host names are
                       answered, so that web pages cannot reach the server through DNS rebinding
  --cors-origin <origin>
                       let web pages of this origin call the server from a browser (repeat for
                       several; '*' for any); pages of loopback origins (http://localhost:5173,
                       http://127.0.0.1:8080…) always may
  --registry-addresses <endpoint|aws>
                       the registry address that repositoryUri and GetAuthorizationToken's
                       proxyEndpoint name: 'endpoint' (default) this server's address as the
                       client named it (127.0.0.1:4566/<name>, http://127.0.0.1:4566), which
                       docker, skopeo and crane reach without TLS on loopback; 'aws' ECR's host
                       (<account>.dkr.ecr.<region>.amazonaws.com/<name>), for code that reads
                       the account and region out of a URI (clients then need that name to
                       lead to this server); the registry API answers on every name either way
  --account-id <id>    account that owns what requests create (default 123456789012)
  --region <region>    region for requests that do not sign one (default us-east-1)
  --credentials <file> verify SigV4 signatures: only the keys in this JSON file are accepted,
                       [{"accessKeyId": "...", "secretAccessKey": "...", "accountId": "...",
                         "principalArn": "arn:aws:iam::<account>:role/..."}]
                       (accountId optional, default --account-id; principalArn optional,
                       the IAM user or role the key stands for)
  --access-key-id <id> --secret-access-key <secret>
                       verify signatures with this one key (acting as --account-id)
  -h, --help           show this help

Without --credentials or --access-key-id, any credentials (or none) are accepted.

Exit status: 0 after SIGINT or SIGTERM, 1 when the server cannot start or an option is invalid.
`

const DEFAULTS = {
  port: '4566',
  host: '127.0.0.1',
  'registry-addresses': 'endpoint',
  'account-id': '123456789012',
  region: 'us-east-1',
}

type Options = typeof DEFAULTS & {
  help: boolean
  data?: string
  'allow-host'?: string[]
  'cors-origin'?: string[]
  credentials?: string
  'access-key-id'?: string
  'secret-access-key'?: string
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      'cors-origin': { type: 'string', multiple: true },
      'registry-addresses': { type: 'string' },
      'account-id': { type: 'string' },
      region: { type: 'string' },
      credentials: { type: 'string' },
      'access-key-id': { type: 'string' },
      'secret-access-key': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const options = { ...DEFAULTS, ...values }
  if (!/^\d{1,5}$/.test(options.port) || Number(options.port) > 65535) {
    throw new Error(`--port must be a number from 0 to 65535, got '${options.port}'.`)
  }
  if (options['registry-addresses'] !== 'endpoint' && options['registry-addresses'] !== 'aws') {
    throw new Error(`--registry-addresses must be 'endpoint' or 'aws', got '${options['registry-addresses']}'.`)
  }
  if (!/^\d{12}$/.test(options['account-id'])) {
    throw new Error(`--account-id must be 12 digits, got '${options['account-id']}'.`)
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(options.region)) {
    throw new Error(`--region must be an AWS region name such as us-east-1, got '${options.region}'.`)
  }
  if (options.data === '') throw new Error('--data must name a directory.')
  if ((options['access-key-id'] === undefined) !== (options['secret-access-key'] === undefined)) {
    throw new Error('--access-key-id and --secret-access-key go together: give both or neither.')
  }
  return options
}

/** The keys to verify signatures with, or `undefined` to accept any credentials. */
async function credentialsOf(options: Options): Promise<EcrCredentials[] | undefined> {
  const keys = options.credentials === undefined ? [] : await readCredentialsFile(options.credentials)
  if (options['access-key-id'] !== undefined && options['secret-access-key'] !== undefined) {
    keys.push({ accessKeyId: options['access-key-id'], secretAccessKey: options['secret-access-key'] })
  }
  return keys.length === 0 && options.credentials === undefined ? undefined : keys
}

async function main(): Promise<void> {
  let options: Options
  try {
    options = parseOptions(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`fake-ecr: ${(error as Error).message}\nRun fake-ecr --help for the options.\n`)
    process.exitCode = 1
    return
  }
  if (options.help) {
    process.stdout.write(USAGE)
    return
  }
  // Loaded only now: the engine takes most of the start-up time, which --help need not pay.
  const { createEcrServer } = await import('./server.js')
  let server: EcrServer
  try {
    const credentials = await credentialsOf(options)
    server = await createEcrServer({
      port: Number(options.port),
      host: options.host,
      registryAddresses: options['registry-addresses'] as 'endpoint' | 'aws',
      accountId: options['account-id'],
      region: options.region,
      ...(options.data !== undefined && { dataDir: options.data }),
      ...(options['allow-host'] !== undefined && { allowedHosts: options['allow-host'] }),
      ...(options['cors-origin'] !== undefined && { corsOrigins: options['cors-origin'] }),
      ...(credentials !== undefined && { credentials }),
    })
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`)
    process.exitCode = 1
    return
  }
  let stopping = false
  const stop = () => {
    // A second signal means the user does not want to wait for requests in flight.
    if (stopping) process.exit(1)
    stopping = true
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`fake-ecr: failed to stop cleanly: ${String(error)}\n`)
        process.exit(1)
      },
    )
  }
  // Before the line that says the server is ready, which is when a supervisor may signal it.
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  const state = server.dataDir === undefined ? 'state in memory' : `state in ${server.dataDir}`
  process.stdout.write(
    `fake-ecr listening on ${server.url} (${state}; try: aws ecr describe-repositories --endpoint-url ${server.url} --region ${options.region})\n`,
  )
}

await main()
