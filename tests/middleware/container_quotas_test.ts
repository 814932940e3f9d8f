/**
 * egg:swift#container_quotas: unit tests of the quota checks (Swift's test_quotas.py cases),
 * and the same requests against Swift 2.30's container_quotas (_filter_oracle.py), container
 * lookups and swift.authorize included.
 */
import { assertEquals } from "@std/assert";
import {
  containerQuotasFilter,
  containerQuotasInfo,
} from "../../lib/middleware/container_quotas.ts";
import {
  assertSameAsSwift,
  contextOf,
  FakeBackend,
  type FilterCase,
  type Registered,
  serve,
} from "./_filter_oracle.ts";

const ACCOUNT: Registered = { method: "HEAD", path: "/v1/a", status: 204 };

function container(meta: Record<string, string>, status = 204): Registered {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) {
    headers[k.startsWith("X-") ? k : `X-Container-Meta-${k}`] = v;
  }
  return { method: "HEAD", path: "/v1/a/c", status, headers };
}

async function upload(
  responses: Registered[],
  init: { method?: string; path?: string; length?: number; headers?: Record<string, string> } = {},
  env: Record<string, unknown> = {},
): Promise<{ status: number; body: string }> {
  const ctx = contextOf();
  Object.assign(ctx.env, env);
  const body = init.length === undefined ? undefined : new Uint8Array(init.length);
  const headers = new Headers(init.headers);
  if (body) headers.set("Content-Length", String(body.length));
  const response = await serve(
    containerQuotasFilter(),
    new Request(`http://localhost${init.path ?? "/v1/a/c/o"}`, {
      method: init.method ?? "PUT",
      headers,
      body,
    }),
    { next: new FakeBackend([ACCOUNT, ...responses]).handler, ctx },
  );
  return { status: response.status, body: await response.text() };
}

Deno.test("containerQuotasFilter() lets an upload through a container without quotas", async () => {
  assertEquals((await upload([container({})], { length: 100 })).status, 200);
});

Deno.test("containerQuotasFilter() refuses an upload past the bytes quota with 413", async () => {
  assertEquals(
    await upload([container({ "Quota-Bytes": "2", "X-Container-Bytes-Used": "0" })], {
      length: 100,
    }),
    { status: 413, body: "Upload exceeds quota." },
  );
  assertEquals(
    (await upload([container({ "Quota-Bytes": "100", "X-Container-Bytes-Used": "0" })], {
      length: 100,
    })).status,
    200,
  );
});

Deno.test("containerQuotasFilter() refuses an upload past the count quota with 413", async () => {
  const full = container({ "Quota-Count": "1", "X-Container-Object-Count": "1" });
  assertEquals((await upload([full], { length: 1 })).status, 413);
  const room = container({ "Quota-Count": "2", "X-Container-Object-Count": "1" });
  assertEquals((await upload([room], { length: 1 })).status, 200);
});

Deno.test("containerQuotasFilter() refuses quotas that are not digits on container PUT and POST", async () => {
  for (const method of ["PUT", "POST"]) {
    assertEquals(
      await upload([], {
        method,
        path: "/v1/a/c",
        headers: { "X-Container-Meta-Quota-Bytes": "abc" },
      }),
      { status: 400, body: "Invalid bytes quota." },
    );
    assertEquals(
      await upload([], {
        method,
        path: "/v1/a/c",
        headers: { "X-Container-Meta-Quota-Count": "-1" },
      }),
      { status: 400, body: "Invalid count quota." },
    );
    const valid = { "X-Container-Meta-Quota-Bytes": "123", "X-Container-Meta-Quota-Count": "" };
    assertEquals((await upload([], { method, path: "/v1/a/c", headers: valid })).status, 200);
  }
});

Deno.test("containerQuotasFilter() lets a missing container answer for itself", async () => {
  const missing = container({ "Quota-Bytes": "0" }, 404);
  assertEquals(
    (await upload([missing, { method: "PUT", path: "/v1/a/c/o", status: 404 }], {
      length: 100,
    })).status,
    404,
  );
});

Deno.test("containerQuotasFilter() gives auth's denial for the write ACL instead of 413", async () => {
  const acls: (string | undefined)[] = [];
  const full = container({
    "Quota-Count": "1",
    "X-Container-Object-Count": "1",
    "X-Container-Write": "a:b",
  });
  const answer = await upload([full], { length: 1 }, {
    "swift.authorize": ({ acl }: { acl?: string }) => {
      acls.push(acl);
      return new Response("nope", { status: 401 });
    },
  });
  assertEquals(answer, { status: 401, body: "nope" });
  assertEquals(acls, ["a:b"]);
});

Deno.test("containerQuotasInfo() registers an empty section", () => {
  assertEquals(containerQuotasInfo(), {});
});

const QUOTA = "X-Container-Meta-Quota-Bytes";
const COUNT = "X-Container-Meta-Quota-Count";

function put(
  responses: Registered[],
  extra: Partial<FilterCase> = {},
): FilterCase {
  return {
    filter: "container_quotas",
    method: "PUT",
    path: "/v1/a/c/o",
    headers: [["Content-Length", "10"]],
    body: "0123456789",
    responses: [ACCOUNT, ...responses],
    ...extra,
  };
}

const CASES: FilterCase[] = [
  put([container({})]),
  put([container({ "Quota-Bytes": "9", "X-Container-Bytes-Used": "0" })]),
  put([container({ "Quota-Bytes": "10", "X-Container-Bytes-Used": "0" })]),
  put([container({ "Quota-Bytes": "15", "X-Container-Bytes-Used": "6" })]),
  put([container({ "Quota-Bytes": "15", "X-Container-Bytes-Used": "6" })], {
    headers: [],
    body: undefined,
  }),
  put([container({ "Quota-Count": "3", "X-Container-Object-Count": "3" })]),
  put([container({ "Quota-Count": "3", "X-Container-Object-Count": "2" })]),
  put([container({ "Quota-Bytes": "abc", "X-Container-Bytes-Used": "100" })]),
  // Decimal digits of any script count (UTF-8 bytes on the wire, as latin-1 text here).
  put([container({ "Quota-Bytes": "\u00d9\u00a1", "X-Container-Bytes-Used": "0" })]),
  put([container({ "Quota-Bytes": "\u00d9\u00a1\u00d9\u00a2", "X-Container-Bytes-Used": "0" })]),
  // A superscript two passes isdigit() but not int(): Swift fails with a 500.
  put([container({ "Quota-Bytes": "\u00c2\u00b2", "X-Container-Bytes-Used": "0" })]),
  put([container({ "Quota-Bytes": "0" }, 404)]),
  put([container({ "Quota-Bytes": "0" }, 503)]),
  put([{ method: "HEAD", path: "/v1/a", status: 404 }]),
  put([container({ "Quota-Count": "0", "X-Container-Write": "a:b" })], {
    env: { authorize: "allow" },
  }),
  put([container({ "Quota-Count": "0", "X-Container-Write": "a:b" })], {
    env: { authorize: "deny403" },
  }),
  put([container({ "Quota-Count": "0" })], { env: { authorize: "deny401" } }),
  put([container({ "Quota-Count": "5" })], { env: { authorize: "deny401" } }),
  put([container({ "Quota-Count": "0" })], { method: "PU" }),
  put([container({ "Quota-Count": "0" })], { method: "T" }),
  put([container({ "Quota-Count": "0" })], { method: "POST" }),
  put([container({ "Quota-Count": "0" })], { method: "COPY", headers: [["Destination", "c/o2"]] }),
  put([], {
    env: {
      infocache: {
        "container/a/c": { status: 200, bytes: 5, object_count: 1, meta: { "quota-bytes": "14" } },
      },
    },
  }),
  put([container({ "Quota-Bytes": "14", "X-Container-Bytes-Used": "5" })], {
    env: { memcache: {} },
  }),
  put([], {
    env: {
      memcache: {
        "account/a": { status: 200, meta: {} },
        "container/a/c": { status: 200, bytes: 1, object_count: 1, meta: { "quota-count": "1" } },
      },
    },
  }),
  put([
    container({
      "Quota-Bytes": "20",
      "X-Container-Bytes-Used": "5",
      "X-Container-Sysmeta-Versions-Container": "%00versions",
    }),
    {
      method: "HEAD",
      path: "/v1/a/\x00versions",
      status: 204,
      headers: { "X-Container-Bytes-Used": "6" },
    },
  ]),
  put([], { path: "/v1/a//o" }),
  put([], { path: "/v1/a" }),
  put([], { path: "/v2/a/c/o" }),
  put([], { path: "/v1/a/c", headers: [[QUOTA, "12"], [COUNT, "3"]] }),
  put([], { path: "/v1/a/c", headers: [[QUOTA, "1.5"]] }),
  put([], { path: "/v1/a/c", headers: [[COUNT, "x"]] }),
  put([], { path: "/v1/a/c", headers: [[QUOTA, ""]] }),
  put([], { path: "/v1/a/c", headers: [[QUOTA, "\u00b2"]] }),
  put([], { path: "/v1/a/c", method: "POST", headers: [[QUOTA, "-1"]] }),
  put([], { path: "/v1/a/c", method: "DELETE", headers: [[QUOTA, "x"]] }),
];

Deno.test("containerQuotasFilter() answers every request as Swift 2.30's container_quotas", async () => {
  const swift = await assertSameAsSwift(CASES, () => containerQuotasFilter());
  for (const outcome of swift) assertEquals(containerQuotasInfo(), outcome.swift_info);
});
