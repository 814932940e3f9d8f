/**
 * What can go wrong talking to a storage server, as typed errors carrying the endpoint (and the
 * timeout, for timeouts) so the proxy can error-limit the node and log like Swift:
 *
 *     ERROR with Object server 127.0.0.1:6200/sda1 re: Trying to GET /a/c/o: ChunkReadTimeout (10.0s)
 *
 * The text after the last colon is `swiftLogDetail`, spelled the way Swift's
 * LogAdapter.exception() spells the matching Python exception (swift/common/utils.py).
 *
 * @module
 */
import { pythonFloatRepr } from "../common/python_float_repr.ts";
import { type Endpoint, endpointLabel } from "./endpoint.ts";

/** Any failure talking to one storage server. */
export class BackendError extends Error {
  /** The server the request went to. */
  readonly endpoint: Endpoint;
  /** What Swift appends to "ERROR with ... re: <info>: " for this failure. */
  readonly swiftLogDetail: string;
  /** Builds the error; `detail` is the Swift log spelling. */
  constructor(endpoint: Endpoint, message: string, detail: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BackendError";
    this.endpoint = endpoint;
    this.swiftLogDetail = detail;
  }
}

/** Base of the four timeouts; `seconds` is the configured limit that ran out. */
export class BackendTimeout extends BackendError {
  /** The timeout, in seconds as configured (conn_timeout or node_timeout). */
  readonly seconds: number;
  /** Builds the timeout; the detail is Swift's `ClassName (0.5s)`. */
  constructor(name: string, endpoint: Endpoint, seconds: number, what: string) {
    const spelled = pythonFloatRepr(seconds);
    super(
      endpoint,
      `Timed out after ${spelled} s ${what} "${endpointLabel(endpoint)}"`,
      `${name} (${spelled}s)`,
    );
    this.name = name;
    this.seconds = seconds;
  }
}

/** The TCP connection was not established within conn_timeout (Swift's ConnectionTimeout). */
export class ConnectionTimeout extends BackendTimeout {
  /** Builds the error for `endpoint` after `seconds`. */
  constructor(endpoint: Endpoint, seconds: number) {
    super("ConnectionTimeout", endpoint, seconds, "connecting to");
  }
}

/** The status line and headers did not all arrive within node_timeout (Swift's ResponseTimeout). */
export class ResponseTimeout extends BackendTimeout {
  /** Builds the error for `endpoint` after `seconds`. */
  constructor(endpoint: Endpoint, seconds: number) {
    super("ResponseTimeout", endpoint, seconds, "waiting for the response headers from");
  }
}

/** One read of a response body got nothing for node_timeout (Swift's ChunkReadTimeout). */
export class ChunkReadTimeout extends BackendTimeout {
  /** Builds the error for `endpoint` after `seconds`. */
  constructor(endpoint: Endpoint, seconds: number) {
    super("ChunkReadTimeout", endpoint, seconds, "reading the response body from");
  }
}

/** One write of the request head or a body chunk did not finish within node_timeout. */
export class ChunkWriteTimeout extends BackendTimeout {
  /** Builds the error for `endpoint` after `seconds`. */
  constructor(endpoint: Endpoint, seconds: number) {
    super("ChunkWriteTimeout", endpoint, seconds, "writing the request to");
  }
}

/** Nothing listens on the endpoint (ECONNREFUSED). */
export class ConnectionRefused extends BackendError {
  /** Wraps the OS error `cause`. */
  constructor(endpoint: Endpoint, cause: unknown) {
    super(
      endpoint,
      `Cannot connect to "${endpointLabel(endpoint)}": connection refused`,
      "Connection refused",
      { cause },
    );
    this.name = "ConnectionRefused";
  }
}

/** The server reset the connection (ECONNRESET, ECONNABORTED). */
export class ConnectionReset extends BackendError {
  /** Wraps the OS error `cause`; `when` says what the client was doing. */
  constructor(endpoint: Endpoint, when: string, cause: unknown) {
    super(
      endpoint,
      `Connection to "${endpointLabel(endpoint)}" reset by the server while ${when}`,
      "Connection reset",
      { cause },
    );
    this.name = "ConnectionReset";
  }
}

/** A write found the server's side closed (EPIPE). */
export class BrokenPipe extends BackendError {
  /** Wraps the OS error `cause`. */
  constructor(endpoint: Endpoint, cause: unknown) {
    super(
      endpoint,
      `Cannot write to "${endpointLabel(endpoint)}": the server closed the connection`,
      "Broken pipe",
      { cause },
    );
    this.name = "BrokenPipe";
  }
}

/**
 * The server closed the connection before a single byte of the response (http.client's
 * RemoteDisconnected): typically a keep-alive connection it timed out while idle.
 */
export class RemoteDisconnected extends BackendError {
  /** Builds the error for `endpoint`. */
  constructor(endpoint: Endpoint) {
    super(
      endpoint,
      `Connection to "${endpointLabel(endpoint)}" closed by the server before any response`,
      "RemoteDisconnected: Remote end closed connection without response",
    );
    this.name = "RemoteDisconnected";
  }
}

/** The connection ended inside the response head or body (http.client's IncompleteRead). */
export class IncompleteRead extends BackendError {
  /** Builds the error; `where` says what was being read, e.g. "body: 10 of 20 bytes". */
  constructor(endpoint: Endpoint, where: string) {
    super(
      endpoint,
      `Connection to "${endpointLabel(endpoint)}" closed by the server in the response ${where}`,
      `IncompleteRead: ${where}`,
    );
    this.name = "IncompleteRead";
  }
}

/** The response breaks HTTP/1.1 or the header limits (http.client's BadStatusLine, LineTooLong). */
export class BadResponse extends BackendError {
  /** Builds the error; `problem` names the offending part with its value quoted. */
  constructor(endpoint: Endpoint, problem: string) {
    super(
      endpoint,
      `Bad response from "${endpointLabel(endpoint)}": ${problem}`,
      `BadResponse: ${problem}`,
    );
    this.name = "BadResponse";
  }
}

/** Any other socket failure (EHOSTUNREACH, ENETUNREACH, ...), with the OS message. */
export class BackendIOError extends BackendError {
  /** Wraps `cause`; `when` says what the client was doing. */
  constructor(endpoint: Endpoint, when: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      endpoint,
      `Socket error with "${endpointLabel(endpoint)}" while ${when}: ${reason}`,
      reason,
      { cause },
    );
    this.name = "BackendIOError";
  }
}

/** The Swift log detail for any error: `swiftLogDetail` for backend errors, else the message. */
export function swiftLogDetail(err: unknown): string {
  if (err instanceof BackendError) return err.swiftLogDetail;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** Turns an OS error from Deno.connect into the typed error for `endpoint`. */
export function connectError(endpoint: Endpoint, err: unknown): BackendError {
  if (err instanceof BackendError) return err;
  if (err instanceof Deno.errors.ConnectionRefused) return new ConnectionRefused(endpoint, err);
  if (isReset(err)) return new ConnectionReset(endpoint, "connecting", err);
  return new BackendIOError(endpoint, "connecting", err);
}

/** Turns an OS error from a read or write into the typed error for `endpoint`. */
export function socketError(endpoint: Endpoint, when: string, err: unknown): BackendError {
  if (err instanceof BackendError) return err;
  if (err instanceof Deno.errors.BrokenPipe) return new BrokenPipe(endpoint, err);
  if (isReset(err)) return new ConnectionReset(endpoint, when, err);
  return new BackendIOError(endpoint, when, err);
}

function isReset(err: unknown): boolean {
  return err instanceof Deno.errors.ConnectionReset ||
    err instanceof Deno.errors.ConnectionAborted;
}
