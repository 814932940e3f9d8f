/**
 * egg:swift#tempauth against Swift 2.30's own tempauth (_tempauth_oracle.py): the corpus of
 * _tempauth_corpus.ts goes through both, each over a fake proxy that calls swift.authorize
 * the way the proxy does, and must get the same responses, authorize results, environ keys
 * and cache entries. Tokens issued by one side must work on the other through one memcached.
 */
import { assert, assertEquals, assertMatch, assertNotEquals, assertThrows } from "@std/assert";
import { BaseHandler, Logger, type LogRecord } from "@std/log";
import { ConfigError } from "../../lib/config/errors.ts";
import { SwiftLogger } from "../../lib/log/logger.ts";
import { MemcacheRing } from "../../lib/common/memcached.ts";
import {
  type Authorize,
  LocalTokenCache,
  tempauthFilter,
  type TokenCache,
} from "../../lib/middleware/tempauth.ts";
import type { Authorize as ProxyAuthorize } from "../../lib/proxy/call.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { runPythonJson } from "../_helpers/python.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";
import { BASE_CONF, corpus, SEED } from "./_tempauth_corpus.ts";
import {
  type CaseResult,
  compareExpires,
  FakeCache,
  LOGGER,
  normalized,
  ORACLE,
  runSwiftd,
  stageOf,
  startMemcached,
  tempauthUnderTest,
} from "./_tempauth_harness.ts";

// The hook tempauth installs is what the proxy calls, and MemcacheRing is a token cache:
// these fail to type-check otherwise.
const _fitsProxy: (hook: Authorize) => ProxyAuthorize = (hook) => hook;
const _ringIsCache: (ring: MemcacheRing) => TokenCache = (ring) => ring;

Deno.test("tempauth answers the whole corpus as Swift 2.30's tempauth does", async () => {
  const cases = corpus();
  await using dir = await makeTempDir("tempauth");
  const specPath = `${dir.path}/spec.json`;
  await Deno.writeTextFile(specPath, JSON.stringify({ cases }));
  const started = Date.now();
  const swift = (await runPythonJson(ORACLE, [specPath]) as CaseResult[]).map(normalized);
  assertEquals(swift.length, cases.length);
  let compared = 0;
  for (const [i, spec] of cases.entries()) {
    const swiftd = normalized(await runSwiftd(spec));
    compareExpires(swift[i], swiftd, started, `case ${i}`);
    assertEquals(swiftd.settings, swift[i].settings, `case ${i} settings`);
    for (const [j, request] of spec.requests.entries()) {
      assertEquals(
        swiftd.responses[j],
        swift[i].responses[j],
        `case ${i} request ${j}: ${JSON.stringify(request)}`,
      );
      compared++;
    }
    assertEquals(swiftd.tokens, swift[i].tokens, `case ${i} tokens`);
  }
  assert(compared > 3000, `only ${compared} requests compared`);
});

const TESTER = { "X-Auth-User": "test:tester", "X-Auth-Key": "testing" };
const TESTER2 = { "X-Auth-User": "test2:tester2", "X-Auth-Key": "testing2" };
const TOKEN = /^AUTH_tk[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/;

Deno.test("a token swiftd issues works on Swift's tempauth through memcached, and the reverse", async () => {
  await using memcached = await startMemcached();
  const ring = new MemcacheRing([memcached.server]);
  const otherWorker = new MemcacheRing([memcached.server]);
  try {
    const swiftd = tempauthUnderTest(BASE_CONF, { cache: ring });
    const issued = await swiftd.send("GET", "/auth/v1.0", TESTER);
    assertEquals(issued.status, 200);
    const ours = issued.headers.get("X-Auth-Token")!;
    assertMatch(ours, TOKEN);

    await using dir = await makeTempDir("tempauth");
    const requests = [
      { method: "GET", path: "/v1/AUTH_test/c", headers: { "X-Auth-Token": ours } },
      { method: "PUT", path: "/v1/AUTH_test2/c", headers: { "X-Auth-Token": ours } },
      { method: "GET", path: "/auth/v1.0", headers: TESTER },
      { method: "GET", path: "/auth/v1.0", headers: TESTER2 },
    ];
    const spec = { memcache: memcached.server, cases: [{ conf: BASE_CONF, requests }] };
    await Deno.writeTextFile(`${dir.path}/spec.json`, JSON.stringify(spec));
    const [swift] = await runPythonJson(ORACLE, [`${dir.path}/spec.json`]) as CaseResult[];
    type Answer = { headers: [string, string][]; app: Record<string, unknown> };
    const [own, foreign, again, theirsIssued] = swift.responses as Answer[];
    assertEquals(own.app.authorize, "allowed");
    assertEquals(own.app.remote_user, "test,test:tester,AUTH_test,SERVICE_test");
    assertEquals(own.app.swift_owner, true);
    assertEquals((foreign.app.authorize as { status: number }).status, 403);
    const header = (answer: Answer) => answer.headers.find(([k]) => k === "x-auth-token")![1];
    assertEquals(header(again), ours, "Swift hands back the live token swiftd stored");

    const theirs = header(theirsIssued);
    assertMatch(theirs, TOKEN);
    assertNotEquals(theirs, ours);
    const used = await swiftd.send("PUT", "/v1/AUTH_test2/c", { "X-Auth-Token": theirs });
    assertEquals(used.app?.authorize, "allowed");
    assertEquals(used.app?.remote_user, "test2,test2:tester2,AUTH_test2,SERVICE_test2");
    assertEquals(
      (await swiftd.send("GET", "/auth/v1.0", TESTER2)).headers.get("X-Auth-Token"),
      theirs,
    );

    // Another worker has its own connections but reads the same entries.
    const worker2 = tempauthUnderTest(BASE_CONF, { cache: otherWorker });
    assertEquals(
      (await worker2.send("GET", "/v1/AUTH_test/c", { "X-Auth-Token": ours })).app?.authorize,
      "allowed",
    );
  } finally {
    ring.close();
    otherWorker.close();
  }
});

Deno.test("tempauth refuses wrong keys of every length, including near misses", async () => {
  // Keys are compared through HMAC digests with timingSafeEqual (get_token.ts), so a wrong key
  // fails the same way whatever its length; here each one must simply fail.
  const swiftd = tempauthUnderTest(BASE_CONF);
  // (Not "testing " : HTTP strips the spaces around header values before anyone sees them.)
  const wrong = new Set(["testin", "testingg", "Testing", "testinG", "testing\tx", "t"]);
  for (let length = 0; length <= 64; length++) {
    wrong.add("testing".repeat(10).slice(0, length));
    wrong.add("x".repeat(length));
    wrong.add(String.fromCharCode(...Array.from({ length }, (_, i) => 0x21 + (i * 7) % 94)));
  }
  wrong.delete("testing");
  for (const key of wrong) {
    const got = await swiftd.send("GET", "/auth/v1.0", {
      "X-Auth-User": "test:tester",
      "X-Auth-Key": key,
    });
    assertEquals(got.status, 401, `key ${JSON.stringify(key)} was accepted`);
    assertEquals(got.headers.get("X-Auth-Token"), null);
  }
  assertEquals((await swiftd.send("GET", "/auth/v1.0", TESTER)).status, 200);
});

Deno.test("tokens are AUTH_tk and a random uuid4 in hex, new for every token", async () => {
  const tokens = new Set<string>();
  for (let i = 0; i < 200; i++) {
    // A fresh store each time: the user has no live token to reuse.
    const got = await tempauthUnderTest(BASE_CONF).send("GET", "/auth/v1.0", TESTER);
    assertMatch(got.headers.get("X-Auth-Token")!, TOKEN);
    tokens.add(got.headers.get("X-Auth-Token")!);
  }
  assertEquals(tokens.size, 200);
});

Deno.test("without swift.cache a token is kept, reused and honoured by the worker that issued it only", async () => {
  const worker = tempauthUnderTest(BASE_CONF);
  const token = (await worker.send("GET", "/auth/v1.0", TESTER)).headers.get("X-Auth-Token")!;
  assertEquals((await worker.send("GET", "/auth/v1.0", TESTER)).headers.get("X-Auth-Token"), token);
  const own = await worker.send("PUT", "/v1/AUTH_test/c", { "X-Auth-Token": token });
  assertEquals(own.app?.authorize, "allowed");
  const otherWorker = tempauthUnderTest(BASE_CONF);
  assertEquals(
    (await otherWorker.send("PUT", "/v1/AUTH_test/c", { "X-Auth-Token": token })).status,
    401,
  );
});

Deno.test("an expired token is refused and the next auth request gets a new one", async () => {
  let now = 1_700_000_000;
  const swiftd = tempauthUnderTest({ ...BASE_CONF, token_life: "60" }, { clock: () => now });
  const first = await swiftd.send("GET", "/auth/v1.0", TESTER);
  assertEquals(first.headers.get("X-Auth-Token-Expires"), "60");
  const token = first.headers.get("X-Auth-Token")!;
  now += 59;
  assertEquals(
    (await swiftd.send("GET", "/v1/AUTH_test/c", { "X-Auth-Token": token })).app?.authorize,
    "allowed",
  );
  now += 2;
  const late = await swiftd.send("GET", "/v1/AUTH_test/c", { "X-Auth-Token": token });
  assertEquals(late.status, 401);
  assertEquals(late.headers.get("Www-Authenticate"), 'Swift realm="AUTH_test"');
  assertNotEquals(
    (await swiftd.send("GET", "/auth/v1.0", TESTER)).headers.get("X-Auth-Token"),
    token,
  );
});

Deno.test("groups come from the token's cache entry only, never from what the client sends", async () => {
  const swiftd = tempauthUnderTest(BASE_CONF, { cache: new FakeCache(SEED) });
  const claims = {
    "Remote-User": ".reseller_admin",
    "X-Remote-User": "test2,test2:tester2,AUTH_test2",
    "X-Auth-Groups": ".reseller_admin",
    "X-Service-Token": "AUTH_tkforged",
  };
  const anonymous = await swiftd.send("PUT", "/v1/AUTH_test2/c", claims);
  assertEquals((anonymous.app?.authorize as { status: number }).status, 401);
  assertEquals(anonymous.app?.remote_user, null);
  for (const method of ["GET", "PUT", "POST", "DELETE"]) {
    const got = await swiftd.send(method, "/v1/AUTH_test2/c/o", {
      ...claims,
      "X-Auth-Token": "AUTH_tktester3",
    });
    assertEquals(got.app?.remote_user, "test,test:tester3");
    assertEquals((got.app?.authorize as { status: number }).status, 403, method);
  }
});

class Capture extends BaseHandler {
  readonly messages: string[] = [];
  override handle(record: LogRecord): void {
    this.messages.push(record.msg);
  }
  log(): void {}
}

Deno.test("tempauthFilter() builds from its stage and logs Swift's warning for an empty auth_prefix", async () => {
  const capture = new Capture("DEBUG");
  const logger = new SwiftLogger(new Logger("t", "DEBUG", { handlers: [capture] }), "tempauth", 0);
  const filter = tempauthFilter(stageOf({ ...BASE_CONF, auth_prefix: "/" }), {
    logger,
    server: "proxy-server",
    onClose: () => {},
  });
  assertEquals(capture.messages, [
    'Rewriting invalid auth prefix "/" to "/auth/" (Non-empty auth prefix path is required)',
  ]);
  const handler = filter(() => Promise.resolve(new Response("app")));
  const ctx = newRequestContext(logger, { transport: "tcp", hostname: "127.0.0.1", port: 1 });
  const resp = await handler(new Request("http://h/auth/v1.0", { headers: TESTER }), ctx);
  assertEquals(resp.status, 200);
});

const BUILD = { logger: LOGGER, server: "proxy-server", onClose: () => {} };

Deno.test("a user line Swift refuses stops the server naming the key and its line", () => {
  const refused: Record<string, string>[] = [{ user_a_b_c: "pw" }, { user_a_b: "" }, {
    user64_w_dXNlcg: "pw",
  }];
  for (const conf of refused) {
    const err = assertThrows(() => tempauthFilter(stageOf(conf), BUILD), ConfigError);
    assertEquals(err.key, Object.keys(conf)[0]);
    assertEquals(err.line, 1);
  }
});

Deno.test("LocalTokenCache forgets an entry when its time runs out, as memcached does", async () => {
  let now = 1_700_000_000;
  const cache = new LocalTokenCache(() => now);
  await cache.set("short", [1, "g"], { time: 10.9 });
  await cache.set("long", "t", { time: 40 * 24 * 3600 + now }); // over 30 days: absolute
  await cache.set("forever", "f");
  assertEquals(await cache.get("short"), [1, "g"]);
  now += 10;
  assertEquals(await cache.get("short"), undefined);
  now += 39 * 24 * 3600;
  assertEquals(await cache.get("long"), "t");
  now += 2 * 24 * 3600;
  assertEquals(await cache.get("long"), undefined);
  assertEquals(await cache.get("forever"), "f");
});
