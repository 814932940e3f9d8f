/**
 * Options of `egg:swift#memcache` (swift/common/middleware/memcache.py, Swift 2.30): the keys
 * MemcacheMiddleware.__init__ reads, plus get_logger()'s.
 *
 * Every key but log_* and swift_dir may also come from the [memcache] section of
 * `swift_dir/memcache.conf`; lib/middleware/memcache.ts applies Swift's precedence (the
 * filter's conf wins, memcache.conf is read only when memcache_servers or the connection
 * count is missing) and parses memcache.conf's values with these same parsers.
 */
import { bool, csv, float, int, InvalidValue, optionalPath, type Parser, text } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/**
 * memcache_servers: comma-separated, items stripped, empty items dropped; an empty value is
 * unset (undefined), so Swift's fallback to memcache.conf applies. A value of only commas
 * gives no server at all, as in Swift (every lookup is then a miss).
 */
export const serverList: Parser<string[] | undefined> = (raw, warn) =>
  raw === "" ? undefined : csv(raw, warn);

const anyInt = int();

/**
 * Connection counts as Swift reads them: int(), where a value that is not an integer counts
 * as 0 ("not set") instead of stopping the server.
 */
export const connectionCount: Parser<number> = (raw, warn) => {
  try {
    return anyInt(raw, warn);
  } catch (err) {
    if (!(err instanceof InvalidValue)) throw err;
    warn(`is not an integer, so it counts as unset, as in Swift (current value is "${raw}")`);
    return 0;
  }
};

/** `egg:swift#memcache`: gives later middleware a memcached client as `swift.cache`. */
export const MEMCACHE_FILTER = {
  name: "memcache",
  doc: "Puts a memcached client (Swift's MemcacheRing) in the environ as swift.cache for " +
    "tempauth, ratelimit and the proxy's info caching.",
  options: [
    option({
      key: "memcache_servers",
      parse: serverList,
      default: "127.0.0.1:11211",
      doc: "Comma-separated memcached servers (host:port, IPv6 as [::1]:11211). Unset or " +
        "empty: memcache.conf's memcache_servers, else 127.0.0.1:11211. Every proxy must list " +
        "the same names in any order: a key's server is chosen by hashing these names.",
    }),
    option({
      key: "memcache_max_connections",
      parse: connectionCount,
      default: "2",
      doc: "Connections per memcached server per worker. Unset or <= 0: max_connections, " +
        "then memcache.conf's memcache_max_connections, else 2.",
    }),
    option({
      key: "max_connections",
      parse: connectionCount,
      default: "0",
      doc: "Older name of memcache_max_connections, read only when that key is absent.",
    }),
    option({
      key: "connect_timeout",
      parse: float({ min: 0 }),
      default: "0.3",
      doc: "Seconds to open a connection to a memcached server.",
    }),
    option({
      key: "pool_timeout",
      parse: float({ min: 0 }),
      default: "1.0",
      doc: "Seconds to wait for one of the server's max connections to be free (and, with " +
        "TLS, to connect and handshake).",
    }),
    option({
      key: "tries",
      parse: int(),
      default: "3",
      doc: "How many servers one command tries: the key's server, then the next ones on the " +
        "ring while it fails (at most the number of servers).",
    }),
    option({
      key: "io_timeout",
      parse: float({ min: 0 }),
      default: "2.0",
      doc: "Seconds one command may take, from sending it to the last byte of the reply.",
    }),
    option({
      key: "tls_enabled",
      parse: bool,
      default: "false",
      doc: "Talk to the memcached servers over TLS.",
    }),
    option({
      key: "tls_cafile",
      parse: optionalPath,
      default: "",
      doc: "PEM file of CA certificates that sign the servers' certificates (with " +
        "tls_enabled; empty: the system's roots).",
    }),
    option({
      key: "tls_certfile",
      parse: optionalPath,
      default: "",
      doc: "PEM client certificate chain, for servers that check clients (with tls_enabled).",
    }),
    option({
      key: "tls_keyfile",
      parse: optionalPath,
      default: "",
      doc: "PEM private key of tls_certfile; empty: the key is inside tls_certfile.",
    }),
    option({
      key: "error_suppression_interval",
      parse: float(),
      default: "60.0",
      doc: "Errors of a server are counted over this many seconds, and a server with too " +
        "many is skipped as long; 0 disables error limiting.",
    }),
    option({
      key: "error_suppression_limit",
      parse: float(),
      default: "10",
      doc: "More errors than this within error_suppression_interval suspend a server.",
    }),
    option({
      key: "item_size_warning_threshold",
      parse: int(),
      default: "-1",
      doc: "Log a warning when a value stored is at least this many bytes (0: every value; " +
        "-1: never).",
    }),
    option({
      key: "swift_dir",
      parse: text,
      default: "/etc/swift",
      doc: "Directory of memcache.conf, whose [memcache] section gives the keys this " +
        "section leaves out.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
