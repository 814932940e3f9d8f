/**
 * ContainerController.UPDATE (object rows merged in bulk, as JSON) and REPLICATE (the
 * container replicator's RPC, ContainerReplicatorRpc): `sync` also adopts the caller's storage
 * policy when its copy wins (reconciler's cmp_policy_info), and a database Swift has started
 * sharding refuses rsync_then_merge. Shard range RPCs answer 501: swiftd does not shard.
 */
import {
  checkDriveOr507,
  checkFreeSpaceOr507,
  type DbServerSettings,
  jsonBody,
  splitAndValidatePath,
} from "../common/db_server.ts";
import {
  dispatchReplication,
  type RemoteInfo,
  type ReplicatorRpcSpec,
} from "../common/replicator_rpc.ts";
import { Timestamp } from "../common/timestamp.ts";
import { shardingInitiated } from "../db/container_shard_state.ts";
import { getDbFiles } from "../db/db_path.ts";
import type { ObjectRecord } from "../db/container_types.ts";
import type { SwiftLogger } from "../log/logger.ts";
import { validTimestamp } from "../object/constraints.ts";
import { swobResponse } from "../object/swob_response.ts";
import type { SwobRequest } from "../object/swob_request.ts";
import { CONTAINER_DATADIR, ContainerBroker } from "./broker.ts";
import {
  containerBroker,
  type ContainerHandler,
  containerPathOf,
  maybeAutocreate,
  requestedPolicyIndex,
} from "./container_call.ts";

/** UPDATE /drive/part/account/container: merge_items() of a JSON list of object rows. */
export const updateContainer: ContainerHandler = async (call) => {
  const path = containerPathOf(call.req);
  const timestamp = validTimestamp(call.req);
  const { settings } = call.server;
  checkDriveOr507(settings, path.drive);
  checkFreeSpaceOr507(settings, path.drive);
  const policyIndex = requestedPolicyIndex(call);
  using broker = containerBroker(call, path);
  await maybeAutocreate(call, broker, { timestamp, account: path.account, policyIndex });
  const items = await jsonBody(call.req);
  await broker.mergeItems(items as ObjectRecord[]);
  return swobResponse(call.req, { status: 202 });
};

type Info = Record<string, unknown>;

/** cmp_policy_info(): 1 when the remote's policy should win, else -1 or 0. */
function comparePolicyInfo(info: Info, remote: Info): number {
  const isDeleted = (i: Info) =>
    String(i.delete_timestamp) > String(i.put_timestamp) &&
    Number(i.count ?? i.object_count ?? 0) === 0;
  const cmp = (a: unknown, b: unknown) =>
    String(a) < String(b) ? -1 : String(b) < String(a) ? 1 : 0;
  const deleted = isDeleted(info);
  const remoteDeleted = isDeleted(remote);
  if (deleted || remoteDeleted) {
    if (!deleted) return -1;
    if (!remoteDeleted) return 1;
    return cmp(remote.status_changed_at, info.status_changed_at);
  }
  const recreated = (i: Info) =>
    String(i.put_timestamp) > String(i.delete_timestamp) &&
    new Timestamp(String(i.delete_timestamp)).greaterThan(0);
  const remoteRecreated = recreated(remote);
  const localRecreated = recreated(info);
  if (remoteRecreated || localRecreated) {
    if (!localRecreated) return 1;
    if (!remoteRecreated) return -1;
    const lastDelete = String(info.delete_timestamp) > String(remote.delete_timestamp)
      ? info.delete_timestamp
      : remote.delete_timestamp;
    if (String(info.put_timestamp) < String(lastDelete)) return 1;
    if (String(remote.put_timestamp) < String(lastDelete)) return -1;
  }
  return cmp(info.status_changed_at, remote.status_changed_at);
}

/** ContainerReplicatorRpc's variations on ReplicatorRpc. */
function rpcSpec(
  settings: DbServerSettings,
  logger: SwiftLogger,
): ReplicatorRpcSpec<ContainerBroker> {
  const notImplemented = (req: SwobRequest) =>
    Promise.resolve(swobResponse(req, {
      status: 501,
      body: "swiftd does not shard containers: shard range replication is not implemented",
      headers: { "Content-Type": "text/plain" },
    }));
  return {
    devices: settings.devices,
    mountCheck: settings.mountCheck,
    datadir: CONTAINER_DATADIR,
    logger,
    openBroker: (dbFile) => new ContainerBroker(dbFile, { logger }),
    dbFileExists: (dbFile) => getDbFiles(dbFile).length > 0,
    parseExtraSyncArgs(args: unknown[], info: RemoteInfo) {
      if (args.length > 9) {
        info.status_changed_at = args[7] as string;
        info.count = args[8] as number;
        info.storage_policy_index = args[9] as number;
      }
    },
    async syncedReplicationInfo(broker, remote) {
      const info = await broker.getReplicationInfo();
      const remoteInfo = remote as unknown as Info;
      if (
        remote.storage_policy_index !== undefined &&
        remote.storage_policy_index !== info.storage_policy_index &&
        comparePolicyInfo(info, remoteInfo) > 0
      ) {
        await broker.setStoragePolicyIndex(remote.storage_policy_index, Timestamp.now().internal);
        return await broker.getReplicationInfo();
      }
      return info;
    },
    abortMerge: (dbFile) => {
      using broker = new ContainerBroker(dbFile, { logger });
      return Promise.resolve(shardingInitiated(broker));
    },
    extraOps: {
      merge_shard_ranges: (_broker, _args, req) => notImplemented(req),
      get_shard_ranges: (_broker, _args, req) => notImplemented(req),
    },
  };
}

/** REPLICATE /drive/part/hash: one replicator RPC, as JSON [op, args...]. */
export const replicateContainer: ContainerHandler = async (call) => {
  const [drive, partition, hash] = splitAndValidatePath(call.req, 3) as string[];
  const { settings } = call.server;
  checkDriveOr507(settings, drive);
  checkFreeSpaceOr507(settings, drive);
  const body = await jsonBody(call.req);
  return await dispatchReplication(rpcSpec(settings, call.logger), call.req, {
    drive,
    partition,
    hash,
  }, body);
};
