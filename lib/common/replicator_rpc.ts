/**
 * swift.common.db_replicator.ReplicatorRpc: the REPLICATE calls a db replicator makes to
 * account and container servers. The request body is a JSON list [op, args...]; `sync` answers
 * the local replication info (after merging the caller's metadata, timestamps and sync point),
 * `merge_items` and `merge_syncs` merge rows and sync points, and `complete_rsync` and
 * `rsync_then_merge` move in a database the replicator has rsynced into <device>/tmp.
 * A server adds its own ops (the container server's shard range calls) through `extraOps`.
 */
import { dirname, join } from "@std/path";
import type { DatabaseBroker, SyncPoint } from "../db/broker.ts";
import { parseMetadata } from "../db/metadata.ts";
import { storageDirectory } from "../db/db_path.ts";
import { type PyJson, pythonJsonDumps } from "./python_json.ts";
import type { SwiftLogger } from "../log/logger.ts";
import { swobResponse } from "../object/swob_response.ts";
import type { SwobRequest } from "../object/swob_request.ts";
import { checkDrive } from "./drive_check.ts";

// deno-lint-ignore no-explicit-any
type AnyBroker = DatabaseBroker<any>;

/** What the caller of `sync` says about its copy of the database (_parse_sync_args). */
export interface RemoteInfo {
  point: number;
  hash: string;
  id: string;
  created_at: string;
  put_timestamp: string;
  delete_timestamp: string;
  metadata: Map<string, [string, string]>;
  status_changed_at?: string;
  count?: number;
  storage_policy_index?: number;
}

/** One replication op on an existing database. */
export type RpcOp<B extends AnyBroker> = (
  broker: B,
  args: unknown[],
  req: SwobRequest,
) => Promise<Response>;

/** How one server's databases are found and opened, and its variations on Swift's RPC. */
export interface ReplicatorRpcSpec<B extends AnyBroker> {
  readonly devices: string;
  readonly mountCheck: boolean;
  /** "accounts" or "containers". */
  readonly datadir: string;
  readonly logger: SwiftLogger;
  /** A broker on `dbFile` (broker_class(db_file, logger=...)). */
  openBroker(dbFile: string): B;
  /** _db_file_exists(). */
  dbFileExists(dbFile: string): boolean;
  /** _parse_sync_args() additions for args beyond the first seven. */
  parseExtraSyncArgs?(args: unknown[], info: RemoteInfo): void;
  /** _get_synced_replication_info(). */
  syncedReplicationInfo?(broker: B, remote: RemoteInfo): Promise<Record<string, unknown>>;
  /** Whether rsync_then_merge must stop now (beyond the files being missing). */
  abortMerge?(dbFile: string): Promise<boolean>;
  /** Ops besides Swift's common ones. */
  readonly extraOps?: Readonly<Record<string, RpcOp<B>>>;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function answer(req: SwobRequest, status: number, body?: string): Response {
  return swobResponse(req, { status, body });
}

/** ReplicatorRpc.dispatch(): runs the op named by args[0]; 501 for ops swiftd lacks. */
export async function dispatchReplication<B extends AnyBroker>(
  spec: ReplicatorRpcSpec<B>,
  req: SwobRequest,
  location: { drive: string; partition: string; hash: string },
  body: unknown,
): Promise<Response> {
  if (!Array.isArray(body)) return answer(req, 400, "Invalid object type");
  const args = [...body];
  const op = args.shift();
  let devPath: string;
  try {
    devPath = checkDrive(spec.devices, location.drive, spec.mountCheck);
  } catch {
    return swobResponse(req, { status: 507 });
  }
  const dbFile = join(
    devPath,
    storageDirectory(spec.datadir, location.partition, location.hash),
    `${location.hash}.db`,
  );
  if (op === "rsync_then_merge") {
    return await rsyncThenMerge(spec, req, location.drive, dbFile, args);
  }
  if (op === "complete_rsync") return completeRsync(spec, req, location.drive, dbFile, args);
  // Someone may be about to rsync a database here: make sure its tmp dir exists.
  Deno.mkdirSync(join(spec.devices, location.drive, "tmp"), { recursive: true });
  if (!spec.dbFileExists(dbFile)) return answer(req, 404);
  const ops: Record<string, RpcOp<B>> = {
    sync: (broker, a) => sync(spec, req, broker, a),
    merge_syncs: async (broker, a) => {
      await broker.mergeSyncs(a[0] as SyncPoint[]);
      return answer(req, 202);
    },
    merge_items: async (broker, a) => {
      await broker.mergeItems(a[0] as unknown[], a[1] as string | null);
      return answer(req, 202);
    },
    ...spec.extraOps,
  };
  const run = typeof op === "string" && Object.hasOwn(ops, op) ? ops[op] : undefined;
  if (!run) {
    return answer(req, 501, `Replication op ${JSON.stringify(op)} is not implemented by swiftd`);
  }
  using broker = spec.openBroker(dbFile);
  return await run(broker, args, req);
}

function parseSyncArgs<B extends AnyBroker>(
  spec: ReplicatorRpcSpec<B>,
  args: unknown[],
): RemoteInfo {
  const [point, hash, id, createdAt, putTimestamp, deleteTimestamp, metadata] = args;
  let parsed = new Map<string, [string, string]>();
  if (metadata) {
    try {
      parsed = parseMetadata(String(metadata));
    } catch {
      spec.logger.error(`Unable to decode remote metadata ${JSON.stringify(metadata)}`);
    }
  }
  const info: RemoteInfo = {
    point: point as number,
    hash: hash as string,
    id: id as string,
    created_at: createdAt as string,
    put_timestamp: putTimestamp as string,
    delete_timestamp: deleteTimestamp as string,
    metadata: parsed,
  };
  spec.parseExtraSyncArgs?.(args, info);
  return info;
}

/** sync / _handle_sync_request(): merges what the caller knows and answers our info. */
async function sync<B extends AnyBroker>(
  spec: ReplicatorRpcSpec<B>,
  req: SwobRequest,
  broker: B,
  args: unknown[],
): Promise<Response> {
  const remote = parseSyncArgs(spec, args);
  const info = spec.syncedReplicationInfo
    ? await spec.syncedReplicationInfo(broker, remote)
    : await broker.getReplicationInfo();
  if (remote.metadata.size) await broker.updateMetadata(remote.metadata);
  const keys = ["created_at", "put_timestamp", "delete_timestamp"] as const;
  if (keys.some((key) => info[key] !== remote[key])) {
    await broker.mergeTimestamps(remote.created_at, remote.put_timestamp, remote.delete_timestamp);
  }
  info.point = await broker.getSync(remote.id);
  if (remote.hash === info.hash && (info.point as number) < remote.point) {
    await broker.mergeSyncs([{ remote_id: remote.id, sync_point: remote.point }]);
    info.point = remote.point;
  }
  return answer(req, 200, pythonJsonDumps(toPythonJson(info)));
}

/** A plain object as a key-ordered JSON value. */
export function toPythonJson(value: unknown): PyJson {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(toPythonJson);
  if (value instanceof Map) {
    return new Map([...value].map(([k, v]) => [String(k), toPythonJson(v)]));
  }
  if (typeof value === "object") {
    return new Map(Object.entries(value).map(([k, v]) => [k, toPythonJson(v)]));
  }
  if (typeof value === "bigint") return Number(value);
  return value as PyJson;
}

/** complete_rsync: moves <device>/tmp/<args[0]> into place under a new id. */
async function completeRsync<B extends AnyBroker>(
  spec: ReplicatorRpcSpec<B>,
  req: SwobRequest,
  drive: string,
  dbFile: string,
  args: unknown[],
): Promise<Response> {
  const oldFilename = join(spec.devices, drive, "tmp", String(args[0]));
  const target = args.length > 1 ? join(dirname(dbFile), String(args[1])) : dbFile;
  if (exists(target) || !exists(oldFilename)) return answer(req, 404);
  {
    using broker = spec.openBroker(oldFilename);
    await broker.newid(String(args[0]));
  }
  Deno.mkdirSync(dirname(target), { recursive: true });
  Deno.renameSync(oldFilename, target);
  return answer(req, 204);
}

/** rsync_then_merge: merges our rows into the rsynced copy, then moves it over ours. */
async function rsyncThenMerge<B extends AnyBroker>(
  spec: ReplicatorRpcSpec<B>,
  req: SwobRequest,
  drive: string,
  dbFile: string,
  args: unknown[],
): Promise<Response> {
  const tmpFilename = join(spec.devices, drive, "tmp", String(args[0]));
  const abort = async () =>
    !(spec.dbFileExists(dbFile) && exists(tmpFilename)) ||
    (await spec.abortMerge?.(dbFile) ?? false);
  if (await abort()) return answer(req, 404);
  using fresh = spec.openBroker(tmpFilename);
  using existing = spec.openBroker(dbFile);
  const target = existing.dbFile;
  let point = -1;
  let rows = await existing.getItemsSince(point, 1000);
  while (rows.length) {
    await fresh.mergeItems(rows);
    point = Number(rows[rows.length - 1].ROWID);
    rows = await existing.getItemsSince(point, 1000);
  }
  await fresh.mergeSyncs(await existing.getSyncs());
  await fresh.newid(String(args[0]));
  await fresh.updateMetadata(await existing.getMetadata());
  if (await abort()) return answer(req, 404);
  fresh.close();
  existing.close();
  Deno.renameSync(tmpFilename, target);
  return answer(req, 204);
}
