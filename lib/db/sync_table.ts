/**
 * The incoming_sync/outgoing_sync tables: how far this database has been
 * replicated to or from each remote database id.
 */
import { Real, type SqlConnection } from "./sql.ts";

/** One row of incoming_sync/outgoing_sync. */
export interface SyncPoint {
  /** The other database's id. */
  remote_id: string;
  /** Highest ROWID known to be in sync. */
  sync_point: number;
}

function table(incoming: boolean): string {
  return `${incoming ? "incoming" : "outgoing"}_sync`;
}

/** The sync point recorded for `remoteId`, or -1 (get_sync). */
export function getSyncPoint(conn: SqlConnection, remoteId: string, incoming: boolean): number {
  const row = conn.get(`SELECT sync_point FROM ${table(incoming)} WHERE remote_id=?`, [remoteId]);
  return row ? Number(row.sync_point) : -1;
}

/** Every row of one sync table (get_syncs). */
export function getSyncPoints(conn: SqlConnection, incoming: boolean): SyncPoint[] {
  return conn.all(`SELECT remote_id, sync_point FROM ${table(incoming)}`)
    .map((row) => ({ remote_id: String(row.remote_id), sync_point: Number(row.sync_point) }));
}

/** Inserts or raises sync points, inside the caller's transaction (merge_syncs). */
export function mergeSyncPoints(conn: SqlConnection, points: SyncPoint[], incoming: boolean): void {
  for (const point of points) {
    try {
      conn.run(`INSERT INTO ${table(incoming)} (sync_point, remote_id) VALUES (?, ?)`, [
        point.sync_point,
        point.remote_id,
      ]);
    } catch (err) {
      // remote_id is UNIQUE: an existing row keeps the larger point.
      if (!String((err as Error).message).includes("UNIQUE constraint failed")) throw err;
      conn.run(`UPDATE ${table(incoming)} SET sync_point=max(?, sync_point) WHERE remote_id=?`, [
        point.sync_point,
        point.remote_id,
      ]);
    }
  }
}

/** Deletes sync rows last updated before `syncTimestamp` seconds (_reclaim_sync). */
export function reclaimSyncPoints(conn: SqlConnection, syncTimestamp: number): void {
  try {
    // Bound as REAL like Python's float, so SQLite compares the same text.
    conn.run("DELETE FROM outgoing_sync WHERE updated_at < ?", [new Real(syncTimestamp)]);
    conn.run("DELETE FROM incoming_sync WHERE updated_at < ?", [new Real(syncTimestamp)]);
  } catch (err) {
    // Databases from before the updated_at column have nothing to reclaim here.
    if (!String((err as Error).message).includes("no such column: updated_at")) throw err;
  }
}
