/** What every object-server method handler gets: the request and the server's parts. */
import type { SwiftLogger } from "../log/logger.ts";
import type { ObjectBackend } from "./backend.ts";
import type { ContainerUpdater } from "./container_update.ts";
import type { ObjectServerSettings } from "./settings.ts";
import type { SwobRequest } from "./swob_request.ts";

/** One request being served by the object controller. */
export interface ObjectCall {
  readonly req: SwobRequest;
  /** The request's logger (carrying its transaction id). */
  readonly logger: SwiftLogger;
  readonly settings: ObjectServerSettings;
  readonly backend: ObjectBackend;
  readonly updater: ContainerUpdater;
}

/** Answers one HTTP method (an ObjectController method such as PUT). */
export type ObjectHandler = (call: ObjectCall) => Promise<Response>;
