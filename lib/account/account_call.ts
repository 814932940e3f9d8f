/**
 * What every account-server method handler shares (the helpers of swift/account/server.py):
 * path splitting, the broker of an account, the answer for a missing or deleted account, and
 * storing X-Account-Meta-* and -Sysmeta-* headers.
 */
import { join } from "@std/path";
import {
  type DbCall,
  isSysOrUserMeta,
  splitAndValidatePath,
  wsgiToStr,
} from "../common/db_server.ts";
import type { Timestamp } from "../common/timestamp.ts";
import { DatabaseConnectionError, InvalidMetadataError } from "../db/errors.ts";
import type { Metadata } from "../db/metadata.ts";
import { RESERVED } from "../object/request_path.ts";
import { swobResponse } from "../object/swob_response.ts";
import { SwobError } from "../object/swob_status.ts";
import type { SwobRequest } from "../object/swob_request.ts";
import { hashPath } from "../ring/hash_path.ts";
import { AccountBroker } from "./broker.ts";
import type { AccountServerSettings } from "./settings.ts";

/** One request being served by the account controller. */
export interface AccountCall extends DbCall {
  readonly settings: AccountServerSettings;
}

/** Answers one HTTP method. */
export type AccountHandler = (call: AccountCall) => Promise<Response>;

/** An account's path, and a container name for container rows. */
export interface AccountPath {
  readonly drive: string;
  readonly partition: string;
  readonly account: string;
  readonly container?: string;
}

function validateInternalName(name: string, kind: string): void {
  if (name.includes(RESERVED) && !name.startsWith(RESERVED)) {
    throw new SwobError(400, { body: `Invalid reserved-namespace ${kind}` });
  }
}

/** get_account_name_and_placement(): /drive/part/account. */
export function accountPathOf(req: SwobRequest): AccountPath {
  const [drive, partition, account] = splitAndValidatePath(req, 3) as string[];
  validateInternalName(account, "account");
  return { drive, partition, account };
}

/** get_container_name_and_placement(): /drive/part/account[/container]. */
export function containerPathOf(req: SwobRequest): AccountPath {
  const [drive, partition, account, container] = splitAndValidatePath(req, 3, 4);
  validateInternalName(account!, "account");
  if (container) validateInternalName(container, "container");
  return { drive: drive!, partition: partition!, account: account!, container };
}

/** _get_account_broker(): the broker of the account's database (not opened yet). */
export function accountBroker(
  call: AccountCall,
  path: AccountPath,
  options: { pendingTimeout?: number; staleReadsOk?: boolean } = {},
): AccountBroker {
  const hash = hashPath(path.account, undefined, undefined, call.settings.cluster.hashPath);
  return new AccountBroker(
    AccountBroker.dbPath(join(call.settings.devices, path.drive), path.partition, hash),
    { account: path.account, logger: call.logger, ...options },
  );
}

/**
 * _deleted_response(): the answer for a missing or deleted account, with
 * "X-Account-Status: Deleted" when the account exists and is marked deleted.
 */
export async function deletedResponse(
  call: AccountCall,
  broker: AccountBroker,
  status: number,
  body = "",
): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "text/html; charset=utf-8" };
  try {
    if (await broker.isStatusDeleted()) headers["X-Account-Status"] = "Deleted";
  } catch (err) {
    // The account does not exist.
    if (!(err instanceof DatabaseConnectionError)) throw err;
  }
  return swobResponse(call.req, { status, headers, body });
}

/** _update_metadata(): stores X-Account-Meta-* and -Sysmeta-* headers at `timestamp`. */
export async function updateAccountMetadata(
  call: AccountCall,
  broker: AccountBroker,
  timestamp: Timestamp,
): Promise<void> {
  const metadata: Metadata = new Map();
  for (const [key, value] of call.req.headers.entries()) {
    if (isSysOrUserMeta("account", key)) {
      metadata.set(wsgiToStr(key), [wsgiToStr(value), timestamp.internal]);
    }
  }
  if (!metadata.size) return;
  const { maxMetaCount, maxMetaOverallSize } = call.settings.cluster.constraints;
  try {
    await broker.updateMetadata(metadata, true, { maxMetaCount, maxMetaOverallSize });
  } catch (err) {
    if (err instanceof InvalidMetadataError) throw new SwobError(400, { body: err.message });
    throw err;
  }
}
