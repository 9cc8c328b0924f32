import { recipesIn, type ItemRecipe } from '../src/answer-recipes.js'
import { EcrError } from '../src/errors.js'
import { randomId } from '../src/random-id.js'
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
  /** Text, or its UTF-8 when the answer was put together from kept bytes. */
  body: string | Uint8Array<ArrayBuffer>
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

/**
 * An operation's output as AWS JSON 1.1: timestamps as epoch seconds. The items of a recipe list
 * (src/answer-recipes.ts) are written once per recipe and kept as UTF-8: a page of 1,000 image
 * details is then copied together, not written (decisions/page-cost.md).
 */
export function awsJsonOutput(output: unknown): ApiAnswer {
  return awsJsonReply(200, hasRecipeList(output) ? bytesWithRecipeLists(output) : awsJsonText(output))
}

/** The AWS JSON 1.1 text of an operation's output (with its items made): timestamps as epoch seconds. */
export function awsJsonText(output: unknown): string {
  return JSON.stringify(epochSeconds(output))
}

/**
 * The UTF-8 of each recipe's item followed by a comma, kept as long as the recipe lives: a list
 * is copied together with one copy per item, the last comma overwritten by what follows it.
 */
const itemBytes = new WeakMap<ItemRecipe<unknown>, Uint8Array>()

const encoder = new TextEncoder()

function hasRecipeList(output: unknown): output is Record<string, unknown> {
  if (typeof output !== 'object' || output === null) return false
  for (const member of Object.values(output)) if (recipesIn(member) !== undefined) return true
  return false
}

/** The output's JSON as UTF-8, the items of its recipe lists from (and into) {@link itemBytes}. */
function bytesWithRecipeLists(output: Record<string, unknown>): Uint8Array<ArrayBuffer> {
  // Pieces and where each starts: the piece after a list starts on its last item's comma.
  const pieces: Uint8Array[] = []
  const starts: number[] = []
  let size = 0
  const add = (piece: Uint8Array) => {
    pieces.push(piece)
    starts.push(size)
    size += piece.byteLength
  }
  // Text not yet encoded: everything between two recipe lists.
  let text = '{'
  let first = true
  for (const [name, member] of Object.entries(output)) {
    if (member === undefined) continue
    text += `${first ? '' : ','}${JSON.stringify(name)}:`
    first = false
    const recipes = recipesIn(member)
    if (recipes === undefined) {
      text += JSON.stringify(epochSeconds(member))
      continue
    }
    add(encoder.encode(`${text}[`))
    for (const recipe of recipes) add(itemWithComma(recipe))
    if (recipes.length > 0) size--
    text = ']'
  }
  add(encoder.encode(`${text}}`))
  const bytes = new Uint8Array(size)
  for (let i = 0; i < pieces.length; i++) bytes.set(pieces[i]!, starts[i])
  return bytes
}

function itemWithComma(recipe: ItemRecipe<unknown>): Uint8Array {
  let bytes = itemBytes.get(recipe)
  if (bytes === undefined) {
    bytes = encoder.encode(`${JSON.stringify(epochSeconds(recipe.make()))},`)
    itemBytes.set(recipe, bytes)
  }
  return bytes
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

function awsJsonReply(status: number, body: string | Uint8Array<ArrayBuffer>): ApiAnswer {
  return {
    status,
    // Date, as AWS sends it: the SDK corrects its clock offset from it after a "Signature expired".
    headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': randomId(), date: new Date().toUTCString() },
    body,
  }
}
