import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr'
import { mockClient } from 'aws-sdk-client-mock'
import { attachEcr } from '../handlers/sdk/attach.js'
import { createEcr, type Ecr } from '../src/index.js'
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
 * starts from one repository, `app`. CreateRepository makes a new one on every call; its two
 * stateful paths each have an engine of their own, emptied after every 1,000 repositories (the
 * reset counted in), as a test suite's `afterEach(() => ecr.reset())` keeps a registry small.
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

  const alone = createEcr({ region })
  await alone.seed.repository('app')

  let made = 0
  const newName = () => `repository-${made++}`
  /** CreateRepository in `engine`, emptied first after every 1,000 calls. */
  const creates = (engine: Ecr, create: (repositoryName: string) => Promise<unknown>) => {
    let calls = 0
    return async () => {
      if (++calls % 1000 === 0) await engine.reset()
      return create(newName())
    }
  }
  return {
    describeRepositories: [
      { name: 'SDK with attachEcr', run: () => attached.send(new DescribeRepositoriesCommand({})) },
      { name: 'SDK stubbed by aws-sdk-client-mock', run: () => stubbed.send(new DescribeRepositoriesCommand({})) },
      { name: 'ecr.call (engine only)', run: () => ecr.call('DescribeRepositories', {}) },
    ],
    createRepository: [
      { name: 'SDK with attachEcr', run: creates(ecr, (repositoryName) => attached.send(new CreateRepositoryCommand({ repositoryName }))) },
      { name: 'SDK stubbed by aws-sdk-client-mock', run: () => stubbed.send(new CreateRepositoryCommand({ repositoryName: newName() })) },
      { name: 'ecr.call (engine only)', run: creates(alone, (repositoryName) => alone.call('CreateRepository', { repositoryName })) },
    ],
  }
}
