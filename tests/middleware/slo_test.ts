/**
 * egg:swift#slo against Swift 2.30's slo middleware (_large_object_oracle.py): manifest PUTs
 * (validation, stored manifest byte for byte, heartbeats, formats), GET/HEAD of manifests
 * (ranges, conditionals, nested and data segments, errors), raw manifests, container listings
 * and DELETE of manifests with their segments, served by both over fakes given the same backend
 * answers; then the limits, /info and streaming with swiftd's own fake.
 */
import { assertEquals } from "@std/assert";
import { createHash } from "node:crypto";
import { optionsOf, parseOptions } from "../../lib/config/load.ts";
import { SLO_FILTER } from "../../lib/config/options/slo.ts";
import { sloFilter, sloFilterWith, sloInfo, type SloSettings } from "../../lib/middleware/slo.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { FakeSwift } from "../_helpers/fake_swift.ts";
import {
  type LoCase,
  quietLogger,
  type Registration,
  swiftdResult,
  swiftResults,
} from "./_large_object_oracle.ts";

const md5 = (data: string | Uint8Array) => createHash("md5").update(data).digest("hex");
const LM = "Tue, 01 Jan 2019 00:00:00 GMT";
const LM_ISO = "2019-01-01T00:00:00.000000";

const SETTINGS: SloSettings = {
  maxManifestSegments: 1000,
  maxManifestSize: 8 * 1024 * 1024,
  yieldFrequency: 10,
  allowAsyncDelete: false,
  maxGetTime: 86400,
  rateLimitUnderSize: 1024 * 1024,
  rateLimitAfterSegment: 10,
  rateLimitSegmentsPerSec: 1,
  concurrency: 2,
  deleteConcurrency: 2,
  guessType: () => undefined,
};

/** Segment `name` in container c holding `body`. */
function seg(name: string, body: string, extra: [string, string][] = []): Registration {
  return ["GET", `/v1/AUTH_test/c/${name}`, 200, [
    ["Content-Length", String(body.length)],
    ["Etag", md5(body)],
    ["Content-Type", "application/octet-stream"],
    ["Last-Modified", LM],
    ...extra,
  ], body];
}

/** A manifest entry for segment `name` holding `body`. */
function entry(name: string, body: string, more: Record<string, unknown> = {}) {
  return {
    name: `/c/${name}`,
    bytes: body.length,
    hash: md5(body),
    content_type: "application/octet-stream",
    last_modified: LM_ISO,
    ...more,
  };
}

const SEGS = [seg("a", "aaaaa"), seg("b", "bbbbbbbbbb"), seg("c", "ccccccccccccccc")];
const ENTRIES = [entry("a", "aaaaa"), entry("b", "bbbbbbbbbb"), entry("c", "ccccccccccccccc")];
const SLO_ETAG = md5(ENTRIES.map((e) => e.hash).join(""));

/** A manifest object at `path` listing `entries`, with or without the sysmeta of 2.x PUTs. */
function manifest(
  path: string,
  entries: unknown[],
  opts: { sysmeta?: [string, number]; extra?: [string, string][] } = {},
): Registration {
  const body = JSON.stringify(entries);
  const headers: [string, string][] = [
    ["Content-Type", "application/octet-stream"],
    ["X-Static-Large-Object", "true"],
    ["Etag", md5(body)],
    ["X-Backend-Timestamp", "1546300800.00000"],
    ["Last-Modified", LM],
    ...opts.extra ?? [],
  ];
  if (opts.sysmeta) {
    headers.push(["X-Object-Sysmeta-Slo-Etag", opts.sysmeta[0]]);
    headers.push(["X-Object-Sysmeta-Slo-Size", String(opts.sysmeta[1])]);
  }
  return ["GET", path, 200, headers, body];
}

const MAN = "/v1/AUTH_test/m/man";
const OLD_MAN = manifest(MAN, ENTRIES);
const NEW_MAN = manifest(MAN, ENTRIES, { sysmeta: [SLO_ETAG, 30] });

function sloCase(over: Partial<LoCase> & { register: Registration[] }): LoCase {
  return { middleware: "slo", method: "GET", path: MAN, ...over };
}

const putOk: Registration = [
  "PUT",
  `${MAN}?multipart-manifest=put`,
  201,
  [["Last-Modified", LM]],
  "",
];

function putCase(body: unknown, over: Partial<LoCase> = {}): LoCase {
  return sloCase({
    method: "PUT",
    path: `${MAN}?multipart-manifest=put`,
    register: [...SEGS, putOk],
    headers: [["Content-Type", "text/plain"]],
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...over,
  });
}

const PUT_BODY = [
  { path: "/c/a", etag: md5("aaaaa"), size_bytes: 5 },
  { path: "c/b", etag: null, size_bytes: null },
  { path: "/c/c", range: "2-5" },
];

const SUB = manifest("/v1/AUTH_test/c/sub", [entry("a", "aaaaa"), entry("b", "bbbbbbbbbb")], {
  sysmeta: [md5(md5("aaaaa") + md5("bbbbbbbbbb")), 15],
});

const NESTED_ENTRIES = [
  entry("c", "ccccccccccccccc"),
  {
    name: "/c/sub",
    bytes: 15,
    hash: md5(md5("aaaaa") + md5("bbbbbbbbbb")),
    content_type: "application/octet-stream;swift_bytes=15",
    last_modified: LM_ISO,
    sub_slo: true,
  },
  { data: btoa("DATA") },
  entry("a", "aaaaa", { range: "1-3" }),
];

const CASES: [string, LoCase][] = [
  // Manifest PUT.
  ["a manifest PUT stores the manifest Swift stores", putCase(PUT_BODY)],
  [
    "a manifest PUT with data segments and a whole-object range",
    putCase([
      { data: btoa("hello") },
      { path: "/c/a", range: "0-4" },
      { data: "aGk=" },
    ]),
  ],
  ["unpadded base64 is refused", putCase([{ path: "/c/a" }, { data: "aGk" }])],
  ["a manifest PUT without Content-Type gets one", putCase(PUT_BODY, { headers: [] })],
  [
    "a nested manifest is HEADed through slo and stored as sub_slo",
    putCase(
      [{ path: "/c/sub" }, { path: "/c/a" }],
      { register: [...SEGS, SUB, putOk] },
    ),
  ],
  [
    "a matching client Etag is accepted, with quotes",
    putCase(PUT_BODY.slice(0, 2), {
      headers: [["Etag", `"${md5(md5("aaaaa") + md5("bbbbbbbbbb"))}"`]],
    }),
  ],
  ["a client Etag that does not match is a 422", putCase(PUT_BODY, { headers: [["Etag", "x"]] })],
  [
    "segment problems are listed in a 400",
    putCase([
      { path: "/c/a", etag: "wrong", size_bytes: 6 },
      { path: "/c/missing" },
      { path: "/c/b", range: "20-30" },
      { path: "/c/c" },
    ], {
      register: [...SEGS, ["GET", "/v1/AUTH_test/c/missing", 404, [], ""], putOk],
    }),
  ],
  [
    "segment problems in JSON",
    putCase([{ path: "/c/a", etag: "wrong" }, { path: "/c/b" }], {
      headers: [["Accept", "application/json"]],
    }),
  ],
  [
    "segment problems in XML",
    putCase([{ path: "/c/a", size_bytes: 1 }, { path: "/c/b" }], {
      headers: [["Accept", "application/xml"]],
    }),
  ],
  [
    "an empty segment is refused but for the last",
    putCase([{ path: "/c/e" }, { path: "/c/e" }], {
      register: [seg("e", ""), putOk],
    }),
  ],
  [
    "heartbeat=on answers 202 and the result in the body",
    putCase(PUT_BODY, {
      path: `${MAN}?multipart-manifest=put&heartbeat=on`,
      register: [...SEGS, ["PUT", `${MAN}?heartbeat=on&multipart-manifest=put`, 201, [
        ["Last-Modified", LM],
      ], ""]],
    }),
  ],
  [
    "heartbeat=on with problems, in JSON",
    putCase([{ path: "/c/a", etag: "no" }], {
      path: `${MAN}?multipart-manifest=put&heartbeat=on`,
      headers: [["Accept", "application/json"]],
    }),
  ],
  [
    "heartbeat=on with a bad Etag",
    putCase(PUT_BODY, {
      path: `${MAN}?multipart-manifest=put&heartbeat=on`,
      headers: [["Etag", "nope"]],
    }),
  ],
  ["a manifest that is not JSON", putCase("[{")],
  ["a manifest that is not a list", putCase({ path: "/c/a" })],
  [
    "every bad segment is named",
    putCase([
      "str",
      { path: "/c/a", foo: 1, bar: 2 },
      { path: 5 },
      { path: "/c/a", etag: 5 },
      { path: "nocontainer" },
      { path: "/c/a", size_bytes: "x" },
      { path: "/c/a", size_bytes: 0 },
      { path: "/m/man" },
      { path: "/c/a", range: "x" },
      { path: "/c/a", range: "1-2,4-5" },
      { path: "/c/a", size_bytes: 3, range: "5-6" },
      { data: "!!" },
      { data: "" },
      { path: "/c/a", size_bytes: " 12 " },
    ]),
  ],
  ["only data segments are refused", putCase([{ data: btoa("x") }])],
  ["a segment with neither path nor data fails as Swift fails", putCase([{ foo: 1 }])],
  ["a manifest PUT cannot be a copy", putCase(PUT_BODY, { headers: [["X-Copy-From", "c/a"]] })],
  ["too many segments", putCase(PUT_BODY, { conf: { max_manifest_segments: "2" } })],
  ["a manifest too large", putCase(PUT_BODY, { conf: { max_manifest_size: "10" } })],
  [
    "X-Static-Large-Object is reserved",
    sloCase({
      register: [],
      method: "POST",
      headers: [["X-Static-Large-Object", "true"]],
    }),
  ],
  // GET and HEAD.
  ["a GET of a manifest concatenates its segments", sloCase({ register: [NEW_MAN, ...SEGS] })],
  ["a GET of an old manifest computes etag and length", sloCase({ register: [OLD_MAN, ...SEGS] })],
  [
    "a HEAD with sysmeta needs no manifest body",
    sloCase({
      register: [NEW_MAN],
      method: "HEAD",
    }),
  ],
  [
    "a HEAD of an old manifest reads the manifest",
    sloCase({
      register: [OLD_MAN],
      method: "HEAD",
    }),
  ],
  [
    "multipart-manifest=get returns the manifest as JSON",
    sloCase({
      register: [NEW_MAN],
      path: `${MAN}?multipart-manifest=get`,
    }),
  ],
  [
    "format=raw returns the manifest as it was PUT",
    sloCase({
      register: [manifest(MAN, NESTED_ENTRIES)],
      path: `${MAN}?multipart-manifest=get&format=raw`,
    }),
  ],
  [
    "a plain object passes through",
    sloCase({ register: [seg("a", "aaaaa")], path: "/v1/AUTH_test/c/a" }),
  ],
  [
    "a range across segments",
    sloCase({
      register: [NEW_MAN, ...SEGS],
      headers: [["Range", "bytes=3-17"]],
    }),
  ],
  [
    "several ranges are a multipart answer",
    sloCase({
      register: [NEW_MAN, ...SEGS],
      headers: [["Range", "bytes=0-1,7-8,-2"]],
    }),
  ],
  ["a suffix range", sloCase({ register: [NEW_MAN, ...SEGS], headers: [["Range", "bytes=-12"]] })],
  [
    "an unsatisfiable range",
    sloCase({
      register: [NEW_MAN, ...SEGS],
      headers: [["Range", "bytes=30-40"]],
    }),
  ],
  [
    "a range on a manifest the object server cut is refetched",
    sloCase({
      register: [NEW_MAN, ...SEGS],
      headers: [["Range", "bytes=1-2"]],
    }),
  ],
  [
    "a range on an object server that ignores it for manifests",
    sloCase({
      canIgnoreRange: true,
      register: [NEW_MAN, ...SEGS],
      headers: [["Range", "bytes=1-2"]],
    }),
  ],
  [
    "If-None-Match with the SLO etag is a 304",
    sloCase({
      canIgnoreRange: true,
      register: [NEW_MAN, ...SEGS],
      headers: [["If-None-Match", `"${SLO_ETAG}"`]],
    }),
  ],
  [
    "If-Match with another etag is a 412",
    sloCase({
      register: [NEW_MAN, ...SEGS],
      headers: [["If-Match", "nope"]],
    }),
  ],
  [
    "If-Match on an old manifest is checked after reading it",
    sloCase({
      register: [OLD_MAN, ...SEGS],
      headers: [["If-Match", SLO_ETAG]],
    }),
  ],
  [
    "nested manifests, data and range segments",
    sloCase({
      register: [manifest(MAN, NESTED_ENTRIES), SUB, ...SEGS],
    }),
  ],
  [
    "a range inside a nested manifest",
    sloCase({
      register: [manifest(MAN, NESTED_ENTRIES), SUB, ...SEGS],
      headers: [["Range", "bytes=16-22"]],
    }),
  ],
  [
    "a missing first segment is a 409",
    sloCase({
      register: [NEW_MAN, ["GET", "/v1/AUTH_test/c/a", 404, [], ""], ...SEGS.slice(1)],
    }),
  ],
  [
    "a failing first segment is a 503",
    sloCase({
      register: [NEW_MAN, ["GET", "/v1/AUTH_test/c/a", 503, [], ""], ...SEGS.slice(1)],
    }),
  ],
  [
    "a changed second segment cuts the body short",
    sloCase({
      register: [NEW_MAN, SEGS[0], seg("b", "bbbbbbbbbX"), SEGS[2]],
    }),
  ],
  [
    "a failing nested manifest cuts the body short",
    sloCase({
      register: [
        manifest(MAN, NESTED_ENTRIES),
        ["GET", "/v1/AUTH_test/c/sub", 500, [], "x"],
        ...SEGS,
      ],
    }),
  ],
  [
    "a manifest body that is not JSON is empty",
    sloCase({
      register: [[
        "GET",
        MAN,
        200,
        [["X-Static-Large-Object", "yes"], ["X-Backend-Timestamp", "1"]],
        "{",
      ]],
    }),
  ],
  [
    "a container listing shows slo_etag on its own",
    sloCase({
      register: [[
        "GET",
        "/v1/AUTH_test/c?format=json",
        200,
        [["Content-Type", "application/json"]],
        JSON.stringify([
          { name: "man", hash: 'abc; slo_etag=def; other="x y"', bytes: 30 },
          { subdir: "dir/" },
          { name: "plain", hash: "123", bytes: 3 },
        ]),
      ]],
      path: "/v1/AUTH_test/c?format=json",
    }),
  ],
  // DELETE.
  [
    "multipart-manifest=delete deletes the segments, then the manifest",
    sloCase({
      register: [
        NEW_MAN,
        ...["a", "b", "c"].map((
          n,
        ): Registration => ["DELETE", `/v1/AUTH_test/c/${n}`, 204, [], ""]),
        ["DELETE", MAN, 204, [], ""],
      ],
      method: "DELETE",
      path: `${MAN}?multipart-manifest=delete`,
    }),
  ],
  [
    "delete results in JSON, with failures",
    sloCase({
      register: [
        NEW_MAN,
        ["DELETE", "/v1/AUTH_test/c/a", 404, [], ""],
        ["DELETE", "/v1/AUTH_test/c/b", 503, [], ""],
        ["DELETE", "/v1/AUTH_test/c/c", 401, [], ""],
        ["DELETE", MAN, 204, [], ""],
      ],
      method: "DELETE",
      path: `${MAN}?multipart-manifest=delete`,
      headers: [["Accept", "application/json"]],
    }),
  ],
  [
    "delete results in XML, nested manifests included",
    sloCase({
      register: [
        manifest(MAN, NESTED_ENTRIES),
        SUB,
        ...["a", "b", "c", "sub"].map((
          n,
        ): Registration => ["DELETE", `/v1/AUTH_test/c/${n}`, 204, [], ""]),
        ["DELETE", MAN, 204, [], ""],
      ],
      method: "DELETE",
      path: `${MAN}?multipart-manifest=delete`,
      headers: [["Accept", "text/xml"]],
    }),
  ],
  [
    "deleting a missing manifest",
    sloCase({
      register: [["GET", MAN, 404, [], ""]],
      method: "DELETE",
      path: `${MAN}?multipart-manifest=delete`,
    }),
  ],
  [
    "deleting what is not a manifest",
    sloCase({
      register: [seg("a", "aaaaa")],
      method: "DELETE",
      path: "/v1/AUTH_test/c/a?multipart-manifest=delete",
    }),
  ],
  [
    "an unacceptable Accept for delete",
    sloCase({
      register: [NEW_MAN],
      method: "DELETE",
      path: `${MAN}?multipart-manifest=delete`,
      headers: [["Accept", "image/png"]],
    }),
  ],
];

Deno.test("slo answers every case as Swift's slo middleware does", async () => {
  const expected = await swiftResults(CASES.map(([, c]) => c));
  for (const [i, [name, c]] of CASES.entries()) {
    const conf = c.conf ?? {};
    const filter = sloFilterWith({
      ...SETTINGS,
      maxManifestSegments: Number(conf.max_manifest_segments ?? SETTINGS.maxManifestSegments),
      maxManifestSize: Number(conf.max_manifest_size ?? SETTINGS.maxManifestSize),
    });
    assertEquals(await swiftdResult(c, filter), expected[i], name);
  }
});

function stageOf(values: Record<string, string>) {
  const conf = new Map(Object.entries(values).map(([k, v]) => [k, { value: v }]));
  return {
    kind: "filter" as const,
    name: "slo",
    entryPoint: "slo",
    conf,
    options: parseOptions(SLO_FILTER, conf, { file: "t.conf" }, () => {}),
    origin: { file: "t.conf" },
  };
}

Deno.test("sloInfo() publishes the limits as Swift registers them", () => {
  const options = optionsOf(
    stageOf({ max_manifest_segments: "5", allow_async_delete: "yes" }),
    SLO_FILTER,
  );
  assertEquals(sloInfo(options), {
    max_manifest_segments: 5,
    max_manifest_size: 8388608,
    yield_frequency: 10,
    min_segment_size: 1,
    allow_async_delete: true,
  });
});

Deno.test("a manifest GET streams its segments as the client reads", async () => {
  const fake = new FakeSwift();
  const chunk = new Uint8Array(64 * 1024).fill(7);
  const body = new Uint8Array(16 * chunk.length).fill(7);
  const entries = [];
  for (let i = 0; i < 3; i++) {
    fake.register("GET", `/v1/AUTH_test/c/s${i}`, 200, {
      Etag: md5(body),
      "Content-Length": String(body.length),
    }, Array.from({ length: 16 }, () => chunk));
    entries.push({ name: `/c/s${i}`, bytes: body.length, hash: md5(body) });
  }
  const [method, path, status, headers, manifestBody] = manifest(MAN, entries);
  fake.register(method, path, status, Object.fromEntries(headers), manifestBody);
  const filter = sloFilter(stageOf({}), {
    logger: quietLogger(),
    server: "proxy-server",
    onClose() {},
  });
  const ctx = newRequestContext(quietLogger(), { transport: "tcp", hostname: "::1", port: 1 });
  const resp = await filter(fake.handler)(new Request(`http://localhost${MAN}`), ctx);
  assertEquals(resp.headers.get("Content-Length"), String(3 * body.length));
  const reader = resp.body!.getReader();
  let read = 0;
  while (read < body.length + 1) read += (await reader.read()).value!.length;
  await reader.cancel();
  assertEquals(fake.callList.map(([, p]) => p), [
    MAN,
    "/v1/AUTH_test/c/s0?multipart-manifest=get",
    "/v1/AUTH_test/c/s1?multipart-manifest=get",
  ]);
  assertEquals(fake.unclosed, 0);
});

Deno.test("a manifest PUT with heartbeat=on sends whitespace while slow segments are checked", async () => {
  const fake = new FakeSwift();
  for (const [method, path, status, headers, body] of SEGS) {
    fake.register(method, path, status, Object.fromEntries(headers), body);
  }
  fake.register("PUT", `${MAN}?heartbeat=on&multipart-manifest=put`, 201, { "Last-Modified": LM });
  let now = 1000;
  const clock = { now: () => now, sleep: () => Promise.resolve() };
  // Each segment HEAD takes 6 seconds: a heartbeat goes out every second one.
  const slow: typeof fake.handler = (req, ctx) => {
    if (req.method === "HEAD") now += 6;
    return fake.handler(req, ctx);
  };
  const ctx = newRequestContext(quietLogger(), { transport: "tcp", hostname: "::1", port: 1 });
  const resp = await sloFilterWith({ ...SETTINGS, concurrency: 1, clock })(slow)(
    new Request(`http://localhost${MAN}?multipart-manifest=put&heartbeat=on`, {
      method: "PUT",
      headers: {
        "Content-Type": "text/plain",
        Accept: "application/json",
        "Content-Length": String(JSON.stringify(PUT_BODY).length),
      },
      body: JSON.stringify(PUT_BODY),
    }),
    ctx,
  );
  assertEquals(resp.status, 202);
  assertEquals(resp.headers.get("Content-Type"), "application/json");
  const text = await resp.text();
  const at = text.indexOf("\r\n\r\n");
  assertEquals(text.slice(0, at), "  ");
  assertEquals(JSON.parse(text.slice(at + 4)), {
    "Response Status": "201 Created",
    "Etag": `"${md5(md5("aaaaa") + md5("bbbbbbbbbb") + `${md5("ccccccccccccccc")}:2-5;`)}"`,
    "Last Modified": LM,
    "Response Body": "",
    "Errors": [],
  });
});
