import { ECRClient } from '@aws-sdk/client-ecr'
import { setupEcrWorker } from '../handlers/browser/index.js'
import { mountConsole } from './console.js'
import { byId, describeError } from './dom.js'
import './style.css'

const region = 'us-east-1'

try {
  const { ecr, persistence } = await setupEcrWorker({
    databaseName: 'fake-ecr-console',
    region,
    quiet: true,
    serviceWorkerUrl: `${import.meta.env.BASE_URL}mockServiceWorker.js`,
  })
  // In a browser the SDK finds no credentials of its own: static ones (the fake checks none) and a region.
  const client = new ECRClient({
    region,
    credentials: { accessKeyId: 'AKIAFAKEECRCONSOLE00', secretAccessKey: 'fake-ecr-console' },
    // Show errors at once: the SDK would retry throttling (a second scan within 24 hours) for seconds.
    maxAttempts: 1,
  })
  mountConsole({
    ecr,
    client,
    storageLabel: persistence === 'indexeddb' ? 'state in IndexedDB, shared by this browser’s tabs' : 'state in memory only',
  })
} catch (error) {
  const banner = byId('error')
  banner.hidden = false
  banner.textContent = `The fake ECR did not start: ${describeError(error)}`
}
