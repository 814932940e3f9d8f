/** Data shapes of ContainerBroker's API; snake_case keys are Swift's dict keys. */
import type { DatabaseBrokerOptions } from "./broker.ts";
import type { ObjectMergeItem } from "./container_merge.ts";
import type { DbState } from "./container_shard_state.ts";

export type { ObjectListingQuery } from "./container_listing.ts";

/** An object row as put_object() and merge_items() take it (Swift's record dict). */
export type ObjectRecord = ObjectMergeItem;

/** Optional attributes of putObject(), after Swift's keyword arguments. */
export interface PutObjectOptions {
  /** Object size in bytes. */
  size: number | string;
  /** Content type, possibly with ";swift_bytes=N". */
  contentType: string;
  /** Object etag. */
  etag: string;
  /** 1 to record a tombstone (default 0). */
  deleted?: number;
  /** Policy the object lives in (default 0). */
  storagePolicyIndex?: number;
  /** Internal timestamp of the last content-type change. */
  ctypeTimestamp?: string | null;
  /** Internal timestamp of the last metadata change. */
  metaTimestamp?: string | null;
}

/** get_info() of a container, with Swift's keys. */
export interface ContainerInfo {
  account: string;
  container: string;
  created_at: string;
  put_timestamp: string;
  delete_timestamp: string;
  status: string;
  status_changed_at: string;
  object_count: number;
  bytes_used: number;
  reported_put_timestamp: string;
  reported_delete_timestamp: string;
  reported_object_count: number;
  reported_bytes_used: number;
  hash: string;
  id: string;
  x_container_sync_point1: number;
  x_container_sync_point2: number;
  storage_policy_index: number;
  db_state: DbState;
}

/**
 * One listing entry: [name, last-modified internal timestamp, size,
 * content_type, etag], or [subdir, "0", 0, null, ""] for a delimiter rollup.
 */
export type ObjectListingEntry = [
  name: string,
  createdAt: string,
  size: number,
  contentType: string | null,
  etag: string,
];

/** A raw object row as get_objects() returns it. */
export interface ObjectRow {
  name: string;
  created_at: string;
  size: number;
  content_type: string;
  etag: string;
  deleted: number;
  storage_policy_index: number;
}

/** Options of ContainerBroker's constructor. */
export interface ContainerBrokerOptions extends DatabaseBrokerOptions {
  /** Always use the given file, even when newer sharding epochs exist beside it. */
  forceDbFile?: boolean;
}

/** Per-policy counts of a container (get_policy_stats values). */
export interface PolicyStats {
  object_count: number;
  bytes_used: number;
}
