/**
 * egg:swift#symlink: the same requests through Swift 2.30's symlink middleware (over Swift's
 * FakeSwift, _versioning_oracle.py) and swiftd's filter, compared on what the client gets
 * and what reaches the backend; plus the option table and /info.
 */
import { assertEquals, assertThrows } from "@std/assert";
import { SYMLINK_FILTER } from "../../lib/config/options/symlink.ts";
import { symlinkFilter, symlinkInfo } from "../../lib/middleware/symlink.ts";
import { parseHeader } from "../../lib/middleware/symlink/listing.ts";
import { stageOf } from "./_filter_oracle.ts";
import { assertSameAsSwift, type Registered, type VersioningCase } from "./_versioning_oracle.ts";

const ETAG = "d41d8cd98f00b204e9800998ecf8427e";
const TARGET_ETAG = "0123456789abcdef0123456789abcdef";

function link(path: string, headers: Record<string, string>): Registered {
  return { method: "GET", path, status: 200, headers: { "Content-Length": "0", ...headers } };
}

/** JSON as Swift's servers write it: non-ASCII as \u escapes. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[^\p{ASCII}]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function sym(
  method: string,
  path: string,
  extra: Partial<VersioningCase> = {},
): VersioningCase {
  return { pipeline: ["symlink"], method, path, ...extra };
}

const PUT_CASES: VersioningCase[] = [
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c1/o"], ["Content-Length", "0"]],
    responses: [{ method: "PUT", path: "/v1/a/c/link", status: 201 }],
  }),
  // Quoted target, an account, and a content type of the client's own.
  sym("PUT", "/v1/a/c/link", {
    headers: [
      ["X-Symlink-Target", "c1/%E2%98%83%2Fo"],
      ["X-Symlink-Target-Account", "a%2Db"],
      ["Content-Type", "text/x-mine"],
      ["Content-Length", "0"],
    ],
    responses: [{ method: "PUT", path: "/v1/a/c/link", status: 201 }],
  }),
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c1/o"], ["Content-Length", "3"]],
    body: "abc",
  }),
  sym("PUT", "/v1/a/c/link", { headers: [["X-Symlink-Target", "/c1/o"]] }),
  sym("PUT", "/v1/a/c/link", { headers: [["X-Symlink-Target", "%2Fc1/o"]] }),
  sym("PUT", "/v1/a/c/link", { headers: [["X-Symlink-Target", "c1"]] }),
  sym("PUT", "/v1/a/c/link", { headers: [["X-Symlink-Target", "c1/"]] }),
  sym("PUT", "/v1/a/c/link", { headers: [["X-Symlink-Target", "c/link"]] }),
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c/link"], ["X-Symlink-Target-Account", "a"]],
  }),
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c/o"], ["X-Symlink-Target-Account", ""]],
  }),
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c/o"], ["X-Symlink-Target-Account", "a/b"]],
  }),
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c/o"], ["X-Symlink-Target-Etag", "ab;c"]],
  }),
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c/o"], ["X-Symlink-Target-Etag", "a\\b"]],
  }),
  // Static links: the target must exist with that ETag.
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c1/o"], ["X-Symlink-Target-Etag", `"${TARGET_ETAG}"`]],
    responses: [
      {
        method: "HEAD",
        path: "/v1/a/c1/o",
        status: 200,
        headers: { ETag: TARGET_ETAG, "Content-Length": "42", "Content-Type": "image/png" },
      },
      { method: "PUT", path: "/v1/a/c/link", status: 201 },
    ],
  }),
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c1/o"], ["X-Symlink-Target-Etag", "not-it"]],
    responses: [
      { method: "HEAD", path: "/v1/a/c1/o", status: 200, headers: { ETag: TARGET_ETAG } },
    ],
  }),
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c1/o"], ["X-Symlink-Target-Etag", TARGET_ETAG]],
    responses: [{ method: "HEAD", path: "/v1/a/c1/o", status: 404 }],
  }),
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c1/o"], ["X-Symlink-Target-Etag", TARGET_ETAG]],
    responses: [{ method: "HEAD", path: "/v1/a/c1/o", status: 503 }],
  }),
  // A static link to an SLO records the manifest's size and etag for the listing.
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c1/slo"], ["X-Symlink-Target-Etag", TARGET_ETAG]],
    responses: [
      {
        method: "HEAD",
        path: "/v1/a/c1/slo",
        status: 200,
        headers: {
          ETag: TARGET_ETAG,
          "X-Object-Sysmeta-Slo-Etag": "5105e1a6b3b80b6e38c1f1e84ae7bad8",
          "X-Object-Sysmeta-Slo-Size": "1048576",
          "X-Object-Sysmeta-Container-Update-Override-Etag":
            "abc; slo_etag=5105e1a6b3b80b6e38c1f1e84ae7bad8",
        },
      },
      { method: "PUT", path: "/v1/a/c/link", status: 201 },
    ],
  }),
  // A static link to another static link is checked against the link's target etag.
  sym("PUT", "/v1/a/c/link2", {
    headers: [["X-Symlink-Target", "c/link"], ["X-Symlink-Target-Etag", TARGET_ETAG]],
    responses: [
      {
        method: "HEAD",
        path: "/v1/a/c/link",
        status: 200,
        headers: {
          ETag: ETAG,
          "X-Object-Sysmeta-Symlink-Target": "c1/o",
          "X-Object-Sysmeta-Symlink-Target-Etag": TARGET_ETAG,
        },
      },
      {
        method: "HEAD",
        path: "/v1/a/c1/o",
        status: 200,
        headers: { ETag: TARGET_ETAG, "Content-Length": "7" },
      },
      { method: "PUT", path: "/v1/a/c/link2", status: 201 },
    ],
  }),
  // Without Content-Length, one byte of the body tells whether there is one.
  sym("PUT", "/v1/a/c/link", { headers: [["X-Symlink-Target", "c1/o"]], body: "x" }),
  sym("PUT", "/v1/a/c/link", {
    headers: [["X-Symlink-Target", "c1/o"]],
    responses: [{ method: "PUT", path: "/v1/a/c/link", status: 201 }],
  }),
  // A static link checked by a client allowed into the reserved namespace.
  sym("PUT", "/v1/a/c/link", {
    headers: [
      ["X-Symlink-Target", "%00c/%00o"],
      ["X-Symlink-Target-Etag", TARGET_ETAG],
      ["X-Backend-Allow-Reserved-Names", "true"],
      ["Content-Type", "text/x-link"],
    ],
    responses: [
      {
        method: "HEAD",
        path: "/v1/a/\x00c/\x00o",
        status: 200,
        headers: { ETag: TARGET_ETAG, "Content-Length": "3" },
      },
      { method: "PUT", path: "/v1/a/c/link", status: 201 },
    ],
  }),
  // PUT without X-Symlink-Target is any other PUT.
  sym("PUT", "/v1/a/c/o", {
    headers: [["Content-Length", "3"]],
    body: "abc",
    responses: [{ method: "PUT", path: "/v1/a/c/o", status: 201 }],
  }),
];

const TARGET_HEADERS = { ETag: TARGET_ETAG, "Content-Type": "text/plain" };

const GET_CASES: VersioningCase[] = [
  sym("GET", "/v1/a/c/link", {
    responses: [
      link("/v1/a/c/link", { "X-Object-Sysmeta-Symlink-Target": "c1/o" }),
      { method: "GET", path: "/v1/a/c1/o", status: 200, headers: TARGET_HEADERS, body: "hello" },
    ],
  }),
  sym("HEAD", "/v1/a/c/link", {
    headers: [["X-Auth-Token", "t"], ["Range", "bytes=1-2"]],
    responses: [
      link("/v1/a/c/link", {
        "X-Object-Sysmeta-Symlink-Target": "c1/%E2%98%83",
        "X-Object-Sysmeta-Symlink-Target-Account": "other",
      }),
      { method: "GET", path: "/v1/other/c1/\xe2\x98\x83", status: 200, body: "hello" },
    ],
  }),
  sym("GET", "/v1/a/c/link", {
    responses: [
      link("/v1/a/c/link", { "X-Object-Sysmeta-Symlink-Target": "c1/o" }),
      { method: "GET", path: "/v1/a/c1/o", status: 404 },
    ],
  }),
  // A chain longer than symloop_max.
  sym("GET", "/v1/a/c/l0", {
    responses: [
      link("/v1/a/c/l0", { "X-Object-Sysmeta-Symlink-Target": "c/l1" }),
      link("/v1/a/c/l1", { "X-Object-Sysmeta-Symlink-Target": "c/l2" }),
      link("/v1/a/c/l2", { "X-Object-Sysmeta-Symlink-Target": "c/l3" }),
      { method: "GET", path: "/v1/a/c/l3", status: 200, body: "end" },
    ],
  }),
  sym("GET", "/v1/a/c/l0", {
    conf: { symlink: { symloop_max: "3" } },
    responses: [
      link("/v1/a/c/l0", { "X-Object-Sysmeta-Symlink-Target": "c/l1" }),
      link("/v1/a/c/l1", { "X-Object-Sysmeta-Symlink-Target": "c/l2" }),
      link("/v1/a/c/l2", { "X-Object-Sysmeta-Symlink-Target": "c/l3" }),
      { method: "GET", path: "/v1/a/c/l3", status: 200, body: "end" },
    ],
  }),
  // Links that extend the loop (versioning's) do not count.
  sym("GET", "/v1/a/c/l0", {
    responses: [
      link("/v1/a/c/l0", {
        "X-Object-Sysmeta-Symlink-Target": "c/l1",
        "X-Object-Sysmeta-Symloop-Extend": "true",
      }),
      link("/v1/a/c/l1", { "X-Object-Sysmeta-Symlink-Target": "c/l2" }),
      link("/v1/a/c/l2", { "X-Object-Sysmeta-Symlink-Target": "c/l3" }),
      { method: "GET", path: "/v1/a/c/l3", status: 200, body: "end" },
    ],
  }),
  // Static links: the target's ETag must still match.
  sym("GET", "/v1/a/c/link", {
    responses: [
      link("/v1/a/c/link", {
        "X-Object-Sysmeta-Symlink-Target": "c1/o",
        "X-Object-Sysmeta-Symlink-Target-Etag": TARGET_ETAG,
      }),
      { method: "GET", path: "/v1/a/c1/o", status: 200, headers: TARGET_HEADERS, body: "x" },
    ],
  }),
  sym("GET", "/v1/a/c/link", {
    responses: [
      link("/v1/a/c/link", {
        "X-Object-Sysmeta-Symlink-Target": "c1/o",
        "X-Object-Sysmeta-Symlink-Target-Etag": "changed",
      }),
      { method: "GET", path: "/v1/a/c1/o", status: 200, headers: TARGET_HEADERS, body: "x" },
    ],
  }),
  sym("GET", "/v1/a/c/link", {
    responses: [
      link("/v1/a/c/link", {
        "X-Object-Sysmeta-Symlink-Target": "c/l2",
        "X-Object-Sysmeta-Symlink-Target-Etag": TARGET_ETAG,
      }),
      link("/v1/a/c/l2", {
        "X-Object-Sysmeta-Symlink-Target": "c1/o",
        "X-Object-Sysmeta-Symlink-Target-Etag": "other",
      }),
    ],
  }),
  // A link into the reserved namespace is followed pre-authorized.
  sym("GET", "/v1/a/c/link", {
    env: { authorize: "deny403" },
    responses: [
      link("/v1/a/c/link", {
        "X-Object-Sysmeta-Symlink-Target": "%00versions%00c/%00o%00123",
        "X-Object-Sysmeta-Allow-Reserved-Names": "true",
      }),
      { method: "GET", path: "/v1/a/\x00versions\x00c/\x00o\x00123", status: 200, body: "v" },
    ],
  }),
  sym("GET", "/v1/a/c/link", {
    env: { authorize: "deny403" },
  }),
  sym("GET", "/v1/a/c/link?symlink=get", {
    responses: [
      link("/v1/a/c/link", {
        "X-Object-Sysmeta-Symlink-Target": "c1/o",
        "X-Object-Sysmeta-Symlink-Target-Account": "a2",
        "X-Object-Sysmeta-Symlink-Target-Etag": TARGET_ETAG,
        "X-Object-Sysmeta-Symlink-Target-Bytes": "7",
      }),
    ],
  }),
  sym("HEAD", "/v1/a/c/link?symlink=get&multipart-manifest=get", {
    responses: [link("/v1/a/c/link", { "X-Object-Sysmeta-Symlink-Target": "c1/o" })],
  }),
  // The client's query string follows the link.
  sym("GET", "/v1/a/c/link?multipart-manifest=get", {
    responses: [
      link("/v1/a/c/link", { "X-Object-Sysmeta-Symlink-Target": "c1/o" }),
      { method: "GET", path: "/v1/a/c1/o", status: 200, body: "m" },
    ],
  }),
  sym("GET", "/v1/a/c/plain", {
    responses: [{ method: "GET", path: "/v1/a/c/plain", status: 200, body: "plain" }],
  }),
];

const OTHER_CASES: VersioningCase[] = [
  sym("POST", "/v1/a/c/link", {
    headers: [["X-Object-Meta-Color", "red"]],
    responses: [{
      method: "POST",
      path: "/v1/a/c/link",
      status: 202,
      headers: {
        "X-Object-Sysmeta-Symlink-Target": "c1/o",
        "X-Object-Sysmeta-Symlink-Target-Etag": TARGET_ETAG,
        "X-Object-Sysmeta-Other": "kept",
      },
    }],
  }),
  sym("POST", "/v1/a/c/link", {
    responses: [{
      method: "POST",
      path: "/v1/a/c/link",
      status: 202,
      headers: {
        "X-Object-Sysmeta-Symlink-Target": "c1/o",
        "X-Object-Sysmeta-Symlink-Target-Account": "a2",
      },
    }],
  }),
  sym("POST", "/v1/a/c/o", { responses: [{ method: "POST", path: "/v1/a/c/o", status: 202 }] }),
  sym("POST", "/v1/a/c/o", { responses: [{ method: "POST", path: "/v1/a/c/o", status: 404 }] }),
  sym("POST", "/v1/a/c/link", { headers: [["X-Symlink-Target", "c/o"]] }),
  sym("DELETE", "/v1/a/c/link", {
    responses: [{ method: "DELETE", path: "/v1/a/c/link", status: 204 }],
  }),
  sym("GET", "/v1/a/c", {
    responses: [{
      method: "GET",
      path: "/v1/a/c",
      status: 200,
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: asciiJson([
        { name: "plain", hash: TARGET_ETAG, bytes: 3, content_type: "text/plain" },
        {
          name: "link",
          hash: `${ETAG}; symlink_target=c1/o; symlink_target_account=a2`,
          bytes: 0,
          content_type: "application/symlink",
        },
        {
          name: "static",
          hash: `${ETAG}; slo_etag=xyz; symlink_target=c1/%E2%98%83; ` +
            `symlink_target_etag=${TARGET_ETAG}; symlink_target_bytes=42`,
          bytes: 0,
          content_type: "image/png",
        },
        { subdir: "dir/" },
        { name: "\u2603", hash: `"quoted; x=1"; symlink_target="c/;o"`, bytes: 0 },
      ]),
    }],
  }),
  sym("GET", "/v1/a/c", {
    responses: [{ method: "GET", path: "/v1/a/c", status: 404 }],
  }),
  sym("HEAD", "/v1/a/c", {
    responses: [{ method: "HEAD", path: "/v1/a/c", status: 204 }],
  }),
  sym("GET", "/v1/a", {
    responses: [{ method: "GET", path: "/v1/a", status: 200, body: "not json" }],
  }),
];

Deno.test("symlinkFilter() stores links as Swift does and refuses what Swift refuses", async () => {
  await assertSameAsSwift(PUT_CASES);
});

Deno.test("symlinkFilter() follows links on GET and HEAD as Swift does", async () => {
  await assertSameAsSwift(GET_CASES);
});

Deno.test("symlinkFilter() answers POST with 307 and rewrites listings as Swift does", async () => {
  await assertSameAsSwift(OTHER_CASES);
});

Deno.test("symlinkInfo() publishes symloop_max (below 1 read as 2) and static links", () => {
  assertEquals(symlinkInfo(stageOf(SYMLINK_FILTER)), { symloop_max: 2, static_links: true });
  assertEquals(symlinkInfo(stageOf(SYMLINK_FILTER, { symloop_max: "5" })), {
    symloop_max: 5,
    static_links: true,
  });
  assertEquals(symlinkInfo(stageOf(SYMLINK_FILTER, { symloop_max: "0" })).symloop_max, 2);
  assertThrows(() => symlinkFilter(stageOf(SYMLINK_FILTER, { symloop_max: "two" })));
});

Deno.test("parseHeader() reads parameters as cgi.parse_header() does", () => {
  assertEquals(parseHeader('abc; a=1; B="x;y"; c="q\\"r"'), [
    "abc",
    new Map([["a", "1"], ["b", "x;y"], ["c", 'q"r']]),
  ]);
});
