import { bench, describe } from 'vitest'
import { createEcr, type Ecr } from '../src/index.js'
import { benchManifest } from './fixtures.js'

/**
 * What the effects of a push cost (issue 9): a PutImage of a new image into a repository that
 * nothing watches, against one that replicates to two regions, is signed by a managed-signing
 * rule, is scanned by Amazon Inspector (ENHANCED, continuous), or all of these. Each effect runs
 * within the push (durations 0), so the numbers include the replication copies, the signature
 * pushed and the initial Inspector scan. And a day of continuous rescans of 1,000 images, which
 * the first call after the day runs.
 */
const DAY = 24 * 60 * 60 * 1000

type Setup = (ecr: Ecr) => Promise<unknown>

const replication: Setup = (ecr) =>
  ecr.call('PutReplicationConfiguration', {
    replicationConfiguration: {
      rules: [{ destinations: [{ region: 'us-west-2', registryId: ecr.accountId }, { region: 'eu-west-1', registryId: ecr.accountId }] }],
    },
  })

const signing: Setup = (ecr) =>
  ecr.call('PutSigningConfiguration', {
    signingConfiguration: { rules: [{ signingProfileArn: `arn:aws:signer:${ecr.region}:${ecr.accountId}:/signing-profiles/bench` }] },
  })

const inspector: Setup = (ecr) =>
  ecr.call('PutRegistryScanningConfiguration', {
    scanType: 'ENHANCED',
    rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }],
  })

const CASES: Record<string, Setup[]> = {
  'nothing configured': [],
  'replication to 2 regions': [replication],
  'managed signing': [signing],
  'ENHANCED continuous scanning': [inspector],
  'all three': [replication, signing, inspector],
}

/** An engine with `setups` applied and a pusher of new images into its repository `app`. */
async function pusher(setups: Setup[], now = () => Date.UTC(2030, 0, 1)) {
  const ecr = createEcr({ verifyReferences: false, now })
  await ecr.seed.repository('app')
  for (const setup of setups) await setup(ecr)
  let n = 0
  return { ecr, push: () => ecr.call('PutImage', { repositoryName: 'app', imageManifest: benchManifest(n++), imageTag: `t${n}` }) }
}

describe('PutImage of a new image, with the effects of a push (ecr.call)', () => {
  for (const [name, setups] of Object.entries(CASES)) {
    const ready = pusher(setups)
    bench(name, async () => {
      await (await ready).push()
    }, { time: 1000 })
  }
})

describe('a day of continuous Inspector rescans, 1,000 images (the first call after the day)', () => {
  let clock = Date.UTC(2030, 0, 1)
  const ready = (async () => {
    const engine = await pusher([inspector], () => clock)
    for (let i = 0; i < 1000; i++) await engine.push()
    return engine
  })()
  bench('catch up one day', async () => {
    const { ecr } = await ready
    clock += DAY
    await ecr.catchUp()
  }, { iterations: 10 })
})
