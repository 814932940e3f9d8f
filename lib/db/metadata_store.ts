/**
 * Reading and writing the metadata column of <type>_stat, including the
 * databases from before the column existed (Swift adds it on first write).
 */
import { Timestamp } from "../common/timestamp.ts";
import {
  mergeMetadata,
  type Metadata,
  type MetadataLimits,
  parseMetadata,
  reclaimableMetadataKeys,
  serializeMetadata,
  validateMetadata,
} from "./metadata.ts";
import type { SqlConnection } from "./sql.ts";

/** The stat row is missing: the database is damaged and must be quarantined. */
export const MISSING_STAT_ROW = Symbol("missing stat row");

function isMissingColumn(err: unknown): boolean {
  return String((err as Error).message).includes("no such column: metadata");
}

/** The raw metadata text, null when the column does not exist yet, or MISSING_STAT_ROW. */
export function readRawMetadata(
  conn: SqlConnection,
  dbType: string,
): string | null | typeof MISSING_STAT_ROW {
  try {
    const row = conn.get(`SELECT metadata FROM ${dbType}_stat`);
    if (!row) return MISSING_STAT_ROW;
    return (row.metadata as string | null) ?? "";
  } catch (err) {
    if (!isMissingColumn(err)) throw err;
    return null;
  }
}

/** Merges `changes` into the stored metadata inside the caller's transaction (update_metadata's write half). */
export function writeMetadataChanges(
  conn: SqlConnection,
  dbType: string,
  changes: Metadata,
  validate: { validate: boolean; limits?: MetadataLimits },
): typeof MISSING_STAT_ROW | void {
  const raw = readRawMetadata(conn, dbType);
  if (raw === MISSING_STAT_ROW) return raw;
  if (raw === null) {
    conn.exec(
      `ALTER TABLE ${dbType}_stat\n                    ADD COLUMN metadata TEXT DEFAULT '' `,
    );
  }
  const md = parseMetadata(raw);
  mergeMetadata(md, changes);
  if (validate.validate) validateMetadata(md, validate.limits);
  conn.run(`UPDATE ${dbType}_stat SET metadata = ?`, [serializeMetadata(md)]);
}

/** Drops blank values older than `ageTimestamp` seconds (_reclaim_metadata). */
export function reclaimMetadata(
  conn: SqlConnection,
  dbType: string,
  ageTimestamp: number,
): typeof MISSING_STAT_ROW | void {
  const raw = readRawMetadata(conn, dbType);
  if (raw === MISSING_STAT_ROW) return raw;
  if (!raw) return;
  const md = parseMetadata(raw);
  const stale = reclaimableMetadataKeys(md, new Timestamp(ageTimestamp));
  if (stale.length === 0) return;
  for (const key of stale) md.delete(key);
  conn.run(`UPDATE ${dbType}_stat SET metadata = ?`, [serializeMetadata(md)]);
}
