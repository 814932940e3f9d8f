/**
 * Swift's ContainerController as a Handler: the method table of the container server
 * (REPLICATE only with replication_server), over the shared account/container request flow.
 */
import { type DbHandler, dbServer } from "../common/db_server.ts";
import type { Handler } from "../middleware/compose.ts";
import type { SwiftLogger } from "../log/logger.ts";
import { type AccountUpdateSender, httpAccountUpdateSender } from "./account_update.ts";
import type { ContainerHandler, ContainerServerParts } from "./container_call.ts";
import { deleteContainer } from "./delete.ts";
import { getContainer, headContainer } from "./get.ts";
import { postContainer } from "./post.ts";
import { putContainer } from "./put.ts";
import { replicateContainer, updateContainer } from "./replicate.ts";
import type { ContainerServerSettings } from "./settings.ts";
import { SyncRealms } from "./sync_to.ts";

/** Optional parts of a container server (tests replace the account update sender). */
export interface ContainerServerOptions {
  readonly sendAccountUpdate?: AccountUpdateSender;
  /** Logs container-sync-realms.conf problems. */
  readonly logger: SwiftLogger;
}

/** Swift's ContainerController over the databases under settings.devices. */
export function containerServer(
  settings: ContainerServerSettings,
  options: ContainerServerOptions,
): Handler {
  const server: ContainerServerParts = {
    settings,
    sendAccountUpdate: options.sendAccountUpdate ?? httpAccountUpdateSender,
    realms: new SyncRealms(settings.realmsConf, options.logger),
  };
  const handlers: Record<string, ContainerHandler> = {
    DELETE: deleteContainer,
    GET: getContainer,
    HEAD: headContainer,
    POST: postContainer,
    PUT: putContainer,
    UPDATE: updateContainer,
  };
  if (settings.replicationServer) handlers.REPLICATE = replicateContainer;
  const methods: Record<string, DbHandler> = {};
  for (const [method, handler] of Object.entries(handlers)) {
    methods[method] = (call) => handler({ ...call, server });
  }
  return dbServer({
    serverType: "container-server",
    invalidPathBody: "Invalid UTF8 or contains NULL",
    methods,
    settings,
  });
}
