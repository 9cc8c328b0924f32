import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, RepositoryAlreadyExistsException } from '@aws-sdk/client-ecr'
import { expect, it } from 'vitest'
import { ecrRequestHandler } from '../../handlers/sdk/index.js'
import { createEcr } from '../../src/index.js'

// Node and Chromium alike (the `browser` project runs this file too): in a page, the SDK's
// browser build sends nothing over the network, and no service worker is involved.
it('answers an ECRClient from the engine, with signatures verified, wherever it runs', async () => {
  const key = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }
  const ecr = createEcr()
  const client = new ECRClient({ region: 'eu-west-1', credentials: key, maxAttempts: 1, requestHandler: ecrRequestHandler(ecr, { credentials: [{ ...key, accountId: '111122223333' }] }) })
  const { repository } = await client.send(new CreateRepositoryCommand({ repositoryName: 'web' }))
  expect(repository?.repositoryUri).toBe('111122223333.dkr.ecr.eu-west-1.amazonaws.com/web')
  const again = await client.send(new CreateRepositoryCommand({ repositoryName: 'web' })).catch((error: unknown) => error)
  expect(again).toBeInstanceOf(RepositoryAlreadyExistsException)
  const { repositories } = await client.send(new DescribeRepositoriesCommand({}))
  expect(repositories?.map((each) => [each.repositoryName, each.createdAt instanceof Date])).toEqual([['web', true]])
})
