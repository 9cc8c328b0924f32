import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr'
import { mockClient } from 'aws-sdk-client-mock'
import { attachEcr } from '../handlers/sdk/attach.js'
import { createEcr } from '../src/index.js'
import { credentials } from './fixtures.js'

/** One way to make a call, measured against the others in the same run. */
export interface BenchPath {
  name: string
  run: () => Promise<unknown>
}

const region = 'us-east-1'

/**
 * The client-level paths of issue 11, per operation: the SDK with an engine attached
 * (`attachEcr`), the SDK stubbed by aws-sdk-client-mock with a constant answer (the floor it is
 * judged against: no state, no validation), and the engine alone (`ecr.call`). Each operation
 * starts from one repository, `app`; CreateRepository makes a new one on every call.
 *
 * @example
 * for (const path of (await attachPaths()).describeRepositories) bench(path.name, path.run)
 */
export async function attachPaths(): Promise<{ describeRepositories: BenchPath[]; createRepository: BenchPath[] }> {
  const ecr = createEcr({ region })
  await ecr.seed.repository('app')

  const attached = new ECRClient({ region, credentials, maxAttempts: 1 })
  attachEcr(attached, ecr)

  // The stub answers with what the engine answers, so both return the same objects.
  const stubbed = new ECRClient({ region, credentials, maxAttempts: 1 })
  const { $metadata: _described, ...described } = await attached.send(new DescribeRepositoriesCommand({}))
  const { $metadata: _created, ...created } = await attached.send(new CreateRepositoryCommand({ repositoryName: 'stubbed' }))
  const stub = mockClient(stubbed)
  stub.on(DescribeRepositoriesCommand).resolves(described)
  stub.on(CreateRepositoryCommand).resolves(created)
  await ecr.call('DeleteRepository', { repositoryName: 'stubbed' })

  let made = 0
  const newName = () => `repository-${made++}`
  return {
    describeRepositories: [
      { name: 'SDK with attachEcr', run: () => attached.send(new DescribeRepositoriesCommand({})) },
      { name: 'SDK stubbed by aws-sdk-client-mock', run: () => stubbed.send(new DescribeRepositoriesCommand({})) },
      { name: 'ecr.call (engine only)', run: () => ecr.call('DescribeRepositories', {}) },
    ],
    createRepository: [
      { name: 'SDK with attachEcr', run: () => attached.send(new CreateRepositoryCommand({ repositoryName: newName() })) },
      { name: 'SDK stubbed by aws-sdk-client-mock', run: () => stubbed.send(new CreateRepositoryCommand({ repositoryName: newName() })) },
      { name: 'ecr.call (engine only)', run: () => ecr.call('CreateRepository', { repositoryName: newName() }) },
    ],
  }
}
