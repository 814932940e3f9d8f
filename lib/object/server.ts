/**
 * Swift's ObjectController.__call__ over a storage backend: refuses paths that are not UTF-8
 * (412), dispatches the method through a table (405 for others), turns a name collision into
 * 403, handler errors into their swob response and anything unexpected into a logged 500
 * with the stack as body, logs the access line, and honours `slow` for PUT and DELETE.
 */
import { storageLogFieldsOf, storageLogLine } from "../common/storage_access_log.ts";
import type { Handler } from "../middleware/compose.ts";
import type { RequestContext } from "../server/context.ts";
import { HttpError } from "../server/http_error.ts";
import type { ObjectBackend } from "./backend.ts";
import { ContainerUpdater } from "./container_update.ts";
import { DiskFileCollision } from "./diskfile_errors.ts";
import { deleteObject } from "./handlers/delete.ts";
import { getObject, headObject } from "./handlers/get.ts";
import { postObject } from "./handlers/post.ts";
import { putObject } from "./handlers/put.ts";
import { optionsHandler, replicatePartition, ssyncUnsupported } from "./handlers/replication.ts";
import type { ObjectHandler } from "./object_call.ts";
import { checkUtf8 } from "./request_path.ts";
import type { ObjectServerSettings } from "./settings.ts";
import { errorResponse, swobResponse } from "./swob_response.ts";
import { SwobRequest } from "./swob_request.ts";
import { SwobError } from "./swob_status.ts";

/** The HTTP methods an object server may serve. */
export type ObjectMethod =
  | "DELETE"
  | "GET"
  | "HEAD"
  | "OPTIONS"
  | "POST"
  | "PUT"
  | "REPLICATE"
  | "SSYNC";

/** What an object server is built from besides its settings. */
export interface ObjectServerParts {
  readonly backend: ObjectBackend;
  /** Sends container updates; by default over HTTP with the settings' timeouts. */
  readonly updater?: ContainerUpdater;
}

/**
 * The methods served (BaseStorageServer.allowed_methods): the replication verbs only with
 * replication_server, and REPLICATE only when the backend can hash partitions.
 */
export function allowedMethods(
  backend: ObjectBackend,
  settings: ObjectServerSettings,
): ObjectMethod[] {
  const methods: ObjectMethod[] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
  if (settings.replicationServer) {
    if (backend.getHashes) methods.push("REPLICATE");
    methods.push("SSYNC");
  }
  return methods.sort();
}

/** The dispatch table of the methods served. */
function dispatchTable(methods: readonly ObjectMethod[]): Partial<Record<string, ObjectHandler>> {
  const all: Record<ObjectMethod, ObjectHandler> = {
    DELETE: deleteObject,
    GET: getObject,
    HEAD: headObject,
    OPTIONS: optionsHandler(methods),
    POST: postObject,
    PUT: putObject,
    REPLICATE: replicatePartition,
    SSYNC: ssyncUnsupported,
  };
  return Object.fromEntries(methods.map((m) => [m, all[m]]));
}

/** Swift's ObjectController as a Handler. */
export function objectServer(settings: ObjectServerSettings, parts: ObjectServerParts): Handler {
  const backend = parts.backend;
  const updater = parts.updater ?? new ContainerUpdater(backend, settings.updates);
  const methods = allowedMethods(backend, settings);
  const table = dispatchTable(methods);
  const allow = methods.join(", ");

  return async function objectController(raw: Request, ctx: RequestContext): Promise<Response> {
    const start = performance.now();
    const req = new SwobRequest(raw, ctx.remoteAddr.hostname);
    const txnId = req.headers.get("X-Trans-Id");
    const logger = txnId ? ctx.logger.child({ txnId }) : ctx.logger;
    let res: Response;
    try {
      if (!checkUtf8(req.pathInfo, true)) {
        throw new SwobError(412, { body: "Invalid UTF8 or contains NULL" });
      }
      const handler = table[req.method];
      // Swift sends no Allow with this 405; RFC 9110 requires one, and it costs nothing.
      if (!handler) throw new SwobError(405, { headers: { Allow: allow } });
      res = await handler({ req, logger, settings, backend, updater });
    } catch (err) {
      res = errorAnswer(req, err, logger);
    }
    const transTime = (performance.now() - start) / 1000;
    if (settings.logRequests) {
      const line = storageLogLine(
        storageLogFieldsOf(raw, res, { remoteAddr: req.remoteAddr, transTime }),
        {
          format: settings.logFormat,
          anonymizationMethod: settings.logAnonymizationMethod,
          anonymizationSalt: settings.logAnonymizationSalt,
        },
      );
      const replication = req.method === "REPLICATE" || req.method === "SSYNC" ||
        req.headers.has("X-Backend-Replication");
      if (replication) logger.debug(line);
      else logger.info(line);
    }
    if ((req.method === "PUT" || req.method === "DELETE") && settings.slow > transTime) {
      await new Promise((resolve) => setTimeout(resolve, (settings.slow - transTime) * 1000));
    }
    return res;
  };
}

/** The response for an error a handler threw. */
function errorAnswer(req: SwobRequest, err: unknown, logger: RequestContext["logger"]): Response {
  if (err instanceof DiskFileCollision) return swobResponse(req, { status: 403 });
  if (err instanceof SwobError) return errorResponse(req, err);
  if (err instanceof HttpError) {
    return swobResponse(req, { status: err.status, headers: err.headers });
  }
  logger.exception(`ERROR __call__ error with ${req.method} ${req.path} `, err);
  const trace = err instanceof Error ? err.stack ?? String(err) : String(err);
  return swobResponse(req, { status: 500, body: trace });
}
