import { errorStatus, type ModelErrorCode } from './model/shapes.generated.js'

/**
 * The AWS error codes the engine raises: every error in ECR's model (generated from it) plus the
 * two that the AWS JSON front end sends before ECR sees a request.
 */
export type EcrErrorCode = ModelErrorCode | 'SerializationException' | 'UnknownOperationException'

/**
 * An ECR error as a value: the AWS error code (`__type` on the wire), the message, the HTTP
 * status and any modelled extra members (e.g. `lastValidByteReceived`). How it is written on the
 * wire is the protocol's business (`fake-ecr/handlers`).
 *
 * @example
 * try {
 *   await ecr.call('DescribeRepositories', { repositoryNames: ['missing'] })
 * } catch (error) {
 *   if (error instanceof EcrError && error.code === 'RepositoryNotFoundException') {
 *     // …
 *   }
 * }
 */
export class EcrError extends Error {
  override readonly name: string
  /** The AWS error code: one of ECR's ({@link EcrErrorCode}), or any code an injected fault names. */
  readonly code: EcrErrorCode | (string & {})
  readonly status: number
  readonly details: Readonly<Record<string, string | number>>

  constructor(
    code: EcrErrorCode | (string & {}),
    message: string,
    details: Record<string, string | number> = {},
    /** HTTP status (default: the one ECR's model gives the error, else 400). */
    status?: number,
  ) {
    super(message)
    this.name = code
    this.code = code
    this.status = status ?? (Object.hasOwn(errorStatus, code) ? errorStatus[code as ModelErrorCode] : 400)
    this.details = details
  }
}

/** InvalidParameterException in the form ECR uses for a member that breaks a constraint. */
export function invalidParameter(member: string, constraint: string): EcrError {
  return new EcrError(
    'InvalidParameterException',
    `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`,
  )
}
