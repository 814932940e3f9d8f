/**
 * AccountBroker of swift/account/backend.py (Swift 2.30): one account
 * database — a row per container with its counts, per-policy totals, and the
 * account_stat row. Files are interchangeable with Swift's.
 */
import { join } from "@std/path";
import { Timestamp } from "../common/timestamp.ts";
import {
  ACCOUNT_STAT_TABLE_SCRIPT,
  CONTAINER_TABLE_SCRIPT,
  POLICY_STAT_TABLE_SCRIPT,
  POLICY_STAT_TRIGGER_SCRIPT,
} from "../db/account_schema.ts";
import {
  createPolicyStatTable,
  migrateAddContainerCount,
  migrateAddStoragePolicyIndex,
} from "../db/account_migrations.ts";
import { DatabaseBroker, type DatabaseBrokerOptions } from "../db/broker.ts";
import { storageDirectory } from "../db/db_path.ts";
import { delimitedListing, type ListingQuery, type NameBounds } from "../db/listing.ts";
import type { PickleValue } from "../common/pickle.ts";
import type { SqlConnection, SqlParam } from "../db/sql.ts";
import { zeroLike } from "../db/zero_like.ts";

/** Swift's DATADIR for accounts. */
export const ACCOUNT_DATADIR = "accounts";

/** A container row as put_container() and merge_items() take it (Swift's record dict). */
export interface ContainerRecord {
  /** Container name. */
  name: string;
  /** Internal timestamp of the container's last PUT. */
  put_timestamp: string;
  /** Internal timestamp of the container's last DELETE ("0" if none). */
  delete_timestamp: string;
  /** Objects in the container; the account server passes header text. */
  object_count: number | string;
  /** Bytes in the container; the account server passes header text. */
  bytes_used: number | string;
  /** 1 when the container is deleted. */
  deleted: number | string | boolean;
  /** The container's storage policy. */
  storage_policy_index: number | string;
  /** ROWID at the sender, present on replicated rows. */
  ROWID?: number;
}

/** The counts and timestamps putContainer() records. */
export interface PutContainerOptions {
  /** Internal timestamp of the container's last PUT. */
  putTimestamp: string;
  /** Internal timestamp of the container's last DELETE ("0" if none). */
  deleteTimestamp: string;
  /** Objects in the container. */
  objectCount: number | string;
  /** Bytes in the container. */
  bytesUsed: number | string;
  /** The container's storage policy. */
  storagePolicyIndex: number | string;
}

/** get_info() of an account, with Swift's keys. */
export interface AccountInfo {
  account: string;
  created_at: string;
  put_timestamp: string;
  delete_timestamp: string;
  status_changed_at: string;
  container_count: number;
  object_count: number;
  bytes_used: number;
  hash: string;
  id: string;
}

/** Per-policy totals of an account (get_policy_stats values; container_count may be missing on old DBs). */
export interface AccountPolicyStats {
  container_count?: number;
  object_count: number;
  bytes_used: number;
}

/**
 * One listing entry: [name, object_count, bytes_used, put_timestamp, 0], or
 * [subdir, 0, 0, "0", 1] for a delimiter rollup.
 */
export type ContainerListingEntry = [
  name: string,
  objectCount: number,
  bytesUsed: number,
  putTimestamp: string,
  isSubdir: 0 | 1,
];

/** Options of listContainersIter() beyond the shared ListingQuery. */
export interface ContainerListingQuery extends Omit<ListingQuery, "path"> {
  /** Include names starting with the reserved byte "\x00". */
  allowReserved?: boolean;
}

/** One account database (Swift's AccountBroker). */
export class AccountBroker extends DatabaseBroker<ContainerRecord> {
  /** Names the account_stat table. */
  readonly dbType = "account" as const;
  /** Rows live in the container table. */
  readonly dbContainsType = "container" as const;
  /** Tombstones age by delete_timestamp. */
  readonly dbReclaimTimestamp = "delete_timestamp";

  /** Path of the database for `hash` (hash_path(account)) under `devicePath`. */
  static dbPath(devicePath: string, partition: number | string, hash: string): string {
    return join(devicePath, storageDirectory(ACCOUNT_DATADIR, partition, hash), `${hash}.db`);
  }

  /** Wraps the account database at `dbFile`. */
  constructor(dbFile: string, options: DatabaseBrokerOptions = {}) {
    super(dbFile, options);
  }

  protected initializeTables(conn: SqlConnection, putTimestamp: string): void {
    if (!this.account) throw new TypeError("Cannot create an account database: no account set");
    conn.exec(CONTAINER_TABLE_SCRIPT + POLICY_STAT_TRIGGER_SCRIPT);
    conn.exec(ACCOUNT_STAT_TABLE_SCRIPT);
    conn.run(
      `UPDATE account_stat SET account = CAST(? AS TEXT), created_at = ?, id = ?,
         put_timestamp = ?, status_changed_at = ?`,
      [this.account, Timestamp.now().internal, this.newDbId(), putTimestamp, putTimestamp],
    );
    conn.exec(POLICY_STAT_TABLE_SCRIPT);
  }

  /** 1 when the (deleted, name) index exists, else 0 (get_db_version). */
  getDbVersion(conn: SqlConnection): number {
    if (this.dbVersion === -1) {
      const row = conn.get(
        "SELECT name FROM sqlite_master WHERE name = 'ix_container_deleted_name'",
      );
      this.dbVersion = row ? 1 : 0;
    }
    return this.dbVersion;
  }

  protected recordToPickle(record: ContainerRecord): PickleValue[] {
    return [
      record.name,
      record.put_timestamp,
      record.delete_timestamp,
      record.object_count,
      record.bytes_used,
      record.deleted,
      record.storage_policy_index,
    ] as PickleValue[];
  }

  protected pickleToRecord(entry: PickleValue[]): ContainerRecord {
    if (entry.length < 6) {
      throw new TypeError(`Container entry has ${entry.length} fields, expected 6 or 7`);
    }
    const [name, put, del, objects, bytes, deleted] = entry;
    return {
      name: name as string,
      put_timestamp: put as string,
      delete_timestamp: del as string,
      object_count: objects as number,
      bytes_used: bytes as number,
      deleted: deleted as number,
      // Records from before storage policies have six fields.
      storage_policy_index: entry.length > 6 ? entry[6] as number : 0,
    };
  }

  /** True when the account has no live containers (empty). */
  async empty(): Promise<boolean> {
    await this.commitPending();
    const row = this.withConnection((conn) => conn.get("SELECT container_count FROM account_stat"));
    return zeroLike(row?.container_count);
  }

  /** Queues a container row (put_container); it counts as deleted when its delete is newer and it holds no objects. */
  async putContainer(name: string, options: PutContainerOptions): Promise<void> {
    const deleted = new Timestamp(options.deleteTimestamp).greaterThan(options.putTimestamp) &&
        zeroLike(options.objectCount)
      ? 1
      : 0;
    await this.putRecord({
      name,
      put_timestamp: options.putTimestamp,
      delete_timestamp: options.deleteTimestamp,
      object_count: options.objectCount,
      bytes_used: options.bytesUsed,
      deleted,
      storage_policy_index: options.storagePolicyIndex,
    });
  }

  protected isDeletedNow(conn: SqlConnection): boolean {
    const row = conn.get(
      "SELECT put_timestamp, delete_timestamp, container_count, status FROM account_stat",
    );
    if (!row) this.quarantine("missing row in account_stat table");
    return row.status === "DELETED" ||
      (zeroLike(row.container_count) &&
        new Timestamp(String(row.delete_timestamp)).greaterThan(String(row.put_timestamp)));
  }

  /** True only when status is DELETED or the delete is newer than the put (is_status_deleted). */
  isStatusDeleted(): Promise<boolean> {
    const row = this.withConnection((conn) =>
      conn.get("SELECT put_timestamp, delete_timestamp, status FROM account_stat")
    );
    if (!row) this.quarantine("missing row in account_stat table");
    return Promise.resolve(
      row.status === "DELETED" || String(row.delete_timestamp) > String(row.put_timestamp),
    );
  }

  /**
   * {policy index: {container_count, object_count, bytes_used}}
   * (get_policy_stats); with `doMigrations`, old schemas are upgraded so
   * container_count is always present.
   */
  async getPolicyStats(doMigrations = false): Promise<Record<number, AccountPolicyStats>> {
    await this.commitPending();
    const columns = ["storage_policy_index", "container_count", "object_count", "bytes_used"];
    const rows = this.withConnection((conn) => {
      const run = () => conn.all(`SELECT ${columns.join(", ")} FROM policy_stat`);
      try {
        return run();
      } catch (err) {
        const message = String((err as Error).message);
        if (message.includes("no such column: container_count")) {
          if (doMigrations) migrateAddContainerCount(conn);
          else columns.splice(1, 1);
          return run();
        }
        if (message.includes("no such table: policy_stat")) {
          if (!doMigrations) return [];
          createPolicyStatTable(conn);
          return run();
        }
        throw err;
      }
    });
    const stats: Record<number, AccountPolicyStats> = {};
    for (const row of rows) {
      const { storage_policy_index: index, ...rest } = row;
      stats[Number(index)] = rest as unknown as AccountPolicyStats;
    }
    return stats;
  }

  /** The account's stats and timestamps with Swift's keys (get_info). */
  async getInfo(): Promise<AccountInfo> {
    await this.commitPending();
    const row = this.withConnection((conn) =>
      conn.get(
        `SELECT CAST(account AS BLOB) AS account, created_at, put_timestamp, delete_timestamp,
                       status_changed_at, container_count, object_count, bytes_used, hash, id
                FROM account_stat`,
      )
    );
    if (!row) this.quarantine("missing row in account_stat table");
    return row as unknown as AccountInfo;
  }

  /**
   * Lists containers (list_containers_iter): entries are
   * [name, object_count, bytes_used, put_timestamp, 0], subdirs
   * [name, 0, 0, "0", 1].
   */
  async listContainersIter(query: ContainerListingQuery): Promise<ContainerListingEntry[]> {
    await this.commitPending();
    return this.withConnection((conn) => {
      const deleted = this.getDbVersion(conn) < 1 ? "+deleted = 0" : "deleted = 0";
      const fetch = (bounds: NameBounds, limit: number) => {
        const conditions = [...bounds.conditions];
        const args: SqlParam[] = [...bounds.args];
        if (!query.allowReserved) {
          conditions.push("name >= ?");
          args.push("\u0001");
        }
        conditions.push(deleted);
        return conn.tuples(
          `SELECT CAST(name AS BLOB) AS name, object_count, bytes_used, put_timestamp, 0 AS is_subdir
           FROM container WHERE ${conditions.join(" AND ")}
           ORDER BY name ${query.reverse ? "DESC" : ""} LIMIT ?`,
          [...args, limit],
        ) as ContainerListingEntry[];
      };
      return delimitedListing({ ...query, path: null }, {
        fetch,
        entry: (row) => row,
        subdir: (name): ContainerListingEntry => [name, 0, 0, "0", 1],
      });
    });
  }

  protected mergeItemsNow(items: ContainerRecord[], source?: string | null): void {
    const merge = () =>
      this.withConnection((conn) => conn.transaction(() => this.#merge(conn, items, source)));
    try {
      merge();
    } catch (err) {
      if (!String((err as Error).message).includes("no such column: storage_policy_index")) {
        throw err;
      }
      this.withConnection((conn) => migrateAddStoragePolicyIndex(conn));
      merge();
    }
  }

  // merge_items(): each row replaces any existing row of the same name,
  // keeping the newest put and delete timestamps of the two.
  #merge(conn: SqlConnection, items: ContainerRecord[], source?: string | null): void {
    let maxRowid = -1;
    const onlyLive = this.getDbVersion(conn) >= 1 ? " AND deleted IN (0, 1)" : "";
    for (const rec of items) {
      if (rec.storage_policy_index === undefined) rec.storage_policy_index = 0;
      const record: SqlParam[] = [
        rec.name,
        rec.put_timestamp,
        rec.delete_timestamp,
        rec.object_count,
        rec.bytes_used,
        rec.deleted,
        rec.storage_policy_index,
      ] as SqlParam[];
      const row = conn.tuples(
        `SELECT CAST(name AS BLOB) AS name, put_timestamp, delete_timestamp, object_count, bytes_used,
                deleted, storage_policy_index
         FROM container WHERE name = CAST(? AS TEXT)${onlyLive}`,
        [rec.name],
      )[0] as SqlParam[] | undefined;
      if (row) {
        for (let i = 0; i < 5; i++) {
          if ((record[i] === null || record[i] === undefined) && row[i] !== null) {
            record[i] = row[i];
          }
        }
        if (new Timestamp(String(row[1])).greaterThan(String(record[1]))) record[1] = row[1];
        if (new Timestamp(String(row[2])).greaterThan(String(record[2]))) record[2] = row[2];
        record[5] = new Timestamp(String(record[2])).greaterThan(String(record[1])) &&
            zeroLike(record[3])
          ? 1
          : 0;
      }
      conn.run("DELETE FROM container WHERE name = CAST(? AS TEXT) AND deleted IN (0, 1)", [
        record[0],
      ]);
      conn.run(
        `INSERT INTO container (name, put_timestamp, delete_timestamp, object_count, bytes_used,
           deleted, storage_policy_index)
         VALUES (CAST(? AS TEXT), ?, ?, ?, ?, ?, ?)`,
        record,
      );
      if (source) maxRowid = Math.max(maxRowid, Number(rec.ROWID));
    }
    if (source) {
      const existing = conn.get("SELECT 1 AS x FROM incoming_sync WHERE remote_id = ?", [source]);
      if (existing) {
        conn.run("UPDATE incoming_sync SET sync_point=max(?, sync_point) WHERE remote_id=?", [
          maxRowid,
          source,
        ]);
      } else {
        conn.run("INSERT INTO incoming_sync (sync_point, remote_id) VALUES (?, ?)", [
          maxRowid,
          source,
        ]);
      }
    }
  }
}
