/**
 * Storage-policy bookkeeping of a container database: per-policy counts,
 * the container's own policy, and the rows the reconciler must move because
 * they landed in another policy (swift/container/backend.py).
 */
import { migrateAddContainerSyncPoints, migrateAddStoragePolicy } from "./container_migrations.ts";
import type { PolicyStats } from "./container_types.ts";
import type { SqlConnection, SqlRow } from "./sql.ts";

function missingPolicySchema(err: unknown): boolean {
  const message = String((err as Error).message);
  return message.includes("no such column: storage_policy_index") ||
    message.includes("no such table: policy_stat");
}

/** {policy index: {object_count, bytes_used}} (get_policy_stats). */
export function getPolicyStats(conn: SqlConnection): Record<number, PolicyStats> {
  let rows: SqlRow[];
  try {
    rows = conn.all("SELECT storage_policy_index, object_count, bytes_used FROM policy_stat");
  } catch (err) {
    if (!missingPolicySchema(err)) throw err;
    rows = conn.all(
      "SELECT 0 as storage_policy_index, object_count, bytes_used FROM container_stat",
    );
  }
  const stats: Record<number, PolicyStats> = {};
  for (const row of rows) {
    stats[Number(row.storage_policy_index)] = {
      object_count: row.object_count as number,
      bytes_used: row.bytes_used as number,
    };
  }
  return stats;
}

/** True when rows of more than one policy are counted (has_multiple_policies). */
export function hasMultiplePolicies(conn: SqlConnection): boolean {
  try {
    const row = conn.get("SELECT count(storage_policy_index) AS n FROM policy_stat");
    return Number(row?.n ?? 0) > 1;
  } catch (err) {
    if (!String((err as Error).message).includes("no such table: policy_stat")) throw err;
    return false;
  }
}

/** Switches the container to `policyIndex`, raising status_changed_at to `timestamp` (set_storage_policy_index). */
export function setStoragePolicyIndex(
  conn: SqlConnection,
  policyIndex: number,
  timestamp: string,
): void {
  const apply = () =>
    conn.transaction(() => {
      conn.run("INSERT OR IGNORE INTO policy_stat (storage_policy_index) VALUES (?)", [
        policyIndex,
      ]);
      conn.run(
        `UPDATE container_stat SET storage_policy_index = ?, status_changed_at = MAX(?, status_changed_at)
         WHERE storage_policy_index <> ?`,
        [policyIndex, timestamp, policyIndex],
      );
    });
  try {
    apply();
  } catch (err) {
    if (!missingPolicySchema(err)) throw err;
    migrateAddStoragePolicy(conn);
    apply();
  }
}

/** The reconciler's progress through the object table, or -1 (get_reconciler_sync). */
export function getReconcilerSync(conn: SqlConnection): number {
  try {
    return Number(conn.get("SELECT reconciler_sync_point AS p FROM container_stat")?.p);
  } catch (err) {
    if (!String((err as Error).message).includes("no such column: reconciler_sync_point")) {
      throw err;
    }
    return -1;
  }
}

/** Records the reconciler's progress (update_reconciler_sync). */
export function updateReconcilerSync(conn: SqlConnection, point: number): void {
  const sql = "UPDATE container_stat SET reconciler_sync_point = ?";
  try {
    conn.run(sql, [point]);
  } catch (err) {
    if (!String((err as Error).message).includes("no such column: reconciler_sync_point")) {
      throw err;
    }
    migrateAddStoragePolicy(conn);
    conn.run(sql, [point]);
  }
}

/** Rows after ROWID `start` whose policy differs from the container's (get_misplaced_since). */
export function getMisplacedSince(conn: SqlConnection, start: number, count: number): SqlRow[] {
  try {
    return conn.all(
      `SELECT ROWID, CAST(name AS BLOB) AS name, created_at, size, content_type, etag,
              deleted, storage_policy_index
       FROM object
       WHERE ROWID > ?
       AND storage_policy_index != (
           SELECT storage_policy_index FROM container_stat LIMIT 1)
       ORDER BY ROWID ASC LIMIT ?`,
      [start, count],
    );
  } catch (err) {
    if (!String((err as Error).message).includes("no such column: storage_policy_index")) throw err;
    return [];
  }
}

/** Sets either or both container-sync points, migrating very old schemas (set_x_container_sync_points). */
export function setContainerSyncPoints(
  conn: SqlConnection,
  point1: number | null,
  point2: number | null,
): void {
  const apply = () => {
    if (point1 !== null && point2 !== null) {
      conn.run(
        "UPDATE container_stat SET x_container_sync_point1 = ?, x_container_sync_point2 = ?",
        [point1, point2],
      );
    } else if (point1 !== null) {
      conn.run("UPDATE container_stat SET x_container_sync_point1 = ?", [point1]);
    } else if (point2 !== null) {
      conn.run("UPDATE container_stat SET x_container_sync_point2 = ?", [point2]);
    }
  };
  try {
    apply();
  } catch (err) {
    if (!String((err as Error).message).includes("no such column: x_container_sync_point")) {
      throw err;
    }
    migrateAddContainerSyncPoints(conn);
    apply();
  }
}
