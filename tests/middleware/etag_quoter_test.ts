/**
 * egg:swift#etag_quoter: unit tests of the flag precedence and the sysmeta translation, and
 * the same requests against Swift 2.30's etag_quoter (_filter_oracle.py), info lookups
 * (subrequests, swift.infocache, memcached) included.
 */
import { assertEquals } from "@std/assert";
import { ETAG_QUOTER_FILTER } from "../../lib/config/options/etag_quoter.ts";
import { etagQuoterFilter, etagQuoterInfo, quotedEtag } from "../../lib/middleware/etag_quoter.ts";
import {
  assertSameAsSwift,
  contextOf,
  FakeBackend,
  type FilterCase,
  type Registered,
  serve,
  stageOf,
} from "./_filter_oracle.ts";

const OBJECT = "/v1/AUTH_acc/con/some/path/to/obj";

function infocache(account: string | undefined, container: string | undefined) {
  const sysmeta = (flag: string | undefined) =>
    flag === undefined ? {} : { "rfc-compliant-etags": flag };
  return {
    "account/AUTH_acc": { status: 200, sysmeta: sysmeta(account) },
    "container/AUTH_acc/con": { status: 200, sysmeta: sysmeta(container) },
  };
}

async function etagFor(
  flags: { account?: string; container?: string; byDefault?: string },
  etag = "unquoted-etag",
): Promise<string | null> {
  const backend = new FakeBackend([{
    method: "GET",
    path: OBJECT,
    status: 200,
    headers: { Etag: etag },
  }]);
  const ctx = contextOf();
  ctx.env["swift.infocache"] = infocache(flags.account, flags.container);
  const conf: Record<string, string> = flags.byDefault === undefined
    ? {}
    : { enable_by_default: flags.byDefault };
  const response = await serve(
    etagQuoterFilter(stageOf(ETAG_QUOTER_FILTER, conf)),
    new Request(`http://localhost${OBJECT}`),
    { next: backend.handler, ctx },
  );
  await response.body?.cancel();
  return response.headers.get("Etag");
}

Deno.test("etagQuoterFilter() lets the account's flag override the cluster's", async () => {
  assertEquals(await etagFor({ account: "1", byDefault: "false" }), '"unquoted-etag"');
  assertEquals(await etagFor({ account: "no", byDefault: "yes" }), "unquoted-etag");
});

Deno.test("etagQuoterFilter() lets the container's flag override the account's and the cluster's", async () => {
  assertEquals(await etagFor({ container: "t", byDefault: "false" }), '"unquoted-etag"');
  assertEquals(await etagFor({ container: "0", byDefault: "yes" }), "unquoted-etag");
  assertEquals(await etagFor({ account: "no", container: "t" }), '"unquoted-etag"');
  assertEquals(await etagFor({ account: "yes", container: "false" }), "unquoted-etag");
});

Deno.test("etagQuoterFilter() quotes everywhere with enable_by_default and no flags", async () => {
  assertEquals(await etagFor({ byDefault: "t" }), '"unquoted-etag"');
  assertEquals(await etagFor({}), "unquoted-etag");
});

Deno.test("quotedEtag() leaves quoted and weak ETags alone and quotes half-quoted ones", () => {
  assertEquals(quotedEtag('"quoted"'), '"quoted"');
  assertEquals(quotedEtag('W/"weak"'), 'W/"weak"');
  assertEquals(quotedEtag('"weird'), '""weird"');
  assertEquals(quotedEtag("bare"), '"bare"');
});

Deno.test("etagQuoterFilter() stores the client's container flag as sysmeta and shows it back", async () => {
  const backend = new FakeBackend([{
    method: "POST",
    path: "/v1/AUTH_acc/con",
    status: 204,
    headers: { "X-Container-Sysmeta-Rfc-Compliant-Etags": "True" },
  }]);
  const response = await serve(
    etagQuoterFilter(stageOf(ETAG_QUOTER_FILTER)),
    new Request("http://localhost/v1/AUTH_acc/con", {
      method: "POST",
      headers: { "X-Container-Rfc-Compliant-Etags": "yes" },
    }),
    { next: backend.handler },
  );
  assertEquals(backend.calls[0][4]["x-container-sysmeta-rfc-compliant-etags"], "True");
  assertEquals(response.headers.get("X-Container-Rfc-Compliant-Etags"), "True");
  assertEquals(response.headers.get("X-Container-Sysmeta-Rfc-Compliant-Etags"), null);
});

Deno.test("etagQuoterInfo() publishes enable_by_default as a boolean", () => {
  assertEquals(etagQuoterInfo({ enable_by_default: true } as never), { enable_by_default: true });
});

const HEAD_ACCOUNT = (headers: Record<string, string> = {}, status = 204): Registered => ({
  method: "HEAD",
  path: "/v1/AUTH_acc",
  status,
  headers,
});
const HEAD_CONTAINER = (headers: Record<string, string> = {}, status = 204): Registered => ({
  method: "HEAD",
  path: "/v1/AUTH_acc/con",
  status,
  headers,
});
const GET_OBJECT = (etag?: string): Registered => ({
  method: "GET",
  path: OBJECT,
  status: 200,
  headers: etag === undefined ? {} : { Etag: etag },
  body: "data",
});
const ACCOUNT_FLAG = "X-Account-Sysmeta-Rfc-Compliant-Etags";
const CONTAINER_FLAG = "X-Container-Sysmeta-Rfc-Compliant-Etags";

function objectCase(
  conf: Record<string, string>,
  responses: Registered[],
  extra: Partial<FilterCase> = {},
): FilterCase {
  return { filter: "etag_quoter", conf, path: OBJECT, responses, ...extra };
}

const CASES: FilterCase[] = [
  // Flags from HEAD subrequests.
  objectCase({}, [HEAD_ACCOUNT(), HEAD_CONTAINER(), GET_OBJECT("e")]),
  objectCase({ enable_by_default: "true" }, [HEAD_ACCOUNT(), HEAD_CONTAINER(), GET_OBJECT("e")]),
  objectCase({}, [HEAD_ACCOUNT({ [ACCOUNT_FLAG]: "yes" }), HEAD_CONTAINER(), GET_OBJECT("e")]),
  objectCase({ enable_by_default: "1" }, [
    HEAD_ACCOUNT({ [ACCOUNT_FLAG]: "yes" }),
    HEAD_CONTAINER({ [CONTAINER_FLAG]: "False" }),
    GET_OBJECT("e"),
  ]),
  objectCase({}, [HEAD_ACCOUNT(), HEAD_CONTAINER({ [CONTAINER_FLAG]: "True" }), GET_OBJECT("e")]),
  objectCase({ enable_by_default: "t" }, [
    HEAD_ACCOUNT(),
    HEAD_CONTAINER({}, 404),
    GET_OBJECT("e"),
  ]),
  objectCase({ enable_by_default: "t" }, [
    HEAD_ACCOUNT(),
    HEAD_CONTAINER({}, 503),
    GET_OBJECT("e"),
  ]),
  objectCase({ enable_by_default: "t" }, [HEAD_ACCOUNT({}, 404), GET_OBJECT("e")]),
  objectCase({ enable_by_default: "t" }, [HEAD_ACCOUNT(), HEAD_CONTAINER(), GET_OBJECT('"q"')]),
  objectCase({ enable_by_default: "t" }, [HEAD_ACCOUNT(), HEAD_CONTAINER(), GET_OBJECT('W/"w"')]),
  objectCase({ enable_by_default: "t" }, [HEAD_ACCOUNT(), HEAD_CONTAINER(), GET_OBJECT('"half')]),
  objectCase({ enable_by_default: "t" }, [HEAD_ACCOUNT(), HEAD_CONTAINER(), GET_OBJECT()]),
  objectCase({ enable_by_default: "t" }, [
    HEAD_ACCOUNT(),
    HEAD_CONTAINER(),
    { method: "PUT", path: OBJECT, status: 201, headers: {} },
  ], { method: "PUT", headers: [["Content-Length", "3"]], body: "abc" }),
  objectCase({ enable_by_default: "t" }, [HEAD_ACCOUNT(), HEAD_CONTAINER(), GET_OBJECT("e")], {
    method: "HEAD",
  }),
  // Flags from swift.infocache and memcached.
  objectCase({}, [GET_OBJECT("e")], { env: { infocache: infocache("1", undefined) } }),
  objectCase({ enable_by_default: "yes" }, [GET_OBJECT("e")], {
    env: { infocache: infocache(undefined, "") },
  }),
  objectCase({ enable_by_default: "t" }, [HEAD_ACCOUNT(), GET_OBJECT("e")], {
    env: { infocache: { "container/AUTH_acc/con": { status: 200, sysmeta: {} } } },
  }),
  objectCase({}, [GET_OBJECT("e")], {
    env: { memcache: infocache("true", undefined) },
  }),
  objectCase({ enable_by_default: "t" }, [HEAD_ACCOUNT(), HEAD_CONTAINER(), GET_OBJECT("e")], {
    env: { memcache: {} },
  }),
  {
    filter: "etag_quoter",
    conf: { enable_by_default: "t" },
    path: "/v1.0/AUTH_acc/con/o",
    env: { infocache: infocache(undefined, undefined) },
    responses: [{
      method: "GET",
      path: "/v1.0/AUTH_acc/con/o",
      status: 200,
      headers: { Etag: "e" },
    }],
  },
  // Not object requests.
  {
    filter: "etag_quoter",
    conf: { enable_by_default: "t" },
    path: "/some/other/location",
    responses: [{
      method: "GET",
      path: "/some/other/location",
      status: 200,
      headers: { Etag: "e" },
    }],
  },
  {
    filter: "etag_quoter",
    conf: { enable_by_default: "t" },
    path: "/v2/AUTH_acc/con/o",
    responses: [{ method: "GET", path: "/v2/AUTH_acc/con/o", status: 200, headers: { Etag: "e" } }],
  },
  {
    filter: "etag_quoter",
    conf: { enable_by_default: "t" },
    path: "/v1/AUTH_acc/con",
    responses: [{ method: "GET", path: "/v1/AUTH_acc/con", status: 200, headers: { Etag: "e" } }],
  },
  // The client's flag on accounts and containers.
  ...[
    ["X-Account-Rfc-Compliant-Etags", "yes"],
    ["X-Account-Rfc-Compliant-Etags", "nope"],
    ["X-Account-Rfc-Compliant-Etags", ""],
    ["X-Remove-Account-Rfc-Compliant-Etags", "x"],
    ["X-Remove-Account-Rfc-Compliant-Etags", ""],
  ].map(([name, value]): FilterCase => ({
    filter: "etag_quoter",
    method: "POST",
    path: "/v1/AUTH_acc",
    headers: [[name, value]],
    responses: [{
      method: "POST",
      path: "/v1/AUTH_acc",
      status: 204,
      headers: { [ACCOUNT_FLAG]: "True" },
    }],
  })),
  {
    filter: "etag_quoter",
    method: "PUT",
    path: "/v1/AUTH_acc/con",
    headers: [["X-Container-Rfc-Compliant-Etags", "on"], [
      "X-Remove-Container-Rfc-Compliant-Etags",
      "1",
    ]],
    responses: [{ method: "PUT", path: "/v1/AUTH_acc/con", status: 201, headers: {} }],
  },
  {
    filter: "etag_quoter",
    method: "HEAD",
    path: "/v1/AUTH_acc/con",
    responses: [{
      method: "HEAD",
      path: "/v1/AUTH_acc/con",
      status: 204,
      headers: { [CONTAINER_FLAG]: "False", "X-Container-Sysmeta-Other": "x" },
    }],
  },
];

Deno.test("etagQuoterFilter() answers every request as Swift 2.30's etag_quoter", async () => {
  const swift = await assertSameAsSwift(
    CASES,
    (c) => etagQuoterFilter(stageOf(ETAG_QUOTER_FILTER, c.conf)),
  );
  for (const [i, c] of CASES.entries()) {
    const options = stageOf(ETAG_QUOTER_FILTER, c.conf).options;
    assertEquals(etagQuoterInfo(options as never), swift[i].swift_info);
  }
});
