import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))

/**
 * The demo console: `npm run demo` serves it on http://127.0.0.1:5180. The e2e tests build it
 * with this config and serve the build with Vite's preview server on a free port.
 */
export default defineConfig({
  root,
  // The page imports the engine and handlers from the repository's src/ and handlers/.
  server: { host: '127.0.0.1', port: 5180, strictPort: true, fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  preview: { host: '127.0.0.1', port: 5180, strictPort: true },
  // Its own cache: other Vite users of the repository (vitest's browser mode) keep theirs.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite/e2e', import.meta.url)),
  // One bundle of the SDK, MSW, zod and the engine (~800 kB): a demo, not a site to split.
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
})
