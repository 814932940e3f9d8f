/**
 * egg:swift#account_quotas: unit tests of the reseller rules and the quota check (Swift's
 * test_account_quotas.py cases), and the same requests against Swift 2.30's account_quotas
 * (_filter_oracle.py), account lookups and swift.authorize included.
 */
import { assertEquals } from "@std/assert";
import { accountQuotasFilter, accountQuotasInfo } from "../../lib/middleware/account_quotas.ts";
import {
  assertSameAsSwift,
  contextOf,
  FakeBackend,
  type FilterCase,
  type Registered,
  serve,
} from "./_filter_oracle.ts";

function account(headers: Record<string, string>, status = 204): Registered {
  return { method: "HEAD", path: "/v1/a", status, headers };
}

const USED_1000 = { "X-Account-Bytes-Used": "1000" };

async function request(
  init: { method?: string; path?: string; length?: number; headers?: Record<string, string> },
  responses: Registered[] = [],
  env: Record<string, unknown> = {},
): Promise<{ status: number; body: string }> {
  const ctx = contextOf();
  Object.assign(ctx.env, env);
  const headers = new Headers(init.headers);
  const body = init.length === undefined ? undefined : new Uint8Array(init.length);
  if (body) headers.set("Content-Length", String(body.length));
  const response = await serve(
    accountQuotasFilter(),
    new Request(`http://localhost${init.path ?? "/v1/a/c/o"}`, {
      method: init.method ?? "PUT",
      headers,
      body,
    }),
    { next: new FakeBackend(responses).handler, ctx },
  );
  return { status: response.status, body: await response.text() };
}

Deno.test("accountQuotasFilter() lets uploads through an account without a quota", async () => {
  assertEquals((await request({ length: 10 }, [account(USED_1000)])).status, 200);
});

Deno.test("accountQuotasFilter() refuses an upload past the quota with 413", async () => {
  const quota = account({ ...USED_1000, "X-Account-Meta-Quota-Bytes": "1005" });
  assertEquals(await request({ length: 10 }, [quota]), {
    status: 413,
    body: "Upload exceeds quota.",
  });
  assertEquals((await request({ length: 5 }, [quota])).status, 200);
});

Deno.test("accountQuotasFilter() lets auth deny first, then hands out the 413", async () => {
  const quota = account({ ...USED_1000, "X-Account-Meta-Quota-Bytes": "0" });
  const deny = () => new Response("denied", { status: 403 });
  assertEquals((await request({ length: 1 }, [quota], { "swift.authorize": deny })).status, 403);
  const allow = () => undefined;
  // FakeBackend calls swift.authorize as the proxy would; the wrapped hook answers 413.
  assertEquals(
    await request({ length: 1 }, [quota], { "swift.authorize": allow }),
    { status: 413, body: "Upload exceeds quota." },
  );
});

Deno.test("accountQuotasFilter() lets container and object POSTs and container PUTs through over quota", async () => {
  const quota = account({ ...USED_1000, "X-Account-Meta-Quota-Bytes": "0" });
  for (const [method, path] of [["PUT", "/v1/a/c"], ["POST", "/v1/a/c"], ["POST", "/v1/a/c/o"]]) {
    assertEquals(
      (await request({ method, path, length: 1 }, [quota])).status,
      200,
      `${method} ${path}`,
    );
  }
});

Deno.test("accountQuotasFilter() lets only resellers set or remove the quota", async () => {
  const set = { method: "POST", path: "/v1/a", headers: { "X-Account-Meta-Quota-Bytes": "100" } };
  assertEquals((await request(set)).status, 403);
  assertEquals((await request(set, [], { reseller_request: true })).status, 200);
  const remove = { ...set, headers: { "X-Remove-Account-Meta-Quota-Bytes": "yes" } };
  assertEquals((await request(remove)).status, 403);
  assertEquals((await request(remove, [], { reseller_request: true })).status, 200);
  const invalid = { ...set, headers: { "X-Account-Meta-Quota-Bytes": "abc" } };
  assertEquals((await request(invalid, [], { reseller_request: true })).status, 400);
});

Deno.test("accountQuotasFilter() ignores quota headers on containers and objects", async () => {
  const headers = { "X-Account-Meta-Quota-Bytes": "99999" };
  assertEquals((await request({ headers, length: 1 }, [account(USED_1000)])).status, 200);
  assertEquals((await request({ path: "/v1/a/c", headers })).status, 200);
});

Deno.test("accountQuotasInfo() registers an empty section", () => {
  assertEquals(accountQuotasInfo(), {});
});

const QUOTA = "X-Account-Meta-Quota-Bytes";

function put(responses: Registered[], extra: Partial<FilterCase> = {}): FilterCase {
  return {
    filter: "account_quotas",
    method: "PUT",
    path: "/v1/a/c/o",
    headers: [["Content-Length", "10"]],
    body: "0123456789",
    responses,
    ...extra,
  };
}

const CASES: FilterCase[] = [
  put([account(USED_1000)]),
  put([account({ ...USED_1000, [QUOTA]: "1009" })]),
  put([account({ ...USED_1000, [QUOTA]: "1010" })]),
  put([account({ ...USED_1000, [QUOTA]: "0" })]),
  put([account({ [QUOTA]: "5" })]),
  put([account({ ...USED_1000, [QUOTA]: "1009" })], { headers: [], body: undefined }),
  put([account({ ...USED_1000, [QUOTA]: "abc" })]),
  put([account({ ...USED_1000, [QUOTA]: "-1" })]),
  put([account({ ...USED_1000, [QUOTA]: "1_000" })]),
  put([account({ ...USED_1000, [QUOTA]: "\u00d9\u00a1" })]),
  put([account({ ...USED_1000, [QUOTA]: "0" }, 404)]),
  put([account({ ...USED_1000, [QUOTA]: "0" }, 503)]),
  put([account({ ...USED_1000, [QUOTA]: "0" })], { env: { authorize: "allow" } }),
  put([account({ ...USED_1000, [QUOTA]: "0" })], { env: { authorize: "deny403" } }),
  put([account({ ...USED_1000, [QUOTA]: "0" })], { env: { authorize: "deny401" } }),
  put([account({ ...USED_1000, [QUOTA]: "5000" })], { env: { authorize: "allow" } }),
  put([account({ ...USED_1000, [QUOTA]: "0" })], { env: { reseller_request: true } }),
  put([account({ ...USED_1000, [QUOTA]: "0" })], { method: "POST" }),
  put([account({ ...USED_1000, [QUOTA]: "0" })], { method: "COPY" }),
  put([account({ ...USED_1000, [QUOTA]: "0" })], { method: "DELETE" }),
  put([account({ ...USED_1000, [QUOTA]: "0" })], { path: "/v1/a/c" }),
  put([account({ ...USED_1000, [QUOTA]: "0" })], { path: "/v1/a/c", headers: [[QUOTA, "5"]] }),
  put([account({ ...USED_1000, [QUOTA]: "0" })], {
    headers: [["Content-Length", "10"], [QUOTA, "5"]],
  }),
  put([], {
    env: { infocache: { "account/a": { status: 200, bytes: 0, meta: { "quota-bytes": "9" } } } },
  }),
  put([account({ ...USED_1000, [QUOTA]: "1009" })], { env: { memcache: {} } }),
  put([], {
    env: { memcache: { "account/a": { status: 200, bytes: 1, meta: { "quota-bytes": "11" } } } },
  }),
  put([], { path: "/v1" }),
  put([], { path: "/v2/a/c/o" }),
  put([], {
    path: "/v1.0/a/c/o",
    env: { infocache: { "account/a": { status: 200, bytes: 0, meta: { "quota-bytes": "1" } } } },
  }),
  ...[
    [[QUOTA, "100"]],
    [[QUOTA, "abc"]],
    [[QUOTA, ""]],
    [["X-Remove-Account-Meta-Quota-Bytes", "True"]],
    [["X-Remove-Account-Meta-Quota-Bytes", ""]],
    [[QUOTA, "abc"], ["X-Remove-Account-Meta-Quota-Bytes", "1"]],
    [["X-Account-Meta-Other", "1"]],
  ].flatMap((headers): FilterCase[] =>
    [undefined, true, false].map((reseller) => ({
      filter: "account_quotas",
      method: "POST",
      path: "/v1/a",
      headers: headers as [string, string][],
      env: reseller === undefined ? {} : { reseller_request: reseller },
    }))
  ),
  { filter: "account_quotas", method: "PUT", path: "/v2/a", headers: [[QUOTA, "x"]] },
];

Deno.test("accountQuotasFilter() answers every request as Swift 2.30's account_quotas", async () => {
  const swift = await assertSameAsSwift(CASES, () => accountQuotasFilter());
  for (const outcome of swift) assertEquals(accountQuotasInfo(), outcome.swift_info);
});
