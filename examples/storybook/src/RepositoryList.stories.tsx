import type { Meta, StoryObj } from '@storybook/react-vite'
import { createEcr } from 'fake-ecr'
import { ecrHandlers, ecrStoryHandlers } from 'fake-ecr/handlers'
import { RepositoryList } from './RepositoryList'

// The fake's registry is us-east-1's unless told otherwise: an engine for a client in another
// region is given that region, or the client sees an empty registry.
const region = 'eu-west-1'

const meta = {
  component: RepositoryList,
  args: { region },
} satisfies Meta<typeof RepositoryList>

export default meta
type Story = StoryObj<typeof meta>

/** A fresh registry with two repositories, in the `parameters.msw` form. */
export const WithRepositories: Story = {
  parameters: {
    msw: {
      handlers: ecrStoryHandlers({ repositories: [{ name: 'web', images: [{ tag: 'v1' }, { tag: 'v2' }] }, { name: 'api' }] }, { region }),
    },
  },
}

/** DescribeRepositories answers after an hour, in the `beforeEach({ msw })` form (msw-storybook-addon 3's). */
export const Loading: Story = {
  beforeEach({ msw }) {
    const ecr = createEcr({ region })
    ecr.faults.add({ operations: ['DescribeRepositories'], latencyMs: 3_600_000 })
    msw.use(...ecrHandlers(ecr))
  },
}

/** DescribeRepositories is refused with an error the SDK does not retry, so it shows at once. */
export const AccessDenied: Story = {
  beforeEach({ msw }) {
    const ecr = createEcr({ region })
    ecr.faults.add({ operations: ['DescribeRepositories'], error: { code: 'AccessDeniedException', message: 'User is not authorized to list repositories' } })
    msw.use(...ecrHandlers(ecr))
  },
}
