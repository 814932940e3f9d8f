/**
 * egg:swift#memcache: the client settings it picks from the filter's conf and memcache.conf
 * must be those Swift 2.30's MemcacheMiddleware picks (../common/_memcache_oracle.py records
 * the MemcacheRing arguments), and the filter must hand later middleware a working client.
 */
import { assert, assertEquals, assertInstanceOf, assertThrows } from "@std/assert";
import { BaseHandler, Logger, type LogRecord } from "@std/log";
import { fromFileUrl, join } from "@std/path";
import { MemcacheRing } from "../../lib/common/memcached.ts";
import { ConfigError } from "../../lib/config/errors.ts";
import { parseOptions, type StageConfig } from "../../lib/config/load.ts";
import { MEMCACHE_FILTER } from "../../lib/config/options/memcache.ts";
import { SwiftLogger } from "../../lib/log/logger.ts";
import { CACHE_ENV_KEY, memcacheFilter, memcacheSettings } from "../../lib/middleware/memcache.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { runPythonJson } from "../_helpers/python.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";

const ORACLE = fromFileUrl(new URL("../common/_memcache_oracle.py", import.meta.url));

/** The [filter:cache] stage whose conf (global + local, as Swift's factory gets it) is `conf`. */
function cacheStage(conf: Record<string, string>): StageConfig {
  const entries = new Map(
    Object.entries(conf).map(([key, value]) => [key, { value, file: "proxy-server.conf" }]),
  );
  const where = { file: "proxy-server.conf", section: "filter:cache" };
  return {
    kind: "filter",
    name: "cache",
    section: "filter:cache",
    entryPoint: "memcache",
    conf: entries,
    options: parseOptions(MEMCACHE_FILTER, entries, where, () => {}),
    origin: where,
  };
}

/** The MemcacheRing arguments swiftd picks, named as the oracle prints Swift's. */
function swiftdChoice(conf: Record<string, string>): Record<string, unknown> {
  try {
    const { servers, options: o } = memcacheSettings(cacheStage(conf));
    return {
      servers,
      max_conns: o.maxConns,
      connect_timeout: o.connectTimeout,
      pool_timeout: o.poolTimeout,
      tries: o.tries,
      io_timeout: o.ioTimeout,
      error_limit_count: o.errorLimitCount,
      error_limit_time: o.errorLimitTime,
      error_limit_duration: o.errorLimitDuration,
      item_size_warning_threshold: o.itemSizeWarningThreshold,
      tls: o.tls !== undefined,
    };
  } catch (err) {
    if (err instanceof ConfigError) return { error: "ValueError" };
    throw err;
  }
}

/** One setup: the filter's conf and memcache.conf's text (undefined: no such file). */
interface Case {
  readonly name: string;
  readonly conf: Record<string, string>;
  readonly memcacheConf?: string;
}

const FULL_MEMCACHE_CONF = `[memcache]
memcache_servers = 10.0.0.1:11211, 10.0.0.2:11211
memcache_max_connections = 7
connect_timeout = 0.5
pool_timeout = 2.5
tries = 2
io_timeout = 4
error_suppression_interval = 30
error_suppression_limit = 4
item_size_warning_threshold = 1000
`;

const CASES: Case[] = [
  { name: "no memcache.conf, nothing set", conf: {} },
  { name: "memcache.conf gives everything", conf: {}, memcacheConf: FULL_MEMCACHE_CONF },
  {
    name: "servers in the filter, the rest from memcache.conf",
    conf: { memcache_servers: "192.168.0.1:1", io_timeout: "9" },
    memcacheConf: FULL_MEMCACHE_CONF,
  },
  {
    name: "servers and count in the filter: memcache.conf is not read at all",
    conf: { memcache_servers: "192.168.0.1:1", memcache_max_connections: "3" },
    memcacheConf: FULL_MEMCACHE_CONF,
  },
  {
    name: "the old max_connections counts too",
    conf: { memcache_servers: "192.168.0.1:1", max_connections: "5" },
    memcacheConf: FULL_MEMCACHE_CONF,
  },
  {
    name: "memcache_max_connections hides max_connections, even when invalid",
    conf: { memcache_servers: "a:1", memcache_max_connections: "abc", max_connections: "4" },
    memcacheConf: FULL_MEMCACHE_CONF,
  },
  {
    name: "a zero count reads memcache.conf's count",
    conf: { memcache_servers: "a:1", memcache_max_connections: "0" },
    memcacheConf: "[memcache]\nmemcache_max_connections = 9\nmax_connections = 11\n",
  },
  {
    name: "an empty memcache_servers falls back to memcache.conf",
    conf: { memcache_servers: "", memcache_max_connections: "3" },
    memcacheConf: FULL_MEMCACHE_CONF,
  },
  {
    name: "memcache.conf without a [memcache] section is ignored",
    conf: {},
    memcacheConf: "[DEFAULT]\nmemcache_servers = 10.9.9.9:1\nio_timeout = 5\n",
  },
  {
    name: "memcache.conf's [DEFAULT] feeds its [memcache] section",
    conf: {},
    memcacheConf: "[DEFAULT]\nio_timeout = 5\nmemcache_servers = d:1\n[memcache]\ntries = 1\n",
  },
  {
    name: "an invalid count in memcache.conf is ignored",
    conf: {},
    memcacheConf: "[memcache]\nmemcache_max_connections = many\n",
  },
  {
    name: "an empty memcache_servers in memcache.conf means the default",
    conf: {},
    memcacheConf: "[memcache]\nmemcache_servers =\n",
  },
  {
    name: "server lists are stripped and empty items dropped",
    conf: { memcache_servers: " a:1 , ,[::1]:2,host ", memcache_max_connections: "1" },
  },
  {
    name: "error limiting, tries and the size warning as set",
    conf: {
      error_suppression_interval: "0",
      error_suppression_limit: "3.5",
      item_size_warning_threshold: "0",
      tries: "1",
      tls_enabled: "false",
    },
  },
  { name: "TLS with the system's roots", conf: { tls_enabled: "yes" } },
  {
    name: "an invalid timeout in memcache.conf stops the server",
    conf: {},
    memcacheConf: "[memcache]\nconnect_timeout = soon\n",
  },
  {
    name: "an invalid memcache.conf value the filter overrides does no harm",
    conf: { connect_timeout: "1" },
    memcacheConf: "[memcache]\nconnect_timeout = soon\n",
  },
  { name: "an invalid timeout in the filter stops the server", conf: { pool_timeout: "x" } },
  { name: "a bad IPv6 server name stops the server", conf: { memcache_servers: "[::1:11211" } },
  { name: "an unbracketed IPv6 name stops the server", conf: { memcache_servers: "::1" } },
];

Deno.test("memcacheSettings() picks Swift's client settings from the filter and memcache.conf", async () => {
  await using root = await makeTempDir("memcache-conf");
  const confs = await Promise.all(CASES.map(async (spec, i) => {
    const swiftDir = join(root.path, String(i));
    await Deno.mkdir(swiftDir);
    if (spec.memcacheConf !== undefined) {
      await Deno.writeTextFile(join(swiftDir, "memcache.conf"), spec.memcacheConf);
    }
    return { ...spec.conf, swift_dir: swiftDir };
  }));
  const input = join(root.path, "spec.json");
  await Deno.writeTextFile(input, JSON.stringify({ confs }));
  const swift = await runPythonJson(ORACLE, ["middleware", input]) as unknown[];
  CASES.forEach((spec, i) => assertEquals(swiftdChoice(confs[i]), swift[i], spec.name));
});

Deno.test("memcacheSettings() names memcache.conf's file and line for a bad value", async () => {
  await using dir = await makeTempDir("memcache-conf");
  const file = join(dir.path, "memcache.conf");
  await Deno.writeTextFile(file, "[memcache]\n\nio_timeout = -1\n");
  const err = assertThrows(
    () => memcacheSettings(cacheStage({ swift_dir: dir.path })),
    ConfigError,
  );
  assertEquals([err.file, err.line, err.section, err.key], [file, 3, "memcache", "io_timeout"]);
  // A directory where the file should be is skipped, as ConfigParser.read() skips it.
  await Deno.remove(file);
  await Deno.mkdir(file);
  assertEquals(memcacheSettings(cacheStage({ swift_dir: dir.path })).servers, [
    "127.0.0.1:11211",
  ]);
});

Deno.test("memcacheSettings() names the memcache_servers line for a bad server name", () => {
  const err = assertThrows(
    () =>
      memcacheSettings(cacheStage({ memcache_servers: "a:1,b:1:2", swift_dir: "/nonexistent" })),
    ConfigError,
  );
  assertEquals([err.file, err.section, err.key], [
    "proxy-server.conf",
    "filter:cache",
    "memcache_servers",
  ]);
  assert(err.message.includes("IPv6 addresses must be between '[]'"), err.message);
});

Deno.test("memcacheSettings() loads the TLS files, the key from the certificate file when no keyfile", async () => {
  await using dir = await makeTempDir("memcache-tls");
  const at = (name: string) => join(dir.path, name);
  await Deno.writeTextFile(at("ca.pem"), "CA PEM");
  await Deno.writeTextFile(at("both.pem"), "CERT AND KEY PEM");
  await Deno.writeTextFile(at("key.pem"), "KEY PEM");
  // memcache.conf names the files; the filter's conf turns TLS on.
  await Deno.writeTextFile(
    at("memcache.conf"),
    `[memcache]\ntls_cafile = ${at("ca.pem")}\ntls_certfile = ${at("both.pem")}\n`,
  );
  const settings = (conf: Record<string, string>) =>
    memcacheSettings(cacheStage({ swift_dir: dir.path, ...conf })).options.tls;
  assertEquals(settings({}), undefined);
  assertEquals(settings({ tls_enabled: "true" }), {
    caCerts: ["CA PEM"],
    cert: "CERT AND KEY PEM",
    key: "CERT AND KEY PEM",
  });
  assertEquals(settings({ tls_enabled: "true", tls_keyfile: at("key.pem") })?.key, "KEY PEM");
  const err = assertThrows(
    () => settings({ tls_enabled: "true", tls_cafile: at("missing.pem") }),
    ConfigError,
  );
  assertEquals(err.key, "tls_cafile");
});

class CaptureHandler extends BaseHandler {
  readonly messages: string[] = [];
  override handle(record: LogRecord): void {
    this.messages.push(record.msg);
  }
  log(): void {}
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function startMemcached(): Promise<{ server: string } & AsyncDisposable> {
  const port = freePort();
  const child = new Deno.Command("/usr/bin/memcached", {
    args: [
      "-l",
      "127.0.0.1",
      "-p",
      String(port),
      "-U",
      "0",
      ...(Deno.uid() === 0 ? ["-u", "nobody"] : []),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let attempt = 0;; attempt++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch (err) {
      if (attempt > 500) {
        child.kill();
        await child.status;
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return {
    server: `127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

Deno.test("memcacheFilter() gives later middleware one shared client as swift.cache", async () => {
  await using memcached = await startMemcached();
  const handler = new CaptureHandler("DEBUG");
  const logger = new SwiftLogger(new Logger("proxy", "DEBUG", { handlers: [handler] }), "proxy", 0);
  const cleanups: (() => void | Promise<void>)[] = [];
  const filter = memcacheFilter(
    cacheStage({ memcache_servers: memcached.server, swift_dir: "/nonexistent" }),
    { logger, server: "proxy-server", onClose: (cleanup) => cleanups.push(cleanup) },
  );
  const seen: unknown[] = [];
  const app = filter(async (_req, ctx) => {
    const cache = ctx.env[CACHE_ENV_KEY] as MemcacheRing;
    seen.push(cache);
    const hits = await cache.incr("AUTH_test/hits");
    await cache.set("AUTH_test/last", { hits });
    return new Response(JSON.stringify(await cache.get("AUTH_test/last")));
  });
  const remote = { transport: "tcp", hostname: "127.0.0.1", port: 1 } as const;
  for (const expected of ['{"hits":1}', '{"hits":2}']) {
    const response = await app(
      new Request("http://x/v1/AUTH_test"),
      newRequestContext(logger, remote),
    );
    assertEquals(await response.text(), expected);
  }
  assertInstanceOf(seen[0], MemcacheRing);
  assert(seen[0] === seen[1], "each request gets the worker's one client");
  assertEquals(handler.messages, []);
  assertEquals(cleanups.length, 1);
  for (const cleanup of cleanups) await cleanup();
});
