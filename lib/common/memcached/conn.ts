/**
 * One connection to a memcached server: connect with a timeout (TCP or TLS), buffered reads
 * of lines and byte counts the way Swift reads its `sock.makefile('rwb')`, and a deadline
 * that closes the socket when it expires (eventlet's `with Timeout(io_timeout)`).
 *
 * @module
 */

/** memcached's well-known port, used when a server is named without one. */
export const DEFAULT_MEMCACHED_PORT = 11211;

/** Where a server named in memcache_servers listens. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** An eventlet Timeout: Swift logs these as "Timeout <action> to memcached: <server>". */
export class MemcacheTimeout extends Error {
  /** Builds the timeout; `message` says what took too long. */
  constructor(message: string) {
    super(message);
    this.name = "MemcacheTimeout";
  }
}

/** TLS settings (memcache.conf tls_*), already read from their files. */
export interface MemcacheTls {
  /** PEM CA certificates trusted besides the system roots (tls_cafile). */
  readonly caCerts?: readonly string[];
  /** PEM client certificate chain (tls_certfile). */
  readonly cert?: string;
  /** PEM client private key (tls_keyfile, else the key inside tls_certfile). */
  readonly key?: string;
}

const IPV6 = /^\[(.*)\](?::([0-9]+))?$/s;

/**
 * swift.common.utils.parse_socket_string(): `host`, `host:port`, `[v6]` or `[v6]:port`.
 * Swift would also pass a service name as the port to getaddrinfo(); swiftd wants digits.
 */
export function parseServer(server: string): ServerAddress {
  let host = server;
  let portText: string | undefined;
  if (server.startsWith("[")) {
    const match = IPV6.exec(server);
    if (!match) throw new Error(`Invalid IPv6 address: ${server}`);
    [, host, portText] = match;
  } else if (server.includes(":")) {
    const tokens = server.split(":");
    if (tokens.length > 2) throw new Error(`IPv6 addresses must be between '[]': ${server}`);
    [host, portText] = tokens;
  }
  if (portText === undefined) return { host, port: DEFAULT_MEMCACHED_PORT };
  const port = /^[0-9]+$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new Error(`Invalid port "${portText}" in memcached server "${server}"`);
  }
  return { host, port };
}

const LF = 0x0a;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `fire` after `seconds` unless cleared. setTimeout() fires at once when given more than
 * 2^31-1 ms or Infinity, where eventlet would wait; such timeouts never fire here.
 */
export function startTimer(
  seconds: number,
  fire: () => void,
): ReturnType<typeof setTimeout> | undefined {
  const ms = seconds * 1000;
  return ms > MAX_TIMER_MS ? undefined : setTimeout(fire, ms);
}

/** A connected socket with a read buffer. */
export class MemcacheConn {
  readonly #conn: Deno.Conn;
  #buffer = new Uint8Array(0);
  #start = 0;
  #eof = false;
  #closed = false;
  #timer?: ReturnType<typeof setTimeout>;
  #timedOut = false;

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /**
   * Connects to `address`. Plain TCP gets `connectTimeout` as in Swift; with TLS,
   * Deno.connectTls cannot separate the TCP connect from the handshake, and Swift bounds its
   * handshake only by pool_timeout, so the whole TLS connect gets `tlsTimeout`.
   */
  static async open(
    address: ServerAddress,
    options: { connectTimeout: number; tls?: MemcacheTls; tlsTimeout: number },
  ): Promise<MemcacheConn> {
    const { tls } = options;
    const abort = new AbortController();
    // autoSelectFamily off: Swift connects to the first getaddrinfo() answer only.
    const pending: Promise<Deno.Conn> = tls
      ? Deno.connectTls({
        hostname: address.host,
        port: address.port,
        caCerts: tls.caCerts ? [...tls.caCerts] : undefined,
        autoSelectFamily: false,
        ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
      })
      : Deno.connect({
        hostname: address.host,
        port: address.port,
        signal: abort.signal,
        autoSelectFamily: false,
      });
    const seconds = tls ? options.tlsTimeout : options.connectTimeout;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<"timeout">((resolve) => {
      timer = startTimer(seconds, () => resolve("timeout"));
    });
    try {
      const winner = await Promise.race([pending, expired]);
      if (winner === "timeout") {
        abort.abort();
        // A connect that completes after all must not leak its socket.
        pending.then((conn) => conn.close(), () => {});
        throw new MemcacheTimeout(`Connecting took more than ${seconds}s`);
      }
      if (!tls) (winner as Deno.TcpConn).setNoDelay(true);
      return new MemcacheConn(winner);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether a read met the end of the stream: the server hung up. */
  get atEof(): boolean {
    return this.#eof;
  }

  /** Whether the last deadline expired (the socket was closed by it). */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Starts a deadline: when `seconds` pass before clearDeadline(), the socket is closed. */
  startDeadline(seconds: number): void {
    this.clearDeadline();
    this.#timer = startTimer(seconds, () => {
      this.#timedOut = true;
      this.close();
    });
  }

  /** Cancels the running deadline. */
  clearDeadline(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** sock.sendall(). */
  async write(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) {
      written += await this.#conn.write(bytes.subarray(written));
    }
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const chunk = new Uint8Array(65536);
    const n = await this.#conn.read(chunk);
    if (n === null) {
      this.#eof = true;
      return false;
    }
    const rest = this.#buffer.subarray(this.#start);
    const next = new Uint8Array(rest.length + n);
    next.set(rest);
    next.set(chunk.subarray(0, n), rest.length);
    this.#buffer = next;
    this.#start = 0;
    return true;
  }

  /** fp.readline(): bytes up to and including LF, or whatever is left at end of stream. */
  async readLine(): Promise<Uint8Array> {
    let scanned = 0;
    for (;;) {
      const view = this.#buffer.subarray(this.#start);
      const lf = view.indexOf(LF, scanned);
      if (lf >= 0) return this.#take(lf + 1);
      scanned = view.length;
      if (!(await this.#fill())) return this.#take(view.length);
    }
  }

  /** fp.read(size): `size` bytes, or fewer at end of stream. */
  async read(size: number): Promise<Uint8Array> {
    while (this.#buffer.length - this.#start < size) {
      if (!(await this.#fill())) break;
    }
    return this.#take(Math.min(size, this.#buffer.length - this.#start));
  }

  #take(n: number): Uint8Array {
    const out = this.#buffer.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }

  /** Closes the socket (idempotent); pending reads and writes then fail. */
  close(): void {
    this.clearDeadline();
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer's reset; nothing left to release.
    }
  }
}
