import type { ECRClient } from '@aws-sdk/client-ecr'
import type { Ecr } from '../../src/glossary.js'
import { randomId } from '../../src/random-id.js'
import { asEcrError, awsJsonErrorBody, awsJsonText } from '../aws-json.js'
import { outputReader, Unreadable } from './output-reader.js'

/** What `attachEcr` reads of a command: its input and the operation schema the SDK builds it with. */
interface SchemaCommand {
  input: unknown
  /** `[9, namespace, name, traits, input, output]`: a static operation schema of `@smithy/core`. */
  schema?: unknown
}

/** The SDK's response as its protocol reads it (an `HttpResponse` without the class). */
interface WireAnswer {
  statusCode: number
  headers: Record<string, string>
  body: Uint8Array
}

/** An operation schema as the SDK's deserialization middleware hands it to the protocol. */
interface OperationSchema {
  namespace: string
  name: string
  traits: unknown
  input: unknown
  output: unknown
}

/** The part of the client's protocol (`client.config.protocol`) that reads answers. */
interface WireReader {
  deserializeResponse(operation: OperationSchema, context: unknown, response: WireAnswer): Promise<{ $metadata: Record<string, unknown> }>
}

type Send = (command: SchemaCommand, optionsOrCallback?: unknown, callback?: unknown) => Promise<unknown> | void

/** The clients attached now, so that attaching one twice fails instead of stacking. */
const attached = new WeakSet<object>()
const encoder = new TextEncoder()

/**
 * Attaches an engine to an existing `ECRClient`: `client.send(command)` then answers from the
 * engine, skipping the client's middleware stack — serialization, signing, retries (one attempt,
 * so an injected fault fails the call), HTTP, and any middleware you added. The engine still
 * validates the input, so invalid calls fail as ECR fails them. Outputs are what the SDK returns
 * for the same answer over the wire: read along the command's own output schema (members the
 * SDK does not know dropped, timestamps as Dates, `$metadata`), and errors are read by the
 * client's own protocol from ECR's error body, so they are the SDK's exception classes
 * (`instanceof RepositoryNotFoundException`, `$fault`, `$metadata`). Calls act in the client's
 * region (`client.config.region`) and the engine's account; the client's endpoint and
 * credentials are not consulted. Returns a function that restores the client's own `send`.
 * Needs `@aws-sdk/client-ecr` 3.975 or later (commands that carry their schema).
 *
 * @example
 * import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr'
 * import { createEcr } from 'fake-ecr'
 * import { attachEcr } from 'fake-ecr/sdk'
 *
 * const ecr = createEcr()
 * const client = new ECRClient({ region: 'eu-west-1' })
 * const detach = attachEcr(client, ecr)
 * await client.send(new CreateRepositoryCommand({ repositoryName: 'web' }))
 * detach()
 */
export function attachEcr(client: ECRClient, ecr: Ecr): () => void {
  if (attached.has(client)) {
    throw new Error(
      'Failed to attach fake-ecr: this client is already attached to an engine. Call the function the first attachEcr returned to detach it, then attach again.',
    )
  }
  const protocol = (client.config as { protocol?: Partial<WireReader> }).protocol
  if (typeof protocol?.deserializeResponse !== 'function') {
    throw new Error(
      'Failed to attach fake-ecr: the client has no protocol that reads answers (client.config.protocol). attachEcr needs a version of @aws-sdk/client-ecr whose clients are built on schemas (3.975 or later); upgrade it, or use ecrHandlers through MSW.',
    )
  }
  const wire = protocol as WireReader
  const target = client as unknown as { send: Send }
  const hadOwnSend = Object.hasOwn(target, 'send')
  const ownSend = target.send

  const answer = async (command: SchemaCommand) => {
    const operation = operationOf(command)
    const region = await client.config.region()
    const requestId = randomId()
    let output: unknown
    try {
      output = await ecr.dispatch(operation.name, command.input, { region })
    } catch (error) {
      const ecrError = asEcrError(error)
      return readWire(wire, operation, client.config, ecrError.status, requestId, JSON.stringify(awsJsonErrorBody(ecrError)))
    }
    const read = outputReader(operation.output)
    if (read !== undefined) {
      try {
        return { ...read(output), $metadata: successMetadata(requestId) }
      } catch (error) {
        if (!(error instanceof Unreadable)) throw error
      }
    }
    return readWire(wire, operation, client.config, 200, requestId, awsJsonText(output))
  }
  const send: Send = (command, optionsOrCallback, callback) => {
    const done = typeof optionsOrCallback === 'function' ? optionsOrCallback : callback
    if (typeof done !== 'function') return answer(command)
    answer(command).then(
      (output) => done(null, output),
      (error: unknown) => done(error),
    )
  }

  target.send = send
  attached.add(client)
  return () => {
    if (!attached.delete(client)) return
    // A send put in place after ours (a stub, say) is not ours to take away.
    if (target.send !== send) return
    if (hadOwnSend) target.send = ownSend
    else delete (target as { send?: Send }).send
  }
}

/** The operation schema of a command, as the SDK's deserialization middleware hands it to the protocol. */
function operationOf(command: SchemaCommand): OperationSchema {
  const schema = command.schema
  if (!Array.isArray(schema) || schema[0] !== 9 || typeof schema[2] !== 'string') {
    throw new TypeError(
      'Failed to send through fake-ecr: the command carries no operation schema. Send commands of @aws-sdk/client-ecr (3.975 or later) to a client attached with attachEcr.',
    )
  }
  const [, namespace, name, traits, input, output] = schema as [9, string, string, unknown, unknown, unknown]
  return { namespace, name, traits, input, output }
}

/**
 * An answer read by the client's own protocol from its AWS JSON text, as the SDK reads it off the
 * wire: errors become the SDK's exception classes; outputs the reader does not cover are read too.
 */
async function readWire(
  wire: WireReader,
  operation: OperationSchema,
  config: unknown,
  statusCode: number,
  requestId: string,
  text: string,
): Promise<unknown> {
  const response: WireAnswer = { statusCode, headers: { 'x-amzn-requestid': requestId }, body: encoder.encode(text) }
  try {
    const output = await wire.deserializeResponse(operation, config, response)
    return Object.assign(output, { $metadata: { ...output.$metadata, ...ONE_ATTEMPT } })
  } catch (error) {
    // As the SDK's deserialization and retry middleware leave an error after one attempt.
    if (error instanceof Error) {
      Object.defineProperty(error, '$response', { value: response, enumerable: false, writable: false, configurable: false })
      const errorMetadata = (error as { $metadata?: Record<string, unknown> }).$metadata
      if (errorMetadata !== undefined) Object.assign(errorMetadata, ONE_ATTEMPT)
    }
    throw error
  }
}

/** What the SDK's retry middleware adds to `$metadata` when the first attempt is the last. */
const ONE_ATTEMPT = { attempts: 1, totalRetryDelay: 0 }

/** `$metadata` as the SDK's protocol and retry middleware make it for a 200 with no extra headers. */
function successMetadata(requestId: string) {
  return { httpStatusCode: 200, requestId, extendedRequestId: undefined, cfId: undefined, ...ONE_ATTEMPT }
}
