/**
 * egg:swift#copy against Swift 2.30's copy middleware (_large_object_oracle.py): each case is
 * served by both over fakes given the same backend answers, and must give the same status,
 * headers, body, subrequests (with their headers and swift.source) and PUT bodies.
 */
import { assertEquals } from "@std/assert";
import { parseOptions, type StageConfig } from "../../lib/config/load.ts";
import { COPY_FILTER } from "../../lib/config/options/copy.ts";
import { copyFilter } from "../../lib/middleware/copy.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { FakeSwift } from "../_helpers/fake_swift.ts";
import {
  type LoCase,
  quietLogger,
  type Registration,
  swiftdResult,
  swiftResults,
} from "./_large_object_oracle.ts";

function stage(): StageConfig {
  const conf = new Map<string, { value: string }>();
  return {
    kind: "filter",
    name: "copy",
    section: "filter:copy",
    entryPoint: "copy",
    conf,
    options: parseOptions(COPY_FILTER, conf, { file: "test.conf" }, () => {}),
    origin: { file: "test.conf" },
  };
}

const build = { logger: quietLogger(), server: "proxy-server", onClose() {} };
const filter = copyFilter(stage(), build);

const LM = "Tue, 01 Jan 2019 00:00:00 GMT";
const HELLO_ETAG = "5d41402abc4b2a76b9719d911017c592";

function source(path: string, headers: [string, string][] = [], body = "hello"): Registration {
  return [
    "GET",
    path,
    200,
    [["Content-Type", "text/plain"], ["Etag", HELLO_ETAG], ["Last-Modified", LM], ...headers],
    body,
  ];
}

const put = (path: string, status = 201): Registration => ["PUT", path, status, [], ""];

const CASES: [string, LoCase][] = [
  ["COPY copies body and metadata, the client's metadata added", {
    middleware: "copy",
    register: [source("/v1/a/c/o", [["X-Object-Meta-Color", "blue"]]), put("/v1/a/c/o2")],
    method: "COPY",
    path: "/v1/a/c/o",
    headers: [["Destination", "c/o2"], ["X-Object-Meta-Shape", "round"]],
  }],
  ["PUT with X-Copy-From copies across containers", {
    middleware: "copy",
    register: [source("/v1/a/c1/o"), put("/v1/a/c2/o")],
    method: "PUT",
    path: "/v1/a/c2/o",
    headers: [["X-Copy-From", "/c1/o"], ["Content-Length", "0"]],
  }],
  ["the client's metadata wins over the source's", {
    middleware: "copy",
    register: [source("/v1/a/c/o", [["X-Object-Meta-Color", "blue"]]), put("/v1/a/c/o2")],
    method: "PUT",
    path: "/v1/a/c/o2",
    headers: [["X-Copy-From", "c/o"], ["X-Object-Meta-Color", "red"], [
      "Content-Type",
      "image/png",
    ]],
  }],
  ["X-Fresh-Metadata keeps only system metadata", {
    middleware: "copy",
    register: [
      source("/v1/a/c/o", [["X-Object-Meta-Color", "blue"], ["X-Object-Sysmeta-Test", "s"]]),
      put("/v1/a/c/o2"),
    ],
    method: "PUT",
    path: "/v1/a/c/o2",
    headers: [["X-Copy-From", "c/o"], ["X-Fresh-Metadata", "true"], [
      "X-Object-Meta-Shape",
      "square",
    ]],
  }],
  ["a copy request with a body is refused", {
    middleware: "copy",
    register: [],
    method: "PUT",
    path: "/v1/a/c/o2",
    headers: [["X-Copy-From", "c/o"]],
    body: "x",
  }],
  ["X-Copy-From without an object is a 412", {
    middleware: "copy",
    register: [],
    method: "PUT",
    path: "/v1/a/c/o2",
    headers: [["X-Copy-From", "/c"]],
  }],
  ["an X-Copy-From-Account with a slash is a 412", {
    middleware: "copy",
    register: [],
    method: "PUT",
    path: "/v1/a/c/o2",
    headers: [["X-Copy-From", "/c/o"], ["X-Copy-From-Account", "a/b"]],
  }],
  ["X-Copy-From-Account reads the source from another account", {
    middleware: "copy",
    register: [source("/v1/a2/c/o"), put("/v1/a/c/o")],
    method: "PUT",
    path: "/v1/a/c/o",
    headers: [["X-Copy-From", "c/o"], ["X-Copy-From-Account", "a2"]],
  }],
  ["COPY without Destination is a 412", {
    middleware: "copy",
    register: [],
    method: "COPY",
    path: "/v1/a/c/o",
  }],
  ["COPY with a bad Destination is a 412", {
    middleware: "copy",
    register: [],
    method: "COPY",
    path: "/v1/a/c/o",
    headers: [["Destination", "c"]],
  }],
  ["COPY with an empty Destination-Account is a 412", {
    middleware: "copy",
    register: [],
    method: "COPY",
    path: "/v1/a/c/o",
    headers: [["Destination", "c/o"], ["Destination-Account", ""]],
  }],
  ["COPY with Destination-Account writes to that account", {
    middleware: "copy",
    register: [source("/v1/a/c/o"), put("/v1/a2/c2/o2")],
    method: "COPY",
    path: "/v1/a/c/o",
    headers: [["Destination", "/c2/o2"], ["Destination-Account", "a2"]],
  }],
  ["a missing source passes its 404 on", {
    middleware: "copy",
    register: [["GET", "/v1/a/c/o", 404, [], "nope"]],
    method: "COPY",
    path: "/v1/a/c/o",
    headers: [["Destination", "c/o2"]],
  }],
  ["a failing source passes its 503 on", {
    middleware: "copy",
    register: [["GET", "/v1/a/c/o", 503, [], ""]],
    method: "PUT",
    path: "/v1/a/c/o2",
    headers: [["X-Copy-From", "c/o"]],
  }],
  ["a source larger than max_file_size is a 413", {
    middleware: "copy",
    register: [["GET", "/v1/a/c/o", 200, [["Content-Length", "5368709123"]], ""]],
    method: "PUT",
    path: "/v1/a/c/o2",
    headers: [["X-Copy-From", "c/o"]],
  }],
  ["a failing destination PUT gets no X-Copied-From headers", {
    middleware: "copy",
    register: [source("/v1/a/c/o"), put("/v1/a/c/o2", 503)],
    method: "PUT",
    path: "/v1/a/c/o2",
    headers: [["X-Copy-From", "c/o"]],
  }],
  ["a Range copies part of the source without its ETag", {
    middleware: "copy",
    register: [source("/v1/a/c/o"), put("/v1/a/c/o2")],
    method: "PUT",
    path: "/v1/a/c/o2",
    headers: [["X-Copy-From", "c/o"], ["Range", "bytes=1-3"]],
  }],
  ["an unsatisfiable Range is the source's 416", {
    middleware: "copy",
    register: [source("/v1/a/c/o")],
    method: "PUT",
    path: "/v1/a/c/o2",
    headers: [["X-Copy-From", "c/o"], ["Range", "bytes=10-20"]],
  }],
  ["If-Match on the source is checked", {
    middleware: "copy",
    register: [source("/v1/a/c/o")],
    method: "COPY",
    path: "/v1/a/c/o",
    headers: [["Destination", "c/o2"], ["If-Match", "nope"]],
  }],
  ["copying an SLO manifest with multipart-manifest=get PUTs a manifest", {
    middleware: "copy",
    register: [
      ["GET", "/v1/a/c/man?multipart-manifest=get&format=raw", 200, [
        ["Content-Type", "application/json"],
        ["X-Static-Large-Object", "True"],
        ["Etag", "abc"],
      ], "[]"],
      ["PUT", "/v1/a/c/man2?multipart-manifest=put", 201, [], ""],
    ],
    method: "COPY",
    path: "/v1/a/c/man?multipart-manifest=get",
    headers: [["Destination", "c/man2"]],
  }],
  ["copying an SLO's content sends no ETag and drops container-update overrides", {
    middleware: "copy",
    register: [
      source("/v1/a/c/man", [
        ["X-Static-Large-Object", "True"],
        ["X-Object-Sysmeta-Container-Update-Override-Etag", "x; slo_etag=y"],
      ]),
      put("/v1/a/c/o2"),
    ],
    method: "COPY",
    path: "/v1/a/c/man",
    headers: [["Destination", "c/o2"]],
  }],
  ["copying a DLO manifest with multipart-manifest=get keeps X-Object-Manifest", {
    middleware: "copy",
    register: [
      ["GET", "/v1/a/c/dlo?multipart-manifest=get&format=raw", 200, [
        ["X-Object-Manifest", "segs/pre"],
        ["Etag", "d41d8cd98f00b204e9800998ecf8427e"],
      ], ""],
      ["PUT", "/v1/a/c/dlo2", 201, [], ""],
    ],
    method: "COPY",
    path: "/v1/a/c/dlo?multipart-manifest=get",
    headers: [["Destination", "c/dlo2"]],
  }],
  ["copying a DLO's content sends no ETag", {
    middleware: "copy",
    register: [source("/v1/a/c/dlo", [["X-Object-Manifest", "segs/pre"]]), put("/v1/a/c/o2")],
    method: "PUT",
    path: "/v1/a/c/o2",
    headers: [["X-Copy-From", "c/dlo"]],
  }],
  ["a version-id is used for the source only", {
    middleware: "copy",
    register: [
      ["GET", "/v1/a/c/o?version-id=1.5", 200, [
        ["Etag", HELLO_ETAG],
        ["X-Object-Version-Id", "1.5"],
      ], "hello"],
      ["PUT", "/v1/a/c/o2", 201, [], ""],
    ],
    method: "COPY",
    path: "/v1/a/c/o?version-id=1.5",
    headers: [["Destination", "c/o2"]],
  }],
  ["quoted names are unquoted for the source and quoted in X-Copied-From", {
    middleware: "copy",
    register: [source("/v1/a/c/o%20%E2%98%83/x"), put("/v1/a/c/d%20st")],
    method: "PUT",
    path: "/v1/a/c/d%20st",
    headers: [["X-Copy-From", "/c/o%20%E2%98%83/x"]],
  }],
  ["OPTIONS answers list COPY", {
    middleware: "copy",
    register: [["OPTIONS", "/v1/a/c/o", 200, [
      ["Allow", "GET, PUT"],
      ["Access-Control-Allow-Methods", "GET"],
    ], ""]],
    method: "OPTIONS",
    path: "/v1/a/c/o",
  }],
  ["requests that are not for an object pass through", {
    middleware: "copy",
    register: [["PUT", "/v1/a/c", 201, [], ""]],
    method: "PUT",
    path: "/v1/a/c",
    headers: [["X-Copy-From", "c/o"]],
  }],
];

Deno.test("copy answers every case as Swift's copy middleware does", async () => {
  const expected = await swiftResults(CASES.map(([, c]) => c));
  for (const [i, [name, c]] of CASES.entries()) {
    assertEquals(await swiftdResult(c, filter), expected[i], name);
  }
});

Deno.test("a COPY is logged as the method the client sent", async () => {
  const fake = new FakeSwift();
  fake.register("GET", "/v1/a/c/o", 200, { Etag: HELLO_ETAG }, "hello");
  fake.register("PUT", "/v1/a/c/o2", 201);
  const ctx = newRequestContext(quietLogger(), { transport: "tcp", hostname: "::1", port: 1 });
  const resp = await filter(fake.handler)(
    new Request("http://localhost/v1/a/c/o", { method: "COPY", headers: { Destination: "c/o2" } }),
    ctx,
  );
  await resp.body?.cancel();
  assertEquals(resp.status, 201);
  assertEquals(ctx.env["swift.orig_req_method"], "COPY");
  assertEquals(fake.calls[1].body, new TextEncoder().encode("hello"));
  assertEquals(fake.unclosed, 0);
});

Deno.test("the source body streams into the destination PUT", async () => {
  const fake = new FakeSwift();
  const chunks = Array.from({ length: 64 }, (_, i) => new Uint8Array(16 * 1024).fill(i));
  fake.register("GET", "/v1/a/c/big", 200, { "Content-Length": String(64 * 16 * 1024) }, chunks);
  fake.register("PUT", "/v1/a/c/copy", 201);
  const ctx = newRequestContext(quietLogger(), { transport: "tcp", hostname: "::1", port: 1 });
  const resp = await filter(fake.handler)(
    new Request("http://localhost/v1/a/c/copy", {
      method: "PUT",
      headers: { "X-Copy-From": "c/big" },
    }),
    ctx,
  );
  assertEquals(resp.status, 201);
  assertEquals(fake.calls[1].body?.length, 64 * 16 * 1024);
  assertEquals(fake.calls[1].headers.get("Content-Length"), String(64 * 16 * 1024));
  assertEquals(resp.headers.get("X-Copied-From"), "c/big");
});
