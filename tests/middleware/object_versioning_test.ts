/**
 * egg:swift#versioned_writes with allow_object_versioning (X-Versions-Enabled): the same
 * requests through Swift 2.30's versioned_writes and symlink (over Swift's FakeSwift,
 * _versioning_oracle.py) and swiftd's two filters, compared on what the client gets and what
 * reaches the backend.
 */
import { assertEquals } from "@std/assert";
import {
  invertTimestamp,
  splitVersionFromName,
  versionsObjectName,
} from "../../lib/middleware/versioned_writes/names.ts";
import { assertSameAsSwift, type Registered, type VersioningCase } from "./_versioning_oracle.ts";

const VC = "\x00versions\x00c";
const ACCOUNT: Registered = { method: "HEAD", path: "/v1/a", status: 204 };
const VERSIONS_HEAD: Registered = {
  method: "HEAD",
  path: `/v1/a/${VC}`,
  status: 204,
  headers: { "X-Container-Bytes-Used": "100", "X-Container-Object-Count": "0" },
};

function container(enabled: string | undefined, extra: Record<string, string> = {}): Registered {
  const headers: Record<string, string> = { "X-Backend-Storage-Policy-Index": "0", ...extra };
  if (enabled !== undefined) {
    headers["X-Container-Sysmeta-Versions-Container"] = "%00versions%00c";
    headers["X-Container-Sysmeta-Versions-Enabled"] = enabled;
  }
  return { method: "HEAD", path: "/v1/a/c", status: 204, headers };
}

const ENABLED = [ACCOUNT, container("True"), VERSIONS_HEAD];
const DISABLED = [ACCOUNT, container("False"), VERSIONS_HEAD];

/** The version name of timestamp `ts` of object `obj`. */
function version(obj: string, ts: string): string {
  return `/v1/a/${VC}/${versionsObjectName(obj, ts)}`;
}

function ov(method: string, path: string, extra: Partial<VersioningCase> = {}): VersioningCase {
  return {
    pipeline: ["versioned_writes", "symlink"],
    conf: {
      versioned_writes: { allow_versioned_writes: "true", allow_object_versioning: "true" },
    },
    method,
    path,
    ...extra,
  };
}

const TS = "1600000000.00000";
const LINK_HEADERS = {
  "X-Object-Sysmeta-Versions-Symlink": "true",
  "X-Object-Sysmeta-Symlink-Target": `%00versions%00c/%00o%00${invertTimestamp(TS).internal}`,
  "X-Object-Sysmeta-Symlink-Target-Etag": "5d41402abc4b2a76b9719d911017c592",
  "X-Object-Sysmeta-Symlink-Target-Bytes": "5",
  "X-Object-Sysmeta-Allow-Reserved-Names": "true",
  "X-Object-Sysmeta-Symloop-Extend": "true",
  "Last-Modified": "Sun, 13 Sep 2020 12:26:40 GMT",
};

const CONTAINER_CASES: VersioningCase[] = [
  // Enabling on a new container creates the versions container first.
  ov("PUT", "/v1/a/c", {
    headers: [["X-Versions-Enabled", "true"], ["X-Storage-Policy", "gold"]],
    responses: [
      ACCOUNT,
      { method: "HEAD", path: "/v1/a/c", status: 404 },
      { method: "PUT", path: `/v1/a/${VC}`, status: 201 },
      { method: "PUT", path: "/v1/a/c", status: 201 },
    ],
  }),
  ov("POST", "/v1/a/c", {
    headers: [["X-Versions-Enabled", "yes"]],
    responses: [
      ACCOUNT,
      container(undefined),
      { method: "PUT", path: `/v1/a/${VC}`, status: 202 },
      {
        method: "POST",
        path: "/v1/a/c",
        status: 204,
        headers: { "X-Container-Sysmeta-Versions-Enabled": "True" },
      },
    ],
  }),
  ov("POST", "/v1/a/c", {
    headers: [["X-Versions-Enabled", "false"]],
    responses: [...ENABLED, { method: "POST", path: "/v1/a/c", status: 204 }],
  }),
  ov("POST", "/v1/a/c", {
    headers: [["X-Versions-Enabled", "true"]],
    responses: [ACCOUNT, container(undefined, { "X-Container-Sysmeta-Versions-Location": "v" })],
  }),
  ov("POST", "/v1/a/c", {
    headers: [["X-Versions-Enabled", "true"]],
    responses: [ACCOUNT, container(undefined, { "X-Container-Sync-To": "//r/c/a/c2" })],
  }),
  ov("PUT", "/v1/a/c", {
    headers: [["X-Versions-Enabled", "true"]],
    responses: [
      ACCOUNT,
      { method: "HEAD", path: "/v1/a/c", status: 404 },
      { method: "PUT", path: `/v1/a/${VC}`, status: 500 },
    ],
  }),
  // The container request fails: the versions container goes again.
  ov("PUT", "/v1/a/c", {
    headers: [["X-Versions-Enabled", "true"]],
    responses: [
      ACCOUNT,
      { method: "HEAD", path: "/v1/a/c", status: 404 },
      { method: "PUT", path: `/v1/a/${VC}`, status: 201 },
      { method: "PUT", path: "/v1/a/c", status: 507 },
      { method: "DELETE", path: `/v1/a/${VC}`, status: 204 },
    ],
  }),
  // HEAD shows X-Versions-Enabled and counts the versions' bytes.
  ov("HEAD", "/v1/a/c", {
    responses: [{
      method: "HEAD",
      path: "/v1/a/c",
      status: 204,
      headers: {
        "X-Container-Sysmeta-Versions-Container": "%00versions%00c",
        "X-Container-Sysmeta-Versions-Enabled": "True",
        "X-Container-Bytes-Used": "10",
      },
    }, VERSIONS_HEAD],
  }),
  // Deleting a container with versions left is refused; else both go.
  ov("DELETE", "/v1/a/c", {
    responses: [...ENABLED, {
      method: "HEAD",
      path: `/v1/a/${VC}`,
      status: 204,
      headers: { "X-Container-Object-Count": "3" },
    }],
  }),
  ov("DELETE", "/v1/a/c", {
    responses: [
      ACCOUNT,
      container("False"),
      {
        method: "HEAD",
        path: `/v1/a/${VC}`,
        sequence: [{ status: 204 }, { status: 404 }],
      },
      { method: "DELETE", path: `/v1/a/${VC}`, status: 204 },
      { method: "DELETE", path: "/v1/a/c", status: 204 },
    ],
  }),
  ov("DELETE", "/v1/a/c", {
    responses: [ACCOUNT, container(undefined), { method: "DELETE", path: "/v1/a/c", status: 204 }],
  }),
];

const PUT_CASES: VersioningCase[] = [
  // The data goes to a version, then a static link to it takes the object's name.
  ov("PUT", "/v1/a/c/o", {
    headers: [
      ["X-Timestamp", TS],
      ["Content-Length", "5"],
      ["Content-Type", "text/plain; charset=utf-8"],
      ["X-Object-Meta-Color", "red"],
      ["X-Delete-After", "100"],
    ],
    body: "hello",
    responses: [
      ...ENABLED,
      { method: "GET", path: "/v1/a/c/o?symlink=get", status: 404 },
      { method: "PUT", path: version("o", TS), status: 201 },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
    ],
  }),
  // An unversioned current object is moved into the versions first.
  ov("PUT", "/v1/a/c/o", {
    headers: [["X-Timestamp", TS], ["Content-Length", "2"]],
    body: "hi",
    responses: [
      ...ENABLED,
      {
        method: "GET",
        path: "/v1/a/c/o?symlink=get",
        status: 200,
        headers: {
          "X-Timestamp": "1500000000.00000",
          "Last-Modified": "Fri, 14 Jul 2017 02:40:00 GMT",
          "Content-Type": "text/old",
        },
        body: "old",
      },
      { method: "PUT", path: version("o", "1500000000.00000"), status: 201 },
      { method: "PUT", path: version("o", TS), status: 201 },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
    ],
  }),
  // A current object that is already a version link stays where it is.
  ov("PUT", "/v1/a/c/o", {
    headers: [["X-Timestamp", TS], ["Content-Length", "2"]],
    body: "hi",
    responses: [
      ...ENABLED,
      { method: "GET", path: "/v1/a/c/o?symlink=get", status: 200, headers: LINK_HEADERS },
      { method: "PUT", path: version("o", TS), status: 201 },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
    ],
  }),
  ov("PUT", "/v1/a/c/o", {
    headers: [["X-Timestamp", TS], ["Content-Length", "2"], ["ETag", "bad"]],
    body: "hi",
    responses: [
      ...ENABLED,
      { method: "GET", path: "/v1/a/c/o?symlink=get", status: 404 },
      { method: "PUT", path: version("o", TS), status: 422, body: "Unprocessable" },
    ],
  }),
  ov("PUT", "/v1/a/c/o", {
    headers: [["X-Timestamp", TS]],
    responses: [
      ...ENABLED,
      { method: "GET", path: "/v1/a/c/o?symlink=get", status: 404 },
      { method: "PUT", path: version("o", TS), status: 404 },
    ],
  }),
  ov("PUT", "/v1/a/c/o", {
    headers: [["X-Timestamp", TS]],
    responses: [...ENABLED, { method: "GET", path: "/v1/a/c/o?symlink=get", status: 503 }],
  }),
  ov("PUT", "/v1/a/c/o", {
    env: { authorize: "deny403" },
    responses: [ACCOUNT, container("True", { "X-Container-Write": "a:u" }), VERSIONS_HEAD],
  }),
  // An SLO manifest: the link records the large object's size, not the manifest's.
  ov("PUT", "/v1/a/c/o?multipart-manifest=put", {
    headers: [
      ["X-Timestamp", TS],
      ["Content-Length", "2"],
      ["Content-Type", "application/json"],
      ["X-Static-Large-Object", "True"],
      ["X-Object-Sysmeta-Slo-Etag", "slo-etag"],
      ["X-Object-Sysmeta-Slo-Size", "1048576"],
      ["X-Object-Manifest", "c/seg"],
    ],
    body: "[]",
    responses: [
      ...ENABLED,
      { method: "GET", path: "/v1/a/c/o?symlink=get", status: 404 },
      { method: "PUT", path: version("o", TS), status: 201 },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
    ],
  }),
  // Versioning disabled: a plain PUT, and the time comes from now when not given.
  ov("PUT", "/v1/a/c/o", {
    headers: [["Content-Length", "1"]],
    body: "x",
    responses: [...DISABLED, { method: "PUT", path: "/v1/a/c/o", status: 201 }],
  }),
  ov("PUT", "/v1/a/c/o", {
    now: 1650000000.25,
    body: "",
    responses: [
      ...ENABLED,
      { method: "GET", path: "/v1/a/c/o?symlink=get", status: 404 },
      { method: "PUT", path: version("o", "1650000000.25000"), status: 201 },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
    ],
  }),
];

const MARKER_CT = "application/x-deleted;swift_versions_deleted=1";

const DELETE_CASES: VersioningCase[] = [
  // A delete marker version, then the link goes.
  ov("DELETE", "/v1/a/c/o", {
    headers: [["X-Timestamp", TS], ["X-Auth-Token", "t"]],
    responses: [
      ...ENABLED,
      { method: "GET", path: "/v1/a/c/o?symlink=get", status: 200, headers: LINK_HEADERS },
      { method: "PUT", path: version("o", TS), status: 201 },
      { method: "DELETE", path: "/v1/a/c/o", status: 204 },
    ],
  }),
  ov("DELETE", "/v1/a/c/o", {
    headers: [["X-Timestamp", TS]],
    responses: [
      ...ENABLED,
      { method: "GET", path: "/v1/a/c/o?symlink=get", status: 404 },
      { method: "PUT", path: version("o", TS), status: 201 },
      { method: "DELETE", path: "/v1/a/c/o", status: 404, body: "<html>gone</html>" },
    ],
  }),
  ov("DELETE", "/v1/a/c/o", {
    responses: [...DISABLED, { method: "DELETE", path: "/v1/a/c/o", status: 204 }],
  }),
  // DELETE ?version-id= of the current version takes the link and the data.
  ov("DELETE", `/v1/a/c/o?version-id=${TS}`, {
    headers: [["X-Auth-Token", "t"]],
    responses: [
      ...ENABLED,
      { method: "HEAD", path: "/v1/a/c/o?symlink=get", status: 200, headers: LINK_HEADERS },
      { method: "DELETE", path: "/v1/a/c/o", status: 204 },
      { method: "DELETE", path: version("o", TS), status: 204 },
    ],
  }),
  // ... of another version takes only that version.
  ov("DELETE", "/v1/a/c/o?version-id=1500000000.00000", {
    responses: [
      ...ENABLED,
      { method: "HEAD", path: "/v1/a/c/o?symlink=get", status: 200, headers: LINK_HEADERS },
      { method: "DELETE", path: version("o", "1500000000.00000"), status: 204 },
    ],
  }),
  ov("DELETE", "/v1/a/c/o?version-id=1500000000.00000", {
    responses: [
      ...ENABLED,
      { method: "HEAD", path: "/v1/a/c/o?symlink=get", status: 404 },
      { method: "DELETE", path: version("o", "1500000000.00000"), status: 404 },
    ],
  }),
  ov("DELETE", "/v1/a/c/o?version-id=null", {
    responses: [...ENABLED, { method: "DELETE", path: "/v1/a/c/o", status: 204 }],
  }),
  ov("DELETE", "/v1/a/c/o?version-id=nope", { responses: ENABLED }),
  ov("DELETE", "/v1/a/c/o?version-id=1500000000.00000", {
    responses: [ACCOUNT, container(undefined)],
  }),
];

const READ_CASES: VersioningCase[] = [
  // GET follows the link and shows the version id.
  ov("GET", "/v1/a/c/o", {
    responses: [
      ...ENABLED,
      { method: "GET", path: "/v1/a/c/o", status: 200, headers: LINK_HEADERS },
      {
        method: "GET",
        path: version("o", TS),
        status: 200,
        headers: { ETag: "5d41402abc4b2a76b9719d911017c592" },
        body: "hello",
      },
    ],
  }),
  ov("HEAD", "/v1/a/c/o?symlink=get", {
    responses: [...ENABLED, {
      method: "HEAD",
      path: "/v1/a/c/o",
      status: 200,
      headers: LINK_HEADERS,
    }],
  }),
  ov("GET", `/v1/a/c/o?version-id=${TS}`, {
    responses: [
      ...ENABLED,
      { method: "GET", path: version("o", TS), status: 200, body: "hello" },
    ],
  }),
  ov("HEAD", `/v1/a/c/o?version-id=${TS}`, {
    responses: [
      ...ENABLED,
      {
        method: "HEAD",
        path: version("o", TS),
        status: 200,
        headers: { "Content-Type": MARKER_CT },
      },
    ],
  }),
  ov("GET", "/v1/a/c/o?version-id=null", {
    responses: [...ENABLED, { method: "GET", path: "/v1/a/c/o", status: 200, body: "plain" }],
  }),
  ov("GET", "/v1/a/c/o?version-id=null", {
    responses: [
      ...ENABLED,
      { method: "GET", path: "/v1/a/c/o", status: 200, headers: LINK_HEADERS },
      { method: "GET", path: version("o", TS), status: 200, body: "hello" },
    ],
  }),
  ov("POST", `/v1/a/c/o?version-id=${TS}`, { responses: ENABLED }),
  ov("GET", `/v1/a/c/o?version-id=${TS}`, { responses: [ACCOUNT, container(undefined)] }),
  // PUT ?version-id= makes that version current again.
  ov("PUT", `/v1/a/c/o?version-id=${TS}`, {
    headers: [["X-Timestamp", "1700000000.00000"], ["Content-Length", "0"]],
    responses: [
      ...ENABLED,
      {
        method: "HEAD",
        path: version("o", TS),
        status: 200,
        headers: { ETag: "abc", "Content-Length": "5", "Content-Type": "text/v" },
      },
      { method: "PUT", path: "/v1/a/c/o", status: 201 },
    ],
  }),
  ov("PUT", `/v1/a/c/o?version-id=${TS}`, {
    headers: [["Content-Length", "0"]],
    responses: [...ENABLED, { method: "HEAD", path: version("o", TS), status: 404 }],
  }),
  ov("PUT", `/v1/a/c/o?version-id=${TS}`, { headers: [["Content-Length", "1"]], body: "x" }),
  // POST to a version link is applied to the version.
  ov("POST", "/v1/a/c/o", {
    headers: [["X-Object-Meta-Color", "green"], ["X-Delete-At", "2000000000"]],
    responses: [
      ...ENABLED,
      { method: "POST", path: "/v1/a/c/o", status: 202, headers: LINK_HEADERS },
      { method: "POST", path: version("o", TS), status: 202 },
    ],
  }),
];

function listingBody(items: Record<string, unknown>[]): string {
  return JSON.stringify(items).replace(
    /[^\p{ASCII}]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const V1 = "1500000000.00000";
const PRIMARY = listingBody([
  {
    name: "o",
    hash: `d41d8cd98f00b204e9800998ecf8427e; symlink_target=%00versions%00c/%00o%00${
      invertTimestamp(TS).internal
    }; symlink_target_etag=5d41402abc4b2a76b9719d911017c592; symlink_target_bytes=5`,
    bytes: 0,
    content_type: "text/plain",
    last_modified: "2020-09-13T12:26:40.000000",
  },
  {
    name: "p",
    hash: "abc",
    bytes: 3,
    content_type: "text/plain",
    last_modified: "2020-09-13T12:26:40.000000",
  },
  { subdir: "d/" },
]);
const VERSIONS = listingBody([
  {
    name: versionsObjectName("o", TS),
    hash: "5d41402abc4b2a76b9719d911017c592",
    bytes: 5,
    content_type: "text/plain",
    last_modified: "2020-09-13T12:26:40.000000",
  },
  {
    name: versionsObjectName("o", V1),
    hash: "d41d8cd98f00b204e9800998ecf8427e",
    bytes: 0,
    content_type: MARKER_CT,
    last_modified: "2017-07-14T02:40:00.000000",
  },
  {
    name: versionsObjectName("q", V1),
    hash: "d41d8cd98f00b204e9800998ecf8427e",
    bytes: 0,
    content_type: MARKER_CT,
    last_modified: "2017-07-14T02:40:00.000000",
  },
]);

function primary(query: string): Registered {
  return {
    method: "GET",
    path: `/v1/a/c${query}`,
    status: 200,
    headers: {
      "X-Container-Sysmeta-Versions-Container": "%00versions%00c",
      "X-Container-Sysmeta-Versions-Enabled": "True",
      "X-Container-Bytes-Used": "3",
    },
    body: PRIMARY,
  };
}

const LISTING_CASES: VersioningCase[] = [
  ov("GET", "/v1/a/c?format=json", { responses: [primary("?format=json"), VERSIONS_HEAD] }),
  ov("GET", "/v1/a/c?format=json&versions", {
    responses: [primary("?format=json&versions"), VERSIONS_HEAD, {
      method: "GET",
      // Swift's FakeSwift cannot match a query of blank values: the bare path answers.
      path: `/v1/a/${VC}`,
      status: 200,
      body: VERSIONS,
    }],
  }),
  ov("GET", "/v1/a/c?versions&reverse=on&limit=2", {
    responses: [primary("?versions&reverse=on&limit=2"), VERSIONS_HEAD, {
      method: "GET",
      path: `/v1/a/${VC}?prefix=&marker=&limit=2&delimiter=&reverse=on`,
      status: 200,
      body: VERSIONS,
    }],
  }),
  ov("GET", `/v1/a/c?versions&marker=o&version_marker=${TS}&prefix=o`, {
    responses: [primary(`?versions&marker=o&version_marker=${TS}&prefix=o`), VERSIONS_HEAD, {
      method: "GET",
      path: `/v1/a/${VC}?prefix=%00o&marker=${
        encodeURIComponent(versionsObjectName("o", TS))
      }&limit=&delimiter=&reverse=`,
      status: 200,
      body: "[]",
    }],
  }),
  // The versions container is gone: the links' versions are listed from the links.
  ov("GET", "/v1/a/c?versions", {
    responses: [primary(""), VERSIONS_HEAD, {
      method: "GET",
      // Swift's FakeSwift cannot match a query of blank values: the bare path answers.
      path: `/v1/a/${VC}`,
      status: 404,
    }],
  }),
  ov("GET", "/v1/a/c?versions&version_marker=1", {
    responses: [primary("?versions&version_marker=1"), VERSIONS_HEAD],
  }),
  ov("GET", "/v1/a/c?versions&marker=o&version_marker=x", {
    responses: [primary("?versions&marker=o&version_marker=x"), VERSIONS_HEAD],
  }),
  ov("GET", "/v1/a/c?versions&delimiter=1", {
    responses: [primary("?versions&delimiter=1"), VERSIONS_HEAD],
  }),
  ov("GET", "/v1/a/c?versions", {
    headers: [["Accept", "text/xml"]],
    responses: [primary(""), VERSIONS_HEAD],
  }),
  ov("GET", "/v1/a/plain?format=json", {
    responses: [ACCOUNT, {
      method: "GET",
      path: "/v1/a/plain?format=json",
      status: 200,
      body: listingBody([{ name: "x", hash: "h", bytes: 1 }]),
    }],
  }),
  ov("GET", "/v1/a?format=json&prefix=c&marker=b&end_marker=z&limit=5", {
    responses: [
      {
        method: "GET",
        path: "/v1/a?format=json&prefix=c&marker=b&end_marker=z&limit=5",
        status: 200,
        body: listingBody([{ name: "c", count: 1, bytes: 3 }]),
      },
      {
        method: "GET",
        path: "/v1/a?format=json&prefix=%00versions%00c&marker=%00versions%00b" +
          "&end_marker=%00versions%00z&limit=5",
        status: 200,
        body: listingBody([{ name: VC, count: 2, bytes: 5 }]),
      },
    ],
  }),
  // Account listings count the versions containers' bytes.
  ov("GET", "/v1/a?format=json", {
    responses: [
      {
        method: "GET",
        path: "/v1/a?format=json",
        status: 200,
        body: listingBody([
          { name: "c", count: 1, bytes: 3, last_modified: "2020-09-13T12:26:40.000000" },
          { name: "d", count: 0, bytes: 0, last_modified: "2020-09-13T12:26:40.000000" },
        ]),
      },
      {
        method: "GET",
        path: "/v1/a?format=json&prefix=%00versions",
        status: 200,
        body: listingBody([
          { name: VC, count: 2, bytes: 5, last_modified: "2020-09-13T12:26:40.000000" },
          {
            name: "\x00versions\x00gone",
            count: 1,
            bytes: 7,
            last_modified: "2020-09-13T12:26:40.000000",
          },
        ]),
      },
    ],
  }),
];

Deno.test("object versioning enables, shows and deletes containers as Swift does", async () => {
  await assertSameAsSwift(CONTAINER_CASES);
});

Deno.test("object versioning writes versions and links on PUT as Swift does", async () => {
  await assertSameAsSwift(PUT_CASES);
});

Deno.test("object versioning writes delete markers and deletes versions as Swift does", async () => {
  await assertSameAsSwift(DELETE_CASES);
});

Deno.test("object versioning reads, restores and updates versions as Swift does", async () => {
  await assertSameAsSwift(READ_CASES);
});

Deno.test("object versioning lists versions and account bytes as Swift does", async () => {
  await assertSameAsSwift(LISTING_CASES);
});

Deno.test("version names invert the timestamp so that newer versions list first", () => {
  assertEquals(versionsObjectName("o", "1600000000.00000"), "\x00o\x008399999999.99999");
  assertEquals(splitVersionFromName("\x00o\x008399999999.99999")[1]?.internal, TS);
  assertEquals(splitVersionFromName("plain"), ["plain", undefined]);
  assertEquals(splitVersionFromName("\x00o\x00x")[1], undefined);
});
