/**
 * Reading a container's stat row (ContainerBroker._do_get_info_query), with
 * the column fallbacks Swift uses for databases older than container sync
 * and storage policies, and the row <-> .pending tuple mapping.
 */
import { Timestamp } from "../common/timestamp.ts";
import { isSqliteError } from "./broker_core.ts";
import type { ContainerInfo, ObjectRecord } from "./container_types.ts";
import type { PickleValue } from "../common/pickle.ts";
import type { SqlConnection } from "./sql.ts";
import { zeroLike } from "./zero_like.ts";

/** The container_stat row without db_state, or undefined when the row is missing. */
export function queryContainerInfo(
  conn: SqlConnection,
): Omit<ContainerInfo, "db_state"> | undefined {
  let sync = "x_container_sync_point1, x_container_sync_point2";
  let policy = "storage_policy_index";
  const errors = new Set<string>();
  for (;;) {
    try {
      const row = conn.get(`
          SELECT CAST(account AS BLOB) AS account, CAST(container AS BLOB) AS container,
            created_at, put_timestamp, delete_timestamp, status, status_changed_at,
            object_count, bytes_used, reported_put_timestamp, reported_delete_timestamp,
            reported_object_count, reported_bytes_used, hash, id, ${sync}, ${policy}
          FROM container_stat`);
      return row as unknown as Omit<ContainerInfo, "db_state"> | undefined;
    } catch (err) {
      const message = String((err as Error).message);
      // Each fallback is tried once; the same failure twice is real.
      if (!isSqliteError(err) || errors.has(message)) throw err;
      errors.add(message);
      if (message.includes("no such column: storage_policy_index")) {
        policy = "0 AS storage_policy_index";
      } else if (message.includes("no such column: x_container_sync_point")) {
        sync = "-1 AS x_container_sync_point1, -1 AS x_container_sync_point2";
      } else throw err;
    }
  }
}

/** A container is deleted when it has no objects and its delete is newer than its put (_is_deleted_info). */
export function isDeletedContainerInfo(
  info: { object_count?: unknown; put_timestamp?: unknown; delete_timestamp?: unknown },
): boolean {
  return zeroLike(info.object_count) &&
    new Timestamp(String(info.delete_timestamp)).greaterThan(String(info.put_timestamp));
}

/** The .pending tuple of an object record (make_tuple_for_pickle). */
export function objectRecordToPickle(record: ObjectRecord): PickleValue[] {
  return [
    record.name,
    record.created_at,
    record.size,
    record.content_type,
    record.etag,
    record.deleted,
    record.storage_policy_index,
    record.ctype_timestamp ?? null,
    record.meta_timestamp ?? null,
  ] as PickleValue[];
}

/** The object record of a .pending tuple; older Swift wrote 6 or 7 fields (_commit_puts_load). */
export function pickleToObjectRecord(entry: PickleValue[]): ObjectRecord {
  if (entry.length < 6) {
    throw new TypeError(`Object entry has ${entry.length} fields, expected 6 to 9`);
  }
  const [name, createdAt, size, contentType, etag, deleted] = entry;
  return {
    name: name as string,
    created_at: createdAt as string,
    size: size as number,
    content_type: contentType as string,
    etag: etag as string,
    deleted: deleted as number,
    storage_policy_index: entry.length > 6 ? entry[6] as number : 0,
    ctype_timestamp: entry.length > 7 ? entry[7] as string | null : null,
    meta_timestamp: entry.length > 8 ? entry[8] as string | null : null,
  };
}
