/**
 * Swift's AccountController as a Handler: the method table of the account server, REPLICATE
 * (swift.common.db_replicator.ReplicatorRpc) only with replication_server.
 */
import {
  checkDriveOr507,
  checkFreeSpaceOr507,
  type DbHandler,
  dbServer,
  jsonBody,
  splitAndValidatePath,
} from "../common/db_server.ts";
import { dispatchReplication } from "../common/replicator_rpc.ts";
import { exists } from "../db/broker.ts";
import type { Handler } from "../middleware/compose.ts";
import type { AccountHandler } from "./account_call.ts";
import { ACCOUNT_DATADIR, AccountBroker } from "./broker.ts";
import { deleteAccount } from "./delete.ts";
import { getAccount, headAccount } from "./get.ts";
import { postAccount } from "./post.ts";
import { putAccountOrContainer } from "./put.ts";
import type { AccountServerSettings } from "./settings.ts";

/** REPLICATE /drive/part/hash: one replicator RPC, as JSON [op, args...]. */
const replicateAccount: AccountHandler = async (call) => {
  const [drive, partition, hash] = splitAndValidatePath(call.req, 3) as string[];
  const { settings, logger } = call;
  checkDriveOr507(settings, drive);
  checkFreeSpaceOr507(settings, drive);
  const body = await jsonBody(call.req);
  return await dispatchReplication(
    {
      devices: settings.devices,
      mountCheck: settings.mountCheck,
      datadir: ACCOUNT_DATADIR,
      logger,
      openBroker: (dbFile) => new AccountBroker(dbFile, { logger }),
      dbFileExists: exists,
    },
    call.req,
    { drive, partition, hash },
    body,
  );
};

/** Swift's AccountController over the databases under settings.devices. */
export function accountServer(settings: AccountServerSettings): Handler {
  const handlers: Record<string, AccountHandler> = {
    DELETE: deleteAccount,
    GET: getAccount,
    HEAD: headAccount,
    POST: postAccount,
    PUT: putAccountOrContainer,
  };
  if (settings.replicationServer) handlers.REPLICATE = replicateAccount;
  const methods: Record<string, DbHandler> = {};
  for (const [method, handler] of Object.entries(handlers)) {
    methods[method] = (call) => handler({ ...call, settings });
  }
  return dbServer({
    serverType: "account-server",
    invalidPathBody: "Invalid UTF8",
    methods,
    settings,
    additionalInfo: (res) => {
      const value = res.headers.get("x-container-timestamp");
      return value === null ? "" : `x-container-timestamp: ${value}`;
    },
  });
}
