/**
 * Paste pipelines as functions: an app is a Handler, a filter wraps a Handler, and
 * compose() wraps filters right to left around the app, as loadapp() does.
 */
import type { StageConfig } from "../config/load.ts";
import type { SwiftLogger } from "../log/logger.ts";
import type { RequestContext } from "../server/context.ts";

/** Serves one request. */
export type Handler = (req: Request, ctx: RequestContext) => Promise<Response>;

/** Wraps the next handler of the pipeline. */
export type Filter = (next: Handler) => Handler;

/** What a factory gets when a worker builds its pipeline. */
export interface BuildContext {
  /** The worker's logger (log_name of the server). */
  readonly logger: SwiftLogger;
  /** Swift's server type running the pipeline (`object-server`...). */
  readonly server: string;
  /** Releases resources (timers, sockets, files) when the worker stops. */
  readonly onClose: (cleanup: () => void | Promise<void>) => void;
}

/** Builds a filter from its stage config, once per worker. */
export type FilterFactory = (stage: StageConfig, build: BuildContext) => Filter;

/** Builds an app from its stage config, once per worker. */
export type AppFactory = (stage: StageConfig, build: BuildContext) => Handler;

/** The app wrapped by the filters, outermost first (paste's [pipeline:main] order). */
export function compose(filters: readonly Filter[], app: Handler): Handler {
  return filters.reduceRight<Handler>((next, filter) => filter(next), app);
}
