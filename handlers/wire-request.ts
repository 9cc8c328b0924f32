/**
 * The parts of an HTTP request the ECR API front end reads: what a Fetch `Request` (MSW, the
 * server) and the SDK's own request object (`fake-ecr/sdk`) both tell, without building either.
 */
export interface WireRequest {
  readonly method: string
  /** The scheme with its colon, as `URL.protocol` has it (`https:`). */
  readonly protocol: string
  readonly hostname: string
  /** The host name and, unless it is the scheme's default, the port (`URL.host`). */
  readonly host: string
  readonly path: string
  /** The query's parameters by name (read only to verify signatures). */
  query(): Record<string, string | string[]>
  /** A header's value by its lower-case name, or `null`. */
  header(name: string): string | null
}

/** A Fetch `Request` as a {@link WireRequest}. */
export function wireRequestOf(request: Request): WireRequest {
  const url = new URL(request.url)
  return {
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    host: url.host,
    path: url.pathname,
    query: () => queryOf(url.searchParams),
    header: (name) => request.headers.get(name),
  }
}

/** A URL's query parameters by name, repeated names as lists (how the SigV4 signer takes them). */
function queryOf(parameters: URLSearchParams): Record<string, string | string[]> {
  // Names come from the client: a null-prototype object keeps `__proto__` an ordinary name.
  const query: Record<string, string | string[]> = Object.create(null)
  for (const [name, value] of parameters) {
    const previous = query[name]
    query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value]
  }
  return query
}
