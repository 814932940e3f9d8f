/**
 * The HTTP/1.1 client swiftd's proxy and object server use to talk to storage servers:
 * Swift's bufferedhttp with conn_timeout, node_timeout, 100-continue and keep-alive pooling.
 *
 * @module
 */
export { connect, type ConnectOptions } from "./connect.ts";
export { type ContinueOutcome, HttpConnection } from "./connection.ts";
export { type Endpoint, endpointLabel } from "./endpoint.ts";
export {
  BackendError,
  BackendIOError,
  BackendTimeout,
  BadResponse,
  BrokenPipe,
  ChunkReadTimeout,
  ChunkWriteTimeout,
  ConnectionRefused,
  ConnectionReset,
  ConnectionTimeout,
  IncompleteRead,
  RemoteDisconnected,
  ResponseTimeout,
  swiftLogDetail,
} from "./errors.ts";
export { type AcquireOptions, ConnectionPool, type PoolOptions } from "./pool.ts";
export {
  expectContinue,
  type ExpectContinueOptions,
  type ExpectContinueResult,
  request,
  type RequestOptions,
} from "./request.ts";
export type { HeaderInput, RequestHead } from "./request_head.ts";
export { BackendResponse } from "./response.ts";
export { DEFAULT_HEAD_LIMITS, type HeadLimits } from "./response_head.ts";
export { ResponseHeaders } from "./response_headers.ts";
