/**
 * The SQL side of ContainerBroker.list_objects_iter(): which object rows one
 * page of a listing reads (policy, tombstones, reserved names, since_row).
 */
import { delimitedListing, type ListingQuery, type NameBounds } from "./listing.ts";
import type { SqlConnection, SqlParam } from "./sql.ts";

/** Swift's RESERVED_BYTE: names starting with it are hidden unless allowReserved. */
export const RESERVED_BYTE = "\u0000";

/** Options of list_objects_iter() beyond the shared ListingQuery (Swift's keyword arguments). */
export interface ObjectListingQuery extends ListingQuery {
  /** Policy whose rows are listed (default 0); ignored with allPolicies. */
  storagePolicyIndex?: number;
  /** true: only tombstones; false (default): only live rows; null: both. */
  includeDeleted?: boolean | null;
  /** Only rows with ROWID above this. */
  sinceRow?: number | null;
  /** List every policy's rows. */
  allPolicies?: boolean;
  /** Include names starting with the reserved byte "\x00". */
  allowReserved?: boolean;
}

/** Shapes rows [name, created_at, size, content_type, etag, deleted, storage_policy_index] into entries. */
export interface ObjectEntryShape<Entry> {
  /** The entry for one row. */
  entry(row: unknown[]): Entry;
  /** The entry for a delimiter rollup. */
  subdir(name: string): Entry;
}

/** Runs list_objects_iter's query loop on `conn`; `dbVersion` 0 means the legacy index-less schema. */
export function listObjectRows<Entry>(
  conn: SqlConnection,
  dbVersion: number,
  query: ObjectListingQuery,
  shape: ObjectEntryShape<Entry>,
): Entry[] {
  const includeDeleted = query.includeDeleted === undefined ? false : query.includeDeleted;
  const deletedArg = includeDeleted === true
    ? " = 1"
    : includeDeleted === false
    ? " = 0"
    : " in (0, 1)";
  // "+deleted" keeps SQLite from a full scan of old databases' deleted-only index.
  const deletedKey = dbVersion < 1 ? "+deleted" : "deleted";
  const keys = [
    "CAST(name AS BLOB) AS name",
    "created_at",
    "size",
    "content_type",
    "etag",
    `${deletedKey} AS deleted`,
  ];
  const fetch = (bounds: NameBounds, limit: number): unknown[][] => {
    const conditions = [...bounds.conditions];
    const args: SqlParam[] = [...bounds.args];
    if (!query.allowReserved) {
      conditions.push("name >= ?");
      args.push(String.fromCharCode(RESERVED_BYTE.charCodeAt(0) + 1));
    }
    conditions.push(deletedKey + deletedArg);
    if (query.sinceRow) {
      conditions.push("ROWID > ?");
      args.push(query.sinceRow);
    }
    const run = (policyColumn: string, extra: string[], extraArgs: SqlParam[]) => {
      const where = [...conditions, ...extra];
      return conn.tuples(
        `SELECT ${[...keys, policyColumn].join(", ")} FROM object WHERE ${where.join(" AND ")}
         ORDER BY name ${query.reverse ? "DESC" : ""} LIMIT ?`,
        [...args, ...extraArgs, limit],
      );
    };
    try {
      if (query.allPolicies) return run("storage_policy_index", [], []);
      return run("storage_policy_index", ["storage_policy_index = ?"], [
        query.storagePolicyIndex ?? 0,
      ]);
    } catch (err) {
      if (!String((err as Error).message).includes("no such column: storage_policy_index")) {
        throw err;
      }
      return run("0 AS storage_policy_index", [], []);
    }
  };
  return delimitedListing(query, { fetch, entry: shape.entry, subdir: shape.subdir });
}
