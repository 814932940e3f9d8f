/**
 * How the supervisor runs a server: with worker processes (workers >= 1, ForkStrategy) or in
 * its own process (workers = 0, InlineStrategy; Swift's no-fork mode). The supervisor loop
 * turns signals into these calls and feeds worker events back; a strategy reports through
 * its StrategyHost.
 */
import type { SwiftLogger } from "../log/logger.ts";
import type { SupervisorEvent } from "./events.ts";
import type { Prepared } from "./prepare.ts";

/** What a strategy may ask of the supervisor. */
export interface StrategyHost {
  readonly logger: SwiftLogger;
  /** Pushes a timer event named `name` after `ms`; returns a canceller. */
  after(ms: number, name: string): () => void;
  /** Every first worker (or the in-process server) serves: finish startup. */
  serving(): void;
  /** Startup failed: stop with this one-line reason. */
  failed(message: string): void;
  /** A reload finished (the new config serves) or was abandoned (the old one still does). */
  reloaded(ok: boolean): void;
  /** Everything has stopped; the supervisor may exit with `code`. */
  finished(code: number): void;
}

/** One way of running the server. */
export interface Strategy {
  /** Starts serving `prepared`; reports serving() or failed(). */
  start(): void;
  /** Starts serving `next` instead, without dropping requests; reports reloaded(). */
  reload(next: Prepared): void;
  /** Stops accepting, lets requests finish (bounded), then reports finished(0). */
  drain(): void;
  /** Stops now; reports finished(0). */
  terminate(): void;
  /** Adds (+1) or removes (-1) a worker. */
  scale(delta: 1 | -1): void;
  /** Reacts to a worker or timer event. */
  onEvent(event: SupervisorEvent): void;
  /** Stops what start() would have used, when startup fails before start(). */
  abandon(): Promise<void>;
  /** The config now serving. */
  readonly current: Prepared;
}
