import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr'

// A page on one origin that drives the standalone server on another (its address in `?endpoint=`)
// with the AWS SDK, as a web app in development would: it shows the repositories, or the error.
const endpoint = new URLSearchParams(location.search).get('endpoint') ?? ''
const client = new ECRClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })

try {
  await client.send(new CreateRepositoryCommand({ repositoryName: 'web' }))
  const { repositories = [] } = await client.send(new DescribeRepositoriesCommand({}))
  document.body.textContent = `repositories: ${repositories.map((repository) => repository.repositoryName).join(', ')}`
} catch (error) {
  document.body.textContent = `failed: ${(error as Error).name}`
}
