import type { SetupServer } from 'msw/node'
import type { Ecr, EcrOptions, KeyValueStorage } from '../../src/index.js'
import type { EcrCredentials } from '../sigv4.js'

export interface EcrServerOptions extends EcrOptions {
  /** The engine to serve (default: a new one made from the other options, which are then used for it). */
  ecr?: Ecr
  /**
   * Keep state (and blob bytes) in this directory, created if needed, so that it survives a
   * restart (default: in memory). One server at a time per directory. Not with `ecr` or `storage`.
   */
  dataDir?: string
  /** TCP port to listen on (default `4566`; `0` picks a free port, see {@link EcrServer.port}). */
  port?: number
  /** Interface to listen on (default `127.0.0.1`, so nothing outside this machine can reach it). */
  host?: string
  /**
   * Host names a server on a loopback address answers besides loopback names and ECR's own host
   * names (default: none). Requests for any other name are refused with 403, so that a web page
   * cannot reach the fake through DNS rebinding. A server on another address answers every name.
   */
  allowedHosts?: readonly string[]
  /**
   * Origins of web pages that may call the server from a browser (CORS), besides loopback origins
   * (`http://localhost:5173`, `http://127.0.0.1:8080`…), which always may. E.g.
   * `['https://console.example.test']`; `['*']` allows every origin. Default: none.
   */
  corsOrigins?: readonly string[]
  /** How long `close()` lets requests in flight finish before it cuts their connections (default 5,000 ms). */
  shutdownGraceMs?: number
  /**
   * Verify SigV4 signatures: API requests must be signed by one of these keys and act as its
   * account (default: off, any credentials work).
   */
  credentials?: readonly EcrCredentials[]
  /**
   * The registry address repositoryUri and GetAuthorizationToken's proxyEndpoint name, for API
   * calls to the server's own address: `'endpoint'` (default) that address, as the client named
   * it (`127.0.0.1:4566/<name>`, `http://127.0.0.1:4566`), which docker, skopeo and crane reach
   * as they are told; `'aws'` ECR's registry host (`<account>.dkr.ecr.<region>.amazonaws.com`),
   * for code that reads the account and region out of a URI, and which clients then reach only
   * through a name mapped to this machine. The registry API answers on every name either way.
   */
  registryAddresses?: 'endpoint' | 'aws'
}

/** State kept in a directory (`fileSystemStorage`): a storage adapter that holds the directory's lock until closed. */
export interface FileSystemStorage extends KeyValueStorage {
  /** The directory, as an absolute path. */
  readonly directory: string
  /** Waits for writes under way, then releases the directory for another process. */
  close(): Promise<void>
}

/** A running standalone server. */
export interface EcrServer {
  /** The engine behind the server: seed it, inspect it, reset it. */
  readonly ecr: Ecr
  /** The address to give clients as their endpoint, e.g. `http://127.0.0.1:4566`. */
  readonly url: string
  /** The port the server listens on (the one the system picked when asked for port `0`). */
  readonly port: number
  /** The data directory (`dataDir`), as an absolute path, when state is kept on disk. */
  readonly dataDir: string | undefined
  /** Stops accepting connections, lets requests in flight finish, releases the data directory, and resolves once closed. */
  close(): Promise<void>
}

export interface SetupEcrServerOptions extends EcrOptions {
  /** The engine to answer with (default: a new one made from the other options). */
  ecr?: Ecr
  /** Verify SigV4 signatures with these keys, each acting as its account (default: no checks). */
  credentials?: readonly EcrCredentials[]
}

export interface SetupEcrServerResult {
  ecr: Ecr
  /** MSW's server, not yet listening: call `listen()` (and `close()`) in your test setup. */
  server: SetupServer
}
