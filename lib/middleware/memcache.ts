/**
 * egg:swift#memcache (swift/common/middleware/memcache.py, Swift 2.30): builds one memcached
 * client per worker and hands it to the rest of the pipeline as `swift.cache`
 * (ctx.env["swift.cache"]), for tempauth tokens, ratelimit counters and info caching.
 *
 * Settings come from the filter's conf and from the [memcache] section of
 * `swift_dir/memcache.conf`, with MemcacheMiddleware.__init__'s precedence:
 * - memcache.conf is read only when the conf lacks memcache_servers (or has it empty) or lacks
 *   a positive connection count (memcache_max_connections, else max_connections);
 * - then it supplies memcache_servers and memcache_max_connections where those are missing,
 *   and is the base for every other key, which the filter's conf overrides key by key;
 * - what is still missing takes Swift's default (127.0.0.1:11211, 2 connections...).
 *
 * Differences from Swift, both stricter: a negative timeout stops the server instead of
 * timing every command out, and a memcached port must be a number (Swift would also look up
 * a service name). memcache.conf is read with Swift's ConfigParser rules (lib/config/ini.ts);
 * Swift's plain ConfigParser would also turn `%%` into `%` there.
 */
import { join } from "@std/path";
import { ConfigError, type ConfigWarning, configWarning } from "../config/errors.ts";
import { type ConfValue, decodeConfigText, IniDocument } from "../config/ini.ts";
import { optionsOf, type StageConfig } from "../config/load.ts";
import { MEMCACHE_FILTER } from "../config/options/memcache.ts";
import type { TypedConfig } from "../config/options/option.ts";
import { InvalidValue } from "../config/values.ts";
import {
  MemcacheRing,
  type MemcacheRingOptions,
  type MemcacheTls,
  parseServer,
} from "../common/memcached.ts";
import type { BuildContext, Filter } from "./compose.ts";

/** The environ key Swift's middleware sets and tempauth, ratelimit and the proxy read. */
export const CACHE_ENV_KEY = "swift.cache";

/** What the filter builds its MemcacheRing from. */
export interface MemcacheSettings {
  readonly servers: readonly string[];
  /** Every constructor option but the logger. */
  readonly options: Omit<MemcacheRingOptions, "logger" | "clock">;
}

type Options = TypedConfig<typeof MEMCACHE_FILTER["options"]>;
type Key = keyof Options & string;

const SECTION = "memcache";

/** ConfigParser.read(): the parsed file, or undefined when it cannot be opened. */
function readMemcacheConf(path: string): IniDocument | undefined {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch {
    // ConfigParser.read() skips a file it cannot open, and so does Swift's middleware.
    return undefined;
  }
  const doc = new IniDocument({ lowercaseKeys: true });
  doc.read(decodeConfigText(bytes, path), path);
  return doc;
}

/** Runs a memcache.conf value through the key's parser, errors naming memcache.conf. */
function parseValue<K extends Key>(
  key: K,
  entry: ConfValue,
  warn: (w: ConfigWarning) => void,
): Options[K] {
  const spec = MEMCACHE_FILTER.options.find((o) => o.key === key)!;
  const where = { file: entry.file, line: entry.line, section: entry.section ?? SECTION, key };
  try {
    return spec.parse(entry.value, (reason) => warn(configWarning(reason, where))) as Options[K];
  } catch (err) {
    if (!(err instanceof InvalidValue)) throw err;
    throw new ConfigError(`${err.expected}: current value is "${entry.value}"`, where);
  }
}

/** The table's default of `key`, parsed (Swift's fallback once both sources lack it). */
function defaultOf<K extends Key>(key: K): Options[K] {
  const spec = MEMCACHE_FILTER.options.find((o) => o.key === key)!;
  return parseValue(key, { value: spec.default }, () => {});
}

function readPem(path: string, key: Key): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (err) {
    throw new ConfigError(
      `names a file that cannot be read: ${err instanceof Error ? err.message : err}`,
      { key, file: path },
    );
  }
}

/**
 * MemcacheMiddleware.__init__: the servers and client settings of a [filter:cache] stage,
 * reading memcache.conf as Swift does. `warn` gets doubtful memcache.conf values.
 */
export function memcacheSettings(
  stage: StageConfig,
  warn: (w: ConfigWarning) => void = () => {},
): MemcacheSettings {
  const options = optionsOf(stage, MEMCACHE_FILTER);
  // Swift tests the presence of keys (conf.get(key, fallback)), which a parsed value that
  // already holds the table's default cannot tell; stage.conf is the conf Swift's factory gets.
  const own = (key: Key) => stage.conf.has(key);
  let servers = own("memcache_servers") ? options.memcache_servers : undefined;
  let serversFrom = stage.conf.get("memcache_servers");
  let maxConns = own("memcache_max_connections")
    ? options.memcache_max_connections
    : own("max_connections")
    ? options.max_connections
    : 0;

  let base = new Map<string, ConfValue>();
  if (servers === undefined || maxConns <= 0) {
    const doc = readMemcacheConf(join(options.swift_dir, "memcache.conf"));
    if (doc?.hasSection(SECTION)) {
      base = new Map(doc.items(SECTION));
      const confServers = base.get("memcache_servers");
      if (servers === undefined && confServers) {
        servers = parseValue("memcache_servers", confServers, warn);
        serversFrom = confServers;
      }
      const confMax = base.get("memcache_max_connections");
      // A value int() rejects parses as 0: still unset, as Swift ignores it.
      if (maxConns <= 0 && confMax) {
        maxConns = parseValue("memcache_max_connections", confMax, warn);
      }
    }
  }
  // memcache_options.update(conf): the filter's conf wins over memcache.conf, key by key.
  const value = <K extends Key>(key: K): Options[K] => {
    const entry = base.get(key);
    return own(key) || !entry ? options[key] : parseValue(key, entry, warn);
  };

  if (servers === undefined) {
    servers = defaultOf("memcache_servers")!;
    serversFrom = undefined;
  }
  for (const server of servers) {
    try {
      parseServer(server);
    } catch (err) {
      throw new ConfigError(
        `must list memcached servers as host, host:port or [ipv6]:port: ${(err as Error).message}`,
        {
          file: serversFrom?.file,
          line: serversFrom?.line,
          section: stage.section,
          key: "memcache_servers",
        },
      );
    }
  }
  if (maxConns <= 0) maxConns = defaultOf("memcache_max_connections");

  const interval = value("error_suppression_interval");
  return {
    servers,
    options: {
      connectTimeout: value("connect_timeout"),
      poolTimeout: value("pool_timeout"),
      tries: value("tries"),
      ioTimeout: value("io_timeout"),
      maxConns,
      tls: value("tls_enabled") ? tlsFiles(value) : undefined,
      errorLimitCount: value("error_suppression_limit"),
      errorLimitTime: interval,
      errorLimitDuration: interval,
      itemSizeWarningThreshold: value("item_size_warning_threshold"),
    },
  };
}

/** ssl.create_default_context(cafile) + load_cert_chain(certfile, keyfile), as PEM texts. */
function tlsFiles(value: <K extends Key>(key: K) => Options[K]): MemcacheTls {
  const cafile = value("tls_cafile");
  const certfile = value("tls_certfile");
  const keyfile = value("tls_keyfile");
  const cert = certfile ? readPem(certfile, "tls_certfile") : undefined;
  return {
    caCerts: cafile ? [readPem(cafile, "tls_cafile")] : undefined,
    cert,
    // Without tls_keyfile, load_cert_chain() takes the key from the certificate file.
    key: cert === undefined ? undefined : keyfile ? readPem(keyfile, "tls_keyfile") : cert,
  };
}

/** Builds the memcache filter: one MemcacheRing per worker, closed when the worker stops. */
export function memcacheFilter(stage: StageConfig, build: BuildContext): Filter {
  const { servers, options } = memcacheSettings(stage, (w) => build.logger.warning(w.message));
  const ring = new MemcacheRing(servers, { ...options, logger: build.logger });
  build.onClose(() => ring.close());
  return (next) =>
    function memcache(req, ctx) {
      ctx.env[CACHE_ENV_KEY] = ring;
      return next(req, ctx);
    };
}
