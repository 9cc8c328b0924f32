import type { StorybookConfig } from '@storybook/react-vite'

const config: StorybookConfig = {
  framework: '@storybook/react-vite',
  stories: ['../src/**/*.stories.tsx'],
  addons: ['msw-storybook-addon'],
  // Serves MSW's worker script (`msw init public`) at /mockServiceWorker.js.
  staticDirs: ['../public'],
}

export default config
