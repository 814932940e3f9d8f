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
import { basename, dirname, join } from "@std/path";
import { Timestamp } from "../common/timestamp.ts";
import { SYNC_TABLES_SCRIPT } from "./broker_schema.ts";
import { BROKER_TIMEOUT, createDbConnection, getDbConnection } from "./connection.ts";
import {
  DatabaseAlreadyExistsError,
  DatabaseConnectionError,
  DatabaseQuarantinedError,
  LockTimeoutError,
} from "./errors.ts";
import { DEFAULT_LOCK_TIMEOUT, withParentDirectoryLock } from "./lock_parent_directory.ts";
import {
  isStaleUpdate,
  type Metadata,
  type MetadataItem,
  type MetadataLimits,
  mergeMetadata,
  parseMetadata,
  reclaimableMetadataKeys,
  serializeMetadata,
  validateMetadata,
} from "./metadata.ts";
import {
  appendPendingEntry,
  decodePendingEntries,
  PENDING_CAP,
  pendingFileSize,
} from "./pending_file.ts";
import type { PickleValue } from "./pickle.ts";
import { Real, type SqlConnection, type SqlRow } from "./sql.ts";
import { TombstoneReclaimer } from "./tombstone_reclaimer.ts";
import { zeroLike } from "./zero_like.ts";

/** Where brokers report entries they skip; lib/log's loggers fit. */
export interface BrokerLogger {
  /** Reports a failure that the broker worked around. */
  error(message: string): void;
  /** Reports something unexpected but harmless. */
  warning(message: string): void;
}

/** Options shared by AccountBroker and ContainerBroker (DatabaseBroker.__init__). */
export interface DatabaseBrokerOptions {
  /** Seconds to wait for SQLite locks (default BROKER_TIMEOUT, 25). */
  timeout?: number;
  /** Receives "Invalid pending entry" reports (default: console). */
  logger?: BrokerLogger;
  /** Account name; needed by initialize(). */
  account?: string | null;
  /** Container name; needed by ContainerBroker.initialize(). */
  container?: string | null;
  /** Seconds to wait for the directory lock (default 10). */
  pendingTimeout?: number;
  /** Read even when the pending file cannot be merged (lock busy or DB locked). */
  staleReadsOk?: boolean;
  /** Never merge or write records: for read-only views of a database. */
  skipCommits?: boolean;
}

/** One row of incoming_sync/outgoing_sync. */
export interface SyncPoint {
  /** The other database's id. */
  remote_id: string;
  /** Highest ROWID known to be in sync. */
  sync_point: number;
}

const consoleLogger: BrokerLogger = {
  error: (message) => console.error(message),
  warning: (message) => console.warn(message),
};

/** Messages of SQLite errors that mean the file itself is damaged (possibly_quarantine). */
const QUARANTINE_HINTS: [string, string][] = [
  ["database disk image is malformed", "malformed database"],
  ["malformed database schema", "malformed database"],
  [" is not a database", "corrupted database"],
  ["disk I/O error", "disk error while accessing database"],
];

/** True for errors raised by SQLite itself (Python's sqlite3.DatabaseError). */
export function isSqliteError(err: unknown): err is Error {
  return err instanceof Error && (err as { code?: string }).code === "ERR_SQLITE_ERROR";
}

/** Behaviour shared by account and container databases; `R` is the record a put writes. */
export abstract class DatabaseBroker<R> {
  /** "account" or "container": names the <type>_stat table. */
  abstract readonly dbType: "account" | "container";
  /** "container" or "object": the table of rows this database lists. */
  abstract readonly dbContainsType: "container" | "object";
  /** Column compared with the reclaim age for tombstones. */
  abstract readonly dbReclaimTimestamp: string;
  /** Metadata keys (lower case) that deleteDb() keeps. */
  protected readonly deleteMetaWhitelist: readonly string[] = [];

  /** Account name, read from the database when not given. */
  account: string | null;
  /** Container name (containers only), read from the database when not given. */
  container: string | null;
  /** "<db file>.pending". */
  readonly pendingFile: string;
  /** Directory holding the database. */
  readonly dbDir: string;
  /** Seconds to wait for SQLite locks. */
  readonly timeout: number;
  /** Seconds to wait for the directory lock. */
  readonly pendingTimeout: number;
  /** Whether reads go on when pending records cannot be merged. */
  readonly staleReadsOk: boolean;
  /** Whether this broker refuses to write records. */
  readonly skipCommits: boolean;
  /** Where skipped pending entries are reported. */
  readonly logger: BrokerLogger;
  /** Schema generation (0 before the deleted/name index, 1 after); -1 until read. */
  protected dbVersion = -1;
  #dbFile: string;
  #conn: SqlConnection | null = null;

  /** Wraps the database at `dbFile`; nothing is opened until first use. */
  constructor(dbFile: string, options: DatabaseBrokerOptions = {}) {
    this.#dbFile = dbFile;
    this.pendingFile = `${dbFile}.pending`;
    this.dbDir = dirname(dbFile);
    this.timeout = options.timeout ?? BROKER_TIMEOUT;
    this.pendingTimeout = options.pendingTimeout || DEFAULT_LOCK_TIMEOUT;
    this.staleReadsOk = options.staleReadsOk ?? false;
    this.skipCommits = options.skipCommits ?? false;
    this.logger = options.logger ?? consoleLogger;
    this.account = options.account ?? null;
    this.container = options.container ?? null;
  }

  /** Path of the database file. */
  get dbFile(): string {
    return this.#dbFile;
  }

  /** Creates the tables of this kind of database on a fresh file. */
  protected abstract initializeTables(
    conn: SqlConnection,
    putTimestamp: string,
    storagePolicyIndex: number | null,
  ): void;

  /**
   * Creates the database file (DatabaseBroker.initialize): builds it under a
   * temporary name, then renames it into place under the directory lock.
   * Throws DatabaseAlreadyExistsError when another process won the race.
   */
  async initialize(putTimestamp?: string | null, storagePolicyIndex?: number | null): Promise<void> {
    Deno.mkdirSync(this.dbDir, { recursive: true });
    const tmpFile = Deno.makeTempFileSync({ dir: this.dbDir, prefix: "tmp", suffix: ".tmp" });
    try {
      const conn = createDbConnection(tmpFile);
      try {
        conn.transaction(() => {
          conn.exec(SYNC_TABLES_SCRIPT);
          this.initializeTables(conn, putTimestamp || new Timestamp(0).internal, storagePolicyIndex ?? null);
        });
      } finally {
        conn.close();
      }
      using file = Deno.openSync(tmpFile, { read: true, write: true });
      file.syncSync();
      await withParentDirectoryLock(this.dbFile, this.pendingTimeout, () => {
        if (exists(this.dbFile)) throw new DatabaseAlreadyExistsError(this.dbFile);
        Deno.renameSync(tmpFile, this.dbFile);
        fsyncDirectory(this.dbDir);
      });
    } finally {
      if (exists(tmpFile)) Deno.removeSync(tmpFile);
    }
    this.onFilesChanged();
  }

  /** Called after initialize() creates the file, for subclasses that cache file lists. */
  protected onFilesChanged(): void {}

  /**
   * Runs `fn` on this broker's connection (DatabaseBroker.get): opens it on
   * first use, rolls back anything left uncommitted, and quarantines the
   * database when SQLite reports it damaged.
   */
  withConnection<T>(fn: (conn: SqlConnection) => T): T {
    if (!this.#conn) {
      try {
        this.#conn = getDbConnection(this.dbFile, this.timeout);
      } catch (err) {
        if (err instanceof DatabaseConnectionError && err.message.includes("DB doesn't exist")) throw err;
        this.possiblyQuarantine(err);
      }
    }
    const conn = this.#conn as SqlConnection;
    this.#conn = null;
    try {
      const result = fn(conn);
      if (conn.db.isTransaction) conn.db.exec("ROLLBACK");
      this.#conn = conn;
      return result;
    } catch (err) {
      try {
        conn.close();
      } catch {
        // The original error is the one worth reporting.
      }
      if (isSqliteError(err)) this.possiblyQuarantine(err);
      throw err;
    }
  }

  /** Closes the cached connection; the broker reopens it on next use. */
  close(): void {
    this.#conn?.close();
    this.#conn = null;
  }

  /** Closes the connection at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The device directory four levels above the database directory. */
  getDevicePath(): string {
    return dirname(dirname(dirname(dirname(this.dbDir))));
  }

  /** A fresh database id: "<uuid4>-<device name>". */
  protected newDbId(): string {
    return `${crypto.randomUUID()}-${basename(this.getDevicePath())}`;
  }

  /** Moves the database directory to <device>/quarantined/<type>s/ and throws DatabaseQuarantinedError. */
  quarantine(reason: string, cause?: unknown): never {
    this.close();
    const base = join(this.getDevicePath(), "quarantined", `${this.dbType}s`, basename(this.dbDir));
    let target = base;
    Deno.mkdirSync(dirname(base), { recursive: true });
    try {
      Deno.renameSync(this.dbDir, target);
    } catch (err) {
      if (!exists(target)) throw err;
      target = `${base}-${crypto.randomUUID().replaceAll("-", "")}`;
      Deno.renameSync(this.dbDir, target);
    }
    const error = new DatabaseQuarantinedError(this.dbDir, target, reason, { cause });
    this.logger.error(error.message);
    throw error;
  }

  /** Quarantines the database when `err` says it is damaged; rethrows `err` otherwise. */
  protected possiblyQuarantine(err: unknown): never {
    const message = String((err as Error)?.message ?? err);
    for (const [needle, hint] of QUARANTINE_HINTS) {
      if (message.includes(needle)) this.quarantine(hint, err);
    }
    throw err;
  }

  /** The record tuple a .pending entry holds (make_tuple_for_pickle). */
  protected abstract recordToPickle(record: R): PickleValue[];
  /** The record a .pending entry describes (_commit_puts_load). */
  protected abstract pickleToRecord(entry: PickleValue[]): R;
  /** Writes records to the table now, inside one transaction (merge_items). */
  protected abstract mergeItemsNow(items: R[], source?: string | null): void;

  /** Merges records into the table now (merge_items); `source` updates incoming_sync. */
  mergeItems(items: R[], source?: string | null): Promise<void> {
    this.mergeItemsNow(items, source);
    return Promise.resolve();
  }

  /**
   * Queues a record (put_record): appends it to the .pending file, or merges
   * the file and the record at once when the file has grown past PENDING_CAP.
   */
  async putRecord(record: R): Promise<void> {
    if (!exists(this.dbFile)) throw new DatabaseConnectionError(this.dbFile, "DB doesn't exist");
    if (this.skipCommits) throw new DatabaseConnectionError(this.dbFile, "commits not accepted");
    await withParentDirectoryLock(this.pendingFile, this.pendingTimeout, () => {
      if (pendingFileSize(this.pendingFile) > PENDING_CAP) this.commitPuts([record]);
      else appendPendingEntry(this.pendingFile, this.recordToPickle(record));
    });
  }

  #skipCommitPuts(): boolean {
    return this.skipCommits || !exists(this.pendingFile);
  }

  /** Merges the .pending file and `items` into the database; the caller holds the lock (_commit_puts). */
  protected commitPuts(items: R[] = []): void {
    if (this.#skipCommitPuts()) {
      // Dropping records silently would lose writes; Swift raises too.
      if (items.length) throw new DatabaseConnectionError(this.dbFile, "commits not accepted");
      return;
    }
    const contents = Deno.readFileSync(this.pendingFile);
    for (const entry of decodePendingEntries(contents)) {
      let problem = entry.ok ? "" : entry.error.message;
      if (entry.ok) {
        try {
          if (!Array.isArray(entry.value)) throw new TypeError("entry is not a tuple");
          items.push(this.pickleToRecord(entry.value));
        } catch (err) {
          problem = (err as Error).message;
        }
      }
      // Swift logs and skips a bad entry so one torn write cannot block every later update.
      if (problem) this.logger.error(`Invalid pending entry in "${this.pendingFile}": ${problem}`);
    }
    if (items.length) this.mergeItemsNow(items);
    if (contents.length) Deno.truncateSync(this.pendingFile, 0);
  }

  /**
   * Merges the .pending file before a read (_commit_puts_stale_ok); with
   * staleReadsOk a busy lock or database is ignored and the read goes on.
   */
  async commitPending(): Promise<void> {
    if (this.#skipCommitPuts()) return;
    try {
      await withParentDirectoryLock(this.pendingFile, this.pendingTimeout, () => this.commitPuts());
    } catch (err) {
      if (!(err instanceof LockTimeoutError || isSqliteError(err)) || !this.staleReadsOk) throw err;
    }
  }

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

  #readRawMetadata(conn: SqlConnection): string {
    let row: SqlRow | undefined;
    try {
      row = conn.get(`SELECT metadata FROM ${this.dbType}_stat`);
    } catch (err) {
      if (!String((err as Error).message).includes("no such column: metadata")) throw err;
      return "";
    }
    if (!row) this.quarantine(`missing row in ${this.dbType}_stat table`);
    return (row.metadata as string | null) ?? "";
  }

  /** The metadata column as stored: Swift's JSON text, or '' (get_raw_metadata). */
  getRawMetadata(): Promise<string> {
    return Promise.resolve(this.withConnection((conn) => this.#readRawMetadata(conn)));
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
      conn.transaction(() => {
        let md: Metadata;
        try {
          md = parseMetadata(this.#readRawMetadata(conn));
        } catch (err) {
          if (!String((err as Error).message).includes("no such column: metadata")) throw err;
          conn.exec(`ALTER TABLE ${this.dbType}_stat ADD COLUMN metadata TEXT DEFAULT ''`);
          md = new Map();
        }
        mergeMetadata(md, changes);
        if (validate) validateMetadata(md, limits);
        conn.run(`UPDATE ${this.dbType}_stat SET metadata = ?`, [serializeMetadata(md)]);
      })
    );
  }

  /**
   * Deletes tombstones older than `ageTimestamp`, sync rows older than
   * `syncTimestamp` and blank metadata older than `ageTimestamp` (reclaim).
   * Both are seconds since the epoch, as Swift's float arguments.
   */
  async reclaim(ageTimestamp: number, syncTimestamp: number): Promise<TombstoneReclaimer> {
    if (!this.#skipCommitPuts()) {
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
  protected reclaimOtherStuff(conn: SqlConnection, ageTimestamp: number, syncTimestamp: number): void {
    try {
      // Bound as REAL like Python's float, so SQLite compares the same text.
      conn.run("DELETE FROM outgoing_sync WHERE updated_at < ?", [new Real(syncTimestamp)]);
      conn.run("DELETE FROM incoming_sync WHERE updated_at < ?", [new Real(syncTimestamp)]);
    } catch (err) {
      if (!String((err as Error).message).includes("no such column: updated_at")) throw err;
    }
    let md: Metadata;
    try {
      md = parseMetadata(this.#readRawMetadata(conn));
    } catch (err) {
      if (!String((err as Error).message).includes("no such column: metadata")) throw err;
      return;
    }
    const stale = reclaimableMetadataKeys(md, new Timestamp(ageTimestamp));
    if (stale.length === 0) return;
    for (const key of stale) md.delete(key);
    conn.run(`UPDATE ${this.dbType}_stat SET metadata = ?`, [serializeMetadata(md)]);
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
    const row = this.withConnection((conn) =>
      conn.get(`SELECT sync_point FROM ${incoming ? "incoming" : "outgoing"}_sync WHERE remote_id=?`, [
        remoteId,
      ])
    );
    return Promise.resolve(row ? Number(row.sync_point) : -1);
  }

  /** Every row of the incoming or outgoing sync table (get_syncs). */
  getSyncs(incoming = true): Promise<SyncPoint[]> {
    const rows = this.withConnection((conn) =>
      conn.all(`SELECT remote_id, sync_point FROM ${incoming ? "incoming" : "outgoing"}_sync`)
    );
    return Promise.resolve(
      rows.map((row) => ({ remote_id: String(row.remote_id), sync_point: Number(row.sync_point) })),
    );
  }

  /** Records sync points, keeping the larger point per remote id (merge_syncs). */
  mergeSyncs(syncPoints: SyncPoint[], incoming = true): Promise<void> {
    const table = `${incoming ? "incoming" : "outgoing"}_sync`;
    this.withConnection((conn) =>
      conn.transaction(() => {
        for (const point of syncPoints) {
          const changed = conn.run(
            `UPDATE ${table} SET sync_point=max(?, sync_point) WHERE remote_id=?`,
            [point.sync_point, point.remote_id],
          );
          if (changed === 0) {
            conn.run(`INSERT INTO ${table} (sync_point, remote_id) VALUES (?, ?)`, [
              point.sync_point,
              point.remote_id,
            ]);
          }
        }
      })
    );
    return Promise.resolve();
  }

  /** Gives the database a new id after an rsync and records `remoteId` as synced up to the last row (newid). */
  newid(remoteId: string): Promise<void> {
    this.withConnection((conn) =>
      conn.transaction(() => {
        conn.run(`UPDATE ${this.dbType}_stat SET id=?`, [this.newDbId()]);
        const row = conn.get(`SELECT ROWID AS r FROM ${this.dbContainsType} ORDER BY ROWID DESC LIMIT 1`);
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

/** True when `path` exists. */
export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** fsync()s a directory so a rename into it survives a crash (fsync_dir). */
function fsyncDirectory(path: string): void {
  using dir = Deno.openSync(path, { read: true });
  dir.syncSync();
}
