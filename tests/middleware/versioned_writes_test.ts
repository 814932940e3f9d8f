/**
 * egg:swift#versioned_writes, legacy modes (X-Versions-Location, X-History-Location): the
 * same requests through Swift 2.30's middleware (over Swift's FakeSwift,
 * _versioning_oracle.py) and swiftd's filter, compared on what the client gets and what
 * reaches the backend; plus the option table, /info and the symlink requirement.
 */
import { assertEquals, assertThrows } from "@std/assert";
import { VERSIONED_WRITES_FILTER } from "../../lib/config/options/versioned_writes.ts";
import { SWIFT_INFO } from "../../lib/common/swift_info.ts";
import {
  versionedWritesFilter,
  versionedWritesInfo,
} from "../../lib/middleware/versioned_writes.ts";
import { stageOf } from "./_filter_oracle.ts";
import { assertSameAsSwift, type Registered, type VersioningCase } from "./_versioning_oracle.ts";

const ACCOUNT: Registered = { method: "HEAD", path: "/v1/a", status: 204 };

function container(headers: Record<string, string>, status = 204): Registered {
  return { method: "HEAD", path: "/v1/a/c", status, headers };
}

const STACK = container({ "X-Container-Sysmeta-Versions-Location": "ver_cont" });
const HISTORY = container({
  "X-Container-Sysmeta-Versions-Location": "ver_cont",
  "X-Container-Sysmeta-Versions-Mode": "history",
});
const CURRENT: Registered = {
  method: "GET",
  path: "/v1/a/c/o?symlink=get",
  status: 200,
  headers: {
    "X-Timestamp": "1400000000.12345",
    "Last-Modified": "Tue, 13 May 2014 16:53:20 GMT",
    "Content-Type": "text/plain",
    ETag: "5d41402abc4b2a76b9719d911017c592",
    "X-Object-Meta-Color": "blue",
  },
  body: "hello",
};

function vw(
  method: string,
  path: string,
  extra: Partial<VersioningCase> = {},
  allow = "true",
): VersioningCase {
  return {
    pipeline: ["versioned_writes"],
    conf: { versioned_writes: allow === "unset" ? {} : { allow_versioned_writes: allow } },
    method,
    path,
    ...extra,
  };
}

const CONTAINER_CASES: VersioningCase[] = [
  vw("PUT", "/v1/a/c", { headers: [["X-Versions-Location", "ver_cont"]] }),
  vw("POST", "/v1/a/c", { headers: [["X-History-Location", "ver%20cont"]] }),
  vw("PUT", "/v1/a/c", {
    headers: [["X-Versions-Location", "v1"], ["X-History-Location", "v2"]],
  }),
  vw("PUT", "/v1/a/c", {
    headers: [["X-Versions-Location", "v1"], ["X-History-Location", ""]],
  }),
  vw("PUT", "/v1/a/c", {
    headers: [["X-Versions-Location", ""], ["X-History-Location", "v2"]],
  }),
  vw("PUT", "/v1/a/c", { headers: [["X-Versions-Location", "a/b"]] }),
  vw("POST", "/v1/a/c", { headers: [["X-Versions-Location", ""]] }),
  vw("POST", "/v1/a/c", { headers: [["X-Remove-Versions-Location", "x"]] }),
  vw("POST", "/v1/a/c", {
    headers: [["X-Remove-History-Location", "y"], ["X-Versions-Location", "v"]],
  }),
  vw("PUT", "/v1/a/c", { headers: [["X-Versions-Location", "v"]] }, "false"),
  vw("GET", "/v1/a/c", { headers: [["X-Versions-Location", "v"]] }, "false"),
  vw("PUT", "/v1/a/c", { headers: [["X-Versions-Location", "v"]] }, "unset"),
  vw("HEAD", "/v1/a/c", {
    responses: [{
      method: "HEAD",
      path: "/v1/a/c",
      status: 204,
      headers: { "X-Container-Sysmeta-Versions-Location": "ver_cont" },
    }],
  }),
  vw("GET", "/v1/a/c", {
    responses: [{
      method: "GET",
      path: "/v1/a/c",
      status: 200,
      headers: {
        "X-Container-Sysmeta-Versions-Location": "ver_cont",
        "X-Container-Sysmeta-Versions-Mode": "history",
      },
      body: "[]",
    }],
  }),
  vw("GET", "/v1/a"),
];

const PUT_CASES: VersioningCase[] = [
  // The current version is archived under <length><name>/<timestamp> first.
  vw("PUT", "/v1/a/c/o", {
    headers: [["Content-Length", "3"], ["X-Auth-Token", "t"]],
    body: "new",
    responses: [
      ACCOUNT,
      STACK,
      CURRENT,
      { method: "PUT", path: "/v1/a/ver_cont/001o/1400000000.12345", status: 201 },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
    ],
  }),
  // Without X-Timestamp, Last-Modified names the version.
  vw("PUT", "/v1/a/c/o?multipart-manifest=put", {
    headers: [["Content-Length", "0"]],
    responses: [
      ACCOUNT,
      STACK,
      {
        method: "GET",
        path: "/v1/a/c/o?symlink=get",
        status: 200,
        headers: {
          "Last-Modified": "Tue, 13 May 2014 16:53:20 GMT",
          "X-Object-Sysmeta-Slo-Size": "10",
          "Content-Type": "application/json",
        },
        body: "[]",
      },
      { method: "PUT", path: "/v1/a/ver_cont/001o/1400000000.00000", status: 201 },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
    ],
  }),
  vw("PUT", "/v1/a/c/o", {
    responses: [
      ACCOUNT,
      STACK,
      { method: "GET", path: "/v1/a/c/o?symlink=get", status: 404 },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
    ],
  }),
  vw("PUT", "/v1/a/c/o", {
    responses: [
      ACCOUNT,
      STACK,
      CURRENT,
      { method: "PUT", path: "/v1/a/ver_cont/001o/1400000000.12345", status: 404 },
    ],
  }),
  vw("PUT", "/v1/a/c/o", {
    responses: [
      ACCOUNT,
      STACK,
      CURRENT,
      { method: "PUT", path: "/v1/a/ver_cont/001o/1400000000.12345", status: 503 },
    ],
  }),
  vw("PUT", "/v1/a/c/o", {
    responses: [ACCOUNT, STACK, { method: "GET", path: "/v1/a/c/o?symlink=get", status: 500 }],
  }),
  // Auth sees the container's write ACL before anything is copied.
  vw("PUT", "/v1/a/c/o", {
    env: { authorize: "deny403" },
    responses: [
      ACCOUNT,
      container({
        "X-Container-Sysmeta-Versions-Location": "ver_cont",
        "X-Container-Write": "a:b",
      }),
    ],
  }),
  // Disabled: the container's location is ignored.
  vw("PUT", "/v1/a/c/o", { responses: [ACCOUNT, STACK] }, "false"),
  // Containers versioned by the container server's allow_versions still work when the
  // filter was not configured either way.
  vw("PUT", "/v1/a/c/%E2%98%83", {
    responses: [
      ACCOUNT,
      container({ "X-Versions-Location": "old%2Fstyle" }),
      {
        method: "GET",
        path: "/v1/a/c/\xe2\x98\x83?symlink=get",
        status: 200,
        headers: {
          "X-Timestamp": "1400000000.00001",
          "Last-Modified": "Tue, 13 May 2014 16:53:20 GMT",
        },
        body: "x",
      },
    ],
  }, "unset"),
  // Swift reads Last-Modified even when X-Timestamp names the version.
  vw("PUT", "/v1/a/c/o", {
    responses: [
      ACCOUNT,
      STACK,
      {
        method: "GET",
        path: "/v1/a/c/o?symlink=get",
        status: 200,
        headers: { "X-Timestamp": "1400000000.00001" },
      },
    ],
  }),
  vw("POST", "/v1/a/c/o", { responses: [ACCOUNT, STACK] }),
  vw("GET", "/v1/a/c/o", { responses: [ACCOUNT, STACK] }),
];

const MARKER = "application/x-deleted;swift_versions_deleted=1";

function listing(items: { name: string; content_type?: string }[]): string {
  return JSON.stringify(items.map((i) => ({
    name: i.name,
    hash: "x",
    bytes: 1,
    content_type: i.content_type ?? "text/plain",
    last_modified: "2014-05-13T16:53:20.000000",
  })));
}

const LIST_PATH = "/v1/a/ver_cont?prefix=001o/&marker=&reverse=on";

const DELETE_CASES: VersioningCase[] = [
  // History mode: archive, then a delete marker named after now.
  vw("DELETE", "/v1/a/c/o", {
    now: 1500000000.5,
    headers: [["X-Auth-Token", "t"]],
    responses: [
      ACCOUNT,
      HISTORY,
      CURRENT,
      { method: "PUT", path: "/v1/a/ver_cont/001o/1400000000.12345", status: 201 },
      { method: "PUT", path: "/v1/a/ver_cont/001o/1500000000.50000", status: 201 },
      { method: "DELETE", path: "/v1/a/c/o", status: 204 },
    ],
  }),
  vw("DELETE", "/v1/a/c/o", {
    now: 1500000000.5,
    responses: [
      ACCOUNT,
      HISTORY,
      { method: "GET", path: "/v1/a/c/o?symlink=get", status: 404 },
      { method: "PUT", path: "/v1/a/ver_cont/001o/1500000000.50000", status: 403 },
    ],
  }),
  // Stack mode: the newest archived version comes back and its archive copy goes.
  vw("DELETE", "/v1/a/c/o", {
    headers: [["X-Auth-Token", "t"], ["X-If-Delete-At", "1"]],
    responses: [
      ACCOUNT,
      STACK,
      {
        method: "GET",
        path: LIST_PATH,
        status: 200,
        body: listing([{ name: "001o/2" }, { name: "001o/1" }]),
      },
      {
        method: "GET",
        path: "/v1/a/ver_cont/001o/2?symlink=get",
        status: 200,
        headers: { "X-Timestamp": "2.00000", "Content-Type": "text/x-2" },
        body: "two",
      },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
      { method: "DELETE", path: "/v1/a/ver_cont/001o/2", status: 204 },
    ],
  }),
  // The newest archived version vanished meanwhile: the next one is restored.
  vw("DELETE", "/v1/a/c/o", {
    env: { authorize: "allow" },
    responses: [
      ACCOUNT,
      STACK,
      {
        method: "GET",
        path: LIST_PATH,
        status: 200,
        body: listing([{ name: "001o/2" }, { name: "001o/1" }]),
      },
      { method: "GET", path: "/v1/a/ver_cont/001o/2?symlink=get", status: 404 },
      {
        method: "GET",
        path: "/v1/a/ver_cont/001o/1?symlink=get",
        status: 200,
        headers: { "X-Timestamp": "1.00000" },
        body: "one",
      },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
      { method: "DELETE", path: "/v1/a/ver_cont/001o/1", status: 204 },
    ],
  }),
  // A delete marker on top and no object: the version before the marker is restored and
  // the DELETE removes the marker.
  vw("DELETE", "/v1/a/c/o", {
    responses: [
      ACCOUNT,
      STACK,
      {
        method: "GET",
        path: LIST_PATH,
        status: 200,
        body: listing([
          { name: "001o/3", content_type: MARKER },
          { name: "001o/2" },
          { name: "001o/1" },
        ]),
      },
      { method: "HEAD", path: "/v1/a/c/o", status: 404 },
      {
        method: "GET",
        path: "/v1/a/ver_cont/001o/2?symlink=get",
        status: 200,
        headers: { "X-Timestamp": "2.00000" },
        body: "two",
      },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
      { method: "DELETE", path: "/v1/a/ver_cont/001o/2", status: 204 },
      { method: "DELETE", path: "/v1/a/ver_cont/001o/3", status: 204 },
    ],
  }),
  // A delete marker on top but an object there: back to the delete-marker state.
  vw("DELETE", "/v1/a/c/o", {
    responses: [
      ACCOUNT,
      STACK,
      {
        method: "GET",
        path: LIST_PATH,
        status: 200,
        body: listing([{ name: "001o/3", content_type: MARKER }, { name: "001o/2" }]),
      },
      { method: "HEAD", path: "/v1/a/c/o", status: 200 },
      { method: "DELETE", path: "/v1/a/c/o", status: 204 },
    ],
  }),
  vw("DELETE", "/v1/a/c/o", {
    responses: [
      ACCOUNT,
      STACK,
      { method: "GET", path: LIST_PATH, status: 200, body: "[]" },
      { method: "DELETE", path: "/v1/a/c/o", status: 204 },
    ],
  }),
  vw("DELETE", "/v1/a/c/o", {
    responses: [
      ACCOUNT,
      STACK,
      { method: "GET", path: LIST_PATH, status: 404 },
      { method: "DELETE", path: "/v1/a/c/o", status: 404 },
    ],
  }),
  vw("DELETE", "/v1/a/c/o", {
    responses: [ACCOUNT, STACK, { method: "GET", path: LIST_PATH, status: 403 }],
  }),
  vw("DELETE", "/v1/a/c/o", {
    responses: [ACCOUNT, STACK, { method: "GET", path: LIST_PATH, status: 500 }],
  }),
  vw("DELETE", "/v1/a/c/o", {
    env: { authorize: "deny401" },
    responses: [
      ACCOUNT,
      STACK,
      { method: "GET", path: LIST_PATH, status: 200, body: listing([{ name: "001o/2" }]) },
    ],
  }),
  // A container server that ignores reverse: the listing is reversed in the proxy.
  vw("DELETE", "/v1/a/c/o", {
    responses: [
      ACCOUNT,
      STACK,
      {
        method: "GET",
        path: LIST_PATH,
        status: 200,
        body: listing([{ name: "001o/1" }, { name: "001o/2" }]),
      },
      {
        method: "GET",
        path: "/v1/a/ver_cont?prefix=001o/&marker=001o/2",
        status: 200,
        body: listing([{ name: "001o/3" }]),
      },
      {
        method: "GET",
        path: "/v1/a/ver_cont/001o/3?symlink=get",
        status: 200,
        headers: { "X-Timestamp": "3.00000" },
        body: "three",
      },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
      { method: "DELETE", path: "/v1/a/ver_cont/001o/3", status: 204 },
    ],
  }),
];

Deno.test("versionedWritesFilter() handles container locations as Swift's legacy mode", async () => {
  await assertSameAsSwift(CONTAINER_CASES);
});

Deno.test("versionedWritesFilter() archives the current version on PUT as Swift does", async () => {
  await assertSameAsSwift(PUT_CASES);
});

Deno.test("versionedWritesFilter() handles DELETE in history and stack mode as Swift does", async () => {
  await assertSameAsSwift(DELETE_CASES);
});

Deno.test("versionedWritesInfo() publishes the legacy flags and object_versioning when enabled", () => {
  const info = (conf: Record<string, string>) =>
    versionedWritesInfo(
      stageOf(VERSIONED_WRITES_FILTER, conf).options as {
        allow_versioned_writes?: string;
        allow_object_versioning: boolean;
      },
    );
  assertEquals(info({}), { versioned_writes: undefined, object_versioning: undefined });
  assertEquals(info({ allow_versioned_writes: "yes", allow_object_versioning: "true" }), {
    versioned_writes: { allowed_flags: ["x-versions-location", "x-history-location"] },
    object_versioning: {},
  });
  assertEquals(info({ allow_versioned_writes: "false" }).versioned_writes, undefined);
});

Deno.test("versionedWritesFilter() refuses object versioning without the symlink filter", () => {
  const stage = stageOf(VERSIONED_WRITES_FILTER, { allow_object_versioning: "true" });
  if (!("symlink" in SWIFT_INFO.get())) {
    assertThrows(() => versionedWritesFilter(stage), Error, "object versioning requires symlinks");
  }
  SWIFT_INFO.register("symlink", { symloop_max: 2, static_links: true });
  versionedWritesFilter(stage);
  versionedWritesFilter(stageOf(VERSIONED_WRITES_FILTER));
});
