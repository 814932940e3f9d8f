/**
 * egg:swift#read_only: unit tests of the cluster and account flags, and the same requests
 * against Swift 2.30's read_only (_filter_oracle.py), account lookups included.
 */
import { assertEquals } from "@std/assert";
import { READ_ONLY_FILTER } from "../../lib/config/options/read_only.ts";
import { readOnlyFilter, readOnlyInfo } from "../../lib/middleware/read_only.ts";
import {
  assertSameAsSwift,
  FakeBackend,
  type FilterCase,
  type Registered,
  serve,
  stageOf,
} from "./_filter_oracle.ts";

const READ_METHODS = ["GET", "HEAD"];
const WRITE_METHODS = ["COPY", "DELETE", "POST", "PUT"];
const FLAG = "X-Account-Sysmeta-Read-Only";

function account(flag?: string, name = "a"): Registered {
  return {
    method: "HEAD",
    path: `/v1/${name}`,
    status: 204,
    headers: flag === undefined ? {} : { [FLAG]: flag },
  };
}

async function statuses(
  conf: Record<string, string>,
  accountFlag?: string,
  headers: Record<string, string> = {},
): Promise<Record<string, number>> {
  const filter = readOnlyFilter(stageOf(READ_ONLY_FILTER, conf));
  const out: Record<string, number> = {};
  for (const method of [...READ_METHODS, ...WRITE_METHODS]) {
    const backend = new FakeBackend([account(accountFlag)]);
    const response = await serve(
      filter,
      new Request("http://localhost/v1/a/c", { method, headers }),
      { next: backend.handler },
    );
    await response.body?.cancel();
    out[method] = response.status;
  }
  return out;
}

const ALL_PASS = { GET: 200, HEAD: 200, COPY: 200, DELETE: 200, POST: 200, PUT: 200 };
const WRITES_REFUSED = { GET: 200, HEAD: 200, COPY: 405, DELETE: 405, POST: 405, PUT: 405 };

Deno.test("readOnlyFilter() lets everything through when neither cluster nor account is read-only", async () => {
  assertEquals(await statuses({ read_only: "false" }), ALL_PASS);
  assertEquals(await statuses({}, "false"), ALL_PASS);
});

Deno.test("readOnlyFilter() refuses writes when the cluster is read-only", async () => {
  assertEquals(await statuses({ read_only: "true" }), WRITES_REFUSED);
});

Deno.test("readOnlyFilter() refuses writes to an account whose sysmeta says read-only", async () => {
  assertEquals(await statuses({}, "true"), WRITES_REFUSED);
});

Deno.test("readOnlyFilter() lets an account write when its sysmeta overrides the cluster", async () => {
  assertEquals(await statuses({ read_only: "true" }, "false"), ALL_PASS);
});

Deno.test("readOnlyFilter() lets DELETE through with allow_deletes", async () => {
  assertEquals(
    (await statuses({ read_only: "true", allow_deletes: "true" })).DELETE,
    200,
  );
  assertEquals((await statuses({ allow_deletes: "true" }, "on")).DELETE, 200);
});

Deno.test("readOnlyFilter() answers Swift's 405 body", async () => {
  const response = await serve(
    readOnlyFilter(stageOf(READ_ONLY_FILTER, { read_only: "yes" })),
    new Request("http://localhost/v1/a/c", { method: "PUT" }),
    { next: new FakeBackend([account()]).handler },
  );
  assertEquals(response.status, 405);
  assertEquals(await response.text(), "Writes are disabled for this account.");
});

Deno.test("readOnlyFilter() judges a COPY by its Destination-Account", async () => {
  const filter = readOnlyFilter(stageOf(READ_ONLY_FILTER, { read_only: "true" }));
  const response = await serve(
    filter,
    new Request("http://localhost/v1/a/c/o", {
      method: "COPY",
      headers: { "Destination-Account": "b" },
    }),
    { next: new FakeBackend([account(), account("false", "b")]).handler },
  );
  await response.body?.cancel();
  assertEquals(response.status, 200);
});

Deno.test("readOnlyInfo() is registered only for a read-only cluster", () => {
  assertEquals(readOnlyInfo({ read_only: true } as never), {});
  assertEquals(readOnlyInfo({ read_only: false } as never), undefined);
});

const CASES: FilterCase[] = [
  ...[...READ_METHODS, ...WRITE_METHODS].flatMap((method): FilterCase[] => [
    { filter: "read_only", method, path: "/v1/a", responses: [account()] },
    {
      filter: "read_only",
      conf: { read_only: "true" },
      method,
      path: "/v1/a",
      responses: [account()],
    },
    { filter: "read_only", method, path: "/v1/a/c", responses: [account("yes")] },
    {
      filter: "read_only",
      conf: { read_only: "on" },
      method,
      path: "/v1/a/c/o",
      responses: [account("false")],
    },
    {
      filter: "read_only",
      conf: { read_only: "true", allow_deletes: "true" },
      method,
      path: "/v1/a/c/o",
      responses: [account()],
    },
  ]),
  {
    filter: "read_only",
    conf: { read_only: "true" },
    method: "PUT",
    path: "/v1/a",
    responses: [account("")],
  },
  {
    filter: "read_only",
    conf: { read_only: "true" },
    method: "PUT",
    path: "/v1/a",
    responses: [account("x")],
  },
  {
    filter: "read_only",
    conf: { read_only: "true" },
    method: "PUT",
    path: "/v1/a",
    responses: [{ method: "HEAD", path: "/v1/a", status: 404 }],
  },
  {
    filter: "read_only",
    method: "PUT",
    path: "/v1/a",
    responses: [{ method: "HEAD", path: "/v1/a", status: 503 }],
  },
  {
    filter: "read_only",
    method: "POST",
    path: "/v1/a",
    env: { infocache: { "account/a": { status: 200, sysmeta: { "read-only": "true" } } } },
  },
  {
    filter: "read_only",
    method: "POST",
    path: "/v1/a",
    env: { memcache: {} },
    responses: [account("1")],
  },
  // COPY judged by Destination-Account.
  {
    filter: "read_only",
    conf: { read_only: "true" },
    method: "COPY",
    path: "/v1/a/c/o",
    headers: [["Destination-Account", "b"]],
    responses: [account(), account("false", "b")],
  },
  {
    filter: "read_only",
    method: "COPY",
    path: "/v1/a/c/o",
    headers: [["Destination-Account", "b"]],
    responses: [account(), account("true", "b")],
  },
  {
    filter: "read_only",
    method: "PUT",
    path: "/v1/a/c/o",
    headers: [["Destination-Account", "b"]],
    responses: [account(), account("true", "b")],
  },
  {
    filter: "read_only",
    method: "COPY",
    path: "/v1/a/c/o",
    headers: [["Destination-Account", ""]],
  },
  {
    filter: "read_only",
    method: "COPY",
    path: "/v1/a/c/o",
    headers: [["Destination-Account", "b/c"]],
  },
  // Not Swift API paths.
  { filter: "read_only", conf: { read_only: "true" }, method: "POST", path: "/auth/v3.14" },
  { filter: "read_only", conf: { read_only: "true" }, method: "PUT", path: "/v1" },
  { filter: "read_only", conf: { read_only: "true" }, method: "DELETE", path: "/v1.0/" },
  { filter: "read_only", conf: { read_only: "true" }, method: "PUT", path: "/v2/a" },
  { filter: "read_only", conf: { read_only: "true" }, method: "PUT", path: "/v1//c" },
];

Deno.test("readOnlyFilter() answers every request as Swift 2.30's read_only", async () => {
  const swift = await assertSameAsSwift(
    CASES,
    (c) => readOnlyFilter(stageOf(READ_ONLY_FILTER, c.conf)),
  );
  for (const [i, c] of CASES.entries()) {
    const options = stageOf(READ_ONLY_FILTER, c.conf).options;
    assertEquals(readOnlyInfo(options as never) ?? null, swift[i].swift_info);
  }
});
