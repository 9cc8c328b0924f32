import * as sdk from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { useFakeEcr } from './harness.js'

// Every command the installed @aws-sdk/client-ecr exports must be an operation the fake answers:
// the day the SDK gains an operation the fake does not know, this fails.

const { client } = useFakeEcr()

type CommandClass = new (input: object) => Parameters<sdk.ECRClient['send']>[0]

const commands = Object.entries(sdk)
  .filter(([name, value]) => name.endsWith('Command') && typeof value === 'function' && 'getEndpointParameterInstructions' in value)
  .map(([name, value]) => [name.slice(0, -'Command'.length), value as unknown as CommandClass] as const)

describe('every operation of the installed SDK', () => {
  it('finds the SDK’s commands', () => {
    // 62 in @aws-sdk/client-ecr 3.1169; more is fine, fewer means the lookup broke.
    expect(commands.length).toBeGreaterThanOrEqual(62)
  })

  it.each(commands)('%s is answered by the fake, not UnknownOperationException', async (_name, Command) => {
    const outcome = await client()
      .send(new Command({}))
      .then(
        () => 'answered',
        (error: { name?: string }) => error.name,
      )
    expect(outcome).not.toBe('UnknownOperationException')
  })
})
