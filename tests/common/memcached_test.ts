/**
 * MemcacheRing against real memcached servers and against Swift 2.30's own MemcacheRing
 * (_memcache_oracle.py): the same keys must land on the same servers with the same flags and
 * bytes, each side must read what the other wrote, and the same operations must give the same
 * results and log lines, also while servers refuse, drop or never answer connections.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import {
  HashRing,
  md5hash,
  type MemcacheKey,
  MemcacheRing,
  type MemcacheRingOptions,
  pythonJsonDumps,
} from "../../lib/common/memcached.ts";
import { runCommand, runPythonJson } from "../_helpers/python.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";

const ORACLE = fromFileUrl(new URL("./_memcache_oracle.py", import.meta.url));
const encoder = new TextEncoder();

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(text: string): Uint8Array {
  return new Uint8Array(text.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
}

/** A port nothing listens on now (bind :0, read it, close it). */
function freePort(hostname = "127.0.0.1"): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A memcached process on a free port, stopped at the end of an `await using` block. */
interface Memcached extends AsyncDisposable {
  /** Its name in a server list: `127.0.0.1:PORT` or `[::1]:PORT`. */
  readonly server: string;
}

async function startMemcached(
  hostname = "127.0.0.1",
  extraArgs: string[] = [],
): Promise<Memcached> {
  const port = freePort(hostname);
  const child = new Deno.Command("/usr/bin/memcached", {
    args: [
      "-l",
      hostname,
      "-p",
      String(port),
      "-U",
      "0",
      ...(Deno.uid() === 0 ? ["-u", "nobody"] : []),
      ...extraArgs,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let attempt = 0;; attempt++) {
    try {
      (await Deno.connect({ hostname, port })).close();
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
    server: hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

function address(server: string): { hostname: string; port: number } {
  const match = /^\[?(.*?)\]?:(\d+)$/.exec(server)!;
  return { hostname: match[1], port: Number(match[2]) };
}

/** Sends `request` to one server directly and reads until the reply ends with `end`. */
async function rawCommand(server: string, request: Uint8Array, end: string): Promise<Uint8Array> {
  const conn = await Deno.connect(address(server));
  try {
    await conn.write(request);
    let reply = new Uint8Array(0);
    const chunk = new Uint8Array(65536);
    while (!new TextDecoder("latin1").decode(reply.subarray(-end.length - 2)).endsWith(end)) {
      const n = await conn.read(chunk);
      if (n === null) break;
      const next = new Uint8Array(reply.length + n);
      next.set(reply);
      next.set(chunk.subarray(0, n), reply.length);
      reply = next;
    }
    return reply;
  } finally {
    conn.close();
  }
}

/** What one server holds for `hashedKeys`: key -> "flags:hex of the bytes". */
async function rawEntries(server: string, hashedKeys: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < hashedKeys.length; i += 100) {
    const batch = hashedKeys.slice(i, i + 100);
    const reply = await rawCommand(server, encoder.encode(`get ${batch.join(" ")}\r\n`), "END\r\n");
    let pos = 0;
    const text = new TextDecoder("latin1").decode(reply);
    for (;;) {
      const eol = text.indexOf("\r\n", pos);
      const [verb, key, flags, size] = text.slice(pos, eol).split(" ");
      if (verb !== "VALUE") break;
      const start = eol + 2;
      out.set(key, `${flags}:${hex(reply.subarray(start, start + Number(size)))}`);
      pos = start + Number(size) + 2;
    }
  }
  return out;
}

/** Every server's entries for `keys`, by server. */
async function placement(
  servers: string[],
  keys: MemcacheKey[],
): Promise<Map<string, Map<string, string>>> {
  const hashed = keys.map(md5hash);
  return new Map(
    await Promise.all(servers.map(async (s) => [s, await rawEntries(s, hashed)] as const)),
  );
}

async function flushAll(servers: string[]): Promise<void> {
  for (const server of servers) {
    await rawCommand(server, encoder.encode("flush_all\r\n"), "OK\r\n");
  }
}

/** Runs the oracle with `spec` written to a file (values may hold lone surrogates). */
async function oracle(command: string, spec: unknown): Promise<unknown> {
  await using dir = await makeTempDir("memcache-oracle");
  const input = join(dir.path, "spec.json");
  await Deno.writeTextFile(input, JSON.stringify(spec));
  return await runPythonJson(ORACLE, [command, input]);
}

/** Collects log lines as Swift's oracle prints them: `LEVEL message`. */
function captureLogger(): { logger: MemcacheRingOptions["logger"]; logs: string[] } {
  const logs: string[] = [];
  return {
    logs,
    logger: {
      error: (message) => logs.push(`ERROR ${message}`),
      warning: (message) => logs.push(`WARNING ${message}`),
      exception: (message) => logs.push(`ERROR ${message}`),
    },
  };
}

// ---- The differential harness: the same operations on Swift's and swiftd's client ---------

/** A value to store: `{json}` (Python json text) or `{raw}` (hex bytes). */
type Stored = { json: string } | { raw: string };
type Op =
  | ["set", string, Stored, { serialize?: boolean; time?: number; raise_on_error?: boolean }]
  | ["get", string, { raise_on_error?: boolean }]
  | ["incr" | "decr", string, number, { time?: number }]
  | ["delete", string, { server_key?: string }]
  | ["set_multi", [string, Stored][], string, { serialize?: boolean; time?: number }]
  | ["get_multi", string[], string];

/** Python's snake_case ring options, as the oracle takes them. */
interface RingSpec {
  tls_cafile?: string;
  tls_certfile?: string;
  tls_keyfile?: string;
  connect_timeout?: number;
  io_timeout?: number;
  pool_timeout?: number;
  tries?: number;
  max_conns?: number;
  error_limit_count?: number;
  error_limit_time?: number;
  error_limit_duration?: number;
  item_size_warning_threshold?: number;
}

interface OpsOutcome {
  results: unknown[];
  logs: string[];
}

function show(value: unknown): unknown {
  if (value === null) return null;
  if (value instanceof Uint8Array) return { raw: hex(value) };
  return { json: pythonJsonDumps(value) };
}

function fromStored(value: Stored): unknown {
  // JSON.parse suffices for the test's own values (no NaN, no integral floats).
  return "raw" in value ? unhex(value.raw) : JSON.parse(value.json);
}

function ringOf(servers: string[], spec: RingSpec, logger: MemcacheRingOptions["logger"]) {
  return new MemcacheRing(servers, {
    connectTimeout: spec.connect_timeout,
    ioTimeout: spec.io_timeout,
    poolTimeout: spec.pool_timeout,
    tries: spec.tries,
    maxConns: spec.max_conns,
    errorLimitCount: spec.error_limit_count,
    errorLimitTime: spec.error_limit_time,
    errorLimitDuration: spec.error_limit_duration,
    itemSizeWarningThreshold: spec.item_size_warning_threshold,
    tls: spec.tls_cafile === undefined ? undefined : {
      caCerts: [Deno.readTextFileSync(spec.tls_cafile)],
      cert: spec.tls_certfile && Deno.readTextFileSync(spec.tls_certfile),
      key: spec.tls_keyfile && Deno.readTextFileSync(spec.tls_keyfile),
    },
    logger,
  });
}

async function swiftdOps(servers: string[], spec: RingSpec, ops: Op[]): Promise<OpsOutcome> {
  const { logger, logs } = captureLogger();
  const ring = ringOf(servers, spec, logger);
  const results: unknown[] = [];
  try {
    for (const op of ops) {
      try {
        results.push(await runOp(ring, op));
      } catch (err) {
        results.push({ error: (err as Error).name });
      }
    }
  } finally {
    ring.close();
  }
  return { results, logs };
}

async function runOp(ring: MemcacheRing, op: Op): Promise<unknown> {
  switch (op[0]) {
    case "set":
      await ring.set(op[1], fromStored(op[2]), {
        serialize: op[3].serialize,
        time: op[3].time,
        raiseOnError: op[3].raise_on_error,
      });
      return null;
    case "get":
      return show(await ring.get(op[1], { raiseOnError: op[2].raise_on_error }));
    case "incr":
      return show(await ring.incr(op[1], op[2], op[3]));
    case "decr":
      return show(await ring.decr(op[1], op[2], op[3]));
    case "delete":
      await ring.delete(op[1], { serverKey: op[2].server_key });
      return null;
    case "set_multi":
      await ring.setMulti(new Map(op[1].map(([k, v]) => [k, fromStored(v)])), op[2], op[3]);
      return null;
    case "get_multi": {
      const values = await ring.getMulti(op[1], op[2]);
      return values === undefined ? null : values.map(show);
    }
  }
}

/** Runs `ops` through Swift's MemcacheRing, flushes, then through swiftd's; both outcomes. */
async function bothOps(
  servers: string[],
  memcached: string[],
  spec: RingSpec,
  ops: Op[],
): Promise<{ swift: OpsOutcome; swiftd: OpsOutcome }> {
  await flushAll(memcached);
  const swift = await oracle("ops", { servers, options: spec, ops }) as OpsOutcome;
  await flushAll(memcached);
  const swiftd = await swiftdOps(servers, spec, ops);
  return { swift, swiftd };
}

/** A key whose servers, in the order the ring tries them, start with `order`. */
function keyWithOrder(servers: string[], order: string[], prefix = "key"): string {
  const ring = new HashRing(servers);
  for (let i = 0;; i++) {
    const key = `${prefix}-${i}`;
    const tried = [...ring.serversFor(md5hash(key), order.length)];
    if (order.every((s, j) => tried[j] === s)) return key;
  }
}

// ---- Fake servers: accept and drop, accept and never answer --------------------------------

/** A TCP server whose every connection gets `serve`; closes all at the end of the block. */
interface FakeServer extends AsyncDisposable {
  readonly server: string;
  /** Connections accepted so far. */
  readonly accepted: () => number;
}

function fakeServer(serve: (conn: Deno.Conn) => Promise<void>): FakeServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  let accepted = 0;
  const loop = (async () => {
    for await (const conn of listener) {
      accepted++;
      conns.add(conn);
      tasks.push(serve(conn).catch(() => {}).finally(() => conns.delete(conn)));
    }
  })();
  return {
    server: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    accepted: () => accepted,
    async [Symbol.asyncDispose]() {
      listener.close();
      await loop.catch(() => {});
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed by the serve task meanwhile */ }
      }
      await Promise.all(tasks);
    },
  };
}

/** Reads one request line, then hangs up: every command ends in an incomplete read. */
function droppingServer(): FakeServer {
  return fakeServer(async (conn) => {
    const buf = new Uint8Array(4096);
    let seen = "";
    while (!seen.includes("\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      seen += new TextDecoder().decode(buf.subarray(0, n));
    }
    conn.close();
  });
}

/** Reads forever and never answers. */
function silentServer(): FakeServer {
  return fakeServer(async (conn) => {
    const buf = new Uint8Array(4096);
    while ((await conn.read(buf)) !== null) { /* never answer */ }
    conn.close();
  });
}

// ---- Tests ----------------------------------------------------------------------------------

interface CorpusEntry {
  key: string;
  kind: "json" | "raw" | "incr";
  dumps?: string;
  raw?: string;
  n?: number;
}

Deno.test("MemcacheRing places keys on Swift's servers with Swift's bytes, and each reads the other's", async () => {
  await using a = await startMemcached();
  await using b = await startMemcached();
  await using c = await startMemcached();
  const servers = [a.server, b.server, c.server];
  const { entries } = await oracle("corpus", { servers, count: 3000, seed: 7 }) as {
    entries: CorpusEntry[];
  };
  const keys = entries.map((e) => e.key);
  const written = await placement(servers, keys);

  // Each key is on the one server swiftd's ring picks first, and every server got some.
  const ring = new HashRing(servers);
  for (const key of keys) {
    const hashed = md5hash(key);
    const holders = servers.filter((s) => written.get(s)!.has(hashed));
    assertEquals(holders, [[...ring.serversFor(hashed, 1)][0]], `placement of ${key}`);
  }
  for (const s of servers) assert(written.get(s)!.size > 500, `${s} holds few keys`);

  // swiftd reads what Swift wrote.
  const client = new MemcacheRing(servers, { logger: captureLogger().logger });
  const values: unknown[] = [];
  try {
    for (const entry of entries) {
      const value = await client.get(entry.key);
      values.push(value);
      if (entry.kind === "json") assertEquals(pythonJsonDumps(value), entry.dumps, entry.key);
      else if (entry.kind === "raw") assertEquals(hex(value as Uint8Array), entry.raw);
      else assertEquals(new TextDecoder().decode(value as Uint8Array), String(entry.n));
    }

    // swiftd writing the same values leaves every server byte for byte as Swift left it.
    await flushAll(servers);
    for (const [i, entry] of entries.entries()) {
      if (entry.kind === "json") await client.set(entry.key, values[i], { time: 3600 });
      else if (entry.kind === "raw") await client.set(entry.key, values[i], { serialize: false });
      else assertEquals(await client.incr(entry.key, entry.n, { time: 3600 }), entry.n);
    }
  } finally {
    client.close();
  }
  assertEquals(await placement(servers, keys), written);

  // Swift reads what swiftd wrote.
  const { results } = await oracle("ops", {
    servers,
    ops: entries.map((e) => ["get", e.key, {}]),
  }) as OpsOutcome;
  assertEquals(
    results,
    entries.map((e) =>
      e.kind === "json"
        // Swift's get() returns None for a stored null, as for a miss.
        ? e.dumps === "null" ? null : { json: e.dumps }
        : { raw: e.kind === "raw" ? e.raw : hex(encoder.encode(String(e.n))) }
    ),
  );
});

Deno.test("MemcacheRing set/get/incr/decr/delete/set_multi/get_multi give Swift's results", async () => {
  await using a = await startMemcached();
  await using b = await startMemcached();
  const servers = [a.server, b.server];
  const big = { json: JSON.stringify({ token: "AUTH_tk" + "x".repeat(2000) }) };
  const ops: Op[] = [
    ["get", "missing", {}],
    ["set", "AUTH_/token/AUTH_tkabc", { json: '[1700000000.25, "test,test:tester,AUTH_test"]' }, {
      time: 86400,
    }],
    ["get", "AUTH_/token/AUTH_tkabc", {}],
    ["set", "raw", { raw: hex(encoder.encode("12\r\nEND\r\n")) }, { serialize: false }],
    ["get", "raw", {}],
    ["set", "bytes-as-json", { raw: hex(encoder.encode("caf\u00e9")) }, {}],
    ["get", "bytes-as-json", {}],
    ["set", "big", big, {}],
    ["get", "big", {}],
    ["incr", "counter", 5, { time: 60 }],
    ["incr", "counter", 3, {}],
    ["decr", "counter", 100, {}],
    ["decr", "fresh-decr", 4, {}],
    ["incr", "counter", 2 ** 40, {}],
    ["incr", "counter", 0, {}],
    // incr on JSON text fails on its server (CLIENT_ERROR), so Swift adds it on the next one.
    ["set", "not-a-number", { json: '"abc"' }, {}],
    ["incr", "not-a-number", 1, {}],
    ["get", "not-a-number", {}],
    ["delete", "counter", {}],
    ["get", "counter", {}],
    ["set_multi", [["m1", { json: "1" }], ["m2", { json: '{"a": [true, null]}' }]], "AUTH_m", {
      time: 30,
    }],
    ["get_multi", ["m1", "m2", "m3"], "AUTH_m"],
    // get() looks on the key's own server, which need not be serverKey's.
    ["get", "m1", {}],
    ["get", "m2", {}],
    ["delete", "m1", { server_key: "AUTH_m" }],
    ["get_multi", ["m1", "m2"], "AUTH_m"],
    ["set_multi", [["r1", { raw: "00ff" }]], "AUTH_r", { serialize: false }],
    ["get_multi", ["r1"], "AUTH_r"],
    ["set", "month-plus", { json: "1" }, { time: 31 * 24 * 3600 }],
    ["get", "month-plus", {}],
  ];
  const { swift, swiftd } = await bothOps(servers, servers, {}, ops);
  assertEquals(swiftd, swift);
  assertEquals(swiftd.results[2], { json: '[1700000000.25, "test,test:tester,AUTH_test"]' });
  assertEquals(swiftd.results[12], { json: "0" });
});

Deno.test("MemcacheRing warns about large items and reports failed sets like Swift", async () => {
  await using a = await startMemcached();
  const ops: Op[] = [
    ["set", "small", { json: "1" }, {}],
    ["set", "large", { raw: "61".repeat(3000) }, { serialize: false }],
    // memcached refuses values over its 1 MiB item limit: "SERVER_ERROR object too large".
    ["set", "huge", { raw: "61".repeat(1024 * 1024 + 10) }, { serialize: false }],
    ["get", "huge", {}],
  ];
  const spec = { item_size_warning_threshold: 2048 };
  const { swift, swiftd } = await bothOps([a.server], [a.server], spec, ops);
  assertEquals(swiftd, swift);
  assert(swiftd.logs.some((l) => l.startsWith("WARNING Item size larger than warning")));
  assert(swiftd.logs.some((l) => l.startsWith("ERROR Error setting value in memcached")));
});

Deno.test("MemcacheRing reads pickled entries as misses, as Swift 2.30 does", async () => {
  await using a = await startMemcached();
  const pickle = hex(new Uint8Array([0x80, 0x02, 0x4b, 0x01, 0x2e])); // pickle.dumps(1, 2)
  const ops: Op[] = [["get", "pickled", {}], ["get", "both-flags", {}], ["get_multi", [
    "pickled",
    "both-flags",
  ], "pickled"]];
  const store = async () => {
    for (const [key, flags] of [["pickled", 1], ["both-flags", 3]] as const) {
      const data = unhex(pickle);
      const head = encoder.encode(`set ${md5hash(key)} ${flags} 0 ${data.length}\r\n`);
      const request = new Uint8Array([...head, ...data, 13, 10]);
      await rawCommand(a.server, request, "STORED\r\n");
    }
  };
  await store();
  const swift = await oracle("ops", { servers: [a.server], ops }) as OpsOutcome;
  const swiftd = await swiftdOps([a.server], {}, ops);
  assertEquals(swiftd, swift);
  assertEquals(swiftd.results[0], null);
});

Deno.test("MemcacheRing logs and error-limits refusing and dropping servers like Swift, then skips them", async () => {
  await using memcached = await startMemcached();
  await using dropping = droppingServer();
  const refused = `127.0.0.1:${freePort()}`;
  const servers = [refused, dropping.server, memcached.server];
  const key = keyWithOrder(servers, [refused, dropping.server, memcached.server]);
  const ops: Op[] = [
    ["set", key, { json: '"v"' }, {}],
    ...Array.from({ length: 12 }, () => ["get", key, {}] as Op),
    ["incr", key + "-n", 1, {}],
  ];
  const { swift, swiftd } = await bothOps(servers, [memcached.server], {}, ops);
  assertEquals(swiftd, swift);
  assert(swiftd.logs.includes(`ERROR Error limiting server ${dropping.server}`));
  assert(
    swiftd.logs.includes(
      `ERROR Error connecting to memcached: ${refused}: [Errno 111] ECONNREFUSED`,
    ),
  );

  // Limited servers are not contacted until error_suppression_interval has passed.
  let now = 1_000_000;
  const { logger, logs } = captureLogger();
  const ring = new MemcacheRing(servers, { logger, clock: () => now });
  try {
    for (let i = 0; i < 11; i++) await ring.get(key);
    const accepted = dropping.accepted();
    logs.length = 0;
    assertEquals(await ring.get(key), null);
    assertEquals(dropping.accepted(), accepted);
    assertEquals(logs, []);
    now += 61;
    await ring.get(key);
    assertEquals(dropping.accepted(), accepted + 1);
    // Errors older than the interval are forgotten: one new error does not limit again.
    assertEquals(logs, [
      `ERROR Error connecting to memcached: ${refused}: [Errno 111] ECONNREFUSED`,
      `ERROR Error talking to memcached: ${dropping.server}: incomplete read`,
    ]);
  } finally {
    ring.close();
  }
});

Deno.test("MemcacheRing gives up on a server that never answers after io_timeout and uses the next", async () => {
  await using memcached = await startMemcached();
  await using silent = silentServer();
  const servers = [silent.server, memcached.server];
  const key = keyWithOrder(servers, [silent.server]);
  const ops: Op[] = [
    ["set", key, { json: "[1, 2]" }, {}],
    ["get", key, {}],
    ["incr", key + "-n", 7, {}],
    ["get", key, { raise_on_error: true }],
  ];
  const spec = { io_timeout: 0.2 };
  const { swift, swiftd } = await bothOps(servers, [memcached.server], spec, ops);
  assertEquals(swiftd, swift);
  assertEquals(swiftd.results[1], { json: "[1, 2]" });
  assertEquals(swiftd.logs[0], `ERROR Timeout talking to memcached: ${silent.server}`);
});

Deno.test("MemcacheRing times out waiting for a pooled connection and uses the next server", async () => {
  await using memcached = await startMemcached();
  await using silent = silentServer();
  const servers = [silent.server, memcached.server];
  const key = keyWithOrder(servers, [silent.server]);
  const { logger, logs } = captureLogger();
  const ring = new MemcacheRing(servers, {
    logger,
    maxConns: 1,
    ioTimeout: 1,
    poolTimeout: 0.05,
  });
  try {
    await ring.set(key, "v");
    logs.length = 0;
    // The first get holds the silent server's only connection for io_timeout.
    const [first, second] = await Promise.all([ring.get(key), ring.get(key)]);
    assertEquals([first, second], ["v", "v"]);
    assertEquals(logs.toSorted(), [
      `ERROR Timeout getting a connection to memcached: ${silent.server}`,
      `ERROR Timeout talking to memcached: ${silent.server}`,
    ]);
  } finally {
    ring.close();
  }
});

Deno.test("MemcacheRing raises when no server is reachable, as Swift does", async () => {
  const refused = `127.0.0.1:${freePort()}`;
  const ops: Op[] = [
    ["get", "k", {}],
    ["get", "k", { raise_on_error: true }],
    ["set", "k", { json: "1" }, { raise_on_error: true }],
    ["incr", "k", 1, {}],
    ["delete", "k", {}],
    ["get_multi", ["k"], "k"],
  ];
  const swift = await oracle("ops", { servers: [refused], ops }) as OpsOutcome;
  const swiftd = await swiftdOps([refused], {}, ops);
  assertEquals(swiftd, swift);
  assertEquals(swiftd.results[3], { error: "MemcacheConnectionError" });
  await assertRejects(() => new MemcacheRing([], { logger: captureLogger().logger }).incr("k"));
});

Deno.test("MemcacheRing talks to IPv6 servers named [::1]:port and places keys like Swift", async () => {
  await using a = await startMemcached("::1");
  await using b = await startMemcached();
  const servers = [a.server, b.server];
  const ops: Op[] = Array.from({ length: 40 }, (_, i) => i).flatMap((i) => [
    ["set", `v6-${i}`, { json: String(i) }, {}] as Op,
  ]);
  await flushAll(servers);
  await oracle("ops", { servers, ops });
  const keys = ops.map((op) => op[1] as string);
  const bySwift = await placement(servers, keys);
  await flushAll(servers);
  await swiftdOps(servers, {}, ops);
  assertEquals(await placement(servers, keys), bySwift);
  assert(bySwift.get(a.server)!.size > 0 && bySwift.get(b.server)!.size > 0);
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl. */
async function makeCertificates(dir: string): Promise<void> {
  const openssl = async (...args: string[]) => {
    const { code, stderr } = await runCommand("openssl", args);
    assertEquals(code, 0, stderr);
  };
  const at = (name: string) => join(dir, name);
  await openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=swiftd test CA",
    "-keyout",
    at("ca.key"),
    "-out",
    at("ca.pem"),
  ); // deno-fmt-ignore
  for (const [name, san] of [["server", "IP:127.0.0.1"], ["client", "DNS:client"]]) {
    await Deno.writeTextFile(at(`${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n`);
    await openssl(
      "req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`,
      "-keyout", at(`${name}.key`), "-out", at(`${name}.csr`),
    ); // deno-fmt-ignore
    await openssl(
      "x509", "-req", "-in", at(`${name}.csr`), "-CA", at("ca.pem"), "-CAkey", at("ca.key"),
      "-CAcreateserial", "-days", "2", "-extfile", at(`${name}.ext`), "-out", at(`${name}.pem`),
    ); // deno-fmt-ignore
  }
}

Deno.test("MemcacheRing talks TLS with a client certificate, and Swift reads what it wrote", async () => {
  await using dir = await makeTempDir("memcache-tls");
  await makeCertificates(dir.path);
  const at = (name: string) => join(dir.path, name);
  // ssl_verify_mode=2: memcached requires a client certificate signed by ssl_ca_cert.
  await using memcached = await startMemcached("127.0.0.1", [
    "-Z",
    "-o",
    `ssl_chain_cert=${at("server.pem")},ssl_key=${at("server.key")},` +
    `ssl_ca_cert=${at("ca.pem")},ssl_verify_mode=2`,
  ]);
  const servers = [memcached.server];
  const spec = {
    tls_cafile: at("ca.pem"),
    tls_certfile: at("client.pem"),
    tls_keyfile: at("client.key"),
  };
  const ops: Op[] = [
    ["set", "AUTH_/token/AUTH_tktls", { json: '[1700000000.5, "g"]' }, {}],
    ["get", "AUTH_/token/AUTH_tktls", {}],
    ["incr", "n", 2, {}],
  ];
  const swift = await oracle("ops", { servers, options: spec, ops }) as OpsOutcome;
  const swiftd = await swiftdOps(servers, spec, [...ops.slice(1), ["get", "n", {}]]);
  assertEquals(swiftd.logs, []);
  assertEquals(swiftd.results, [swift.results[1], { json: "4" }, {
    raw: hex(encoder.encode("4")),
  }]);

  // Without its certificate the client is turned away: a logged error and a miss.
  const { logger, logs } = captureLogger();
  const ring = new MemcacheRing(servers, {
    logger,
    tls: { caCerts: [await Deno.readTextFile(at("ca.pem"))] },
  });
  try {
    assertEquals(await ring.get("n"), null);
    assert(
      logs.some((l) =>
        l.startsWith(`ERROR Error talking to memcached: ${memcached.server}`) ||
        l.startsWith(`ERROR Error connecting to memcached: ${memcached.server}`)
      ),
      logs.join("\n"),
    );
  } finally {
    ring.close();
  }
});
