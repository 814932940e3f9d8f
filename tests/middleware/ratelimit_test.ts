/**
 * egg:swift#ratelimit: unit tests of the tiers and the sleep algorithm (fake clock, sleeps
 * recorded, never waited for), the same request sequences against Swift 2.30's ratelimit
 * (_web_filters_oracle.py: statuses, sleeps, every memcached operation, subrequests, logs,
 * /info), and swiftd and Swift limiting together through one real memcached.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { MemcacheRing } from "../../lib/common/memcached.ts";
import { pythonJsonDumps } from "../../lib/common/python_json.ts";
import { ConfigError } from "../../lib/config/errors.ts";
import { RATELIMIT_FILTER } from "../../lib/config/options/ratelimit.ts";
import {
  getMaxrate,
  ratelimitFilterWith,
  ratelimitInfo,
  ratelimitSettings,
} from "../../lib/middleware/ratelimit.ts";
import {
  type BuildDeps,
  comparable,
  recordingLogger,
  RecordingMemcache,
  type Registered,
  stageOf,
  swiftdOutcome,
  swiftOutcomes,
  type WebCase,
  type WebRequest,
} from "./_web_filters_oracle.ts";
import { newRequestContext } from "../../lib/server/context.ts";

function settingsOf(conf: Record<string, string>) {
  return ratelimitSettings(stageOf(RATELIMIT_FILTER, conf));
}

function build(c: WebCase, deps: BuildDeps) {
  const settings = settingsOf(c.conf ?? {});
  deps.setInfo(JSON.parse(pythonJsonDumps(ratelimitInfo(settings))));
  return ratelimitFilterWith(settings, deps);
}

Deno.test("getMaxrate() interpolates between tiers and stays flat after the last", () => {
  const { containerRatelimits: tiers } = settingsOf({
    container_ratelimit_10: "200",
    container_ratelimit_50: "100",
    container_ratelimit_75: "30",
  });
  // Swift's test_get_maxrate.
  assertEquals(getMaxrate(tiers, 0), undefined);
  assertEquals(getMaxrate(tiers, 5), undefined);
  assertEquals(getMaxrate(tiers, 10), 200);
  assertEquals(getMaxrate(tiers, 60), 72);
  assertEquals(getMaxrate(tiers, 160), 30);
});

Deno.test("ratelimitSettings() refuses tiers Swift cannot read, naming the key", () => {
  const bad = (conf: Record<string, string>) =>
    assertThrows(() => settingsOf(conf), ConfigError).message;
  assert(bad({ container_ratelimit_x: "1" }).includes("container_ratelimit_x"));
  assert(bad({ container_listing_ratelimit_5: "fast" }).includes('current value is "fast"'));
  assert(bad({ container_ratelimit_10: "1", container_ratelimit_010: "2" }).includes("two rates"));
});

Deno.test("ratelimitInfo() publishes the account limit, max sleep and the tiers", () => {
  const info = ratelimitInfo(
    settingsOf({ container_ratelimit_10: "5", max_sleep_time_seconds: "2" }),
  );
  assertEquals(
    pythonJsonDumps(info),
    '{"account_ratelimit": 0, "max_sleep_time_seconds": 2, "container_ratelimits": ' +
      '[[10, 5]], "container_listing_ratelimits": []}',
  );
});

Deno.test("ratelimitFilterWith() passes requests through without swift.cache, warning each time", async () => {
  const lines: [string, string][] = [];
  const logger = recordingLogger(lines);
  const filter = ratelimitFilterWith(settingsOf({ account_ratelimit: "1" }), { logger });
  const next = () => Promise.resolve(new Response("ok"));
  for (let i = 0; i < 2; i++) {
    const ctx = newRequestContext(logger, { transport: "tcp", hostname: "127.0.0.1", port: 1 });
    const res = await filter(next)(new Request("http://h/v1/a/c", { method: "PUT" }), ctx);
    assertEquals(await res.text(), "ok");
  }
  assertEquals(lines.filter(([level]) => level === "warning").length, 2);
});

Deno.test("ratelimitFilterWith() limits a request once even through two ratelimit filters", async () => {
  const sleeps: number[] = [];
  const memcache = new RecordingMemcache();
  const options = {
    clock: () => 100,
    sleep: (s: number) => {
      sleeps.push(s);
      return Promise.resolve();
    },
  };
  const one = ratelimitFilterWith(settingsOf({ account_ratelimit: "2" }), options);
  const handler = one(one(async (req) => {
    await req.body?.cancel();
    return new Response(null, { status: req.method === "HEAD" ? 204 : 201 });
  }));
  for (let i = 0; i < 3; i++) {
    const ctx = newRequestContext(recordingLogger([]), {
      transport: "tcp",
      hostname: "127.0.0.1",
      port: 1,
    });
    ctx.env["swift.cache"] = memcache;
    assertEquals(
      (await handler(new Request("http://h/v1/a/c", { method: "PUT" }), ctx)).status,
      201,
    );
  }
  assertEquals(sleeps, [0.5, 1]);
  assertEquals(memcache.ops.filter(([op]) => op === "incr").length, 3);
});

const ACCOUNT: Registered = { method: "HEAD", path: "/v1/a", status: 204 };

function account(sysmeta?: string): Registered {
  return sysmeta === undefined ? ACCOUNT : {
    ...ACCOUNT,
    headers: { "X-Account-Sysmeta-Global-Write-Ratelimit": sysmeta },
  };
}

function container(objects: number, path = "/v1/a/c"): Registered {
  return {
    method: "HEAD",
    path,
    status: 204,
    headers: { "X-Container-Object-Count": String(objects) },
  };
}

const BACKEND: Registered[] = [
  { method: "PUT", path: "/v1/a/c", status: 201 },
  { method: "DELETE", path: "/v1/a/c", status: 204 },
  { method: "GET", path: "/v1/a/c", status: 200, body: "[]" },
  { method: "PUT", path: "/v1/a/c/o", status: 201 },
  { method: "POST", path: "/v1/a/c/o", status: 202 },
  { method: "DELETE", path: "/v1/a/c/o", status: 204 },
  { method: "COPY", path: "/v1/a/c/o", status: 201 },
  { method: "GET", path: "/v1/a/c/o", status: 200, body: "x" },
  { method: "POST", path: "/v1/a", status: 204 },
  { method: "PUT", path: "/v1/a", status: 201 },
];

function times(n: number, r: WebRequest, step = 0): WebRequest[] {
  return Array.from({ length: n }, (_, i) => ({ ...r, at: (r.at ?? 1000) + i * step }));
}

function seq(
  conf: Record<string, string>,
  requests: WebRequest[],
  extra: Registered[] = [account()],
  memcache: WebCase["memcache"] = {},
): WebCase {
  return { conf, requests, responses: [...extra, ...BACKEND], memcache };
}

const PUT_C: WebRequest = { method: "PUT", path: "/v1/a/c", at: 1000 };
const PUT_O: WebRequest = { method: "PUT", path: "/v1/a/c/o", at: 1000 };

const CASES: WebCase[] = [
  // Account limit: container PUT/DELETE only.
  seq({ account_ratelimit: "2" }, times(5, PUT_C)),
  seq({ account_ratelimit: "2" }, times(4, { ...PUT_C, method: "DELETE" }, 0.25)),
  seq({ account_ratelimit: "2" }, [...times(2, PUT_O), ...times(2, { ...PUT_C, method: "POST" })]),
  seq({ account_ratelimit: "3" }, times(4, PUT_C, 0.3333)),
  // Sleeping past max_sleep_time_seconds: 498 and the slot handed back.
  seq({ account_ratelimit: "1", max_sleep_time_seconds: "2" }, times(5, PUT_C)),
  seq(
    { account_ratelimit: "1", max_sleep_time_seconds: "2" },
    times(4, { ...PUT_C, method: "HEAD" }),
  ),
  seq({ account_ratelimit: "1", max_sleep_time_seconds: "2" }, [
    ...times(4, { ...PUT_C, method: "DELETE" }),
    { ...PUT_C, method: "DELETE", at: 1003 },
  ]),
  // A key far behind now restarts from now (rate_buffer_seconds).
  seq({ account_ratelimit: "10", rate_buffer_seconds: "2" }, [
    ...times(3, PUT_C),
    { ...PUT_C, at: 1001 },
    { ...PUT_C, at: 1010 },
  ]),
  seq(
    { account_ratelimit: "10", clock_accuracy: "100", log_sleep_time_seconds: "0.15" },
    times(4, PUT_C),
  ),
  seq({ account_ratelimit: "7" }, times(6, PUT_C, 0.01)),
  // Object writes by container size.
  ...[0, 3, 10, 30, 60, 1000].map((size) =>
    seq(
      { container_ratelimit_10: "20", container_ratelimit_50: "5", container_ratelimit_100: "2" },
      [...times(3, PUT_O), { ...PUT_O, method: "POST" }, { ...PUT_O, method: "DELETE" }],
      [account(), container(size)],
    )
  ),
  seq({ container_ratelimit_0: "4" }, [
    { ...PUT_O, method: "COPY" },
    { ...PUT_O, method: "GET" },
    PUT_O,
  ], [
    account(),
    container(1),
  ]),
  seq({ container_ratelimit_0: "4" }, times(3, PUT_O), [account(), {
    ...container(0),
    status: 404,
  }]),
  // Listings by container size.
  seq(
    { container_listing_ratelimit_0: "2", container_listing_ratelimit_10: "1" },
    times(4, {
      path: "/v1/a/c",
      at: 1000,
    }),
    [account(), container(12)],
  ),
  seq({ container_listing_ratelimit_0: "2" }, times(3, { path: "/v1/a/c?format=json", at: 1000 }), [
    account(),
    container(5),
  ]),
  // White and black lists, in the conf and in account sysmeta.
  seq({ account_ratelimit: "1", account_whitelist: "x, a" }, times(3, PUT_C)),
  seq({ account_ratelimit: "1", account_blacklist: "b,a" }, times(2, PUT_C)),
  seq({ account_ratelimit: "1" }, times(3, PUT_C), [account("WHITELIST")]),
  seq({ account_ratelimit: "1" }, [PUT_C, { ...PUT_C, method: "GET" }], [account("BLACKLIST")]),
  // The account's global write limit.
  seq({}, [
    ...times(3, PUT_O),
    { ...PUT_C, method: "POST" },
    { ...PUT_O, method: "GET" },
  ], [account("2"), container(1)]),
  ...["abc", "0", "-1", "nan", "4.5", "1e1", "inf"].map((limit) =>
    seq({}, times(3, PUT_O), [account(limit), container(1)])
  ),
  seq({ max_sleep_time_seconds: "1" }, times(3, { method: "POST", path: "/v1/a", at: 1000 }), [
    account("1"),
  ]),
  // Paths ratelimit leaves alone, and a request without an account.
  seq({ account_ratelimit: "1" }, [
    { method: "PUT", path: "/v2/a/c", at: 1 },
    { method: "PUT", path: "/", at: 1 },
    { method: "PUT", path: "/info", at: 1 },
    { method: "PUT", path: "/v1", at: 1 },
    { method: "PUT", path: "/v1/", at: 1 },
  ], [
    { method: "PUT", path: "/v2/a/c", status: 201 },
    { method: "PUT", path: "/", status: 201 },
    { method: "PUT", path: "/info", status: 201 },
    { method: "PUT", path: "/v1", status: 201 },
    { method: "PUT", path: "/v1/", status: 201 },
  ]),
  // Without memcached, or with memcached down.
  { conf: { account_ratelimit: "1" }, requests: times(3, PUT_C), responses: [ACCOUNT, ...BACKEND] },
  seq({ account_ratelimit: "1" }, times(3, PUT_C), [account()], { down: true }),
  // Names that are not ASCII go into keys as their bytes.
  seq({ account_ratelimit: "1" }, times(2, { method: "PUT", path: "/v1/%C3%A9/c%20d", at: 5 }), [
    { method: "HEAD", path: "/v1/\u00c3\u00a9", status: 204 },
    { method: "PUT", path: "/v1/\u00c3\u00a9/c d", status: 201 },
  ]),
  // Info from memcached instead of HEADs.
  seq({ container_ratelimit_0: "1" }, times(2, PUT_O), [], {
    values: {
      "account/a": { status: 200, sysmeta: {} },
      "container/a/c": { status: 200, object_count: 3, sysmeta: {} },
    },
  }),
  // Bad tiers stop the filter from being built, as they stop Swift's.
  seq({ container_ratelimit_ten: "1" }, []),
  seq({ container_ratelimit_1: "1", container_ratelimit_01: "2" }, []),
];

Deno.test("ratelimitFilterWith() limits request sequences exactly as Swift 2.30's ratelimit", async () => {
  const swift = await swiftOutcomes("ratelimit", CASES);
  // Swift logs its missing swift.cache through the root logger, which the oracle cannot see.
  const logs = (l: [string, string]) =>
    l[1].includes("swift.cache could not be found") ? undefined : l;
  for (const [i, c] of CASES.entries()) {
    const expected = comparable(c, swift[i], { memcache: true, logs });
    const actual = comparable(c, await swiftdOutcome(c, build), { memcache: true, logs });
    assertEquals(actual, expected, `case ${i}: ${JSON.stringify(c)}`);
  }
  // The sequences do exercise sleeps, 497s and 498s.
  const statuses = swift.flatMap((o) => o.requests.map((r) => r.status));
  assert(statuses.includes(497) && statuses.includes(498));
  assert(swift.some((o) => o.requests.some((r) => r.error)));
  assert(swift.some((o) => o.requests.some((r) => r.sleeps.some((s) => s > 0))));
});

/** A free TCP port on 127.0.0.1 (bound, read, released). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A memcached of our own on a free port, stopped (and reaped) when disposed. */
async function startMemcached(): Promise<{ server: string } & AsyncDisposable> {
  const port = freePort();
  const child = new Deno.Command("memcached", {
    args: ["-l", "127.0.0.1", "-p", String(port), "-U", "0", "-u", "nobody", "-m", "8"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 200; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
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

Deno.test("ratelimitFilterWith() and Swift's ratelimit limit together through one memcached", async () => {
  await using memcached = await startMemcached();
  const ring = new MemcacheRing([memcached.server]);
  const conf = { account_ratelimit: "4" };
  const responses = (name: string): Registered[] => [
    { method: "HEAD", path: `/v1/${name}`, status: 204 },
    { method: "PUT", path: `/v1/${name}/c`, status: 201 },
  ];
  const puts = (name: string, n: number) =>
    times(n, { method: "PUT", path: `/v1/${name}/c`, at: 2000 });
  const sleepsOf = (o: { requests: { sleeps: number[] }[] }) =>
    o.requests.map((r) => r.sleeps.reduce((a, b) => a + b, 0));
  const swiftdRun = async (name: string) =>
    sleepsOf(
      await swiftdOutcome({ conf, requests: puts(name, 3), responses: responses(name) }, build, {
        memcache: ring,
      }),
    );
  try {
    // swiftd first, then Swift on the same account; and the other way round.
    const first = await swiftdRun("shared");
    const [second, swiftFirst, alone] = (await swiftOutcomes("ratelimit", [
      { conf, requests: puts("shared", 3), responses: responses("shared") },
      { conf, requests: puts("other", 3), responses: responses("other") },
      { conf, requests: puts("alone", 6), responses: responses("alone") },
    ], { memcached: memcached.server })).map(sleepsOf);
    const swiftdSecond = await swiftdRun("other");
    assertEquals(alone, [0, 0.25, 0.5, 0.75, 1, 1.25]);
    assertEquals([...first, ...second], alone);
    assertEquals([...swiftFirst, ...swiftdSecond], alone);
  } finally {
    ring.close();
  }
});
