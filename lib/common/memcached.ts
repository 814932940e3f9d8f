/**
 * swift.common.memcached.MemcacheRing of Swift 2.30: a consistent-hashed memcached client with
 * a connection pool per server, timeouts, retries on the next servers and error limiting.
 *
 * Entries are interchangeable with Swift's: keys are stored as md5hash(key) on the server the
 * same ring picks, values as the same bytes under the same flags (JSON_FLAG for serialized
 * values, written as Python's json.dumps writes them). Pickled entries (PICKLE_FLAG, written
 * by Swift before 2.x) are never unpickled: they read as a miss, as in Swift 2.30.
 *
 * @module
 */
import {
  type MemcacheConn,
  MemcacheTimeout,
  type MemcacheTls,
  parseServer,
} from "./memcached/conn.ts";
import { MemcacheConnPool, type PoolSlot } from "./memcached/pool.ts";
import {
  ASCII,
  concat,
  decodeValue,
  field,
  humanReadable,
  JSON_FLAG,
  jsonBytes,
  MemcacheConnectionError,
  PICKLE_FLAG,
  pyInt,
  rawBytes,
  type RawValue,
  sanitizeTimeout,
  setMsg,
  socketErrorText,
  stripped,
  words,
} from "./memcached/protocol.ts";
import { pythonJsonLoads } from "./python_json.ts";
import { HashRing, md5hash, type MemcacheKey } from "./memcached/ring.ts";

export { MemcacheTimeout, parseServer } from "./memcached/conn.ts";
export type { MemcacheTls, ServerAddress } from "./memcached/conn.ts";
export { type JsonValue, pythonJsonDumps, pythonJsonLoads } from "./python_json.ts";
export { HashRing, md5hash, type MemcacheKey, NODE_WEIGHT } from "./memcached/ring.ts";
export {
  JSON_FLAG,
  MemcacheConnectionError,
  PICKLE_FLAG,
  type RawValue,
} from "./memcached/protocol.ts";

/** Seconds to open a TCP connection (CONN_TIMEOUT). */
export const CONN_TIMEOUT = 0.3;
/** Seconds to wait for a free pooled connection (POOL_TIMEOUT). */
export const POOL_TIMEOUT = 1.0;
/** Seconds one command may take, send to last reply byte (IO_TIMEOUT). */
export const IO_TIMEOUT = 2.0;
/** How many servers a command tries (TRY_COUNT). */
export const TRY_COUNT = 3;
/** More errors than this within ERROR_LIMIT_TIME suspend a server... */
export const ERROR_LIMIT_COUNT = 10;
/** ...counted over this many seconds... */
export const ERROR_LIMIT_TIME = 60;
/** ...for this many seconds. */
export const ERROR_LIMIT_DURATION = 60;
/** Item size from which set() warns; -1 never warns. */
export const DEFAULT_ITEM_SIZE_WARNING_THRESHOLD = -1;

/** What MemcacheRing logs through (SwiftLogger fits). */
export interface MemcacheLogger {
  error(message: string): void;
  warning(message: string): void;
  /** An unexpected error: the message plus the stack. */
  exception(message: string, error: unknown): void;
}

/** MemcacheRing's constructor arguments beyond the server list, with Swift's defaults. */
export interface MemcacheRingOptions {
  readonly connectTimeout?: number;
  readonly ioTimeout?: number;
  readonly poolTimeout?: number;
  readonly tries?: number;
  /** Connections per server (max_conns). */
  readonly maxConns?: number;
  readonly tls?: MemcacheTls;
  readonly logger?: MemcacheLogger;
  readonly errorLimitCount?: number;
  readonly errorLimitTime?: number;
  readonly errorLimitDuration?: number;
  readonly itemSizeWarningThreshold?: number;
  /** Seconds since the epoch (time.time()); tests move it to expire error limits. */
  readonly clock?: () => number;
}

/** Options of set() and setMulti(). */
export interface SetOptions {
  /** Store as JSON under JSON_FLAG (default), else as raw bytes with flags 0. */
  readonly serialize?: boolean;
  /** Time to live in seconds; above 30 days it becomes an absolute time, as in Swift. */
  readonly time?: number;
  /** Ignored, as in Swift (python-memcached compatibility). */
  readonly minCompressLen?: number;
}

const CONSOLE_LOGGER: MemcacheLogger = {
  // Python's root logger without handlers prints WARNING and above, bare, to stderr.
  error: (message) => console.error(message),
  warning: (message) => console.error(message),
  exception: (message, error) => console.error(message, error),
};

/** Simple, consistent-hashed memcache client (swift.common.memcached.MemcacheRing). */
export class MemcacheRing {
  readonly #ring: HashRing;
  readonly #pools = new Map<string, MemcacheConnPool>();
  readonly #errors = new Map<string, number[]>();
  readonly #errorLimited = new Map<string, number>();
  readonly #tries: number;
  readonly #ioTimeout: number;
  readonly #errorLimitCount: number;
  readonly #errorLimitTime: number;
  readonly #errorLimitDuration: number;
  readonly #itemSizeWarningThreshold: number;
  readonly #logger: MemcacheLogger;
  readonly #clock: () => number;

  /**
   * A client for `servers` (`host`, `host:port`, `[v6]:port`; the names as written also
   * place keys on the ring). Throws on a name parse_socket_string() rejects.
   */
  constructor(servers: readonly string[], options: MemcacheRingOptions = {}) {
    this.#ring = new HashRing(servers);
    const pool = {
      size: options.maxConns ?? 2,
      connectTimeout: options.connectTimeout ?? CONN_TIMEOUT,
      poolTimeout: options.poolTimeout ?? POOL_TIMEOUT,
      tls: options.tls,
    };
    for (const server of servers) {
      this.#errors.set(server, []);
      this.#errorLimited.set(server, 0);
      this.#pools.set(server, new MemcacheConnPool(parseServer(server), pool));
    }
    const tries = options.tries ?? TRY_COUNT;
    this.#tries = tries <= servers.length ? tries : servers.length;
    this.#ioTimeout = options.ioTimeout ?? IO_TIMEOUT;
    this.#errorLimitCount = options.errorLimitCount ?? ERROR_LIMIT_COUNT;
    this.#errorLimitTime = options.errorLimitTime ?? ERROR_LIMIT_TIME;
    this.#errorLimitDuration = options.errorLimitDuration ?? ERROR_LIMIT_DURATION;
    this.#itemSizeWarningThreshold = options.itemSizeWarningThreshold ??
      DEFAULT_ITEM_SIZE_WARNING_THRESHOLD;
    this.#logger = options.logger ?? CONSOLE_LOGGER;
    this.#clock = options.clock ?? (() => Date.now() / 1000);
  }

  /** Logs an error, drops the connection and counts the error against the server. */
  #exceptionOccurred(
    server: string,
    err: unknown,
    how: { action?: string; conn?: MemcacheConn; gotConnection?: boolean } = {},
  ): void {
    const action = how.action ?? "talking";
    const text = socketErrorText(err, action);
    if (err instanceof MemcacheTimeout || how.conn?.timedOut) {
      this.#logger.error(`Timeout ${action} to memcached: ${server}`);
    } else if (text !== undefined) {
      this.#logger.error(`Error ${action} to memcached: ${server}: ${text}`);
    } else {
      this.#logger.exception(`Error ${action} to memcached: ${server}`, err);
    }
    how.conn?.close();
    // The slot goes back empty; the next user of it connects anew.
    if (how.gotConnection ?? true) this.#pools.get(server)!.put(null);

    if (this.#errorLimitTime <= 0 || this.#errorLimitDuration <= 0) return;
    const now = this.#clock();
    let errors = this.#errors.get(server)!;
    errors.push(now);
    if (errors.length > this.#errorLimitCount) {
      errors = errors.filter((when) => when > now - this.#errorLimitTime);
      this.#errors.set(server, errors);
      if (errors.length > this.#errorLimitCount) {
        this.#errorLimited.set(server, now + this.#errorLimitDuration);
        this.#logger.error(`Error limiting server ${server}`);
      }
    }
  }

  /** _get_conns(): a connection to the key's server, then to the next ones, skipping limited ones. */
  async *#conns(hashedKey: string): AsyncGenerator<[string, MemcacheConn]> {
    let anyYielded = false;
    for (const server of this.#ring.serversFor(hashedKey, this.#tries)) {
      if (this.#errorLimited.get(server)! > this.#clock()) continue;
      const pool = this.#pools.get(server)!;
      let slot: PoolSlot;
      try {
        slot = await pool.take();
      } catch (err) {
        this.#exceptionOccurred(server, err, {
          action: "getting a connection",
          gotConnection: false,
        });
        continue;
      }
      let conn = slot;
      if (conn === null) {
        try {
          conn = await pool.connect();
        } catch (err) {
          this.#exceptionOccurred(server, err, { action: "connecting" });
          continue;
        }
      }
      anyYielded = true;
      yield [server, conn];
    }
    if (!anyYielded) this.#logger.error("All memcached servers error-limited");
  }

  /**
   * Runs `command` on the key's server, then on the next ones while it fails, each within
   * io_timeout. Returns undefined when every server failed.
   */
  async #attempt<T>(
    hashedKey: string,
    command: (conn: MemcacheConn, server: string) => Promise<T>,
  ): Promise<{ value: T } | undefined> {
    for await (const [server, conn] of this.#conns(hashedKey)) {
      let value: T;
      conn.startDeadline(this.#ioTimeout);
      try {
        value = await command(conn, server);
      } catch (err) {
        this.#exceptionOccurred(server, err, { conn });
        continue;
      } finally {
        conn.clearDeadline();
      }
      // Swift pools a socket whose server hung up and fails on its next use; swiftd reconnects.
      if (conn.atEof) {
        conn.close();
        this.#pools.get(server)!.put(null);
      } else {
        this.#pools.get(server)!.put(conn);
      }
      return { value };
    }
    return undefined;
  }

  /** Stores `value` under `key`; errors are logged and ignored unless `raiseOnError`. */
  async set(
    key: MemcacheKey,
    value: unknown,
    options: SetOptions & { readonly raiseOnError?: boolean } = {},
  ): Promise<void> {
    const hashed = md5hash(key);
    const timeout = sanitizeTimeout(options.time ?? 0, this.#clock());
    const serialize = options.serialize ?? true;
    const data = serialize ? jsonBytes(value) : rawBytes(value as RawValue);
    const message = setMsg(hashed, serialize ? JSON_FLAG : 0, timeout, data);
    const done = await this.#attempt(hashed, async (conn, server) => {
      await conn.write(message);
      const reply = stripped(await conn.readLine());
      if (reply !== "STORED") {
        this.#logger.error(`Error setting value in memcached: ${server}: ${reply}`);
      }
      const threshold = this.#itemSizeWarningThreshold;
      if (threshold >= 0 && threshold <= data.length) {
        this.#logger.warning(
          `Item size larger than warning threshold: ${data.length} (${
            humanReadable(data.length)
          }) >= ${threshold} (${humanReadable(threshold)})`,
        );
      }
    });
    if (!done && options.raiseOnError) {
      throw new MemcacheConnectionError("No memcached connections succeeded.");
    }
  }

  /**
   * The value of `key`: JSON entries decoded, raw ones as bytes, null on a miss (and on any
   * error unless `raiseOnError`).
   */
  async get(key: MemcacheKey, options: { readonly raiseOnError?: boolean } = {}): Promise<unknown> {
    const hashed = md5hash(key);
    const done = await this.#attempt(hashed, async (conn) => {
      await conn.write(ASCII.encode(`get ${hashed}\r\n`));
      let value: unknown = null;
      let line = words(await conn.readLine());
      for (;;) {
        if (line.length === 0) throw new MemcacheConnectionError("incomplete read");
        const verb = line[0].toUpperCase();
        if (verb === "END") break;
        if (verb === "VALUE" && field(line, 1) === hashed) {
          const data = await conn.read(pyInt(field(line, 3)));
          value = decodeValue(data, pyInt(field(line, 2)));
          await conn.readLine();
        }
        line = words(await conn.readLine());
      }
      return value;
    });
    if (!done && options.raiseOnError) {
      throw new MemcacheConnectionError("No memcached connections succeeded.");
    }
    return done?.value ?? null;
  }

  /**
   * Adds `delta` to the number at `key` (memcached decr below zero stores 0) and returns the
   * result. A missing key is added as `delta`, or 0 for a negative delta, living `time`
   * seconds. Throws MemcacheConnectionError when no server answers.
   */
  async incr(
    key: MemcacheKey,
    delta = 1,
    options: { readonly time?: number } = {},
  ): Promise<number> {
    const hashed = md5hash(key);
    const command = delta < 0 ? "decr" : "incr";
    const amount = String(Math.abs(Math.trunc(delta)));
    const timeout = sanitizeTimeout(options.time ?? 0, this.#clock());
    const done = await this.#attempt(hashed, async (conn) => {
      await conn.write(ASCII.encode(`${command} ${hashed} ${amount}\r\n`));
      let line = words(await conn.readLine());
      if (line.length === 0) throw new MemcacheConnectionError("incomplete read");
      if (line[0].toUpperCase() !== "NOT_FOUND") return pyInt(line[0]);
      const addValue = command === "decr" ? "0" : amount;
      await conn.write(
        ASCII.encode(`add ${hashed} 0 ${timeout} ${addValue.length}\r\n${addValue}\r\n`),
      );
      line = words(await conn.readLine());
      if (field(line, 0).toUpperCase() !== "NOT_STORED") return pyInt(addValue);
      // Another client added it meanwhile: apply the delta to theirs.
      await conn.write(ASCII.encode(`${command} ${hashed} ${amount}\r\n`));
      line = words(await conn.readLine());
      return pyInt(field(line, 0));
    });
    if (!done) throw new MemcacheConnectionError("No Memcached connections succeeded.");
    return done.value;
  }

  /** incr() with `-delta`: a missing key becomes 0. */
  decr(key: MemcacheKey, delta = 1, options: { readonly time?: number } = {}): Promise<number> {
    return this.incr(key, -delta, options);
  }

  /** Deletes `key`, on the server of `serverKey` when given. */
  async delete(
    key: MemcacheKey,
    options: { readonly serverKey?: MemcacheKey } = {},
  ): Promise<void> {
    const hashed = md5hash(key);
    const serverKey = options.serverKey ? md5hash(options.serverKey) : hashed;
    await this.#attempt(serverKey, async (conn) => {
      await conn.write(ASCII.encode(`delete ${hashed}\r\n`));
      await conn.readLine();
    });
  }

  /**
   * Stores every entry of `mapping` on the one server of `serverKey` (Swift groups them
   * there so getMulti() with the same serverKey finds them in one round trip).
   */
  async setMulti(
    mapping: ReadonlyMap<MemcacheKey, unknown> | Readonly<Record<string, unknown>>,
    serverKey: MemcacheKey,
    options: SetOptions = {},
  ): Promise<void> {
    const hashedServerKey = md5hash(serverKey);
    const timeout = sanitizeTimeout(options.time ?? 0, this.#clock());
    const entries = mapping instanceof Map ? [...mapping] : Object.entries(mapping);
    const serialize = options.serialize ?? true;
    const messages = entries.map(([key, value]) => {
      if (!serialize && !(value instanceof Uint8Array)) throw new TypeError("value must be bytes");
      const data = serialize ? jsonBytes(value) : value as Uint8Array;
      return setMsg(md5hash(key), serialize ? JSON_FLAG : 0, timeout, data);
    });
    await this.#attempt(hashedServerKey, async (conn) => {
      await conn.write(concat(...messages));
      for (let i = 0; i < entries.length; i++) await conn.readLine();
    });
  }

  /**
   * The values of `keys` (null for misses) from the server of `serverKey`, or undefined
   * when no server answered.
   */
  async getMulti(
    keys: readonly MemcacheKey[],
    serverKey: MemcacheKey,
  ): Promise<unknown[] | undefined> {
    const hashedKeys = keys.map(md5hash);
    const done = await this.#attempt(md5hash(serverKey), async (conn) => {
      await conn.write(ASCII.encode(`get ${hashedKeys.join(" ")}\r\n`));
      const responses = new Map<string, unknown>();
      let line = words(await conn.readLine());
      for (;;) {
        if (line.length === 0) throw new MemcacheConnectionError("incomplete read");
        const verb = line[0].toUpperCase();
        if (verb === "END") break;
        if (verb === "VALUE") {
          const data = await conn.read(pyInt(field(line, 3)));
          const flags = pyInt(field(line, 2));
          // Unlike get(), get_multi() tests the flags with elif.
          const value = flags & PICKLE_FLAG
            ? null
            : flags & JSON_FLAG
            ? pythonJsonLoads(data)
            : data;
          responses.set(field(line, 1), value);
          await conn.readLine();
        }
        line = words(await conn.readLine());
      }
      return hashedKeys.map((key) => responses.has(key) ? responses.get(key) : null);
    });
    return done?.value;
  }

  /** Closes the idle connections; the ones in use close when their command ends. */
  close(): void {
    for (const pool of this.#pools.values()) pool.close();
  }
}
