/**
 * Form posts both formpost implementations answer in formpost_test.ts: signatures of each
 * digest and encoding, expiry, limits (file count, file size), redirects, subrequest
 * headers (content type and encoding, delete-at/after, Origin, User-Agent), failing uploads,
 * and malformed or unusual multipart bodies.
 */
import { createHmac } from "node:crypto";
import type { FormPart, Registered, SignedCase } from "./_tempurl_harness.ts";
import { formBody, signForm } from "./_tempurl_harness.ts";

/** The clock of every case. */
export const NOW = 1700000000;
const LATER = String(NOW + 3600);
const B = "----WebKitFormBoundaryNcxTqxSlX7t4TDkR";

const BACKEND: readonly Registered[] = [
  {
    method: "HEAD",
    path: "/v1/a",
    status: 204,
    headers: { "X-Account-Meta-Temp-Url-Key": "akey" },
  },
  {
    method: "HEAD",
    path: "/v1/a/c",
    status: 204,
    headers: {
      "X-Container-Meta-Temp-Url-Key": "ckey",
      "X-Container-Meta-Temp-Url-Key-2": "ckey2",
    },
  },
  { method: "POST", path: "/v1/a/c", status: 204 },
  { method: "GET", path: "/v1/a/c", status: 200, body: "listing" },
  // "b": tests/_helpers/fake_swift.ts looks "a/../b" up as the URL parser normalizes it.
  ...[
    "f1",
    "f2",
    "f3",
    "filename",
    "pre-f1",
    "%C3%A9t%C3%A9",
    "%C3%A9",
    "a/../b",
    "b",
    "C%3A%5Cdir%5Cf1",
  ].map(
    (name): Registered => ({
      method: "PUT",
      path: `/v1/a/c/${name}`,
      status: 201,
      headers: { "Access-Control-Allow-Origin": "*", "X-Other": "1" },
    }),
  ),
  { method: "PUT", path: "/v1/a/c/fails", status: 404 },
];

interface Spec {
  readonly name: string;
  readonly path?: string;
  readonly method?: string;
  /** Fields sent before the files, in order, unless `parts` replaces the whole form. */
  readonly redirect?: string;
  readonly maxFileSize?: string;
  readonly maxFileCount?: string;
  readonly expires?: string;
  readonly key?: string;
  readonly digest?: string;
  readonly encoding?: "hex" | "base64";
  /** The signature field as sent, instead of the computed one. */
  readonly signature?: string;
  /** The signed redirect, when not the one sent (which is latin-1 text of UTF-8 bytes). */
  readonly signedRedirect?: string;
  /** The signed path, when not the POST's own. */
  readonly signedPath?: string;
  readonly files?: readonly FormPart[];
  /** Unsigned fields between the signed ones and the files. */
  readonly extraFields?: readonly FormPart[];
  /** Parts after the files. */
  readonly trailing?: readonly FormPart[];
  /** The whole body, as sent. */
  readonly body?: string;
  readonly contentType?: string;
  readonly headers?: [string, string][];
  readonly conf?: Record<string, string>;
}

/** The text of latin-1 text holding UTF-8 bytes. */
const utf8Text = (latin1: string) =>
  new TextDecoder().decode(Uint8Array.from(latin1, (c) => c.charCodeAt(0)));

function signatureOf(spec: Spec, path: string): string {
  const fields = {
    path: spec.signedPath ?? path,
    redirect: spec.signedRedirect ?? (spec.redirect && utf8Text(spec.redirect)),
    // Swift signs `max_file_size or "0"`.
    maxFileSize: spec.maxFileSize === "absent" ? "0" : spec.maxFileSize ?? "1024",
    maxFileCount: spec.maxFileCount ?? "10",
    expires: spec.expires ?? LATER,
  };
  if (spec.encoding !== "base64") return signForm(fields, spec.key ?? "akey", spec.digest);
  const message = [
    fields.path,
    fields.redirect ?? "",
    fields.maxFileSize,
    fields.maxFileCount,
    fields.expires,
  ]
    .join("\n");
  const digest = spec.digest ?? "sha256";
  return `${digest}:${createHmac(digest, spec.key ?? "akey").update(message).digest("base64")}`;
}

function caseOf(spec: Spec): SignedCase {
  const path = spec.path ?? "/v1/a/c";
  const fields: FormPart[] = [];
  if (spec.redirect !== undefined) fields.push({ name: "redirect", value: spec.redirect });
  if (spec.maxFileSize !== "absent") {
    fields.push({ name: "max_file_size", value: spec.maxFileSize ?? "1024" });
  }
  fields.push({ name: "max_file_count", value: spec.maxFileCount ?? "10" });
  fields.push({ name: "expires", value: spec.expires ?? LATER });
  fields.push({ name: "signature", value: spec.signature ?? signatureOf(spec, path) });
  const files = spec.files ??
    [{ name: "file1", filename: "f1", data: "hello", type: "text/plain" }];
  const parts = [...fields, ...(spec.extraFields ?? []), ...files, ...(spec.trailing ?? [])];
  // Fetch cannot send a GET with a body.
  const body = spec.method === "GET" ? undefined : spec.body ?? formBody(B, parts);
  return {
    name: spec.name,
    filter: "formpost",
    conf: spec.conf,
    now: NOW,
    method: spec.method ?? "POST",
    path,
    headers: [
      ["Content-Type", spec.contentType ?? `multipart/form-data; boundary=${B}`],
      ...(spec.headers ?? []),
    ],
    body,
    responses: BACKEND,
  };
}

const file = (filename: string, data = "x", type?: string): FormPart => ({
  name: `file-${filename}`,
  filename,
  data,
  type,
});
/** A well-signed form's fields, for bodies written by hand. */
const signedFields = (extra = "") =>
  formBody(B, [
    { name: "max_file_size", value: "1024" },
    { name: "max_file_count", value: "10" },
    { name: "expires", value: LATER },
    { name: "signature", value: signatureOf({ name: "" }, "/v1/a/c") },
  ]).replace(`--${B}--\r\n`, extra);

const SPECS: readonly Spec[] = [
  { name: "one file" },
  { name: "one file, no Content-Type on the part", files: [file("f1", "abc")] },
  { name: "two files", files: [file("f1"), file("f2")] },
  { name: "a redirect", redirect: "http://example.com/done" },
  { name: "a redirect with a query", redirect: "http://example.com/done?x=1" },
  {
    name: "a redirect with non-ASCII text",
    redirect: "http://example.com/\u00c3\u00a9t\u00c3\u00a9",
  },
  { name: "a redirect that is not UTF-8", redirect: "http://example.com/\u00e9", signature: "x" },
  { name: "too many files", maxFileCount: "2", files: [file("f1"), file("f2"), file("f3")] },
  {
    name: "too many files with a redirect",
    maxFileCount: "1",
    redirect: "http://x/",
    files: [file("f1"), file("f2")],
  },
  { name: "a zero file count", maxFileCount: "0" },
  { name: "a file over max_file_size", maxFileSize: "4" },
  { name: "a file of exactly max_file_size", maxFileSize: "5" },
  {
    name: "a big file within max_file_size",
    maxFileSize: "300000",
    files: [file("f1", "0123456789\r\n-".repeat(20000))],
  },
  {
    name: "a big file over max_file_size",
    maxFileSize: "100000",
    files: [file("f1", "x".repeat(150000))],
  },
  { name: "no max_file_size field", maxFileSize: "absent" },
  {
    name: "no max_file_size field and an empty file",
    maxFileSize: "absent",
    files: [file("f1", "")],
  },
  { name: "an expired form", expires: String(NOW - 1) },
  { name: "a form expiring now", expires: String(NOW) },
  { name: "an expiry that is not an integer", expires: "tomorrow" },
  { name: "a max_file_size that is not an integer", maxFileSize: "1k" },
  { name: "a max_file_count that is not an integer", maxFileCount: "ten" },
  {
    name: "integers with spaces and signs",
    maxFileSize: " +1024",
    maxFileCount: "1_0",
    expires: ` ${LATER} `,
  },
  { name: "a wrong signature", signature: "0".repeat(64) },
  { name: "a signature with another key", key: "other" },
  { name: "the container key", key: "ckey" },
  { name: "the second container key", key: "ckey2" },
  { name: "a sha1 signature", digest: "sha1" },
  { name: "a sha512 signature", digest: "sha512" },
  { name: "a base64 sha512 signature", digest: "sha512", encoding: "base64" },
  { name: "a base64 sha1 signature", digest: "sha1", encoding: "base64" },
  {
    name: "a signature outside allowed_digests",
    digest: "sha1",
    conf: { allowed_digests: "sha256 sha512" },
  },
  { name: "a signature that is not a digest", signature: "nope" },
  { name: "no files", files: [] },
  { name: "no files with a redirect", files: [], redirect: "http://x/y" },
  { name: "an empty filename is a field", files: [{ name: "f", filename: "", data: "x" }] },
  { name: "a file named by its field only", files: [{ name: "f", filename: '"', data: "x" }] },
  {
    name: "x_delete_at and x_delete_after",
    extraFields: [{ name: "x_delete_at", value: " 1800000000" }, {
      name: "X_DELETE_AFTER",
      value: "+60",
    }],
  },
  {
    name: "an x_delete_at that is not an integer",
    extraFields: [{ name: "x_delete_at", value: "soon" }],
  },
  {
    name: "an x_delete_after that is not an integer",
    extraFields: [{ name: "x_delete_after", value: "1.5" }],
  },
  {
    name: "content-type and content-encoding fields for every file",
    extraFields: [{ name: "Content-Type", value: "text/csv" }, {
      name: "content-encoding",
      value: "br",
    }],
    files: [file("f1", "a", "text/plain"), file("f2", "b")],
  },
  { name: "an empty content-type field", extraFields: [{ name: "content-type", value: "" }] },
  { name: "content types per file", files: [file("f1", "a", "image/png"), file("f2", "b", "")] },
  {
    name: "a field after a file does not apply to it",
    trailing: [{ name: "redirect", value: "http://late/" }],
  },
  { name: "a failing upload stops the form", files: [file("fails"), file("f1")] },
  { name: "a prefix in the path", path: "/v1/a/c/pre-", files: [file("f1")] },
  { name: "a path ending in a slash", path: "/v1/a/c/", files: [file("f1")] },
  { name: "a UTF-8 filename", files: [file("\u00c3\u00a9t\u00c3\u00a9")] },
  { name: "a latin-1 filename", files: [file("\u00e9")] },
  { name: "a filename with dot segments", files: [file("a/../b")] },
  { name: "an Internet Explorer file name with its Windows path", files: [file("C:\\dir\\f1")] },
  {
    name: "the POST's query string does not reach the upload",
    path: "/v1/a/c?x=1&temp_url_sig=2",
    signedPath: "/v1/a/c",
  },
  {
    name: "an upper-case BOUNDARY parameter passes through",
    contentType: `multipart/form-data; BOUNDARY=${B}`,
  },
  { name: "an account path", path: "/v1/a" },
  { name: "a path that is not a Swift API version", path: "/v2/a/c" },
  {
    name: "Origin, Referer and User-Agent reach the upload",
    headers: [["Origin", "http://o"], ["Referer", "http://r"], ["User-Agent", "curl/8"], [
      "X-Auth-Token",
      "t",
    ]],
  },
  { name: "a GET passes through", method: "GET" },
  { name: "a POST of another type passes through", contentType: "text/plain" },
  { name: "multipart without a boundary passes through", contentType: "multipart/form-data" },
  {
    name: "upper-case MULTIPART passes through",
    contentType: `Multipart/Form-Data; boundary=${B}`,
  },
  { name: "a quoted boundary", contentType: `multipart/form-data; boundary="${B}"` },
  { name: "a wrong starting boundary", body: "--nope\r\n\r\n" },
  { name: "an empty body", body: "" },
  {
    name: "blank lines before the first boundary",
    body:
      `\r\n\r\n${signedFields()}--${B}\r\nContent-Disposition: form-data; name="f"; filename="f1"\r\n\r\nabc\r\n--${B}--`,
  },
  {
    name: "a body cut off inside a file",
    body:
      `${signedFields()}--${B}\r\nContent-Disposition: form-data; name="f"; filename="f1"\r\n\r\nabc`,
  },
  {
    name: "bare LF line endings in a part's headers",
    body:
      `${signedFields()}--${B}\r\nContent-Disposition: form-data; name="f"; filename="f1"\nContent-Type: text/x\n\r\n\r\nabc\r\n--${B}--`,
  },
  {
    name: "folded, repeated and lower-case part headers",
    body:
      `${signedFields()}--${B}\r\ncontent-disposition: form-data;\r\n name="f"; filename="f1"\r\nCONTENT-TYPE: a/b\r\nContent-Type: c/d\r\nContent-Encoding: gzip\r\n\r\nabc\r\n--${B}--`,
  },
  {
    name: "a part header line that is not a header",
    body:
      `${signedFields()}--${B}\r\nContent-Disposition: form-data; name="f"; filename="f1"\r\nnot a header\r\nContent-Type: a/b\r\n\r\nabc\r\n--${B}--`,
  },
  {
    name: "a file containing boundary look-alikes",
    files: [file("f1", `x--${B}\n\r\n-${B}\r\n--${B.slice(0, 10)}`)],
  },
  { name: "a file starting with a boundary look-alike", files: [file("f1", `--${B}\nrest`)] },
  {
    name: "a long field value is cut at 4096 bytes",
    redirect: `http://x/${"r".repeat(5000)}`,
    signedRedirect: `http://x/${"r".repeat(4087)}`,
  },
  { name: "a long field value is signed as cut", redirect: `http://x/${"r".repeat(5000)}` },
  {
    name: "a huge field is read and dropped",
    trailing: [{ name: "junk", value: "j".repeat(200000) }],
  },
  { name: "a field that is not UTF-8", extraFields: [{ name: "bad", value: "\u00ff\u00fe" }] },
  {
    name: "twenty small files",
    maxFileCount: "20",
    files: Array.from({ length: 20 }, () => file("f1")),
  },
];

/** The corpus. */
export const FORMPOST_CORPUS: readonly SignedCase[] = SPECS.map(caseOf);
