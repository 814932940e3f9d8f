/**
 * The sharding state of a container database as Swift 2.30 reports it
 * (get_db_state and _get_alternate_object_stats). swiftd never shards, but a
 * database Swift has sharded must still report Swift's counts: a root that
 * has handed its objects to shards counts the shards' objects instead.
 */
import { Timestamp } from "../common/timestamp.ts";
import type { Metadata } from "./metadata.ts";
import type { SqlConnection, SqlRow } from "./sql.ts";

/** Swift's db_state values. */
export type DbState = "not_found" | "unsharded" | "sharding" | "sharded" | "collapsed";

/** ShardRange states whose counts make up a sharded root's usage (SHARD_STATS_STATES). */
const SHARD_STATS_STATES = [40, 60, 50];

/** What the state computation needs from a ContainerBroker. */
export interface ShardStateHost {
  /** Existing db files, oldest epoch first. */
  readonly dbFiles: string[];
  /** Epoch in the current db file name, or null. */
  readonly dbEpoch: string | null;
  /** "account/container". */
  readonly path: string;
  /** Runs `fn` on the broker's connection. */
  withConnection<T>(fn: (conn: SqlConnection) => T): T;
  /** The broker's metadata. */
  getMetadata(): Promise<Metadata>;
  /** object_count and bytes_used of the retiring (older) db while sharding. */
  retiringObjectStats(): Promise<{ object_count: number; bytes_used: number }>;
}

/** Object counts that replace the db's own while sharding or once a root is sharded. */
export type AlternateStats = Partial<{ object_count: number; bytes_used: number }>;

function ownShardRange(host: ShardStateHost): SqlRow | undefined {
  return host.withConnection((conn) => {
    try {
      return conn.get(
        "SELECT epoch, deleted, state FROM shard_range WHERE name = CAST(? AS TEXT)",
        [host.path],
      );
    } catch (err) {
      if (String((err as Error).message).includes("no such table: shard_range")) return undefined;
      throw err;
    }
  });
}

function otherShardRanges(host: ShardStateHost, states?: number[]): SqlRow[] {
  return host.withConnection((conn) => {
    try {
      const stateFilter = states ? ` AND state in (${states.join(",")})` : "";
      return conn.all(
        `SELECT object_count, bytes_used FROM shard_range WHERE deleted=0 AND name != CAST(? AS TEXT)${stateFilter}`,
        [host.path],
      );
    } catch (err) {
      if (String((err as Error).message).includes("no such table: shard_range")) return [];
      throw err;
    }
  });
}

/** get_db_state(). */
export function getDbState(host: ShardStateHost): DbState {
  const files = host.dbFiles;
  if (files.length === 0) return "not_found";
  if (files.length > 1) return "sharding";
  const epoch = host.dbEpoch;
  if (epoch === null) return "unsharded";
  const ownEpoch = ownShardRange(host)?.epoch;
  if (
    ownEpoch === null || ownEpoch === undefined || !new Timestamp(String(ownEpoch)).equals(epoch)
  ) {
    return "unsharded";
  }
  return otherShardRanges(host).length ? "sharded" : "collapsed";
}

/** is_root_container(): not a shard of another container. */
export async function isRootContainer(host: ShardStateHost): Promise<boolean> {
  const md = await host.getMetadata();
  const quoted = md.get("X-Container-Sysmeta-Shard-Quoted-Root")?.[0];
  const plain = md.get("X-Container-Sysmeta-Shard-Root")?.[0];
  const root = quoted ? unquote(quoted) : plain || null;
  if (root !== null) return host.path === root;
  const own = ownShardRange(host);
  if (!own) return true;
  return !own.deleted;
}

/** sharding_initiated(): own shard range is sharding, shrinking, sharded or shrunk and shard ranges exist. */
export function shardingInitiated(host: ShardStateHost): boolean {
  const state = Number(ownShardRange(host)?.state ?? 40);
  return [60, 50, 70, 80].includes(state) && otherShardRanges(host).length > 0;
}

/** get_shard_usage(): objects and bytes of the shards in SHARD_STATS_STATES. */
export function shardUsage(host: ShardStateHost): { object_count: number; bytes_used: number } {
  let objectCount = 0;
  let bytesUsed = 0;
  for (const row of otherShardRanges(host, SHARD_STATS_STATES)) {
    objectCount += Number(row.object_count);
    bytesUsed += Number(row.bytes_used);
  }
  return { object_count: objectCount, bytes_used: bytesUsed };
}

/** [db_state, counts to use instead of the db's own] (_get_alternate_object_stats). */
export async function shardedObjectStats(host: ShardStateHost): Promise<[DbState, AlternateStats]> {
  const state = getDbState(host);
  if (state === "sharding") {
    const other = await host.retiringObjectStats();
    return [state, { object_count: other.object_count, bytes_used: other.bytes_used }];
  }
  if (state === "sharded" && await isRootContainer(host)) {
    const usage = shardUsage(host);
    return [state, { bytes_used: usage.bytes_used, object_count: usage.object_count }];
  }
  return [state, {}];
}

// urllib.parse.unquote: invalid escapes stay as they are, bad UTF-8 becomes U+FFFD.
function unquote(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = Uint8Array.from(run.match(/%../g) as string[], (h) => parseInt(h.slice(1), 16));
    return new TextDecoder().decode(bytes);
  });
}
