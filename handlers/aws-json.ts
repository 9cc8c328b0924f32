import { EcrError } from '../src/errors.js'
import { isDate } from '../src/realms.js'

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1'

/**
 * An HTTP answer before it becomes a transport's own response object (a Fetch `Response` for MSW
 * and the server, a plain object for the SDK request handler). Header names are lower-case, as
 * both the Fetch `Headers` and the SDK read them.
 */
export interface ApiAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

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

/** An AWS JSON 1.1 error answer for anything thrown while answering (non-ECR errors are a 500 ServerException). */
export function awsJsonError(error: unknown): ApiAnswer {
  const ecrError = asEcrError(error)
  return awsJsonReply(ecrError.status, JSON.stringify(awsJsonErrorBody(ecrError)))
}

/** Anything thrown while answering, as the ECR error it is sent as: non-ECR errors are a 500 ServerException. */
export function asEcrError(error: unknown): EcrError {
  return error instanceof EcrError ? error : new EcrError('ServerException', `fake-ecr failed: ${String(error)}`)
}

/** An operation's output as AWS JSON 1.1: timestamps as epoch seconds. */
export function awsJsonOutput(output: unknown): ApiAnswer {
  return awsJsonReply(200, awsJsonText(output))
}

/** The AWS JSON 1.1 text of an operation's output: timestamps as epoch seconds. */
export function awsJsonText(output: unknown): string {
  return JSON.stringify(epochSeconds(output))
}

/** An answer as a Fetch `Response` (what MSW handlers and the standalone server return). */
export function toResponse({ status, headers, body }: ApiAnswer): Response {
  return new Response(body, { status, headers })
}

/**
 * A copy of an output with its timestamps as epoch seconds (with a fraction for milliseconds), as
 * AWS JSON sends them. A copy, not a `JSON.stringify` replacer: a replacer takes V8 off its fast
 * path, and a page of 1,000 images then costs twice as long to write (decisions/sdk-request-handler.md).
 */
function epochSeconds(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(epochSeconds)
  const prototype: unknown = Object.getPrototypeOf(value)
  // Plain objects first (the engine makes these); then dates and plain objects of any realm.
  if (prototype !== Object.prototype && prototype !== null) {
    if (isDate(value)) return value.getTime() / 1000
    if (Object.prototype.toString.call(value) !== '[object Object]') return value
  }
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const member = epochSeconds((value as Record<string, unknown>)[key])
    // `__proto__` from a null-prototype object stays an ordinary member.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: member, enumerable: true, writable: true, configurable: true })
    else copy[key] = member
  }
  return copy
}

function awsJsonReply(status: number, body: string): ApiAnswer {
  return {
    status,
    // Date, as AWS sends it: the SDK corrects its clock offset from it after a "Signature expired".
    headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': crypto.randomUUID(), date: new Date().toUTCString() },
    body,
  }
}
