import { resolveEnhancedScanning } from '../../src/domain/enhanced-scans.js'
import { Engine } from '../../src/engine.js'
import { defaultEnhancedScanFindings } from '../../src/enhanced-scan-findings.js'
import { createEmitter } from '../../src/events.js'
import { memoryStorage, type StoredRecord } from '../../src/index.js'
import { resolveLimits } from '../../src/limits.js'
import { defaultScanFindings } from '../../src/scan-findings.js'
import { UpstreamCatalog } from '../../src/upstream-catalog.js'

/** An engine as createEcr builds it, to drive the commit path with work of the test's own. */
export function testEngine(storage = memoryStorage()) {
  const emitter = createEmitter()
  const changes: Array<readonly StoredRecord[]> = []
  emitter.on('change', ({ records }) => changes.push(records))
  const instance = new Engine({
    accountId: '111111111111',
    region: 'us-east-1',
    now: () => Date.UTC(2025, 0, 15, 12),
    newId: () => crypto.randomUUID(),
    settings: {
      verifyReferences: true,
      scanDurationMs: 0,
      lifecyclePreviewDurationMs: 0,
      imageRestoreDurationMs: 0,
      signingDurationMs: 0,
      signingFailure: undefined,
      replicationDurationMs: 0,
      scanFindings: defaultScanFindings,
      enhancedScanFindings: defaultEnhancedScanFindings,
      enhancedScanning: resolveEnhancedScanning(),
      limits: resolveLimits(),
      upstreams: new UpstreamCatalog(),
    },
    storage,
    emitter,
    reportStorageError: (error) => {
      throw error
    },
    beforeWrite: undefined,
  })
  return { engine: instance, changes, storage }
}
