import { EcrError } from '../src/errors.js'
import { isDate } from '../src/realms.js'

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1'

/**
 * The JSON body real ECR sends for an error. Errors raised by the AWS JSON front end before ECR
 * sees the request carry Coral's namespace and a capitalised `Message`, as AWS sends them.
 */
export function awsJsonErrorBody(error: EcrError): Record<string, string | number> {
  if (error.code === 'SerializationException' || error.code === 'UnknownOperationException') {
    return { __type: `com.amazon.coral.service#${error.code}`, Message: error.message }
  }
  return { __type: error.code, message: error.message, ...error.details }
}

/** An AWS JSON 1.1 error response for anything thrown while answering (non-ECR errors are a 500 ServerException). */
export function awsJsonError(error: unknown): Response {
  const ecrError = asEcrError(error)
  return awsJsonReply(ecrError.status, JSON.stringify(awsJsonErrorBody(ecrError)))
}

/** Anything thrown while answering, as the ECR error it is sent as: non-ECR errors are a 500 ServerException. */
export function asEcrError(error: unknown): EcrError {
  return error instanceof EcrError ? error : new EcrError('ServerException', `fake-ecr failed: ${String(error)}`)
}

/** An operation's output as AWS JSON 1.1: timestamps as epoch seconds. */
export function awsJsonOutput(output: unknown): Response {
  return awsJsonReply(200, awsJsonText(output))
}

/** The AWS JSON 1.1 text of an operation's output: timestamps as epoch seconds. */
export function awsJsonText(output: unknown): string {
  return JSON.stringify(output, epochSeconds)
}

/** AWS JSON sends timestamps as epoch seconds (with a fraction for milliseconds). */
function epochSeconds(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key]
  return isDate(raw) ? raw.getTime() / 1000 : value
}

function awsJsonReply(status: number, body: string): Response {
  return new Response(body, {
    status,
    // Date, as AWS sends it: the SDK corrects its clock offset from it after a "Signature expired".
    headers: { 'Content-Type': JSON_CONTENT_TYPE, 'x-amzn-RequestId': crypto.randomUUID(), Date: new Date().toUTCString() },
  })
}
