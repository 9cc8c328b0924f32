import { EcrError } from '../errors.js'

/** The error codes of the OCI distribution specification (and Docker's registry API) that ECR answers with. */
export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DENIED'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'RANGE_INVALID'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'TOOMANYREQUESTS'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED'

/**
 * A registry API (`/v2/`) error as a value: the OCI error code, the HTTP status, ECR's message
 * and any detail. The handlers write it as `{"errors":[{"code","message","detail"}]}`.
 *
 * @example
 * throw new RegistryError('MANIFEST_UNKNOWN', 404, 'Requested image not found')
 */
export class RegistryError extends Error {
  override readonly name = 'RegistryError'

  constructor(
    readonly code: RegistryErrorCode,
    readonly status: number,
    message: string,
    readonly detail?: unknown,
    /** Response headers the error needs (the `WWW-Authenticate` challenge, `Range`…). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
  }
}

/** What a registry request was doing when the engine refused it: decides the code of errors that depend on it. */
export type RegistryStep = 'pull-manifest' | 'push-manifest' | 'delete-manifest' | 'blob' | 'upload' | 'list'

/** ECR's answer to a pull of an image it does not hold. */
export const manifestUnknown = () => new RegistryError('MANIFEST_UNKNOWN', 404, 'Requested image not found')

/**
 * The registry error ECR answers for an error of its API's backend (discoveries/registry-api.md):
 * the same message under the matching OCI code. Errors that are not EcrErrors, and ECR's own
 * server errors, are rethrown as they are.
 */
export function registryErrorOf(error: unknown, step: RegistryStep): unknown {
  if (!(error instanceof EcrError) || error.status >= 500) return error
  const { message } = error
  switch (error.code) {
    case 'RepositoryNotFoundException':
      return new RegistryError('NAME_UNKNOWN', 404, message)
    case 'AccessDeniedException':
    case 'LimitExceededException':
      return new RegistryError('DENIED', 403, message)
    case 'ImageNotFoundException':
      return manifestUnknown()
    case 'ImageTagAlreadyExistsException':
      return new RegistryError('TAG_INVALID', 400, message)
    case 'ImageDigestDoesNotMatchException':
      return new RegistryError('MANIFEST_INVALID', 400, message)
    case 'LayersNotFoundException':
    case 'ReferencedImagesNotFoundException':
      return step === 'push-manifest' ? new RegistryError('MANIFEST_BLOB_UNKNOWN', 400, message) : new RegistryError('BLOB_UNKNOWN', 404, message)
    case 'UnableToGetUpstreamImageException':
    case 'UnableToGetUpstreamLayerException':
      // An upstream that refuses the rule's credentials is `denied`; an image or layer it lacks is unknown.
      if (message.startsWith('The authentication')) return new RegistryError('DENIED', 403, message)
      return error.code === 'UnableToGetUpstreamImageException' ? manifestUnknown() : new RegistryError('BLOB_UNKNOWN', 404, message)
    case 'InvalidParameterException':
      // ECR answers manifests it cannot classify with 405 UNSUPPORTED and this text.
      if (message.endsWith("'Invalid JSON syntax'")) return new RegistryError('UNSUPPORTED', 405, message)
      return step === 'push-manifest' ? new RegistryError('MANIFEST_INVALID', 400, message) : new RegistryError('UNSUPPORTED', 405, message)
    case 'ThrottlingException':
      return new RegistryError('TOOMANYREQUESTS', 429, message)
    case 'UploadNotFoundException':
      return new RegistryError('BLOB_UPLOAD_UNKNOWN', 404, message)
    default:
      if (step === 'upload') return new RegistryError('BLOB_UPLOAD_INVALID', 400, message)
      if (step === 'push-manifest') return new RegistryError('MANIFEST_INVALID', 400, message)
      // Archived images and layers, among others: ECR refuses what it will not serve.
      return new RegistryError('DENIED', 403, message)
  }
}
