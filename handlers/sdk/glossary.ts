import type { EcrCredentials } from '../sigv4.js'

/** Options of {@link ecrRequestHandler}: those of `ecrHandlers` that apply to API calls. */
export interface EcrRequestHandlerOptions {
  /**
   * Verify SigV4 signatures: requests must be signed by one of these keys and act as its
   * account. Off by default (any signature, or none, is accepted).
   */
  credentials?: readonly EcrCredentials[]
  /**
   * The registry address that repositoryUri and GetAuthorizationToken's proxyEndpoint name for
   * clients with a custom `endpoint`: `'aws'` (default) ECR's registry host, `'endpoint'` the
   * endpoint's own origin. Clients without one always get ECR's registry host.
   */
  registryAddresses?: 'aws' | 'endpoint'
}

/**
 * The request the SDK hands its request handler (`@smithy/protocol-http`'s `HttpRequest`), as far
 * as the handler reads it.
 */
export interface SdkHttpRequest {
  method: string
  protocol: string
  hostname: string
  port?: number | undefined
  path: string
  query?: Record<string, string | string[] | null> | undefined
  headers: Record<string, string>
  /** The serialized input: bytes (SDK 3.9xx and later) or text (earlier releases). */
  body?: unknown
}

/** The response a request handler gives the SDK (`@smithy/protocol-http`'s `HttpResponse`). */
export interface SdkHttpResponse {
  statusCode: number
  headers: Record<string, string>
  body: Uint8Array<ArrayBuffer>
}

/** What the SDK passes with each request. */
export interface SdkHandlerOptions {
  abortSignal?: AbortSignal | LegacyAbortSignal | undefined
  /** A connection's timeout: there is no connection, so it is ignored. */
  requestTimeout?: number | undefined
}

/** The SDK's own abort signal of its earlier releases (`@aws-sdk/abort-controller`): `onabort` only. */
export interface LegacyAbortSignal {
  readonly aborted: boolean
  /** Set by the handler while it waits; typed loosely as the SDK types it (`Function`). */
  onabort: unknown
}

/** An SDK request handler (Smithy's `HttpHandler`) that answers from an engine. */
export interface EcrRequestHandler {
  readonly metadata: { handlerProtocol: string }
  handle(request: SdkHttpRequest, options?: SdkHandlerOptions): Promise<{ response: SdkHttpResponse }>
  /** Client settings (timeouts, agents) mean nothing without a connection: ignored. */
  updateHttpClientConfig(key: never, value: never): void
  httpHandlerConfigs(): Record<string, never>
  destroy(): void
}
