/**
 * The address of one storage server (a ring device's ip and port), and the two ways it is
 * written: Swift's log form and the Host header.
 *
 * @module
 */

/** A storage server to talk to: an IP literal (no brackets) or host name, and a TCP port. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** `host:port` as Swift's proxy logs a node (`%(ip)s:%(port)s`, no IPv6 brackets). */
export function endpointLabel(endpoint: Endpoint): string {
  return `${endpoint.host}:${endpoint.port}`;
}

/**
 * The Host header http.client sends for `endpoint`: IPv6 literals in brackets, the port always
 * present because backend ports are never 80 in practice and http.client only drops port 80.
 */
export function hostHeaderValue(endpoint: Endpoint): string {
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
  return endpoint.port === 80 ? host : `${host}:${endpoint.port}`;
}

/** The key the pool files idle connections under. */
export function endpointKey(endpoint: Endpoint): string {
  return `${endpoint.host}\0${endpoint.port}`;
}
