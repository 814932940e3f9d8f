/**
 * What every container-server method handler shares (the helpers of swift/container/server.py):
 * the server's parts, path splitting, the broker of a container, the policy index header,
 * auto-creation of system containers, and storing metadata from request headers.
 */
import { join } from "@std/path";
import {
  type DbCall,
  isSysOrUserMeta,
  splitAndValidatePath,
  wsgiToStr,
} from "../common/db_server.ts";
import { storageDirectory } from "../db/db_path.ts";
import { InvalidMetadataError } from "../db/errors.ts";
import type { Metadata } from "../db/metadata.ts";
import { hashPath } from "../ring/hash_path.ts";
import { RESERVED, validateInternalObj } from "../object/request_path.ts";
import { SwobError } from "../object/swob_status.ts";
import type { SwobRequest } from "../object/swob_request.ts";
import { isTrue, pyInt } from "../object/wsgi_text.ts";
import { pyRepr } from "../common/python_repr.ts";
import type { Timestamp } from "../common/timestamp.ts";
import { exists } from "../db/broker.ts";
import type { AccountUpdateSender } from "./account_update.ts";
import { CONTAINER_DATADIR, ContainerBroker } from "./broker.ts";
import type { ContainerServerSettings } from "./settings.ts";
import type { SyncRealms } from "./sync_to.ts";
import { updateSyncStore } from "./sync_store.ts";

/** What a container server is built from. */
export interface ContainerServerParts {
  readonly settings: ContainerServerSettings;
  /** Sends account updates (HTTP by default). */
  readonly sendAccountUpdate: AccountUpdateSender;
  readonly realms: SyncRealms;
}

/** One request being served by the container controller. */
export interface ContainerCall extends DbCall {
  readonly server: ContainerServerParts;
}

/** Answers one HTTP method. */
export type ContainerHandler = (call: ContainerCall) => Promise<Response>;

/** A container's path: drive, partition, account, container and maybe an object. */
export interface ContainerPath {
  readonly drive: string;
  readonly partition: string;
  readonly account: string;
  readonly container: string;
  readonly object?: string;
}

function validateInternalName(name: string, kind: string): void {
  if (name.includes(RESERVED) && !name.startsWith(RESERVED)) {
    throw new SwobError(400, { body: `Invalid reserved-namespace ${kind}` });
  }
}

/** get_container_name_and_placement(): /drive/part/account/container. */
export function containerPathOf(req: SwobRequest): ContainerPath {
  const [drive, partition, account, container] = splitAndValidatePath(req, 4) as string[];
  validateInternalName(account, "account");
  validateInternalName(container, "container");
  return { drive, partition, account, container };
}

/** get_obj_name_and_placement(): /drive/part/account/container[/object]. */
export function objectPathOf(req: SwobRequest): ContainerPath {
  const [drive, partition, account, container, object] = splitAndValidatePath(req, 4, 5, true);
  validateInternalObj(account!, container!, object ?? "");
  return { drive: drive!, partition: partition!, account: account!, container: container!, object };
}

/** _get_container_broker(): the broker of the container's database (not opened yet). */
export function containerBroker(
  call: ContainerCall,
  path: ContainerPath,
  options: { pendingTimeout?: number; staleReadsOk?: boolean } = {},
): ContainerBroker {
  const { settings } = call.server;
  const hash = hashPath(path.account, path.container, undefined, settings.cluster.hashPath);
  const dir = storageDirectory(CONTAINER_DATADIR, path.partition, hash);
  return new ContainerBroker(join(settings.devices, path.drive, dir, `${hash}.db`), {
    account: path.account,
    container: path.container,
    logger: call.logger,
    ...options,
  });
}

/**
 * get_and_validate_policy_index(): the X-Backend-Storage-Policy-Index header as a known
 * policy index, undefined when absent; 400 naming the value otherwise.
 */
export function requestedPolicyIndex(call: ContainerCall): number | undefined {
  const header = "X-Backend-Storage-Policy-Index";
  const raw = call.req.headers.get(header);
  if (raw === undefined) return undefined;
  const index = pyInt(raw);
  if (index === undefined || !call.server.settings.cluster.policies.has(index)) {
    const shown = index === undefined ? pyRepr(raw) : String(index);
    throw new SwobError(400, { body: `Invalid ${header} ${shown}`, contentType: "text/plain" });
  }
  return index;
}

/** _should_autocreate(): system accounts get their containers created on first update. */
function shouldAutocreate(call: ContainerCall, account: string): boolean {
  const header = call.req.headers.get("X-Backend-Auto-Create");
  if (header) return isTrue(header);
  const { settings } = call.server;
  // Only the sharder creates shard containers, and it says so with the header.
  if (account.startsWith(settings.shardsAccountPrefix)) return false;
  return account.startsWith(settings.autoCreateAccountPrefix);
}

/** _maybe_autocreate(): creates a system container if needed; 404 when there is none. */
export async function maybeAutocreate(
  call: ContainerCall,
  broker: ContainerBroker,
  target: { timestamp: Timestamp; account: string; policyIndex: number | undefined },
): Promise<boolean> {
  let created = false;
  if (shouldAutocreate(call, target.account) && !exists(broker.dbFile)) {
    if (target.policyIndex === undefined) {
      throw new SwobError(400, { body: "X-Backend-Storage-Policy-Index header is required" });
    }
    try {
      await broker.initialize(target.timestamp.internal, target.policyIndex);
      created = true;
    } catch (err) {
      if (!(err instanceof Error && err.name === "DatabaseAlreadyExistsError")) throw err;
    }
  }
  if (!exists(broker.dbFile)) throw new SwobError(404);
  return created;
}

/**
 * _update_metadata(): stores the request's X-Container-Meta-*, -Sysmeta-* and saved headers
 * (ACLs, sync settings) at the request's time; a new sync target resets the sync points.
 */
export async function updateContainerMetadata(
  call: ContainerCall,
  broker: ContainerBroker,
  timestamp: Timestamp,
  method: string,
): Promise<void> {
  const { settings } = call.server;
  const metadata: Metadata = new Map();
  for (const [key, value] of call.req.headers.entries()) {
    if (settings.saveHeaders.includes(key.toLowerCase()) || isSysOrUserMeta("container", key)) {
      metadata.set(wsgiToStr(key), [wsgiToStr(value), timestamp.internal]);
    }
  }
  if (!metadata.size) return;
  const syncTo = metadata.get("X-Container-Sync-To");
  if (syncTo) {
    const old = (await broker.getMetadata()).get("X-Container-Sync-To");
    if (!old || old[0] !== syncTo[0]) await broker.setXContainerSyncPoints(-1, -1);
  }
  const { maxMetaCount, maxMetaOverallSize } = settings.cluster.constraints;
  try {
    await broker.updateMetadata(metadata, true, { maxMetaCount, maxMetaOverallSize });
  } catch (err) {
    if (err instanceof InvalidMetadataError) throw new SwobError(400, { body: err.message });
    throw err;
  }
  await syncStore(call, broker, method);
}

/** _update_sync_store(): a failure is logged, never answered. */
export async function syncStore(
  call: ContainerCall,
  broker: ContainerBroker,
  method: string,
): Promise<void> {
  try {
    await updateSyncStore(call.server.settings.devices, broker);
  } catch (err) {
    call.logger.exception(`Failed to update sync_store ${broker.dbFile} during ${method}`, err);
  }
}
