import { fileURLToPath } from 'node:url'
import { playwright } from '@vitest/browser-playwright'
import type { Plugin } from 'vite'
import type { TestProjectInlineConfiguration } from 'vitest/config'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/** The shared test files that use Node's Buffer get the browser one, as a module import. */
const bufferForSharedTests: Plugin = {
  name: 'fake-ecr:buffer-for-shared-tests',
  transform(code, id) {
    if (!/\/test\/(sdk\/[^/]+\.test|fixtures)\.ts$/.test(id) || !/\bBuffer\./.test(code)) return undefined
    // Same line: line numbers in stack traces stay those of the file.
    return { code: `import { Buffer } from ${JSON.stringify(here('./buffer.ts'))};${code}`, map: null }
  },
}

/**
 * The `browser` project: a representative part of the SDK suite (repositories, images, pagination,
 * layer uploads, scanning), the same files as in Node, run in Chromium. The SDK's browser build
 * sends real fetches; MSW's service worker (e2e/public/mockServiceWorker.js) hands them to the
 * engine in the page. test/browser/harness.ts stands in for test/sdk/harness.ts, and SHA-256
 * comes from the AWS SDK's implementation instead of node:crypto. Files named `*.neutral.test.ts`
 * run here and in Node alike.
 */
export const browserProject: TestProjectInlineConfiguration = {
  extends: true,
  publicDir: here('../../e2e/public'),
  plugins: [bufferForSharedTests],
  resolve: {
    alias: [
      { find: /^\.\/harness\.js$/, replacement: here('./harness.ts') },
      { find: /^node:crypto$/, replacement: here('./node-crypto.ts') },
    ],
  },
  test: {
    name: 'browser',
    include: ['test/sdk/{repositories,images,pagination,layers,scanning}.test.ts', 'test/**/*.neutral.test.ts'],
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          // Debian's Chromium: no browser can be downloaded here or in CI.
          executablePath: '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
}
