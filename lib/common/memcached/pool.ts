/**
 * swift.common.memcached.MemcacheConnPool: at most `size` connections to one server per
 * worker. A slot is either a live connection or an empty placeholder that Swift puts back
 * after an error ("a new connection will be created the next time it is retrieved").
 *
 * @module
 */
import {
  MemcacheConn,
  MemcacheTimeout,
  type MemcacheTls,
  type ServerAddress,
  startTimer,
} from "./conn.ts";

/** A pool slot: a connection, or null when the next user must connect first. */
export type PoolSlot = MemcacheConn | null;

/** How the pool connects. */
export interface PoolOptions {
  readonly size: number;
  readonly connectTimeout: number;
  readonly poolTimeout: number;
  readonly tls?: MemcacheTls;
}

/** The connections to one memcached server. */
export class MemcacheConnPool {
  readonly address: ServerAddress;
  readonly #options: PoolOptions;
  readonly #free: PoolSlot[] = [];
  readonly #waiters: Array<{ give(slot: PoolSlot): void; cancel(): void }> = [];
  #slots = 0;
  #closed = false;

  /** An empty pool for `address`; connections open on first use. */
  constructor(address: ServerAddress, options: PoolOptions) {
    this.address = address;
    this.#options = options;
  }

  /**
   * eventlet's Pool.get(): a free slot, else a new one while fewer than `size` exist, else
   * the next slot put back within pool_timeout (MemcacheTimeout otherwise).
   */
  take(): Promise<PoolSlot> {
    if (this.#free.length > 0) return Promise.resolve(this.#free.shift()!);
    if (this.#slots < this.#options.size) {
      this.#slots++;
      return Promise.resolve(null);
    }
    const { promise, resolve, reject } = Promise.withResolvers<PoolSlot>();
    const waiter = {
      give(slot: PoolSlot) {
        clearTimeout(timer);
        resolve(slot);
      },
      cancel() {
        clearTimeout(timer);
        reject(new MemcacheTimeout("The memcache client was closed"));
      },
    };
    const timer = startTimer(this.#options.poolTimeout, () => {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      reject(new MemcacheTimeout(`No connection freed within ${this.#options.poolTimeout}s`));
    });
    this.#waiters.push(waiter);
    return promise;
  }

  /** MemcacheConnPool.create(): opens the connection for an empty slot. */
  connect(): Promise<MemcacheConn> {
    return MemcacheConn.open(this.address, {
      connectTimeout: this.#options.connectTimeout,
      tls: this.#options.tls,
      tlsTimeout: this.#options.poolTimeout,
    });
  }

  /** Pool.put(): gives a slot back, to a waiting user first. */
  put(slot: PoolSlot): void {
    if (this.#closed) {
      slot?.close();
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) waiter.give(slot);
    else this.#free.push(slot);
  }

  /** Closes the idle connections and fails the waiting users; busy ones close on return. */
  close(): void {
    this.#closed = true;
    for (const slot of this.#free.splice(0)) slot?.close();
    for (const waiter of this.#waiters.splice(0)) waiter.cancel();
  }
}
