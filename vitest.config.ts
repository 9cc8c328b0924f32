import { defineConfig } from 'vitest/config'
import { browserProject } from './test/browser/vitest.project.js'

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // A worker per core. Vitest's default leaves one core free: one worker on a 2-core CI machine,
    // where much of the suite waits on child processes (npm, the AWS CLI, skopeo, Chromium).
    // Two workers there: npm test in ~6 minutes instead of ~8.
    maxWorkers: '100%',
    // The SDK's notice that its 2027 releases need Node 22 is noise in every test on Node 20.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // .ci/run reads the JSON report; the console keeps vitest's usual output.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        // Everything once; the SDK suite through MSW, which intercepts the SDK in process.
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts'] },
      },
      {
        // The SDK suite again, through the standalone server over real HTTP.
        extends: true,
        test: { name: 'sdk-over-http', include: ['test/sdk/**/*.test.ts'], env: { FAKE_ECR_TRANSPORT: 'http' } },
      },
      {
        // The SDK suite again (and the harness's fault and quota files), through fake-ecr/sdk's
        // request handler: no interception, no HTTP.
        extends: true,
        test: {
          name: 'sdk-handler',
          include: ['test/sdk/**/*.test.ts', 'test/faults/sdk-retries.test.ts', 'test/limits/quotas.test.ts'],
          env: { FAKE_ECR_TRANSPORT: 'sdk' },
        },
      },
      {
        // The SDK suite again, with the engine attached to each client (attachEcr): no requests at all.
        extends: true,
        test: {
          name: 'sdk-attached',
          include: ['test/sdk/**/*.test.ts', 'test/conformance/conformance.test.ts'],
          env: { FAKE_ECR_TRANSPORT: 'attached' },
        },
      },
      // Part of the SDK suite again, in Chromium through MSW's service worker.
      browserProject,
    ],
  },
})
