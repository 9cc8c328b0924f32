import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    benchmark: {
      include: ['bench/**/*.bench.ts'],
    },
    // One file at a time: benchmarks running side by side on 2 cores would time each other.
    fileParallelism: false,
    // The SDK's notice that its 2027 releases need Node 22 is noise on Node 20.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
})
