import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEcrServer, type EcrServer } from '../../handlers/node/index.js'
import { missingTool } from './aws-cli-harness.js'

/**
 * boto3 (Debian's python3-boto3) against the standalone server: the README's snippet as written,
 * a paginator, error codes as botocore reads them, and the types it parses (timestamps, blobs).
 */

const README = join(import.meta.dirname, '../../README.md')
/** Where the README's snippet expects the server. */
const README_ENDPOINT = 'http://127.0.0.1:4566'

/** A Python 3 that can import boto3: Debian's first, else `python3` on PATH. */
async function findBoto3(): Promise<string | undefined> {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const found = await new Promise<boolean>((resolve) => execFile(candidate, ['-c', 'import boto3'], (error) => resolve(error === null)))
    if (found) return candidate
  }
  missingTool({ wanted: 'Python 3 with boto3', requirement: 'FAKE_ECR_REQUIRE_BOTO3', install: 'python3-boto3', purpose: 'the boto3 tests' })
  return undefined
}

const python = await findBoto3()

describe.skipIf(python === undefined)('boto3 against the standalone server', () => {
  let server: EcrServer
  let work: string

  beforeAll(async () => {
    server = await createEcrServer({ port: 0 })
    work = await mkdtemp(join(tmpdir(), 'fake-ecr-boto3-'))
  })
  afterEach(() => server.ecr.reset())
  afterAll(async () => {
    await server?.close()
    if (work !== undefined) await rm(work, { recursive: true, force: true })
  })

  /** Runs a Python script with no AWS settings of the machine's, and returns what it printed. */
  async function run(script: string): Promise<string> {
    const file = join(work, 'script.py')
    await writeFile(file, script)
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')))
    Object.assign(env, { AWS_CONFIG_FILE: join(work, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'), AWS_EC2_METADATA_DISABLED: 'true' })
    return new Promise((resolve, reject) =>
      execFile(python!, [file], { env }, (error, stdout, stderr) => (error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`)))),
    )
  }

  /** A client for the server, as the README makes one. */
  const client = () => `import boto3, botocore
ecr = boto3.client("ecr", endpoint_url="${server.url}", region_name="eu-west-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
`

  it("runs the README's snippet as written", async () => {
    const readme = await readFile(README, 'utf8')
    const snippet = /<!-- quick-start:boto3:start -->\s*```python\n([\s\S]*?)```\s*<!-- quick-start:boto3:end -->/.exec(readme)?.[1]
    if (snippet === undefined || !snippet.includes(README_ENDPOINT)) throw new Error('README.md has no boto3 snippet for the default server address')
    const output = await run(snippet.replaceAll(README_ENDPOINT, server.url))
    expect(output).toBe(`['${new URL(server.url).host}/web']\nRepositoryNotFoundException\n`)
  })

  it('pages through 120 repositories with a paginator, each once, and reads timestamps as datetimes', async () => {
    for (let i = 0; i < 120; i++) await server.ecr.call('CreateRepository', { repositoryName: `repo-${String(i).padStart(3, '0')}` }, { region: 'eu-west-1' })
    const output = await run(`${client()}
import datetime
pages = list(ecr.get_paginator("describe_repositories").paginate(PaginationConfig={"PageSize": 50}))
names = [repository["repositoryName"] for page in pages for repository in page["repositories"]]
print(len(pages), len(names), len(set(names)))
print(all(isinstance(page["repositories"][0]["createdAt"], datetime.datetime) for page in pages))
`)
    expect(output).toBe('3 120 120\nTrue\n')
  })

  it('reads error codes, messages and HTTP statuses as botocore does', async () => {
    const output = await run(`${client()}
for call in (lambda: ecr.describe_images(repositoryName="missing"),
             lambda: ecr.create_repository(repositoryName="Not-Valid"),
             lambda: ecr.list_images(repositoryName="web", maxResults=5000)):
    try:
        call()
    except botocore.exceptions.ClientError as error:
        print(error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"])
        print(error.response["Error"]["Message"])
`)
    const lines = output.split('\n')
    expect(lines[0]).toBe('RepositoryNotFoundException 400')
    expect(lines[1]).toBe("The repository with name 'missing' does not exist in the registry with id '123456789012'")
    expect(lines[2]).toBe('InvalidParameterException 400')
    expect(lines[4]).toBe('InvalidParameterException 400')
  })

  it('puts an image and reads it back, and decodes an authorization token', async () => {
    await server.ecr.seed.repository('web', {}, { region: 'eu-west-1' })
    const image = await server.ecr.seed.image('web', { tag: 'v1', context: { region: 'eu-west-1' } })
    const output = await run(`${client()}
import base64
image = ecr.batch_get_image(repositoryName="web", imageIds=[{"imageTag": "v1"}])["images"][0]
print(image["imageId"]["imageDigest"])
ecr.put_image(repositoryName="web", imageManifest=image["imageManifest"], imageTag="v2")
print(sorted(ecr.describe_images(repositoryName="web")["imageDetails"][0]["imageTags"]))
token = ecr.get_authorization_token()["authorizationData"][0]
print(base64.b64decode(token["authorizationToken"]).decode().split(":")[0], token["proxyEndpoint"])
`)
    expect(output).toBe(`${image.imageDigest}\n['v1', 'v2']\nAWS ${server.url}\n`)
  })
})
