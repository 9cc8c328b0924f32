/**
 * The AWS error codes the engine can raise: every error shape in ECR's model plus the
 * protocol-level errors every AWS JSON service sends.
 */
export type EcrErrorCode =
  | 'EmptyUploadException'
  | 'ImageAlreadyExistsException'
  | 'ImageDigestDoesNotMatchException'
  | 'ImageNotFoundException'
  | 'ImageTagAlreadyExistsException'
  | 'InvalidLayerException'
  | 'InvalidLayerPartException'
  | 'InvalidParameterException'
  | 'InvalidTagParameterException'
  | 'KmsException'
  | 'LayerAlreadyExistsException'
  | 'LayerInaccessibleException'
  | 'LayerPartTooSmallException'
  | 'LayersNotFoundException'
  | 'LifecyclePolicyNotFoundException'
  | 'LimitExceededException'
  | 'ReferencedImagesNotFoundException'
  | 'RegistryPolicyNotFoundException'
  | 'RepositoryAlreadyExistsException'
  | 'RepositoryNotEmptyException'
  | 'RepositoryNotFoundException'
  | 'RepositoryPolicyNotFoundException'
  | 'ScanNotFoundException'
  | 'ServerException'
  | 'TooManyTagsException'
  | 'UnsupportedImageTypeException'
  | 'UploadNotFoundException'
  | 'ValidationException'
  // Protocol-level errors (not in ECR's model; sent by the AWS JSON front end).
  | 'SerializationException'
  | 'UnknownOperationException'

/**
 * An ECR error as a value: the AWS error code (`__type` on the wire), the message, the HTTP
 * status and any modelled extra members (e.g. `lastValidByteReceived`).
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
    /** HTTP status (default: 500 for ServerException, else 400, as ECR answers). */
    status?: number,
  ) {
    super(message)
    this.name = code
    this.code = code
    this.status = status ?? (code === 'ServerException' ? 500 : 400)
    this.details = details
  }

  /**
   * The JSON body real ECR sends for this error. Errors raised by the AWS JSON front end before
   * ECR sees the request carry Coral's namespace and a capitalised `Message`, as AWS sends them.
   */
  toJSON(): Record<string, string | number> {
    if (this.code === 'SerializationException' || this.code === 'UnknownOperationException') {
      return { __type: `com.amazon.coral.service#${this.code}`, Message: this.message }
    }
    return { __type: this.code, message: this.message, ...this.details }
  }
}

/** InvalidParameterException in the form ECR uses for a member that breaks a constraint. */
export function invalidParameter(member: string, constraint: string): EcrError {
  return new EcrError(
    'InvalidParameterException',
    `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`,
  )
}
