import { bench, describe } from 'vitest'
import { attachPaths } from './attach-paths.js'

const paths = await attachPaths()
const options = { time: 1000 }

describe('DescribeRepositories of one repository, client level', () => {
  for (const { name, run } of paths.describeRepositories) bench(name, async () => void (await run()), options)
})

describe('CreateRepository, client level', () => {
  for (const { name, run } of paths.createRepository) bench(name, async () => void (await run()), options)
})
