import { EcrError } from './errors.js'
import type { FaultOptions, Faults, OperationName } from './glossary.js'

const DEFAULT_ERRORS: ReadonlyMap<string, { message: string; status: number }> = new Map([
  ['ThrottlingException', { message: 'Rate exceeded', status: 400 }],
  ['ServerException', { message: 'Internal server error', status: 500 }],
  ['ServiceUnavailableException', { message: 'Service Unavailable', status: 503 }],
  ['AccessDeniedException', { message: 'User is not authorized to perform this action', status: 400 }],
])

interface ActiveFault extends FaultOptions {
  affected: number
}

/** The engine's fault table; `before` runs ahead of every call and may delay or fail it. */
export function createFaults(random: () => number, sleep: (ms: number) => Promise<void>): Faults & {
  before(operation: string): Promise<void>
} {
  const active = new Set<ActiveFault>()
  return {
    add(options) {
      const probability = options.probability ?? 1
      if (!(probability >= 0 && probability <= 1)) throw new RangeError(`Fault probability must be from 0 to 1, got ${probability}`)
      const fault: ActiveFault = { ...options, affected: 0 }
      active.add(fault)
      return {
        get affected() {
          return fault.affected
        },
        remove: () => void active.delete(fault),
      }
    },
    clear: () => active.clear(),
    async before(operation) {
      let latency = 0
      let error: FaultOptions['error']
      for (const fault of active) {
        if (fault.operations !== undefined && !fault.operations.includes(operation as OperationName)) continue
        if (fault.times !== undefined && fault.affected >= fault.times) continue
        if (random() >= (fault.probability ?? 1)) continue
        fault.affected++
        latency += fault.latencyMs ?? 0
        error ??= fault.error
      }
      if (latency > 0) await sleep(latency)
      if (error !== undefined) {
        const defaults = DEFAULT_ERRORS.get(error.code)
        throw new EcrError(
          error.code,
          error.message ?? defaults?.message ?? `Injected ${error.code} for ${operation}`,
          {},
          error.status ?? defaults?.status,
        )
      }
    },
  }
}
