/**
 * egg:swift#dlo against Swift 2.30's dlo middleware (_large_object_oracle.py): manifests over
 * segments listed by prefix, served by both over fakes given the same backend answers, must
 * give the same status, headers, body, subrequests and swift.source; then what only swiftd can
 * show (rate limiting, max_get_time, streaming) with its own fake.
 */
import { assert, assertEquals } from "@std/assert";
import { createHash } from "node:crypto";
import { parseOptions } from "../../lib/config/load.ts";
import { DLO_FILTER } from "../../lib/config/options/dlo.ts";
import { dloFilter, dloFilterWith, type DloSettings } from "../../lib/middleware/dlo.ts";
import type { Clock } from "../../lib/middleware/segments/rate_limit.ts";
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
const SETTINGS: DloSettings = {
  rateLimitAfterSegment: 10,
  rateLimitSegmentsPerSec: 1,
  maxGetTime: 86400,
};

/** Segments seg_01.. of five bytes each ("aaaaa", "bbbbb"...) in container c. */
function segments(count: number, names = (i: number) => `seg_${String(i + 1).padStart(2, "0")}`) {
  const regs: Registration[] = [];
  const listing = [];
  for (let i = 0; i < count; i++) {
    const body = String.fromCharCode(97 + i).repeat(5);
    regs.push(["GET", `/v1/AUTH_test/c/${encodeURIComponent(names(i))}`, 200, [
      ["Etag", md5(body)],
      ["Content-Type", "application/octet-stream"],
    ], body]);
    listing.push({ name: names(i), bytes: 5, hash: md5(body), content_type: "x" });
  }
  return { regs, listing };
}

const MANIFEST: Registration = ["GET", "/v1/AUTH_test/mancon/manifest", 200, [
  ["X-Object-Manifest", "c/seg_"],
  ["Etag", "manifest-etag"],
  ["Content-Type", "text/plain"],
  ["Last-Modified", LM],
], "manifest-contents"];

function listingReg(listing: unknown[], query = "prefix=seg_"): Registration {
  return [
    "GET",
    `/v1/AUTH_test/c?${query}`,
    200,
    [["Content-Type", "application/json"]],
    JSON.stringify(listing),
  ];
}

function dloCase(over: Partial<LoCase> & { register: Registration[] }): LoCase {
  return { middleware: "dlo", method: "GET", path: "/v1/AUTH_test/mancon/manifest", ...over };
}

const five = segments(5);
const BASE = [MANIFEST, listingReg(five.listing), ...five.regs];
const withSegment = (i: number, reg: Registration) => BASE.map((r, j) => j === i + 2 ? reg : r);

const CASES: [string, LoCase][] = [
  ["a GET concatenates the segments", dloCase({ register: BASE })],
  [
    "a HEAD has the summed length and the etag of the segments' etags",
    dloCase({
      register: BASE,
      method: "HEAD",
    }),
  ],
  [
    "multipart-manifest=get reads the manifest itself",
    dloCase({
      register: [MANIFEST],
      path: "/v1/AUTH_test/mancon/manifest?multipart-manifest=get",
    }),
  ],
  [
    "an object without X-Object-Manifest passes through",
    dloCase({
      register: [["GET", "/v1/AUTH_test/c/plain", 200, [["Etag", md5("x")]], "x"]],
      path: "/v1/AUTH_test/c/plain",
    }),
  ],
  [
    "a container GET passes through",
    dloCase({
      register: [listingReg([], "")],
      path: "/v1/AUTH_test/c",
    }),
  ],
  ["a range inside segments", dloCase({ register: BASE, headers: [["Range", "bytes=3-12"]] })],
  ["a range on segment boundaries", dloCase({ register: BASE, headers: [["Range", "bytes=5-9"]] })],
  ["the first byte", dloCase({ register: BASE, headers: [["Range", "bytes=0-0"]] })],
  ["the last byte", dloCase({ register: BASE, headers: [["Range", "bytes=24-24"]] })],
  ["a range past the end", dloCase({ register: BASE, headers: [["Range", "bytes=18-100"]] })],
  ["a suffix range", dloCase({ register: BASE, headers: [["Range", "bytes=-7"]] })],
  [
    "an unsatisfiable range is a 416",
    dloCase({ register: BASE, headers: [["Range", "bytes=25-30"]] }),
  ],
  [
    "several ranges get the whole object",
    dloCase({
      register: BASE,
      headers: [["Range", "bytes=0-1,4-6"]],
    }),
  ],
  [
    "If-Match with the DLO etag matches",
    dloCase({
      register: BASE,
      headers: [["If-Match", `"${md5(five.listing.map((s) => s.hash).join(""))}"`]],
    }),
  ],
  [
    "If-Match with another etag is a 412",
    dloCase({ register: BASE, headers: [["If-Match", "nope"]] }),
  ],
  [
    "If-None-Match with the DLO etag is a 304",
    dloCase({
      register: BASE,
      headers: [["If-None-Match", md5(five.listing.map((s) => s.hash).join(""))]],
    }),
  ],
  [
    "If-Modified-Since after Last-Modified is a 304",
    dloCase({
      register: BASE,
      headers: [["If-Modified-Since", "Wed, 02 Jan 2019 00:00:00 GMT"]],
    }),
  ],
  [
    "a missing first segment is a 409",
    dloCase({
      register: withSegment(0, ["GET", "/v1/AUTH_test/c/seg_01", 404, [], "not here"]),
    }),
  ],
  [
    "a failing first segment is a 503",
    dloCase({
      register: withSegment(0, ["GET", "/v1/AUTH_test/c/seg_01", 500, [], "oops"]),
    }),
  ],
  [
    "a failing second segment cuts the body short",
    dloCase({
      register: withSegment(1, ["GET", "/v1/AUTH_test/c/seg_02", 500, [], "oops"]),
    }),
  ],
  [
    "a changed second segment cuts the body short",
    dloCase({
      register: withSegment(1, [
        "GET",
        "/v1/AUTH_test/c/seg_02",
        200,
        [["Etag", md5("bbbbb")]],
        "bbbbbbb",
      ]),
    }),
  ],
  [
    "a segment whose MD5 differs from its etag cuts the body short",
    dloCase({
      register: withSegment(2, [
        "GET",
        "/v1/AUTH_test/c/seg_03",
        200,
        [["Etag", md5("ccccc")]],
        "ccccX",
      ]),
    }),
  ],
  [
    "a failing listing is passed on",
    dloCase({
      register: [MANIFEST, ["GET", "/v1/AUTH_test/c?prefix=seg_", 503, [], "down"]],
    }),
  ],
  [
    "a failing listing on HEAD has no body",
    dloCase({
      register: [MANIFEST, ["GET", "/v1/AUTH_test/c?prefix=seg_", 404, [], "gone"]],
      method: "HEAD",
    }),
  ],
  ["no segments is an empty object", dloCase({ register: [MANIFEST, listingReg([])] })],
  [
    "a listing as long as the limit pages with a marker",
    dloCase({
      listingLimit: 3,
      register: [
        MANIFEST,
        listingReg(five.listing.slice(0, 3)),
        listingReg(five.listing.slice(3), "prefix=seg_&marker=seg_03"),
        ...five.regs,
      ],
    }),
  ],
  [
    "a full first page leaves length and etag out",
    dloCase({
      listingLimit: 3,
      method: "HEAD",
      register: [MANIFEST, listingReg(five.listing.slice(0, 3))],
    }),
  ],
  [
    "a range within the first full page is served",
    dloCase({
      listingLimit: 3,
      headers: [["Range", "bytes=2-7"]],
      register: [MANIFEST, listingReg(five.listing.slice(0, 3)), ...five.regs],
    }),
  ],
  [
    "a range past the first full page gets the whole object",
    dloCase({
      listingLimit: 3,
      headers: [["Range", "bytes=17-19"]],
      register: [
        MANIFEST,
        listingReg(five.listing.slice(0, 3)),
        listingReg(five.listing.slice(3), "prefix=seg_&marker=seg_03"),
        ...five.regs,
      ],
    }),
  ],
  [
    "a failing second listing page cuts the body short",
    dloCase({
      listingLimit: 3,
      register: [
        MANIFEST,
        listingReg(five.listing.slice(0, 3)),
        ["GET", "/v1/AUTH_test/c?prefix=seg_&marker=seg_03", 503, [], ""],
        ...five.regs,
      ],
    }),
  ],
  [
    "prefix and segment names are quoted",
    dloCase({
      register: (() => {
        const named = segments(2, (i) => `p\u00e9 ${i}`);
        return [
          [
            "GET",
            "/v1/AUTH_test/mancon/manifest",
            200,
            [["X-Object-Manifest", "c/p%C3%A9%20"]],
            "",
          ],
          listingReg(named.listing, "prefix=p%C3%A9%20"),
          ...named.regs,
        ] as Registration[];
      })(),
    }),
  ],
  [
    "a PUT with a malformed X-Object-Manifest is a 400",
    dloCase({
      register: [],
      method: "PUT",
      headers: [["X-Object-Manifest", "c/?x"]],
    }),
  ],
  [
    "a PUT with a valid X-Object-Manifest passes through",
    dloCase({
      register: [["PUT", "/v1/AUTH_test/mancon/manifest", 201, [], ""]],
      method: "PUT",
      headers: [["X-Object-Manifest", "c/seg_"]],
    }),
  ],
];

Deno.test("dlo answers every case as Swift's dlo middleware does", async () => {
  const expected = await swiftResults(CASES.map(([, c]) => c));
  for (const [i, [name, c]] of CASES.entries()) {
    const filter = dloFilterWith({ ...SETTINGS, containerListingLimit: c.listingLimit });
    assertEquals(await swiftdResult(c, filter), expected[i], name);
  }
});

/** A clock that moves only when slept on or told to. */
class FakeClock implements Clock {
  time = 1000;
  readonly sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  sleep(seconds: number): Promise<void> {
    this.sleeps.push(seconds);
    this.time += seconds;
    return Promise.resolve();
  }
}

function fakeWith(count: number): FakeSwift {
  const fake = new FakeSwift();
  const { regs, listing } = segments(count);
  for (const [method, path, status, headers, body] of [MANIFEST, listingReg(listing), ...regs]) {
    fake.register(method, path, status, Object.fromEntries(headers), body);
  }
  return fake;
}

async function get(fake: FakeSwift, settings: DloSettings): Promise<[Response, string]> {
  const ctx = newRequestContext(quietLogger(), { transport: "tcp", hostname: "::1", port: 1 });
  const resp = await dloFilterWith(settings)(fake.handler)(
    new Request("http://localhost/v1/AUTH_test/mancon/manifest"),
    ctx,
  );
  return [resp, await resp.text()];
}

Deno.test("segments after rate_limit_after_segment are fetched at rate_limit_segments_per_sec", async () => {
  const clock = new FakeClock();
  const [resp, body] = await get(fakeWith(6), {
    rateLimitAfterSegment: 2,
    rateLimitSegmentsPerSec: 4,
    maxGetTime: 86400,
    clock,
  });
  assertEquals(resp.status, 200);
  assertEquals(body, "aaaaabbbbbcccccdddddeeeeefffff");
  // The first limited segment passes at once, each later one waits a quarter second.
  assertEquals(clock.sleeps, [0.25, 0.25, 0.25]);
});

Deno.test("a GET lasting longer than max_get_time is cut short", async () => {
  const clock = new FakeClock();
  const fake = fakeWith(4);
  const handler = fake.handler;
  // Each segment GET takes 2 "seconds".
  const slow: typeof handler = (req, ctx) => {
    if (new URL(req.url).search.includes("multipart-manifest")) clock.time += 2;
    return handler(req, ctx);
  };
  const ctx = newRequestContext(quietLogger(), { transport: "tcp", hostname: "::1", port: 1 });
  const resp = await dloFilterWith({ ...SETTINGS, maxGetTime: 3, clock })(slow)(
    new Request("http://localhost/v1/AUTH_test/mancon/manifest"),
    ctx,
  );
  assertEquals(resp.headers.get("Content-Length"), "20");
  // Checked after each chunk is sent: the one fetched past the limit still goes out.
  assertEquals(await resp.text(), "aaaaabbbbb");
  assertEquals(fake.unclosed, 0);
});

Deno.test("segments stream: a cancelled GET stops fetching and releases the segment", async () => {
  const fake = new FakeSwift();
  const chunk = new Uint8Array(64 * 1024);
  const listing = [];
  for (let i = 0; i < 4; i++) {
    const chunks = Array.from({ length: 16 }, () => chunk);
    const body = new Uint8Array(16 * chunk.length);
    fake.register("GET", `/v1/AUTH_test/c/seg_0${i}`, 200, {
      Etag: md5(body),
      "Content-Length": String(body.length),
    }, chunks);
    listing.push({ name: `seg_0${i}`, bytes: body.length, hash: md5(body) });
  }
  const [, , , headers] = MANIFEST;
  fake.register("GET", "/v1/AUTH_test/mancon/manifest", 200, Object.fromEntries(headers), "");
  fake.register("GET", "/v1/AUTH_test/c?prefix=seg_", 200, {}, JSON.stringify(listing));
  const ctx = newRequestContext(quietLogger(), { transport: "tcp", hostname: "::1", port: 1 });
  const resp = await dloFilterWith(SETTINGS)(fake.handler)(
    new Request("http://localhost/v1/AUTH_test/mancon/manifest"),
    ctx,
  );
  assertEquals(resp.headers.get("Content-Length"), String(4 * 16 * chunk.length));
  const reader = resp.body!.getReader();
  await reader.read();
  await reader.cancel();
  // Only the first segment was asked for, and its body was released.
  assertEquals(fake.callList.filter(([, p]) => p.includes("seg_0")).length, 1);
  assertEquals(fake.unclosed, 0);
});

Deno.test("dloFilter() reads its options from the stage", async () => {
  const conf = new Map([["rate_limit_segments_per_sec", { value: "0" }]]);
  const stage = {
    kind: "filter" as const,
    name: "dlo",
    entryPoint: "dlo",
    conf,
    options: parseOptions(DLO_FILTER, conf, { file: "t.conf" }, () => {}),
    origin: { file: "t.conf" },
  };
  const filter = dloFilter(stage, { logger: quietLogger(), server: "proxy-server", onClose() {} });
  const ctx = newRequestContext(quietLogger(), { transport: "tcp", hostname: "::1", port: 1 });
  const resp = await filter(fakeWith(12).handler)(
    new Request("http://localhost/v1/AUTH_test/mancon/manifest"),
    ctx,
  );
  assert((await resp.text()).endsWith("lllll"));
});
