/**
 * DatabaseBroker of swift/common/db.py (Swift 2.30) on node:sqlite: what
 * account and container databases share — creating the file, the .pending
 * file, metadata, deletion, reclaim and the replication helpers.
 *
 * Data that Swift passes around as dicts (records, info, sync points) keeps
 * Swift's snake_case keys here, because replication sends those dicts over
 * the wire to Swift nodes. Every method that may merge the .pending file is
 * async because it first takes Swift's directory lock.
 */
import { Timestamp } from "../common/timestamp.ts";
import { BrokerCore, exists } from "./broker_core.ts";
import {
  isStaleUpdate,
  type Metadata,
  type MetadataItem,
  type MetadataLimits,
  parseMetadata,
} from "./metadata.ts";
import {
  MISSING_STAT_ROW,
  readRawMetadata,
  reclaimMetadata,
  writeMetadataChanges,
} from "./metadata_store.ts";
import type { SqlConnection, SqlRow } from "./sql.ts";
import {
  getSyncPoint,
  getSyncPoints,
  mergeSyncPoints,
  reclaimSyncPoints,
  type SyncPoint,
} from "./sync_table.ts";
import { TombstoneReclaimer } from "./tombstone_reclaimer.ts";
import { withParentDirectoryLock } from "./lock_parent_directory.ts";
import { zeroLike } from "./zero_like.ts";

export {
  type BrokerLogger,
  type DatabaseBrokerOptions,
  exists,
  isSqliteError,
} from "./broker_core.ts";
export type { SyncPoint };

/** Behaviour shared by account and container databases; `R` is the record a put writes. */
export abstract class DatabaseBroker<R> extends BrokerCore<R> {
  /** True when the stat row says the database is deleted (_is_deleted). */
  protected abstract isDeletedNow(conn: SqlConnection): boolean;

  /** True when the file is missing or the database is marked deleted (is_deleted). */
  async isDeleted(): Promise<boolean> {
    if (!exists(this.dbFile)) return true;
    await this.commitPending();
    return this.withConnection((conn) => this.isDeletedNow(conn));
  }

  /** True when no undeleted rows remain (empty). */
  abstract empty(): Promise<boolean>;

  /**
   * Marks the database deleted (delete_db): blanks every metadata value not
   * in the whitelist at `timestamp`, then sets status 'DELETED' unless a newer
   * delete is already recorded.
   */
  async deleteDb(timestamp: string): Promise<void> {
    const cleared: Metadata = new Map();
    for (const key of (await this.getMetadata()).keys()) {
      if (this.deleteMetaWhitelist.includes(key.toLowerCase())) continue;
      cleared.set(key, ["", timestamp]);
    }
    await this.updateMetadata(cleared);
    this.withConnection((conn) =>
      conn.transaction(() =>
        conn.run(
          `UPDATE ${this.dbType}_stat SET delete_timestamp = ?, status = 'DELETED', status_changed_at = ?
           WHERE delete_timestamp < ?`,
          [timestamp, timestamp, timestamp],
        )
      )
    );
  }

  /** Quarantines on MISSING_STAT_ROW, as Swift does when the stat table is empty. */
  #checkStatRow<T>(value: T | typeof MISSING_STAT_ROW): T {
    if (value === MISSING_STAT_ROW) this.quarantine(`missing row in ${this.dbType}_stat table`);
    return value;
  }

  /** The metadata column as stored: Swift's JSON text, or '' (get_raw_metadata). */
  getRawMetadata(): Promise<string> {
    const raw = this.withConnection((conn) =>
      this.#checkStatRow(readRawMetadata(conn, this.dbType))
    );
    return Promise.resolve(raw ?? "");
  }

  /** Metadata as {key -> [value, timestamp]} in stored order (the metadata property). */
  async getMetadata(): Promise<Metadata> {
    return parseMetadata(await this.getRawMetadata());
  }

  /**
   * Merges metadata (update_metadata): a key changes only when its timestamp
   * is newer; ['', timestamp] deletes a key until reclaim() drops it. With
   * `validate`, throws InvalidMetadataError when the result breaks `limits`.
   */
  async updateMetadata(
    updates: Metadata | Record<string, MetadataItem>,
    validate = false,
    limits?: MetadataLimits,
  ): Promise<void> {
    const changes: Metadata = updates instanceof Map ? updates : new Map(Object.entries(updates));
    if (isStaleUpdate(await this.getMetadata(), changes)) return;
    this.withConnection((conn) =>
      conn.transaction(() =>
        this.#checkStatRow(
          writeMetadataChanges(conn, this.dbType, changes, { validate, limits }),
        )
      )
    );
  }

  /**
   * Deletes tombstones older than `ageTimestamp`, sync rows older than
   * `syncTimestamp` and blank metadata older than `ageTimestamp` (reclaim).
   * Both are seconds since the epoch, as Swift's float arguments.
   */
  async reclaim(ageTimestamp: number, syncTimestamp: number): Promise<TombstoneReclaimer> {
    if (!this.skipCommitPuts()) {
      await withParentDirectoryLock(this.pendingFile, this.pendingTimeout, () => this.commitPuts());
    }
    const reclaimer = new TombstoneReclaimer(this, ageTimestamp);
    reclaimer.reclaim();
    this.withConnection((conn) =>
      conn.transaction(() => this.reclaimOtherStuff(conn, ageTimestamp, syncTimestamp))
    );
    return reclaimer;
  }

  /** Reclaims sync rows and metadata once tombstones are done (_reclaim_other_stuff). */
  protected reclaimOtherStuff(
    conn: SqlConnection,
    ageTimestamp: number,
    _syncTimestamp: number,
  ): void {
    reclaimSyncPoints(conn, _syncTimestamp);
    this.#checkStatRow(reclaimMetadata(conn, this.dbType, ageTimestamp));
  }

  /** Raises put_timestamp to `timestamp` if it is newer (update_put_timestamp). */
  updatePutTimestamp(timestamp: string): Promise<void> {
    this.withConnection((conn) =>
      conn.run(`UPDATE ${this.dbType}_stat SET put_timestamp = ? WHERE put_timestamp < ?`, [
        timestamp,
        timestamp,
      ])
    );
    return Promise.resolve();
  }

  /** Raises status_changed_at to `timestamp` if it is newer (update_status_changed_at). */
  updateStatusChangedAt(timestamp: string): Promise<void> {
    this.withConnection((conn) => this.updateStatusChangedAtNow(conn, timestamp));
    return Promise.resolve();
  }

  /** update_status_changed_at on an open connection. */
  protected updateStatusChangedAtNow(conn: SqlConnection, timestamp: string): void {
    conn.run(
      `UPDATE ${this.dbType}_stat SET status_changed_at = ? WHERE status_changed_at < ?`,
      [timestamp, timestamp],
    );
  }

  /** Replication's timestamp merge: earliest created_at, latest put and delete (merge_timestamps). */
  mergeTimestamps(createdAt: string, putTimestamp: string, deleteTimestamp: string): Promise<void> {
    this.withConnection((conn) =>
      conn.transaction(() => {
        const wasDeleted = this.isDeletedNow(conn);
        conn.run(
          `UPDATE ${this.dbType}_stat SET created_at=MIN(?, created_at),
             put_timestamp=MAX(?, put_timestamp), delete_timestamp=MAX(?, delete_timestamp)`,
          [createdAt, putTimestamp, deleteTimestamp],
        );
        if (wasDeleted !== this.isDeletedNow(conn)) {
          this.updateStatusChangedAtNow(conn, Timestamp.now().internal);
        }
      })
    );
    return Promise.resolve();
  }

  /** True when empty and deleted for longer than `reclaimAge` seconds before `now` (is_reclaimable). */
  async isReclaimable(now: number, reclaimAge: number): Promise<boolean> {
    const info = await this.getReplicationInfo();
    const deleted = new Timestamp(String(info.delete_timestamp));
    return zeroLike(info.count) && new Timestamp(now - reclaimAge).greaterThan(deleted) &&
      deleted.greaterThan(String(info.put_timestamp));
  }

  /** Rows with ROWID above `start`, oldest first, as dicts of every column (get_items_since). */
  async getItemsSince(start: number, count: number): Promise<SqlRow[]> {
    await this.commitPending();
    return this.withConnection((conn) =>
      conn.all(
        `SELECT *, CAST(name AS BLOB) AS name FROM ${this.dbContainsType}
         WHERE ROWID > ? ORDER BY ROWID ASC LIMIT ?`,
        [start, count],
      )
    );
  }

  /** The sync point recorded for `remoteId`, or -1 (get_sync). */
  getSync(remoteId: string, incoming = true): Promise<number> {
    return Promise.resolve(this.withConnection((conn) => getSyncPoint(conn, remoteId, incoming)));
  }

  /** Every row of the incoming or outgoing sync table (get_syncs). */
  getSyncs(incoming = true): Promise<SyncPoint[]> {
    return Promise.resolve(this.withConnection((conn) => getSyncPoints(conn, incoming)));
  }

  /** Records sync points, keeping the larger point per remote id (merge_syncs). */
  mergeSyncs(syncPoints: SyncPoint[], incoming = true): Promise<void> {
    this.withConnection((conn) =>
      conn.transaction(() => mergeSyncPoints(conn, syncPoints, incoming))
    );
    return Promise.resolve();
  }

  /** Gives the database a new id after an rsync and records `remoteId` as synced up to the last row (newid). */
  newid(remoteId: string): Promise<void> {
    this.withConnection((conn) =>
      conn.transaction(() => {
        conn.run(`UPDATE ${this.dbType}_stat SET id=?`, [this.newDbId()]);
        const row = conn.get(
          `SELECT ROWID AS r FROM ${this.dbContainsType} ORDER BY ROWID DESC LIMIT 1`,
        );
        conn.run("INSERT OR REPLACE INTO incoming_sync (sync_point, remote_id) VALUES (?, ?)", [
          row ? Number(row.r) : -1,
          remoteId,
        ]);
        this.afterNewid(conn);
      })
    );
    return Promise.resolve();
  }

  /** Extra work when a database arrives by rsync (_newid). */
  protected afterNewid(_conn: SqlConnection): void {}

  /** The AUTOINCREMENT high-water mark of `table`, or -1 (get_max_row). */
  getMaxRow(table: string = this.dbContainsType): Promise<number> {
    const row = this.withConnection((conn) =>
      conn.get("SELECT seq FROM SQLITE_SEQUENCE WHERE name = ? LIMIT 1", [table])
    );
    return Promise.resolve(row ? Number(row.seq) : -1);
  }

  /** get_info() plus "count", the raw metadata and max_row (get_replication_info). */
  async getReplicationInfo(): Promise<Record<string, unknown>> {
    const info: Record<string, unknown> = { ...(await this.getInfo()) };
    const countKey = `${this.dbContainsType}_count`;
    info.count = info[countKey];
    delete info[countKey];
    info.metadata = await this.getRawMetadata();
    info.max_row = await this.getMaxRow();
    return info;
  }

  /** The stat row with Swift's keys (get_info). */
  abstract getInfo(): Promise<object>;
}
