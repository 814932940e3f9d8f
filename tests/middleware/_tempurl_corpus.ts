/**
 * Temp URL requests both tempurl implementations answer in tempurl_test.ts: valid and
 * invalid signatures of each digest and encoding, expiry edges (Unix and ISO 8601), prefixes,
 * IP ranges, methods, header filtering, Content-Disposition, scope, and configuration.
 */
import type { Registered, SignedCase } from "./_tempurl_harness.ts";
import { sign } from "./_tempurl_harness.ts";

/** The clock of every case. */
export const NOW = 1700000000;
const LATER = NOW + 3600;

/** The account, container and object answers behind every case. */
export const BACKEND: readonly Registered[] = [
  {
    method: "HEAD",
    path: "/v1/a",
    status: 204,
    headers: { "X-Account-Meta-Temp-Url-Key": "akey", "X-Account-Meta-Temp-Url-Key-2": "akey2" },
  },
  {
    method: "HEAD",
    path: "/v1/a/c",
    status: 204,
    headers: { "X-Container-Meta-Temp-Url-Key": "ckey" },
  },
  { method: "HEAD", path: "/v1/nokeys", status: 204 },
  { method: "HEAD", path: "/v1/nokeys/c", status: 204 },
  {
    method: "GET",
    path: "/v1/a/c/o",
    status: 200,
    headers: {
      "X-Object-Meta-Foo": "x",
      "X-Object-Meta-Public-Bar": "y",
      "X-Foo-Meta": "z",
      "Content-Type": "text/plain",
    },
    body: "hello",
  },
  {
    method: "GET",
    path: "/v1/a/c/d",
    status: 200,
    // Swift's test has a "\n" in it, escaped as %0A; Fetch headers cannot even hold one.
    headers: { "Content-Disposition": 'attachment; filename="fu bar"' },
    body: "disposed",
  },
  { method: "GET", path: "/v1/a/c/missing", status: 404 },
  { method: "GET", path: "/v1/a/c/pre/fix/o", status: 200, body: "prefixed" },
  { method: "GET", path: "/v1/a/c/a%20%22b%27%25", status: 200, body: "odd" },
  { method: "GET", path: "/v1/a/c/o/", status: 200, body: "slash" },
  { method: "GET", path: "/v1/nokeys/c/o", status: 200, body: "nokeys" },
  {
    method: "HEAD",
    path: "/v1/a/c/o",
    status: 200,
    headers: { "X-Object-Meta-Foo": "x", "Content-Length": "5", "Content-Type": "text/plain" },
  },
  { method: "OPTIONS", path: "/v1/a/c/o", status: 200, headers: { Allow: "GET" } },
  { method: "PUT", path: "/v1/a/c/o", status: 201 },
  { method: "POST", path: "/v1/a/c/o", status: 202 },
  { method: "DELETE", path: "/v1/a/c/o", status: 204 },
];

const PROBES = ["/v1/a/c/other", "/v1/a/c2/o", "/v1/b/c/o", "/v1/a"];

interface Spec {
  readonly name: string;
  readonly method?: string;
  /** The object path requested (quoted). */
  readonly path?: string;
  /** The path signed (text); defaults to the object path. */
  readonly signed?: string;
  readonly signMethod?: string;
  readonly key?: string;
  readonly digest?: string;
  readonly encoding?: "hex" | "base64" | "base64url";
  readonly expires?: number | string;
  /** The expiry signed (str(int(expires))); defaults to `expires`. */
  readonly signedExpires?: number;
  /** Query parameters after the signature and expiry. */
  readonly extra?: string;
  /** The whole query, instead of the signed one. */
  readonly query?: string;
  readonly ipRange?: string;
  readonly conf?: Record<string, string>;
  readonly headers?: [string, string][];
  readonly body?: string;
  readonly remote?: string;
  readonly now?: number;
  /** Changes the signature (after signing). */
  readonly tamper?: (sig: string) => string;
}

function caseOf(spec: Spec): SignedCase {
  const method = spec.method ?? "GET";
  const path = spec.path ?? "/v1/a/c/o";
  const expires = spec.expires ?? LATER;
  let sig = sign(
    {
      method: spec.signMethod ?? method,
      expires: spec.signedExpires ?? expires,
      path: spec.signed ?? decodeURIComponent(path),
      ipRange: spec.ipRange,
    },
    spec.key ?? "akey",
    spec.digest ?? "sha256",
    spec.encoding ?? "hex",
  );
  if (spec.tamper) sig = spec.tamper(sig);
  let query = spec.query ??
    `temp_url_sig=${encodeURIComponent(sig)}&temp_url_expires=${
      encodeURIComponent(String(expires))
    }`;
  if (spec.ipRange !== undefined) query += `&temp_url_ip_range=${encodeURIComponent(spec.ipRange)}`;
  if (spec.extra) query += `&${spec.extra}`;
  return {
    name: spec.name,
    filter: "tempurl",
    conf: spec.conf,
    now: spec.now ?? NOW,
    method,
    path: query ? `${path}?${query}` : path,
    headers: spec.headers,
    body: spec.body,
    remote_addr: spec.remote ?? "127.0.0.1",
    responses: BACKEND,
    probes: PROBES,
  };
}

const flip = (sig: string) => sig.slice(0, -1) + (sig.endsWith("0") ? "1" : "0");
const prefixPath = (p: string) => `prefix:/v1/a/c/${p}`;

const SPECS: readonly Spec[] = [
  { name: "no temp URL parameters pass through", query: "" },
  { name: "OPTIONS passes through", method: "OPTIONS", query: "temp_url_sig=x&temp_url_expires=1" },
  { name: "sha256 hex with the account key" },
  { name: "sha1 hex", digest: "sha1" },
  { name: "sha512 hex", digest: "sha512" },
  { name: "the second account key", key: "akey2" },
  { name: "the container key", key: "ckey" },
  { name: "an unknown key", key: "nope" },
  { name: "sha1 base64", digest: "sha1", encoding: "base64" },
  { name: "sha256 base64", encoding: "base64" },
  { name: "sha512 base64", digest: "sha512", encoding: "base64" },
  { name: "sha512 url-safe base64 without padding", digest: "sha512", encoding: "base64url" },
  { name: "sha256 url-safe base64 without padding", encoding: "base64url" },
  { name: "a changed hex signature", tamper: flip },
  { name: "an upper-case hex signature", tamper: (s) => s.toUpperCase() },
  { name: "a hex signature of a bad length", tamper: (s) => s.slice(2) },
  { name: "a signature that is not hex", tamper: (s) => `zz${s.slice(2)}` },
  {
    name: "an unknown algorithm prefix",
    encoding: "base64",
    tamper: (s) => s.replace("sha256:", "md5:"),
  },
  {
    name: "an upper-case algorithm prefix",
    encoding: "base64",
    tamper: (s) => s.replace("sha256", "SHA256"),
  },
  {
    name: "base64 with a bad character",
    encoding: "base64",
    tamper: (s) => `${s.slice(0, 10)}!${s.slice(11)}`,
  },
  { name: "base64 mixing both alphabets", encoding: "base64url", tamper: (s) => `${s}+-` },
  { name: "base64 one char too long", encoding: "base64url", tamper: (s) => `${s}A` },
  { name: "an empty signature", query: `temp_url_sig=&temp_url_expires=${LATER}` },
  { name: "a missing signature", query: `temp_url_expires=${LATER}` },
  { name: "a missing expiry", query: `temp_url_sig=abc` },
  { name: "a signature for another object", path: "/v1/a/c/o2", signed: "/v1/a/c/o" },
  { name: "a repeated signature: the first counts", extra: "temp_url_sig=00&temp_url_expires=1" },
  {
    name: "a repeated signature: a bad first one",
    query: `temp_url_sig=00&temp_url_expires=${LATER}&temp_url_sig=${"0".repeat(64)}`,
  },
  { name: "an expiry that is not a time", expires: "soon" },
  { name: "an expired URL", expires: NOW - 1 },
  { name: "an expiry equal to now", expires: NOW },
  { name: "an expiry just before a fractional now", expires: NOW, now: NOW + 0.5 },
  {
    name: "an expiry with spaces, sign and underscores",
    expires: " +1_700_003_600 ",
    signedExpires: LATER,
  },
  {
    name: "an expiry in Arabic-Indic digits",
    expires: "\u0661\u0667\u0660\u0660\u0660\u0660\u0663\u0666\u0660\u0660",
    signedExpires: LATER,
  },
  { name: "an ISO 8601 expiry signed as written", expires: "2023-11-14T23:13:20Z" },
  { name: "an ISO 8601 expiry", expires: "2023-11-14T23:13:20Z", signedExpires: LATER },
  {
    name: "a lower-case ISO 8601 expiry with one-digit fields",
    expires: "2030-1-2t3:4:5z",
    signedExpires: Date.UTC(2030, 0, 2, 3, 4, 5) / 1000,
  },
  {
    name: "an ISO 8601 expiry with a leap second",
    expires: "2030-12-31T23:59:60Z",
    signedExpires: Date.UTC(2031, 0, 1) / 1000,
  },
  {
    name: "an impossible ISO 8601 date",
    expires: "2030-02-30T00:00:00Z",
    signedExpires: Date.UTC(2030, 2, 2) / 1000,
  },
  {
    name: "an ISO 8601 expiry with trailing text",
    expires: "2030-01-01T00:00:00Z ",
    signedExpires: Date.UTC(2030, 0, 1) / 1000,
  },
  { name: "an ISO 8601 expiry in the past", expires: "2020-01-01T00:00:00Z" },
  { name: "an expiry far in the future", expires: 10 ** 12 },
  { name: "a filename", extra: "filename=my%20file.txt" },
  { name: "an odd filename", extra: "filename=%C3%A9t%C3%A9%22%3B%0A.txt" },
  { name: "inline", extra: "inline" },
  { name: "inline with a filename", extra: "inline=&filename=a%2Fb%20c" },
  { name: "an object with a Content-Disposition", path: "/v1/a/c/d" },
  {
    name: "a filename over an object's Content-Disposition",
    path: "/v1/a/c/d",
    extra: "filename=x",
  },
  { name: "a 404 gets no Content-Disposition", path: "/v1/a/c/missing" },
  {
    name: "an object with a space, quotes and a percent sign in its name",
    path: "/v1/a/c/a%20%22b%27%25",
  },
  { name: "an object with a trailing slash", path: "/v1/a/c/o/" },
  { name: "other query parameters are not passed on", extra: "multipart-manifest=get&symlink=get" },
  {
    name: "a prefix URL",
    path: "/v1/a/c/pre/fix/o",
    signed: prefixPath("pre/"),
    extra: "temp_url_prefix=pre%2F",
  },
  {
    name: "an empty prefix",
    path: "/v1/a/c/pre/fix/o",
    signed: prefixPath(""),
    extra: "temp_url_prefix=",
  },
  {
    name: "an object outside the prefix",
    signed: prefixPath("pre/"),
    extra: "temp_url_prefix=pre%2F",
  },
  { name: "an object URL used with a prefix", extra: "temp_url_prefix=o" },
  { name: "an allowed IPv4 range", ipRange: "127.0.0.0/29" },
  { name: "an IPv4 netmask", ipRange: "127.0.0.0/255.255.255.0" },
  { name: "an IPv4 hostmask", ipRange: "127.0.0.0/0.0.0.255" },
  { name: "a single IPv4 address", ipRange: "127.0.0.1" },
  { name: "an IPv4 range the client is outside", ipRange: "10.0.0.0/8" },
  { name: "an IPv4 range with host bits", ipRange: "127.0.0.1/24" },
  { name: "an IPv4 range with a leading zero", ipRange: "127.0.0.01" },
  { name: "an IPv4 range that is not an address", ipRange: "localhost" },
  {
    name: "an IPv4 range signed without it",
    ipRange: "127.0.0.0/8",
    tamper: () => sign({ method: "GET", expires: LATER, path: "/v1/a/c/o" }, "akey"),
  },
  {
    name: "X-Forwarded-For does not stand in for the client address",
    ipRange: "127.0.0.0/8",
    remote: "10.0.0.1",
    headers: [["X-Forwarded-For", "127.0.0.1"]],
  },
  { name: "an IPv6 client in an IPv6 range", ipRange: "2001:db8::/32", remote: "2001:db8::1" },
  { name: "a single IPv6 address", ipRange: "::1", remote: "::1" },
  {
    name: "an IPv6 range with an embedded IPv4 address",
    ipRange: "::ffff:10.0.0.0/104",
    remote: "::ffff:10.1.2.3",
  },
  { name: "an IPv6 client outside the range", ipRange: "2001:db8::/32", remote: "2001:db9::1" },
  { name: "an IPv4 client and an IPv6 range", ipRange: "::/0" },
  { name: "an IPv6 range with two ::", ipRange: "2001::db8::/64", remote: "2001::1" },
  { name: "an IPv6 range with a scope", ipRange: "fe80::%eth0/64", remote: "fe80::1" },
  { name: "HEAD with a HEAD signature", method: "HEAD" },
  { name: "HEAD with a GET signature", method: "HEAD", signMethod: "GET" },
  { name: "HEAD with a PUT signature", method: "HEAD", signMethod: "PUT" },
  { name: "HEAD with a POST signature", method: "HEAD", signMethod: "POST" },
  { name: "HEAD with a DELETE signature", method: "HEAD", signMethod: "DELETE" },
  { name: "a refused HEAD", method: "HEAD", tamper: flip },
  { name: "PUT", method: "PUT", body: "data", headers: [["Content-Type", "text/plain"]] },
  { name: "PUT with a GET signature", method: "PUT", signMethod: "GET", body: "data" },
  { name: "GET with a PUT signature", signMethod: "PUT" },
  {
    name: "PUT with X-Object-Manifest",
    method: "PUT",
    body: "",
    headers: [["X-Object-Manifest", "c/p"]],
  },
  {
    name: "PUT with X-Symlink-Target",
    method: "PUT",
    body: "",
    headers: [["X-Symlink-Target", "c/t"]],
  },
  { name: "POST with X-Copy-From", method: "POST", headers: [["X-Copy-From", "c/o2"]] },
  { name: "GET with X-Object-Manifest", headers: [["X-Object-Manifest", "c/p"]] },
  { name: "POST", method: "POST", headers: [["X-Object-Meta-New", "1"]] },
  { name: "DELETE", method: "DELETE" },
  {
    name: "POST when methods leaves it out",
    method: "POST",
    conf: { methods: "GET HEAD PUT DELETE" },
  },
  { name: "DELETE when methods leaves it out", method: "DELETE", conf: { methods: "GET" } },
  { name: "COPY is not a tempurl method", method: "COPY" },
  { name: "X-Timestamp is removed", headers: [["X-Timestamp", "123"], ["X-Keep", "1"]] },
  {
    name: "incoming remove and allow lists with wildcards",
    conf: {
      incoming_remove_headers: "x-foo-* x-bar x-timestamp",
      incoming_allow_headers: "x-foo-allowed*",
    },
    headers: [
      ["X-Foo-Gone", "1"],
      ["X-Foo-Allowed-Too", "2"],
      ["X-Bar", "3"],
      ["X-Foo_Under", "4"],
      ["X-Baz", "5"],
    ],
  },
  {
    name: "an incoming allow entry wins over a remove entry",
    conf: { incoming_remove_headers: "x-test", incoming_allow_headers: "x-test" },
    headers: [["X-Test", "1"]],
  },
  {
    name: "outgoing remove and allow lists with wildcards",
    conf: {
      outgoing_remove_headers: "x-object-meta-* x-foo-meta content-type",
      outgoing_allow_headers: "x-object-meta-foo",
    },
  },
  {
    name: "no outgoing lists at all",
    conf: { outgoing_remove_headers: "", outgoing_allow_headers: "" },
  },
  { name: "a container path", path: "/v1/a/c", signed: "/v1/a/c" },
  { name: "a path that is not v1", path: "/v2/a/c/o" },
  { name: "an account without keys", path: "/v1/nokeys/c/o" },
  { name: "path_prefix", conf: { path_prefix: "/swift/" }, signed: "/swift/v1/a/c/o" },
  { name: "path_prefix not signed", conf: { path_prefix: "swift" } },
  { name: "allowed_digests leaving sha256 out", conf: { allowed_digests: "sha1 sha512" } },
  {
    name: "allowed_digests with sha512 only",
    conf: { allowed_digests: "SHA512 md5" },
    digest: "sha512",
  },
  { name: "allowed_digests with nothing supported", conf: { allowed_digests: "md5" } },
];

/** The corpus. */
export const TEMPURL_CORPUS: readonly SignedCase[] = SPECS.map(caseOf);
