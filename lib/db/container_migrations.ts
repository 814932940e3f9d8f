/**
 * Schema upgrades ContainerBroker applies to databases made by older Swift
 * releases, run when a query fails for lack of the newer column or table
 * (the _migrate_* methods of swift/container/backend.py).
 */
import {
  CONTAINER_INFO_TABLE_SCRIPT,
  CONTAINER_STAT_VIEW_SCRIPT,
  POLICY_STAT_TABLE_CREATE,
  POLICY_STAT_TRIGGER_SCRIPT,
  SHARD_RANGE_TABLE_CREATE,
  SHARD_RANGE_TRIGGER_CREATE,
} from "./container_schema.ts";
import type { SqlConnection } from "./sql.ts";

/** Adds x_container_sync_point1/2 to a pre-container-sync container_stat table. */
export function migrateAddContainerSyncPoints(conn: SqlConnection): void {
  conn.exec(`
            BEGIN;
            ALTER TABLE container_stat
            ADD COLUMN x_container_sync_point1 INTEGER DEFAULT -1;
            ALTER TABLE container_stat
            ADD COLUMN x_container_sync_point2 INTEGER DEFAULT -1;
            COMMIT;
        `);
}

/**
 * Converts a pre-storage-policy database: policy_stat takes the counts,
 * object gains storage_policy_index, container_stat becomes container_info
 * plus the container_stat view.
 */
export function migrateAddStoragePolicy(conn: SqlConnection): void {
  try {
    migrateAddContainerSyncPoints(conn);
  } catch (err) {
    if (!String((err as Error).message).includes("duplicate column")) throw err;
    conn.exec("ROLLBACK;");
  }
  try {
    conn.exec(`
                ALTER TABLE container_stat
                ADD COLUMN metadata TEXT DEFAULT '';
            `);
  } catch (err) {
    if (!String((err as Error).message).includes("duplicate column")) throw err;
  }
  const columns = [
    "account",
    "container",
    "created_at",
    "put_timestamp",
    "delete_timestamp",
    "reported_put_timestamp",
    "reported_object_count",
    "reported_bytes_used",
    "hash",
    "id",
    "status",
    "status_changed_at",
    "metadata",
    "x_container_sync_point1",
    "x_container_sync_point2",
  ].join(", ");
  conn.exec(
    "BEGIN;" + POLICY_STAT_TABLE_CREATE + `
                INSERT INTO policy_stat (
                    storage_policy_index, object_count, bytes_used)
                SELECT 0, object_count, bytes_used
                FROM container_stat;

                ALTER TABLE object
                ADD COLUMN storage_policy_index INTEGER DEFAULT 0;

                DROP TRIGGER object_insert;
                DROP TRIGGER object_delete;
            ` + POLICY_STAT_TRIGGER_SCRIPT + CONTAINER_INFO_TABLE_SCRIPT + `
                INSERT INTO container_info (${columns})
                SELECT ${columns} FROM container_stat;

                DROP TABLE IF EXISTS container_stat;
            ` + CONTAINER_STAT_VIEW_SCRIPT + "COMMIT;",
  );
}

/** Adds shard_range.reported. */
export function migrateAddShardRangeReported(conn: SqlConnection): void {
  conn.exec(`
            BEGIN;
            ALTER TABLE shard_range
            ADD COLUMN reported INTEGER DEFAULT 0;
            COMMIT;
        `);
}

/** Adds shard_range.tombstones. */
export function migrateAddShardRangeTombstones(conn: SqlConnection): void {
  conn.exec(`
            BEGIN;
            ALTER TABLE shard_range
            ADD COLUMN tombstones INTEGER DEFAULT -1;
            COMMIT;
        `);
}

/** Creates the shard_range table on databases from before sharding existed. */
export function createShardRangeTable(conn: SqlConnection): void {
  conn.exec(SHARD_RANGE_TABLE_CREATE);
  conn.exec(SHARD_RANGE_TRIGGER_CREATE);
}
