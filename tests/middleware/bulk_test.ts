/**
 * egg:swift#bulk against Swift 2.30's bulk middleware (_bulk_oracle.ts/.py): archives of
 * each compression, nested and long names, names that are not UTF-8 or hold `..`, xattr
 * metadata, malformed and truncated archives, failures injected in the backend, limits,
 * heartbeats, and delete lists with retries, concurrency and failures must give the same
 * responses, body chunks, subrequests and bodies PUT. Then what only swiftd can show: raw
 * paths kept for the pipeline, /info, the option table, and streaming without buffering.
 */
import { assertEquals } from "@std/assert";
import { BULK_FILTER } from "../../lib/config/options/bulk.ts";
import { bulkFilterWith, bulkInfo } from "../../lib/middleware/bulk.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { rawPath, requestFor } from "../../lib/server/request_path.ts";
import { quietLogger } from "./_large_object_oracle.ts";
import {
  type Answer,
  type BulkCase,
  type Registration,
  settingsFor,
  swiftdResult,
  swiftResults,
} from "./_bulk_oracle.ts";

const TOKEN: [string, string] = ["X-Auth-Token", "AUTH_tk"];
const ok = (...paths: string[]): Registration[] => paths.map((p) => ["PUT", p, [[201]]]);
const head = (path: string, status: number, put?: number): Registration[] => [
  ["HEAD", path, [[status]]],
  ...(put === undefined ? [] : [["PUT", path, [[put]]] as Registration]),
];
const del = (
  path: string,
  ...answers: number[]
): Registration => ["DELETE", path, answers.map((s): Answer => [s])];

const SIMPLE: Registration[] = [
  ...head("/v1/a/cont", 404, 201),
  ...head("/v1/a/cont2", 204),
  ...ok("/v1/a/cont/a.txt", "/v1/a/cont/dir/b.txt", "/v1/a/cont/empty", "/v1/a/cont2/c.txt"),
];
const extract = (
  archive: string,
  type: string,
  register: Registration[],
  more: Partial<BulkCase> & { path?: string; headers?: [string, string][] } = {},
): BulkCase => ({
  conf: more.conf,
  tick: more.tick,
  register,
  request: {
    method: "PUT",
    path: `${more.path ?? "/v1/a"}?extract-archive=${type}`,
    headers: [TOKEN, ...(more.headers ?? [])],
    archive,
  },
});
const bulkDelete = (
  body: string,
  register: Registration[],
  more: Partial<BulkCase["request"]> & { conf?: Record<string, string>; tick?: number } = {},
): BulkCase => ({
  conf: more.conf,
  tick: more.tick,
  register,
  request: {
    method: more.method ?? "POST",
    path: more.path ?? "/v1/a?bulk-delete",
    headers: [TOKEN, ...(more.headers ?? [])],
    body,
    chunked: more.chunked,
    noLength: more.noLength,
  },
});

const MANY = (status: number): Registration[] => [
  ...[0, 1, 2, 3].flatMap((i) => head(`/v1/a/c${i}`, 404, 201)),
  ...Array.from(
    { length: 12 },
    (_, i): Registration => ["PUT", `/v1/a/c${i % 4}/obj${i}`, [[status]]],
  ),
];

const EXTRACT_CASES: BulkCase[] = [
  extract("simple.tar", "tar", SIMPLE, {
    headers: [
      ["User-Agent", "curl/8"],
      ["X-Object-Meta-Color", "blue"],
      ["X-Delete-After", "60"],
      ["Content-Type", "application/x-tar"],
      ["X-Object-Meta-", "too short"],
    ],
  }),
  extract("simple.tar.gz", "tar.gz", SIMPLE, { headers: [["Accept", "application/json"]] }),
  extract("simple.tar.bz2", "tar.bz2", SIMPLE, { headers: [["Accept", "application/xml"]] }),
  extract("simple.tar", ".TAR.", SIMPLE, { headers: [["Accept", "text/xml"]] }),
  extract("simple.tar", "tar", SIMPLE, { headers: [["Accept", "image/png"]] }),
  extract("simple.tar", "tar", SIMPLE, { headers: [["Accept", "text/plain;q=x"]] }),
  extract("simple.tar", "tar", [
    ...head("/v1/a/base", 404, 201),
    ...ok(
      "/v1/a/base/dir/cont/a.txt",
      "/v1/a/base/dir/cont/dir/b.txt",
      "/v1/a/base/dir/cont/empty",
      "/v1/a/base/dir/top-level",
      "/v1/a/base/dir/cont2/c.txt",
    ),
  ], { path: "/v1/a/base/dir//" }),
  extract("names.tar", "tar", [
    ...head("/v1/a/cont", 204),
    ["HEAD", "/v1/a/" + "\xc3\xa9".repeat(700), [[400]]],
    ["PUT", "/v1/a/cont/" + "long".repeat(40), [[201]]],
    ["PUT", "/v1/a/cont/caf\xc3\xa9 \xe2\x98\x83", [[201]]],
    ["PUT", "/v1/a/cont/a%20b+c", [[201]]],
    ["PUT", "/v1/a/cont/" + "x".repeat(1300), [[400]]],
    ["PUT", "/v1/a/" + "\xc3\xa9".repeat(700) + "/obj", [[400]]],
  ]),
  extract("names.pax.tar", "tar", [
    ...head("/v1/a/cont", 204),
    ["HEAD", "/v1/a/" + "\xc3\xa9".repeat(700), [[404]]],
    ["PUT", "/v1/a/" + "\xc3\xa9".repeat(700), [[201]]],
    ...ok(
      "/v1/a/cont/" + "long".repeat(40),
      "/v1/a/cont/caf\xc3\xa9 \xe2\x98\x83",
      "/v1/a/cont/a%20b+c",
      "/v1/a/cont/" + "x".repeat(1300),
      "/v1/a/" + "\xc3\xa9".repeat(700) + "/obj",
    ),
  ]),
  extract("dots.tar", "tar", [
    ...head("/v1/a/cont", 204),
    ...head("/v1/a/..", 404, 201),
    ...ok("/v1/a/cont/../other/x", "/v1/a/cont/./y", "/v1/a/../../etc/z", "/v1/a/cont/z"),
  ]),
  extract("xattrs.tar", "tar", [
    ...head("/v1/a/cont", 204),
    ...ok("/v1/a/cont/typed", "/v1/a/cont/plain"),
  ], { headers: [["X-Object-Meta-Lunch", "salad"]] }),
  extract("bad-xattr.tar", "tar", [
    ...head("/v1/a/cont", 204),
    ...ok("/v1/a/cont/ok", "/v1/a/cont/bad"),
  ]),
  extract("huge.tar", "tar", [...head("/v1/a/cont", 204), ...ok("/v1/a/cont/small")]),
  // Failures injected in the backend.
  extract("simple.tar", "tar", [
    ...head("/v1/a/cont", 204),
    ...head("/v1/a/cont2", 204),
    ["PUT", "/v1/a/cont/a.txt", [[503]]],
    ["PUT", "/v1/a/cont/dir/b.txt", [[400]]],
    ...ok("/v1/a/cont/empty", "/v1/a/cont2/c.txt"),
  ]),
  extract("simple.tar", "tar", [...head("/v1/a/cont", 204), ["PUT", "/v1/a/cont/a.txt", [[401]]]]),
  extract("simple.tar", "tar", head("/v1/a/cont", 401)),
  extract("simple.tar", "tar", [
    ...head("/v1/a/cont", 403),
    ...head("/v1/a/cont2", 404, 507),
    ["PUT", "/v1/a/cont/a.txt", [[403]]],
    ...ok("/v1/a/cont/dir/b.txt", "/v1/a/cont/empty"),
    ["PUT", "/v1/a/cont2/c.txt", [[404]]],
  ]),
  extract("simple.tar", "tar", [...head("/v1/a/cont", 404, 201)]),
  extract("many.tar", "tar", MANY(400), { conf: { max_failed_extractions: "2" } }),
  extract("many.tar", "tar", MANY(201), { conf: { max_containers_per_extraction: "2" } }),
  extract("many.tar", "tar", MANY(201), { tick: 6 }),
  extract("many.tar", "tar", MANY(201), { tick: 4, headers: [["Accept", "application/xml"]] }),
  // Bad archives.
  ...[
    ["empty", "tar"],
    ["garbage.tar", "tar"],
    ["truncated.tar", "tar"],
    ["truncated.tar.gz", "tar.gz"],
    ["corrupt.tar.gz", "tar.gz"],
    ["truncated.tar.bz2", "tar.bz2"],
    ["corrupt.tar.bz2", "tar.bz2"],
    ["two-streams.tar.bz2", "tar.bz2"],
    ["bad-checksum.tar", "tar"],
    ["simple.tar", "tar.gz"],
    ["simple.tar.gz", "tar.bz2"],
  ].map(([archive, type]) => extract(archive, type, [...SIMPLE, ...MANY(201)])),
  extract("simple.tar", "zip", SIMPLE),
  extract("simple.tar", "tar", SIMPLE, { path: "/v1" }),
  {
    ...extract("simple.tar", "tar", SIMPLE),
    request: { ...extract("simple.tar", "tar", SIMPLE).request, noLength: true },
  },
  {
    ...extract("simple.tar", "tar", SIMPLE),
    request: { ...extract("simple.tar", "tar", SIMPLE).request, chunked: true },
  },
  {
    register: [["POST", "/v1/a/c", [[204]]]],
    request: { method: "POST", path: "/v1/a/c?extract-archive=tar", body: "" },
  },
];

const DELETE_CASES: BulkCase[] = [
  bulkDelete("/c/o1\n/c/o2\n/c\n", [
    del("/v1/a/c/o1", 204),
    del("/v1/a/c/o2", 404),
    del("/v1/a/c", 204),
  ]),
  bulkDelete("/c/o1\r\n  c/o2  \n\n/c", [
    del("/v1/a/c/o1", 204),
    del("/v1/a/c/o2", 204),
    del("/v1/a/c", 204),
  ], {
    method: "DELETE",
    headers: [["Accept", "application/json"], ["User-Agent", "tester"]],
  }),
  bulkDelete("/c/caf%C3%A9\n/c/with%20space\n/c/%FF\n/c/%00x\n%2Fc%2Fslash", [
    del("/v1/a/c/caf\xc3\xa9", 204),
    del("/v1/a/c/with space", 204),
    del("/v1/a/c/slash", 204),
  ], { headers: [["Accept", "application/xml"]] }),
  bulkDelete("", []),
  bulkDelete("/c/o", [del("/v1/a/c/o", 204)], { headers: [["Content-Type", "application/json"]] }),
  bulkDelete("/c/o", [del("/v1/a/c/o", 204)], {
    headers: [["Content-Type", "text/plain; charset=utf-8"]],
  }),
  bulkDelete("/c/o", [del("/v1/a/c/o", 204)], { headers: [["Accept", "image/png"]] }),
  bulkDelete("/c/1\n/c/2\n/c/3", [], { conf: { max_deletes_per_request: "2" } }),
  bulkDelete("/c/1\n\n\n", [del("/v1/a/c/1", 204)], { conf: { max_deletes_per_request: "2" } }),
  bulkDelete("a".repeat(3000), []),
  bulkDelete("/c/o\n/c\n/d\n/e", [
    del("/v1/a/c/o", 503),
    del("/v1/a/c", 409),
    del("/v1/a/d", 401),
    del("/v1/a/e", 400),
  ]),
  bulkDelete("/c\n/d", [del("/v1/a/c", 409, 409, 204), del("/v1/a/d", 409, 409, 409)], {
    conf: { delete_container_retry_count: "2" },
  }),
  bulkDelete(
    "/c/1\n/c/2\n/c/3\n/c/4\n/c/5\n/c/6",
    [1, 2, 3, 4, 5, 6].map((i) => del(`/v1/a/c/${i}`, 503)),
    {
      conf: { max_failed_deletes: "2" },
    },
  ),
  bulkDelete(
    "/c/1\n/c/2\n/c/3\n/c/4\n/c/5",
    [1, 2, 3, 4, 5].map((i) => del(`/v1/a/c/${i}`, [204, 404, 409, 500, 204][i - 1])),
    {
      conf: { delete_concurrency: "3" },
      tick: 6,
    },
  ),
  bulkDelete("/c/1\n/c/2\n/c/3", [del("/v1/a/c/2", 204)]),
  bulkDelete("/c/1\n/c/2\n/c/3", [], { conf: { delete_concurrency: "1" } }),
  bulkDelete("/c/1\n/c/2", [del("/v1/a/c/1", 204), del("/v1/a/c/2", 204)], {
    tick: 11,
    headers: [["Accept", "text/xml"]],
  }),
  bulkDelete("/c/o", [], { path: "/v1?bulk-delete" }),
  bulkDelete("///c///o//\n/\n/c/../../x", [
    del("/v1/a/c///o//", 204),
    del("/v1/a/", 405),
    del("/v1/a/c/../../x", 204),
  ]),
  bulkDelete("/c/o", [del("/v1/a/c/o", 204)], { chunked: true }),
  bulkDelete("/c/o", [], { noLength: true }),
  bulkDelete("/c/o", [del("/v1/a/c/o", 204)], { path: "/v1/a/c?bulk-delete&version-id=1" }),
];

Deno.test("extract-archive answers, subrequests and reports as Swift's bulk does", async () => {
  const { archives, results } = await swiftResults(EXTRACT_CASES);
  for (const [i, c] of EXTRACT_CASES.entries()) {
    assertEquals(
      await swiftdResult(c, archives),
      results[i],
      `${c.request.path} ${c.request.archive}`,
    );
  }
});

Deno.test("bulk-delete answers, subrequests and reports as Swift's bulk does", async () => {
  const { archives, results } = await swiftResults(DELETE_CASES);
  for (const [i, c] of DELETE_CASES.entries()) {
    assertEquals(
      await swiftdResult(c, archives),
      results[i],
      `${c.request.path} ${JSON.stringify(c.request.body)}`,
    );
  }
});

Deno.test("bulk sends names with dot segments down the pipeline as they are", async () => {
  const seen: string[] = [];
  const handler = bulkFilterWith(settingsFor({}))((req) => {
    seen.push(`${req.method} ${rawPath(req)}`);
    return Promise.resolve(new Response(null, { status: 204 }));
  });
  const resp = await handler(
    requestFor("/v1/a?bulk-delete", "http://localhost", {
      method: "POST",
      headers: { "Content-Length": "23" },
      body: "/c/../../b/c/o\n/c/./o\n",
    }),
    newRequestContext(quietLogger(), { transport: "tcp", hostname: "127.0.0.1", port: 1 }),
  );
  await resp.text();
  assertEquals(seen, ["DELETE /v1/a/c/../../b/c/o", "DELETE /v1/a/c/./o"]);
});

Deno.test("bulkInfo() gives Swift's bulk_upload and bulk_delete /info sections", () => {
  assertEquals(
    bulkInfo({
      max_containers_per_extraction: 10000,
      max_failed_extractions: 1000,
      max_deletes_per_request: 10000,
      max_failed_deletes: 1000,
    }),
    {
      bulk_upload: { max_containers_per_extraction: 10000, max_failed_extractions: 1000 },
      bulk_delete: { max_deletes_per_request: 10000, max_failed_deletes: 1000 },
    },
  );
});

Deno.test("BULK_FILTER declares every key Swift's bulk filter_factory reads, with its defaults", () => {
  const own = Object.fromEntries(
    BULK_FILTER.options.filter((o) => !o.key.startsWith("log_")).map((o) => [o.key, o.default]),
  );
  assertEquals(own, {
    max_containers_per_extraction: "10000",
    max_failed_extractions: "1000",
    max_deletes_per_request: "10000",
    max_failed_deletes: "1000",
    yield_frequency: "10",
    delete_concurrency: "2",
    delete_container_retry_count: "0",
    swift_dir: "/etc/swift", // swiftd reads swift.conf there; Swift always reads /etc/swift
  });
  assertEquals(BULK_FILTER.complete, true);
});

/** A ustar header for a regular file (what any tar writes). */
function ustarHeader(name: string, size: number): Uint8Array {
  const buf = new Uint8Array(512);
  const put = (at: number, text: string) => buf.set(new TextEncoder().encode(text), at);
  put(0, name);
  put(100, "0000644\0");
  put(124, size.toString(8).padStart(11, "0") + "\0");
  put(136, "00000000000\0");
  put(156, "0");
  put(257, "ustar\x0000");
  put(148, "        ");
  const sum = buf.reduce((n, b) => n + b, 0);
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  return buf;
}

Deno.test("extract-archive streams members to their PUTs without reading the archive whole", async () => {
  const size = 300 * 1024;
  const parts = [ustarHeader("c/one", size), new Uint8Array(size).fill(1)];
  parts.push(ustarHeader("c/two", size), new Uint8Array(size).fill(2), new Uint8Array(1024));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const archive = new Uint8Array(total);
  parts.reduce((at, p) => (archive.set(p, at), at + p.length), 0);
  let delivered = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (delivered >= total) return controller.close();
      const piece = archive.slice(delivered, delivered + 8192);
      delivered += piece.length;
      controller.enqueue(piece);
    },
  });
  const seenAtPut: number[] = [];
  const received: number[] = [];
  const handler = bulkFilterWith(settingsFor({}))(async (req) => {
    if (req.method === "PUT" && rawPath(req).split("/").length > 4) {
      seenAtPut.push(delivered);
      received.push((await req.arrayBuffer()).byteLength);
    }
    return new Response(null, { status: req.method === "HEAD" ? 204 : 201 });
  });
  const resp = await handler(
    requestFor("/v1/a?extract-archive=tar", "http://localhost", {
      method: "PUT",
      headers: { "Content-Length": String(total) },
      body,
      duplex: "half",
    } as RequestInit),
    newRequestContext(quietLogger(), { transport: "tcp", hostname: "127.0.0.1", port: 1 }),
  );
  const report = await resp.text();
  assertEquals(report.includes("Number Files Created: 2"), true, report);
  assertEquals(received, [size, size]);
  // The first PUT starts with at most a record or two of the archive read.
  assertEquals(seenAtPut[0] < 3 * 10240, true, `${seenAtPut[0]} bytes read before the PUT`);
});
