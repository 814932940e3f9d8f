/** What every handler gets besides the Request: Swift's WSGI environ, typed. */
import type { SwiftLogger } from "../log/logger.ts";

/** Per-request state shared along the pipeline (Swift keeps it in the WSGI environ). */
export interface RequestContext {
  /** The worker's logger; catch_errors swaps in a child that carries the transaction id. */
  logger: SwiftLogger;
  /** `swift.trans_id`, set by catch_errors (or by the server when the pipeline has none). */
  txnId?: string;
  /** The client's address. */
  readonly remoteAddr: Deno.NetAddr;
  /** When the request arrived, in ms since the epoch. */
  readonly startTime: number;
  /** Other environ keys middleware use to talk to each other (`swift.source`, ...). */
  readonly env: Record<string, unknown>;
}

/** A context for a request that arrived now from `remoteAddr`. */
export function newRequestContext(logger: SwiftLogger, remoteAddr: Deno.NetAddr): RequestContext {
  return { logger, remoteAddr, startTime: Date.now(), env: {} };
}
