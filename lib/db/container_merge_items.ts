/**
 * ContainerBroker.merge_items(): writes object rows in one transaction,
 * replacing a (name, policy) row only when some part of the update is newer.
 * Rows are never UPDATEd — a trigger forbids it — but deleted and re-inserted,
 * so the count and hash triggers see every change.
 */
import {
  type ExistingObjectRow,
  type ObjectMergeItem,
  updateNewItemFromExisting,
} from "./container_merge.ts";
import type { SqlConnection } from "./sql.ts";

/** SQLite's default limit on bound parameters (Swift's SQLITE_ARG_LIMIT). */
export const SQLITE_ARG_LIMIT = 999;

/** Merges `items` (mutating them as Swift does) and, with `source`, advances its incoming sync point. */
export function mergeObjectItems(
  conn: SqlConnection,
  dbVersion: number,
  items: ObjectMergeItem[],
  source?: string | null,
): void {
  for (const item of items) {
    if ((item.name as unknown) instanceof Uint8Array) {
      item.name = new TextDecoder().decode(item.name as unknown as Uint8Array);
    }
  }
  const queryMod = dbVersion >= 1 ? " deleted IN (0, 1) AND " : "";
  conn.transaction(() => {
    // Python keys by (name, policy) tuples, where "0" and 0 differ; so do these keys.
    const identOf = (name: unknown, policy: unknown) => JSON.stringify([name, policy]);
    const records = new Map<string, ExistingObjectRow>();
    for (let offset = 0; offset < items.length; offset += SQLITE_ARG_LIMIT) {
      const chunk = items.slice(offset, offset + SQLITE_ARG_LIMIT).map((item) => item.name);
      const rows = conn.all(
        `SELECT CAST(name AS BLOB) AS name, created_at, size, content_type, etag, deleted, storage_policy_index
         FROM object WHERE ${queryMod} name IN (${chunk.map(() => "CAST(? AS TEXT)").join(",")})`,
        chunk,
      );
      for (const row of rows) {
        records.set(
          identOf(row.name, row.storage_policy_index),
          row as unknown as ExistingObjectRow,
        );
      }
    }
    const toDelete = new Map<string, [string, number | string]>();
    const toAdd = new Map<string, ObjectMergeItem>();
    for (const item of items) {
      if (!("storage_policy_index" in item) || item.storage_policy_index === undefined) {
        item.storage_policy_index = 0;
      }
      const ident = identOf(item.name, item.storage_policy_index);
      const record = records.get(ident);
      if (updateNewItemFromExisting(item, record ? { ...record } : null)) {
        if (record) toDelete.set(ident, [item.name, item.storage_policy_index]);
        const earlier = toAdd.get(ident);
        if (earlier) updateNewItemFromExisting(item, earlier);
        toAdd.set(ident, item);
      }
    }
    for (const [name, policy] of toDelete.values()) {
      conn.run(
        `DELETE FROM object WHERE ${queryMod}name=CAST(? AS TEXT) AND storage_policy_index=?`,
        [name, policy],
      );
    }
    for (const item of toAdd.values()) {
      conn.run(
        `INSERT INTO object (name, created_at, size, content_type, etag, deleted, storage_policy_index)
         VALUES (CAST(? AS TEXT), ?, ?, ?, ?, ?, ?)`,
        [
          item.name,
          item.created_at,
          item.size,
          item.content_type,
          item.etag,
          item.deleted,
          item.storage_policy_index,
        ],
      );
    }
    if (source) {
      // Replication sends rows in ROWID order without gaps, so the last one is the sync point.
      const syncPoint = items[items.length - 1].ROWID ?? null;
      const changed = conn.run(
        "UPDATE incoming_sync SET sync_point=max(?, sync_point) WHERE remote_id=?",
        [syncPoint, source],
      );
      if (changed < 1) {
        conn.run("INSERT INTO incoming_sync (sync_point, remote_id) VALUES (?, ?)", [
          syncPoint,
          source,
        ]);
      }
    }
  });
}
