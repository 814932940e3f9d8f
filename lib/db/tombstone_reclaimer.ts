/**
 * Swift's TombstoneReclaimer: deletes rows marked deleted whose reclaim
 * timestamp is older than a cutoff, in pages of RECLAIM_PAGE_SIZE names so
 * that no single transaction holds the database for long.
 */
import { pythonFloatRepr } from "../common/python_float_repr.ts";
import type { SqlConnection } from "./sql.ts";

/** Swift's RECLAIM_PAGE_SIZE. */
export const RECLAIM_PAGE_SIZE = 10000;

/** What a reclaimer needs from its broker. */
export interface ReclaimTarget {
  /** "object" or "container": the table holding tombstones. */
  readonly dbContainsType: string;
  /** "created_at" or "delete_timestamp": the column compared to the cutoff. */
  readonly dbReclaimTimestamp: string;
  /** Runs `fn` on the broker's connection. */
  withConnection<T>(fn: (conn: SqlConnection) => T): T;
}

/** Reclaims tombstones older than `ageTimestamp` (seconds since the epoch) from one database. */
export class TombstoneReclaimer {
  /** Rows deleted so far. */
  reclaimed = 0;
  /** Tombstones known to remain (counted as pages are processed). */
  remainingTombstones = 0;
  /** True once every page has been processed. */
  finished = false;
  #marker = "";
  #target: ReclaimTarget;
  #batchQuery: string;
  #cleanQuery: string;

  /** Prepares the page queries; nothing runs until reclaim(). */
  constructor(target: ReclaimTarget, ageTimestamp: number) {
    this.#target = target;
    const table = target.dbContainsType;
    this.#batchQuery = `
            SELECT CAST(name AS BLOB) AS name FROM ${table} WHERE deleted = 1
            AND name >= CAST(? AS TEXT)
            ORDER BY NAME LIMIT 1 OFFSET ?
        `;
    // Swift formats the float cutoff into the SQL with '%s'; SQLite then
    // compares it as text against the TEXT column, so the exact repr matters.
    this.#cleanQuery = `
            DELETE FROM ${table} WHERE deleted = 1
            AND name >= CAST(? AS TEXT) AND ${target.dbReclaimTimestamp} < ${
      pythonFloatRepr(ageTimestamp)
    }
        `;
  }

  /** Deletes every reclaimable tombstone, one page per transaction. */
  reclaim(): void {
    while (!this.finished) {
      this.#target.withConnection((conn) => conn.transaction(() => this.#reclaimPage(conn)));
    }
  }

  #reclaimPage(conn: SqlConnection): void {
    const row = conn.get(this.#batchQuery, [this.#marker, RECLAIM_PAGE_SIZE]);
    const endMarker = row ? String(row.name) : "";
    if (endMarker) {
      const changed = conn.run(`${this.#cleanQuery} AND name < CAST(? AS TEXT)`, [
        this.#marker,
        endMarker,
      ]);
      this.#marker = endMarker;
      this.reclaimed += changed;
      this.remainingTombstones += RECLAIM_PAGE_SIZE - changed;
    } else {
      this.reclaimed += conn.run(this.#cleanQuery, [this.#marker]);
      this.finished = true;
    }
  }

  /** Tombstones newer than the cutoff that remain; runs reclaim() first if needed. */
  getTombstoneCount(): number {
    if (!this.finished) this.reclaim();
    const row = this.#target.withConnection((conn) =>
      conn.get(
        `SELECT COUNT(*) AS n FROM ${this.#target.dbContainsType} WHERE deleted = 1 AND name >= CAST(? AS TEXT)`,
        [this.#marker],
      )
    );
    this.remainingTombstones += Number(row?.n ?? 0);
    return this.remainingTombstones;
  }
}
