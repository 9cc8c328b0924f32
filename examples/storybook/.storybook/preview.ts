import type { Preview } from '@storybook/react-vite'
import { mswLoader } from 'msw-storybook-addon/csf3'

const preview: Preview = {
  // Starts MSW's worker once, resets its handlers before every story and applies `parameters.msw`.
  loaders: [mswLoader()],
}

export default preview
