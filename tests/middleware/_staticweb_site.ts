/**
 * The web site of Swift's test_staticweb.py (meta_map and FakeApp) as registered backend
 * responses, the requests staticweb_test.ts sends to it, and a tempauth-fronted site with
 * .r:* / .rlistings ACLs.
 */
import type { Registered, WebCase, WebRequest } from "./_web_filters_oracle.ts";

const JSON_TYPE = { "Content-Type": "application/json; charset=utf-8" };

function entry(
  name: string,
  bytes: number,
  type = "text/plain",
  date = "2011-03-24T04:27:52.709100",
) {
  return {
    name,
    hash: "5f595114a4b3077edfac792c61ca4fe4",
    bytes,
    content_type: type,
    last_modified: date,
  };
}

const FULL_LISTING = JSON.stringify([
  entry("401error.html", 110, "text/html", "2011-03-24T04:27:52.713710"),
  entry("404error.html", 130, "text/html"),
  entry("index.html", 347, "text/html"),
  entry("listing.css", 17, "text/css"),
  entry("one.txt", 22),
  entry("subdir/1.txt", 20),
  entry("subdir/2.txt", 20),
  entry("subdir/\u2603.txt", 72981),
  entry("subdir2", 0, "text/directory"),
  entry("subdir3/subsubdir/index.html", 72, "text/html"),
  entry("two.txt", 22),
  entry("\u2603/\u2603/one.txt", 22),
  entry("<b>&'\"</b>", 1536, "Text/X-<Weird>;a=b"),
  { subdir: "subdir3/" },
  { subdir: "q?&#/" },
]);
const SUBDIR_LISTING = JSON.stringify([
  entry("subdir/1.txt", 20),
  entry("subdir/2.txt", 20, "text/plain", "2011-03-24T04:27:52"),
  { subdir: "subdir3/subsubdir/" },
]);
const ONE = JSON.stringify([entry("subdirz/1.txt", 20)]);
const SNOWMEN = JSON.stringify([entry("\u2603/\u2603/one.txt", 22), { subdir: "\u2603/\u2603/" }]);

/** The UTF-8 bytes of `text` as latin-1 text (how bodies and WSGI paths are written here). */
function bytes(text: string): string {
  return String.fromCharCode(...new TextEncoder().encode(text));
}

function head(
  container: string,
  meta: Record<string, string>,
  status = 204,
  read = ".r:*",
): Registered {
  const headers: Record<string, string> = { "X-Container-Read": read };
  for (const [k, v] of Object.entries(meta)) headers[`X-Container-Meta-${k}`] = v;
  return { method: "HEAD", path: `/v1/a/${container}`, status, headers };
}

function get(
  path: string,
  status: number,
  body = "",
  headers: Record<string, string> = {},
): Registered {
  return { method: "GET", path, status, body, headers };
}

const listing = (path: string, body = FULL_LISTING) => get(path, 200, bytes(body), JSON_TYPE);

// Swift's test_staticweb.py: meta_map and FakeApp, as registered responses.
const SITE: Registered[] = [
  { method: "HEAD", path: "/v1/a", status: 204 },
  head("c1", {}, 401),
  head("c2", {}),
  head("c3", { "Web-Index": "index.html", "Web-Listings": "t" }),
  head("c3b", { "Web-Index": "index.html", "Web-Listings": "t" }),
  head("c4", {
    "Web-Index": "index.html",
    "Web-Error": "error.html",
    "Web-Listings": "t",
    "Web-Listings-CSS": "listing.css",
    "Web-Directory-Type": "text/dir",
  }),
  head("c5", {
    "Web-Index": "index.html",
    "Web-Error": "error.html",
    "Web-Listings": "t",
    "Web-Listings-CSS": "listing.css",
  }),
  head("c6", { "Web-Listings": "t", "Web-Error": "error.html" }),
  head("c6b", { "Web-Listings": "t", "Web-Listings-Label": "foo" }),
  head("c7", { "Web-Listings": "f", "Web-Error": "error.html" }),
  head("c8", {
    "Web-Error": "error.html",
    "Web-Listings": "t",
    "Web-Listings-CSS": "http://localhost/stylesheets/listing.css",
  }),
  head("c9", {
    "Web-Error": "error.html",
    "Web-Listings": "t",
    "Web-Listings-CSS": "/absolute/listing.css",
  }),
  head("c10", { "Web-Listings": "t" }),
  head("c11", { "Web-Index": "index.html" }),
  head("c11a", { "Web-Index": "index.html", "Web-Directory-Type": "text/directory" }),
  head("c12", { "Web-Index": "index.html", "Web-Error": "error.html" }),
  head("c13", { "Web-Listings": "f", "Web-Listings-CSS": "listing.css" }),
  head("c14", { "Web-Listings": "t" }),
  head("c15", {
    "Web-Listings": " True ",
    "Web-Index": " \u00c3\u00a9.html",
    "Web-Listings-Label": "<x>",
  }),
  head("c16", { "Web-Listings": "t" }),
  get("/", 404),
  get("/v1", 412),
  // swob adds Www-Authenticate to a 401 by itself; the TypeScript FakeSwift does not.
  get("/v1/a", 401, "", { "Www-Authenticate": 'Swift realm="a"' }),
  get("/v1/a/c1", 401, "", { "Www-Authenticate": 'Swift realm="a"' }),
  listing("/v1/a/c2"),
  get("/v1/a/c2/one.txt", 404),
  listing("/v1/a/c3"),
  listing("/v1/a/c3?delimiter=/&prefix=subdir/", SUBDIR_LISTING),
  listing("/v1/a/c3?delimiter=/&prefix=subdiry/", "[]"),
  listing("/v1/a/c3?limit=1&delimiter=/&prefix=subdirz/", ONE),
  listing("/v1/a/c3?limit=1&delimiter=/&prefix=subdir3/subsubdir/", ONE),
  get("/v1/a/c3?limit=1&delimiter=/&prefix=unknown/", 204),
  get(
    "/v1/a/c3/index.html",
    200,
    "\n<html>\n    <body>\n        <h1>Test main index.html file.</h1>",
  ),
  ...[
    "subdir/",
    "subdirx/",
    "subdiry/",
    "subdir/index.html",
    "subdir3/subsubdir",
    "subdir3/subsubdir/",
  ]
    .map((p) => get(`/v1/a/c3/${p}`, 404)),
  ...[
    "subdirx/index.html",
    "subdiry/index.html",
    "subdirz",
    "subdirz/index.html",
    "unknown",
    "unknown/index.html",
  ]
    .map((p) => get(`/v1/a/c3/${p}`, 404)),
  get("/v1/a/c3/subdir3/subsubdir/index.html", 200, "index file"),
  get("/v1/a/c3b/index.html", 204),
  listing("/v1/a/c4"),
  listing("/v1/a/c4?delimiter=/&prefix=subdir/", SUBDIR_LISTING),
  get("/v1/a/c4/one.txt", 200, "1", { "X-Object-Meta-Test": "value" }),
  get("/v1/a/c4/two.txt", 503),
  get("/v1/a/c4/marker", 200, "", { "Content-Type": "text/dir" }),
  ...[
    "index.html",
    "subdir/",
    "subdir/index.html",
    "unknown",
    "unknown/index.html",
    "marker/index.html",
  ]
    .map((p) => get(`/v1/a/c4/${p}`, 404)),
  get("/v1/a/c4?limit=1&delimiter=/&prefix=unknown/", 200, "[]", JSON_TYPE),
  get("/v1/a/c4?limit=1&delimiter=/&prefix=marker/", 200, bytes(ONE), JSON_TYPE),
  get("/v1/a/c4/404error.html", 200, "<html><p>Chrome's 404 fancy-page sucks.</p></html>", {
    "Content-Type": "text/html",
    "X-Object-Meta-Page": "custom",
  }),
  listing("/v1/a/c5"),
  get("/v1/a/c5/index.html", 503),
  ...["503error.html", "unknown", "unknown/index.html", "404error.html"].map((p) =>
    get(`/v1/a/c5/${p}`, 404)
  ),
  get("/v1/a/c5?limit=1&delimiter=/&prefix=unknown/", 200, "[]", JSON_TYPE),
  listing("/v1/a/c6"),
  listing("/v1/a/c6b"),
  get("/v1/a/c6/subdir", 404),
  listing("/v1/a/c6?limit=1&delimiter=/&prefix=subdir/", ONE),
  get("/v1/a/c6/401error.html", 200, "<p>Hey, you're not authorized to see this!</p>"),
  listing("/v1/a/c7"),
  get("/v1/a/c7/404error.html", 404),
  get("/v1/a/c7/401error.html", 200, "<p>Hey, you're not authorized to see this!</p>"),
  listing("/v1/a/c8"),
  listing("/v1/a/c8?delimiter=/&prefix=subdir/", SUBDIR_LISTING),
  get("/v1/a/c8/subdir/", 404),
  listing("/v1/a/c9"),
  listing("/v1/a/c9?delimiter=/&prefix=subdir/", SUBDIR_LISTING),
  get("/v1/a/c9/subdir/", 404),
  listing("/v1/a/c10"),
  listing("/v1/a/c10?delimiter=/&prefix=%E2%98%83/", SNOWMEN),
  listing("/v1/a/c10?delimiter=/&prefix=%E2%98%83/%E2%98%83/", SNOWMEN),
  get(bytes("/v1/a/c10/\u2603/"), 404),
  get(bytes("/v1/a/c10/\u2603/\u2603/"), 404),
  listing("/v1/a/c11"),
  get("/v1/a/c11/subdir/", 200, "", { "Content-Type": "application/directory" }),
  get("/v1/a/c11/subdir/index.html", 200, "<h2>c11 subdir index</h2>"),
  get("/v1/a/c11a/subdir/", 200, "", { "Content-Type": "text/directory" }),
  get("/v1/a/c11a/subdir2/", 200, "", { "Content-Type": "application/directory" }),
  get("/v1/a/c11a/subdir3/", 200, "", { "Content-Type": "not_a/directory" }),
  ...["subdir/index.html", "subdir2/index.html", "subdir3/index.html"].map((p) =>
    get(`/v1/a/c11a/${p}`, 404)
  ),
  get("/v1/a/c12/index.html", 200, "index file"),
  get("/v1/a/c12/200error.html", 200, "error file"),
  listing("/v1/a/c14", "[]"),
  get("/v1/a/c15/\u00c3\u00a9.html", 404),
  listing("/v1/a/c15"),
  get("/v1/a/c16", 204),
  get("/v1/a/c16/x/y/", 404),
  listing("/v1/a/c16?delimiter=/&prefix=x/y/", "[]"),
  { method: "POST", path: "/v1/a/c3", status: 204 },
];

const r = (path: string, extra: Partial<WebRequest> = {}): WebRequest => ({
  path,
  env: { authorize: "allow" },
  ...extra,
});
const webMode = (on: string) => ({ headers: [["X-Web-Mode", on]] as [string, string][] });

const REQUESTS: WebRequest[] = [
  r("/"),
  r("/v1"),
  r("/v1/a"),
  r("/v1/a/c1"),
  r("/v1/a/c1", webMode("false")),
  r("/v1/a/c1", webMode("true")),
  r("/v1/a/c1", { method: "HEAD", ...webMode("t") }),
  r("/v1/a/c2"),
  r("/v1/a/c2", webMode("true")),
  r("/v1/a/c2/one.txt"),
  r("/v1/a/c3"),
  r("/v1/a/c3?a=b"),
  r("/v1/a/c3/"),
  r("/v1/a/c3/", { method: "HEAD" }),
  r("/v1/a/c3/subdir3/subsubdir"),
  r("/v1/a/c3/subdir3/subsubdir/"),
  r("/v1/a/c3/subdir/"),
  r("/v1/a/c3/subdirx/"),
  r("/v1/a/c3/subdiry/"),
  r("/v1/a/c3/subdirz"),
  r("/v1/a/c3/unknown"),
  r("/v1/a/c3b/"),
  r("/v1/a/c4/"),
  r("/v1/a/c4", { env: { authorize: "allow", remote_user: "authed" } }),
  r("/v1/a/c4", { env: { authorize: "allow", remote_user: "authed" }, ...webMode("t") }),
  r("/v1/a/c4/unknown"),
  r("/v1/a/c4/unknown", { method: "HEAD", headers: [["User-Agent", "curl"]] }),
  r("/v1/a/c4/unknown?x=1"),
  r("/v1/a/c4/subdir/"),
  r("/v1/a/c4/one.txt", { headers: [["User-Agent", "curl"], ["Range", "bytes=0-0"]] }),
  r("/v1/a/c4/two.txt"),
  r("/v1/a/c4/marker"),
  r("/v1/a/c5/"),
  r("/v1/a/c5/unknown"),
  r("/v1/a/c6/subdir"),
  r("/v1/a/c6/"),
  r("/v1/a/c6/", { env: { authorize: "deny_listing" } }),
  r("/v1/a/c6/", { env: { authorize: "deny401" } }),
  r("/v1/a/c6/", { env: { authorize: "deny403" } }),
  r("/v1/a/c6b/"),
  r("/v1/a/c6b/", { method: "HEAD" }),
  r("/v1/a/c7/"),
  r("/v1/a/c7"),
  r("/v1/a/c7", { env: { authorize: "deny401" } }),
  r("/v1/a/c7/", { env: { authorize: "deny_listing" } }),
  r("/v1/a/c7/", { env: { authorize: "deny401" } }),
  r("/v1/a/c8/"),
  r("/v1/a/c8/subdir/"),
  r("/v1/a/c9/"),
  r("/v1/a/c9/subdir/"),
  r("/v1/a/c10/"),
  r("/v1/a/c10/%E2%98%83/"),
  r("/v1/a/c10/%E2%98%83/%E2%98%83/"),
  r("/v1/a/c11/subdir/"),
  r("/v1/a/c11a/subdir/"),
  r("/v1/a/c11a/subdir2/"),
  r("/v1/a/c11a/subdir3/"),
  r("/v1/a/c12/"),
  r("/v1/a/c13/"),
  r("/v1/a/c14/"),
  r("/v1/a/c15/"),
  r("/v1/a/c16/"),
  r("/v1/a/c16/x/y/"),
  r("/v1/a/c3", { method: "POST" }),
  r("/v1/a/c3", { env: {} }),
  r("/v1/a/c3", { env: { authorize: "allow", leave_relative_location: true } }),
  r("/v1/a/c3", { headers: [["Host", "example.com:8080"]] }),
];

/** Every case: the site, url_base variants, tempauth in front. */
export const CASES: WebCase[] = [
  { requests: REQUESTS, responses: SITE },
  ...["https://", "//example.com", "http://example.com:80/ignored"].map((url_base) => ({
    conf: { url_base },
    requests: [r("/v1/a/c3/subdirz"), r("/v1/a/c3")],
    responses: SITE,
  })),
  // tempauth in front: anonymous requests and .r:* / .rlistings container ACLs.
  {
    tempauth: { user_test_tester: "testing .admin" },
    proxy_acls: true,
    requests: [
      { path: "/v1/AUTH_test/site/" },
      { path: "/v1/AUTH_test/site/page.html" },
      { path: "/v1/AUTH_test/site/missing" },
      { path: "/v1/AUTH_test/list/" },
      { path: "/v1/AUTH_test/list/dir/" },
      { path: "/v1/AUTH_test/private/" },
      { path: "/v1/AUTH_test/private/page.html" },
      { path: "/v1/AUTH_test/site/", headers: [["X-Auth-Token", "AUTH_tkbad"]] },
    ],
    responses: [
      { method: "HEAD", path: "/v1/AUTH_test", status: 204 },
      {
        method: "HEAD",
        path: "/v1/AUTH_test/site",
        status: 204,
        headers: {
          "X-Container-Read": ".r:*",
          "X-Container-Meta-Web-Index": "index.html",
          "X-Container-Meta-Web-Error": ".html",
        },
      },
      {
        method: "HEAD",
        path: "/v1/AUTH_test/list",
        status: 204,
        headers: { "X-Container-Read": ".r:*,.rlistings", "X-Container-Meta-Web-Listings": "on" },
      },
      {
        method: "HEAD",
        path: "/v1/AUTH_test/private",
        status: 204,
        headers: {
          "X-Container-Meta-Web-Index": "index.html",
          "X-Container-Meta-Web-Error": ".html",
        },
      },
      { method: "GET", path: "/v1/AUTH_test/site/index.html", status: 200, body: "home" },
      { method: "GET", path: "/v1/AUTH_test/site/page.html", status: 200, body: "page" },
      { method: "GET", path: "/v1/AUTH_test/site/missing", status: 404 },
      { method: "GET", path: "/v1/AUTH_test/site/missing/index.html", status: 404 },
      {
        method: "GET",
        path: "/v1/AUTH_test/site?limit=1&delimiter=/&prefix=missing/",
        status: 200,
        body: "[]",
      },
      { method: "GET", path: "/v1/AUTH_test/site/404.html", status: 200, body: "not here" },
      // .r:* without .rlistings does not open the container itself, index or not.
      { method: "GET", path: "/v1/AUTH_test/site/401.html", status: 200, body: "log in" },
      { method: "GET", path: "/v1/AUTH_test/list", status: 200, body: bytes(FULL_LISTING) },
      { method: "GET", path: "/v1/AUTH_test/list/dir/", status: 404 },
      {
        method: "GET",
        path: "/v1/AUTH_test/list?delimiter=/&prefix=dir/",
        status: 200,
        body: bytes(SUBDIR_LISTING),
      },
      { method: "GET", path: "/v1/AUTH_test/private/page.html", status: 200, body: "secret" },
      { method: "GET", path: "/v1/AUTH_test/private/401.html", status: 200, body: "go away" },
    ],
    memcache: {},
  },
];
