/**
 * ContainerBroker of swift/container/backend.py (Swift 2.30): one container
 * database — the object rows the container lists, per-policy counts, and the
 * container_info row. Files are interchangeable with Swift's: same schema,
 * same .pending entries, same row merging, same listing order.
 *
 * swiftd does not shard; a database that Swift has sharded is still read
 * (db_state and shard-aware counts) but never split or cleaved here.
 *
 * The class is longer than STYLE's ~400 lines because it mirrors Swift's
 * ContainerBroker method for method, which is what the servers port against;
 * the SQL and merge logic live in lib/db/container_*.ts.
 */
import { join } from "@std/path";
import { decodeTimestamps, Timestamp } from "../common/timestamp.ts";
import { DatabaseBroker, exists } from "../db/broker.ts";
import {
  isDeletedContainerInfo,
  objectRecordToPickle,
  pickleToObjectRecord,
  queryContainerInfo,
} from "../db/container_info.ts";
import { DatabaseAlreadyExistsError } from "../db/errors.ts";
import {
  CONTAINER_INFO_TABLE_SCRIPT,
  CONTAINER_STAT_VIEW_SCRIPT,
  OBJECT_TABLE_SCRIPT,
  POLICY_STAT_TABLE_CREATE,
  POLICY_STAT_TRIGGER_SCRIPT,
  SHARD_RANGE_TABLE_CREATE,
  SHARD_RANGE_TRIGGER_CREATE,
} from "../db/container_schema.ts";
import { migrateAddStoragePolicy } from "../db/container_migrations.ts";
import type {
  ContainerBrokerOptions,
  ContainerInfo,
  ObjectListingEntry,
  ObjectListingQuery,
  ObjectRecord,
  ObjectRow,
  PolicyStats,
  PutObjectOptions,
} from "../db/container_types.ts";
import { getDbFiles, makeDbFilePath, parseDbFilename, storageDirectory } from "../db/db_path.ts";
import { listObjectRows, type ObjectEntryShape } from "../db/container_listing.ts";
import type { PickleValue } from "../common/pickle.ts";
import type { SqlConnection, SqlRow } from "../db/sql.ts";
import { zeroLike } from "../db/zero_like.ts";
import { mergeObjectItems } from "../db/container_merge_items.ts";
import {
  getDbState,
  isRootContainer,
  shardedObjectStats,
  shardingInitiated,
  shardUsage,
} from "../db/container_shard_state.ts";
import {
  getMisplacedSince,
  getPolicyStats,
  getReconcilerSync,
  hasMultiplePolicies,
  setContainerSyncPoints,
  setStoragePolicyIndex,
  updateReconcilerSync,
} from "../db/container_policy.ts";
import { Real } from "../db/sql.ts";

/** Swift's DATADIR for containers. */
export const CONTAINER_DATADIR = "containers";

export type {
  ContainerBrokerOptions,
  ContainerInfo,
  ObjectListingEntry,
  ObjectListingQuery,
  ObjectRecord,
  ObjectRow,
  PolicyStats,
  PutObjectOptions,
} from "../db/container_types.ts";

/** One container database (Swift's ContainerBroker). */
export class ContainerBroker extends DatabaseBroker<ObjectRecord> {
  /** Names the container_stat view and container_info table. */
  readonly dbType = "container" as const;
  /** Rows live in the object table. */
  readonly dbContainsType = "object" as const;
  /** Tombstones age by created_at. */
  readonly dbReclaimTimestamp = "created_at";
  protected override readonly deleteMetaWhitelist = [
    "x-container-sysmeta-shard-quoted-root",
    "x-container-sysmeta-shard-root",
  ];
  readonly #initDbFile: string;
  readonly #forceDbFile: boolean;
  #dbFiles: string[] | null = null;
  #storagePolicyIndex: number | null = null;

  /** Wraps the container database at `dbFile` (<hash>.db or <hash>_<epoch>.db). */
  constructor(dbFile: string, options: ContainerBrokerOptions = {}) {
    super(makeDbFilePath(dbFile, null), options);
    this.#initDbFile = dbFile;
    this.#forceDbFile = options.forceDbFile ?? false;
  }

  /**
   * Opens the broker for (account, container) under `devicePath`, creating the
   * database if it does not exist (create_broker). `hash` is hash_path(account,
   * container) from lib/ring. Resolves to [broker, whether it was created].
   */
  static async createBroker(
    devicePath: string,
    target: { partition: number | string; account: string; container: string; hash: string },
    options: ContainerBrokerOptions & {
      epoch?: string | null;
      putTimestamp?: string | null;
      storagePolicyIndex?: number | null;
    } = {},
  ): Promise<[ContainerBroker, boolean]> {
    const dir = join(
      devicePath,
      storageDirectory(CONTAINER_DATADIR, target.partition, target.hash),
    );
    const path = makeDbFilePath(join(dir, `${target.hash}.db`), options.epoch ?? null);
    const broker = new ContainerBroker(path, {
      ...options,
      account: target.account,
      container: target.container,
    });
    if (exists(broker.dbFile)) return [broker, false];
    try {
      await broker.initialize(options.putTimestamp, options.storagePolicyIndex);
      return [broker, true];
    } catch (err) {
      if (err instanceof DatabaseAlreadyExistsError) return [broker, false];
      throw err;
    }
  }

  /** The authoritative file: the newest epoch on disk, else the file given (db_file). */
  override get dbFile(): string {
    if (this.#forceDbFile) return this.#initDbFile;
    const files = this.dbFiles;
    return files.length ? files[files.length - 1] : this.#initDbFile;
  }

  /** Existing db files for this container, oldest epoch first (db_files). */
  get dbFiles(): string[] {
    if (!this.#dbFiles?.length) this.reloadDbFiles();
    return this.#dbFiles as string[];
  }

  /** Re-reads the db files on disk and drops the cached connection (reload_db_files). */
  reloadDbFiles(): void {
    this.close();
    this.#dbFiles = getDbFiles(this.#initDbFile);
  }

  protected override onFilesChanged(): void {
    this.#dbFiles = null;
  }

  /** The sharding epoch in the current file name, or null (db_epoch). */
  get dbEpoch(): string | null {
    return parseDbFilename(this.dbFile)[1];
  }

  /** "account/container", read from the database when not given (path). */
  get path(): string {
    this.#populateInstanceCache();
    return `${this.account}/${this.container}`;
  }

  protected initializeTables(
    conn: SqlConnection,
    putTimestamp: string,
    policy: number | null,
  ): void {
    if (!this.account) throw new TypeError("Cannot create a container database: no account set");
    if (!this.container) {
      throw new TypeError("Cannot create a container database: no container set");
    }
    const storagePolicyIndex = policy ?? 0;
    conn.exec(OBJECT_TABLE_SCRIPT + POLICY_STAT_TRIGGER_SCRIPT);
    conn.exec(POLICY_STAT_TABLE_CREATE);
    conn.run("INSERT INTO policy_stat (storage_policy_index) VALUES (?)", [storagePolicyIndex]);
    conn.exec(CONTAINER_INFO_TABLE_SCRIPT + CONTAINER_STAT_VIEW_SCRIPT);
    conn.run(
      `INSERT INTO container_info (account, container, created_at, id,
         put_timestamp, status_changed_at, storage_policy_index)
       VALUES (CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?, ?, ?)`,
      [
        this.account,
        this.container,
        Timestamp.now().internal,
        this.newDbId(),
        putTimestamp,
        putTimestamp,
        storagePolicyIndex,
      ],
    );
    conn.exec(SHARD_RANGE_TABLE_CREATE);
    conn.exec(SHARD_RANGE_TRIGGER_CREATE);
  }

  /** 1 when the (deleted, name) index exists, else 0 (get_db_version). */
  getDbVersion(conn: SqlConnection): number {
    if (this.dbVersion === -1) {
      const row = conn.get("SELECT name FROM sqlite_master WHERE name = 'ix_object_deleted_name'");
      this.dbVersion = row ? 1 : 0;
    }
    return this.dbVersion;
  }

  protected override afterNewid(conn: SqlConnection): void {
    conn.run(`UPDATE container_stat
            SET reported_put_timestamp = 0, reported_delete_timestamp = 0,
                reported_object_count = 0, reported_bytes_used = 0`);
  }

  protected recordToPickle(record: ObjectRecord): PickleValue[] {
    return objectRecordToPickle(record);
  }

  protected pickleToRecord(entry: PickleValue[]): ObjectRecord {
    return pickleToObjectRecord(entry);
  }

  protected mergeItemsNow(items: ObjectRecord[], source?: string | null): void {
    const merge = () =>
      this.withConnection((conn) => mergeObjectItems(conn, this.getDbVersion(conn), items, source));
    try {
      merge();
    } catch (err) {
      if (!String((err as Error).message).includes("no such column: storage_policy_index")) {
        throw err;
      }
      this.withConnection((conn) => migrateAddStoragePolicy(conn));
      merge();
    }
  }

  /** Queues an object row (put_object); `timestamp` is the internal data timestamp. */
  async putObject(name: string, timestamp: string, options: PutObjectOptions): Promise<void> {
    await this.putRecord({
      name,
      created_at: timestamp,
      size: options.size,
      content_type: options.contentType,
      etag: options.etag,
      deleted: options.deleted ?? 0,
      storage_policy_index: options.storagePolicyIndex ?? 0,
      ctype_timestamp: options.ctypeTimestamp ?? null,
      meta_timestamp: options.metaTimestamp ?? null,
    });
  }

  /** Queues a tombstone for `name` (delete_object). */
  async deleteObject(name: string, timestamp: string, storagePolicyIndex = 0): Promise<void> {
    await this.putObject(name, timestamp, {
      size: 0,
      contentType: "application/deleted",
      etag: "noetag",
      deleted: 1,
      storagePolicyIndex,
    });
  }

  #doGetInfoQuery(conn: SqlConnection): ContainerInfo {
    const info = queryContainerInfo(conn) as ContainerInfo | undefined;
    if (!info) this.quarantine("missing row in container_stat table");
    this.#storagePolicyIndex = info.storage_policy_index;
    this.account = info.account;
    this.container = info.container;
    return info;
  }

  #populateInstanceCache(): void {
    if (this.container === null) this.withConnection((conn) => this.#doGetInfoQuery(conn));
  }

  /** get_info() without pending merge or shard stats (_get_info). */
  async getRawInfo(): Promise<ContainerInfo> {
    await this.commitPending();
    return this.withConnection((conn) => this.#doGetInfoQuery(conn));
  }

  /** The container's stats and timestamps with Swift's keys, including db_state (get_info). */
  async getInfo(): Promise<ContainerInfo> {
    const info = await this.getRawInfo();
    const [state, stats] = await shardedObjectStats(this);
    return { ...info, ...stats, db_state: state };
  }

  /** [get_info(), whether the container is deleted]; [{}, true] when the file is missing. */
  async getInfoIsDeleted(): Promise<[ContainerInfo | Record<string, never>, boolean]> {
    if (!exists(this.dbFile)) return [{}, true];
    const info = await this.getInfo();
    return [info, isDeletedContainerInfo(info)];
  }

  protected isDeletedNow(conn: SqlConnection): boolean {
    const row = conn.get(
      "SELECT put_timestamp, delete_timestamp, object_count FROM container_stat",
    );
    if (!row) this.quarantine("missing row in container_stat table");
    return isDeletedContainerInfo(row);
  }

  /** True when the file is missing or the container is deleted with no objects (is_deleted). */
  override async isDeleted(): Promise<boolean> {
    if (!exists(this.dbFile)) return true;
    await this.commitPending();
    const row = this.withConnection((conn) =>
      conn.get("SELECT put_timestamp, delete_timestamp, object_count FROM container_stat")
    );
    if (!row) this.quarantine("missing row in container_stat table");
    const [, stats] = await shardedObjectStats(this);
    return isDeletedContainerInfo({ ...row, ...stats });
  }

  /** True when no policy holds a live object, here or (while sharding) in the retiring db or shards (empty). */
  async empty(): Promise<boolean> {
    const files = this.dbFiles;
    if (files.length > 1 && !(await this.retiringBroker((retiring) => retiring.#emptyHere()))) {
      return false;
    }
    if (!(await this.#emptyHere())) return false;
    // A sharded root's own rows are gone; its shards hold the objects.
    if (await isRootContainer(this) && shardingInitiated(this)) {
      return shardUsage(this).object_count <= 0;
    }
    return true;
  }

  async #emptyHere(): Promise<boolean> {
    await this.commitPending();
    const row = this.withConnection((conn) => {
      try {
        return conn.get("SELECT max(object_count) AS n FROM policy_stat");
      } catch (err) {
        const message = String((err as Error).message);
        if (
          !message.includes("no such column: storage_policy_index") &&
          !message.includes("no such table: policy_stat")
        ) throw err;
        return conn.get("SELECT object_count AS n FROM container_stat");
      }
    });
    return zeroLike(row?.n);
  }

  /** The container's storage policy index, cached after the first read. */
  async getStoragePolicyIndex(): Promise<number> {
    if (this.#storagePolicyIndex === null) {
      this.#storagePolicyIndex = (await this.getInfo()).storage_policy_index;
    }
    return this.#storagePolicyIndex;
  }

  /**
   * Lists objects (list_objects_iter): entries are [name, last-modified
   * internal timestamp, size, content_type, etag], subdirs are
   * [name, "0", 0, null, ""].
   */
  async listObjectsIter(query: ObjectListingQuery): Promise<ObjectListingEntry[]> {
    return await this.#list(query, {
      entry(row) {
        // Listings show the newest of the data, content-type and meta times.
        const [, , meta] = decodeTimestamps(row[1] as string);
        return [row[0], meta.internal, row[2], row[3], row[4]] as ObjectListingEntry;
      },
      subdir: (name) => [name, "0", 0, null, ""],
    });
  }

  /** Raw rows of every policy, tombstones included unless told otherwise (get_objects). */
  async getObjects(
    options: {
      limit?: number;
      marker?: string;
      endMarker?: string;
      includeDeleted?: boolean | null;
      sinceRow?: number | null;
    } = {},
  ): Promise<ObjectRow[]> {
    const keys = [
      "name",
      "created_at",
      "size",
      "content_type",
      "etag",
      "deleted",
      "storage_policy_index",
    ];
    return await this.#list({
      limit: options.limit ?? 10000,
      marker: options.marker ?? "",
      endMarker: options.endMarker ?? "",
      prefix: null,
      delimiter: null,
      path: null,
      reverse: false,
      includeDeleted: options.includeDeleted ?? null,
      sinceRow: options.sinceRow ?? null,
      allPolicies: true,
      allowReserved: true,
    }, {
      entry: (row) =>
        Object.fromEntries(keys.map((key, i) => [key, row[i]])) as unknown as ObjectRow,
      subdir: () => {
        throw new TypeError("get_objects() never rolls up subdirs");
      },
    });
  }

  /** {policy index: {object_count, bytes_used}} for every policy with rows (get_policy_stats). */
  getPolicyStats(): Promise<Record<number, PolicyStats>> {
    return Promise.resolve(this.withConnection((conn) => getPolicyStats(conn)));
  }

  /** True when rows of more than one policy are counted (has_multiple_policies). */
  hasMultiplePolicies(): Promise<boolean> {
    return Promise.resolve(this.withConnection((conn) => hasMultiplePolicies(conn)));
  }

  /** Switches the container's policy; `timestamp` (default now) raises status_changed_at. */
  setStoragePolicyIndex(policyIndex: number, timestamp?: string | null): Promise<void> {
    const ts = timestamp ?? Timestamp.now().internal;
    this.withConnection((conn) => setStoragePolicyIndex(conn, policyIndex, ts));
    this.#storagePolicyIndex = policyIndex;
    return Promise.resolve();
  }

  /** Records what was last reported to the account server (reported). */
  reported(
    putTimestamp: string,
    deleteTimestamp: string,
    objectCount: number,
    bytesUsed: number,
  ): Promise<void> {
    this.withConnection((conn) =>
      conn.run(
        `UPDATE container_stat SET reported_put_timestamp = ?, reported_delete_timestamp = ?,
           reported_object_count = ?, reported_bytes_used = ?`,
        [putTimestamp, deleteTimestamp, objectCount, bytesUsed],
      )
    );
    return Promise.resolve();
  }

  /** Sets container-sync progress; null leaves a point unchanged (set_x_container_sync_points). */
  setXContainerSyncPoints(point1: number | null, point2: number | null): Promise<void> {
    this.withConnection((conn) => setContainerSyncPoints(conn, point1, point2));
    return Promise.resolve();
  }

  /** The reconciler's sync point, or -1 (get_reconciler_sync). */
  getReconcilerSync(): Promise<number> {
    return Promise.resolve(this.withConnection((conn) => getReconcilerSync(conn)));
  }

  /** Stores the reconciler's sync point (update_reconciler_sync). */
  updateReconcilerSync(point: number): Promise<void> {
    this.withConnection((conn) => updateReconcilerSync(conn, point));
    return Promise.resolve();
  }

  /** Rows after ROWID `start` in a policy other than the container's (get_misplaced_since). */
  async getMisplacedSince(start: number, count: number): Promise<SqlRow[]> {
    await this.commitPending();
    return this.withConnection((conn) => getMisplacedSince(conn, start, count));
  }

  /** Deletes rows with lower < name <= upper ('' = unbounded) and ROWID <= maxRow (remove_objects). */
  removeObjects(lower: string, upper: string, maxRow?: number | null): Promise<void> {
    const conditions: string[] = [];
    const args: (string | number)[] = [];
    if (maxRow !== undefined && maxRow !== null) {
      conditions.push("ROWID <= ?");
      args.push(String(maxRow));
    }
    if (lower) {
      conditions.push("name > CAST(? AS TEXT)");
      args.push(lower);
    }
    if (upper) {
      conditions.push("name <= CAST(? AS TEXT)");
      args.push(upper);
    }
    const where = ["deleted in (0, 1)", ...conditions].join(" AND ");
    this.withConnection((conn) =>
      conn.transaction(() => conn.run(`DELETE FROM object WHERE ${where}`, args))
    );
    return Promise.resolve();
  }

  /** True when deleted longer than `reclaimAge` seconds before `now` (is_old_enough_to_reclaim). */
  isOldEnoughToReclaim(now: number, reclaimAge: number): Promise<boolean> {
    const row = this.withConnection((conn) =>
      conn.get("SELECT put_timestamp, delete_timestamp FROM container_stat")
    );
    const deleted = new Timestamp(String(row?.delete_timestamp));
    return Promise.resolve(
      new Timestamp(now - reclaimAge).greaterThan(deleted) &&
        deleted.greaterThan(String(row?.put_timestamp)),
    );
  }

  /** True when old enough and empty, and not a root with shards (is_reclaimable). */
  override async isReclaimable(now: number, reclaimAge: number): Promise<boolean> {
    if (!(await this.isOldEnoughToReclaim(now, reclaimAge))) return false;
    if (await isRootContainer(this)) {
      const state = getDbState(this);
      if (state === "sharding" || state === "sharded") return false;
    }
    return await this.empty();
  }

  /** Replication info plus shard_max_row (get_replication_info). */
  override async getReplicationInfo(): Promise<Record<string, unknown>> {
    const info = await super.getReplicationInfo();
    info.shard_max_row = await this.getMaxRow("shard_range");
    return info;
  }

  protected override reclaimOtherStuff(conn: SqlConnection, age: number, sync: number): void {
    super.reclaimOtherStuff(conn, age, sync);
    if (this.container === null) this.#doGetInfoQuery(conn);
    try {
      conn.run(
        "DELETE FROM shard_range WHERE deleted = 1 AND timestamp < ? AND name != CAST(? AS TEXT)",
        [new Real(sync), this.path],
      );
    } catch (err) {
      if (!String((err as Error).message).includes("no such table: shard_range")) throw err;
    }
  }

  /** object_count and bytes_used of the retiring db while Swift shards this container. */
  async retiringObjectStats(): Promise<{ object_count: number; bytes_used: number }> {
    const info = await this.retiringBroker((retiring) => retiring.getRawInfo());
    return { object_count: info.object_count, bytes_used: info.bytes_used };
  }

  /** Runs `fn` on a read-only broker for the older of two db files while sharding. */
  async retiringBroker<T>(fn: (broker: ContainerBroker) => Promise<T>): Promise<T> {
    const files = this.dbFiles;
    using retiring = new ContainerBroker(files[files.length - 2], {
      account: this.account,
      container: this.container,
      timeout: this.timeout,
      logger: this.logger,
      pendingTimeout: this.pendingTimeout,
      staleReadsOk: this.staleReadsOk,
      forceDbFile: true,
      skipCommits: true,
    });
    return await fn(retiring);
  }

  async #list<Entry>(query: ObjectListingQuery, shape: ObjectEntryShape<Entry>): Promise<Entry[]> {
    await this.commitPending();
    return this.withConnection((conn) =>
      listObjectRows(conn, this.getDbVersion(conn), query, shape)
    );
  }
}
