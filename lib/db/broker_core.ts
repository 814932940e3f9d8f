/**
 * The core of swift/common/db.py's DatabaseBroker (Swift 2.30): the file,
 * its connection, quarantine, and the .pending file through which records
 * reach the database. lib/db/broker.ts builds the shared operations on it.
 */
import { basename, dirname } from "@std/path";
import { Timestamp } from "../common/timestamp.ts";
import { BROKER_TIMEOUT, getDbConnection } from "./connection.ts";
import { createDbFile, pathExists } from "./create_db_file.ts";
import { DatabaseConnectionError, LockTimeoutError } from "./errors.ts";
import { DEFAULT_LOCK_TIMEOUT, withParentDirectoryLock } from "./lock_parent_directory.ts";
import {
  appendPendingEntry,
  decodePendingEntries,
  PENDING_CAP,
  pendingFileSize,
} from "./pending_file.ts";
import type { PickleValue } from "../common/pickle.ts";
import { quarantineDbDir, quarantineReason } from "./quarantine.ts";
import type { SqlConnection } from "./sql.ts";

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

const consoleLogger: BrokerLogger = {
  error: (message) => console.error(message),
  warning: (message) => console.warn(message),
};

/** True for errors raised by SQLite itself (Python's sqlite3.DatabaseError). */
export function isSqliteError(err: unknown): err is Error {
  return err instanceof Error && (err as { code?: string }).code === "ERR_SQLITE_ERROR";
}

/** File, connection and pending-file handling; `R` is the record a put writes. */
export abstract class BrokerCore<R> {
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
  async initialize(
    putTimestamp?: string | null,
    storagePolicyIndex?: number | null,
  ): Promise<void> {
    await createDbFile(this.dbFile, this.pendingTimeout, (conn) =>
      this.initializeTables(
        conn,
        putTimestamp || new Timestamp(0).internal,
        storagePolicyIndex ?? null,
      ));
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
        if (err instanceof DatabaseConnectionError && err.message.includes("DB doesn't exist")) {
          throw err;
        }
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
    const error = quarantineDbDir(this.dbDir, this.getDevicePath(), this.dbType, reason, cause);
    this.logger.error(error.message);
    throw error;
  }

  /** Quarantines the database when `err` says it is damaged; rethrows `err` otherwise. */
  protected possiblyQuarantine(err: unknown): never {
    const reason = quarantineReason(err);
    if (reason) this.quarantine(reason, err);
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

  /** True when there is nothing this broker may merge (_skip_commit_puts). */
  protected skipCommitPuts(): boolean {
    return this.skipCommits || !exists(this.pendingFile);
  }

  /** Merges the .pending file and `items` into the database; the caller holds the lock (_commit_puts). */
  protected commitPuts(items: R[] = []): void {
    if (this.skipCommitPuts()) {
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
    if (this.skipCommitPuts()) return;
    try {
      await withParentDirectoryLock(this.pendingFile, this.pendingTimeout, () => this.commitPuts());
    } catch (err) {
      if (!(err instanceof LockTimeoutError || isSqliteError(err)) || !this.staleReadsOk) throw err;
    }
  }
}

/** True when `path` exists. */
export const exists: (path: string) => boolean = pathExists;
