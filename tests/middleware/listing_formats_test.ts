/**
 * egg:swift#listing_formats against Swift 2.30's own ListingFilter (_listing_formats_oracle.py):
 * generated account and container listings (unicode, XML-special and control characters, lone
 * surrogates, the reserved null byte, subdirs, odd value types, missing fields, bodies that are
 * no listing) under every way of asking for a format must give the same status, headers, body,
 * backend request and log lines.
 */
import { assertEquals } from "@std/assert";
import { BaseHandler, Logger, type LogRecord } from "@std/log";
import { fromFileUrl } from "@std/path";
import { SwiftLogger } from "../../lib/log/logger.ts";
import type { Handler } from "../../lib/middleware/compose.ts";
import {
  listingFormatsFilter,
  listingFormatsFilterWith,
} from "../../lib/middleware/listing_formats.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { runPythonJson } from "../_helpers/python.ts";
import { SeededRandom } from "../_helpers/random.ts";

const ORACLE = fromFileUrl(new URL("./_listing_formats_oracle.py", import.meta.url));

interface Case {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: [string, string][];
  readonly take_over?: boolean;
  readonly response: { status: string; headers: [string, string][]; body: string };
}

type Answer =
  | {
    status: number;
    reason: string;
    headers: [string, string][];
    body: string;
    seen: { query: string; accept: string | null } | null;
    logs: string[];
  }
  | { error: string; logs: string[] };

class CaptureHandler extends BaseHandler {
  readonly messages: string[] = [];
  override handle(record: LogRecord): void {
    this.messages.push(record.msg);
  }
  log(): void {}
}

const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);
const latin1Bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** What swiftd's filter answers to `spec`. */
async function swiftd(spec: Case): Promise<Answer> {
  const capture = new CaptureHandler("DEBUG");
  const logger = new SwiftLogger(new Logger("lf", "DEBUG", { handlers: [capture] }), "lf", 0);
  let seen: { query: string; accept: string | null } | null = null;
  const app: Handler = (req, ctx) => {
    const at = req.url.indexOf("?");
    seen = { query: at < 0 ? "" : req.url.slice(at + 1), accept: req.headers.get("Accept") };
    if (spec.take_over) ctx.env["swift.format_listing"] = false;
    const [code, reason] = [
      Number(spec.response.status.slice(0, 3)),
      spec.response.status.slice(4),
    ];
    const body = spec.response.body === "" ? null : latin1Bytes(spec.response.body);
    return Promise.resolve(
      new Response(body, { status: code, statusText: reason, headers: spec.response.headers }),
    );
  };
  const handler = listingFormatsFilterWith({ validApiVersions: ["v1", "v1.0"] }, logger)(app);
  const ctx = newRequestContext(logger, { transport: "tcp", hostname: "127.0.0.1", port: 1 });
  const url = `http://localhost${spec.path}${spec.query ? `?${spec.query}` : ""}`;
  try {
    const response = await handler(
      new Request(url, { method: spec.method, headers: spec.headers }),
      ctx,
    );
    return {
      status: response.status,
      reason: response.statusText,
      headers: [...response.headers],
      body: latin1(new Uint8Array(await response.arrayBuffer())),
      seen,
      logs: capture.messages,
    };
  } catch (err) {
    return { error: (err as Error).name, logs: capture.messages };
  }
}

/** Header names lower-cased and sorted: Fetch keeps neither their case nor their order. */
function normalized(answer: Answer): Answer {
  if ("error" in answer) return { error: "raised", logs: answer.logs };
  const headers = answer.headers.map(([k, v]): [string, string] => [k.toLowerCase(), v]);
  return { ...answer, headers: headers.sort((a, b) => (a[0] < b[0] ? -1 : 1)) };
}

const NAMES = [
  "plain",
  "a&b",
  "<tag>",
  'quo"te',
  "apos'",
  "tab\tx",
  "nl\nx",
  "cr\rx",
  "ctrl\x01x",
  "snow\u2603",
  "emoji\u{1F600}",
  "\u00fcn\u00ef c\u00f6d\u00e9",
  "dir/",
  "dir/sub/",
  "pct%20",
  "null\x00byte",
  "lone\ud800x",
  "",
  "]]>",
];

const VALUES = [
  "12",
  "0",
  "1.0",
  "2.5e-7",
  "null",
  "true",
  '"text"',
  '["l", 1]',
  '{"k": "v"}',
  "NaN",
];

/** JSON text for one listing record. */
function record(rng: SeededRandom, account: boolean): string {
  if (rng.chance(0.15)) return `{"subdir": ${JSON.stringify(rng.pick(NAMES))}}`;
  const fields = account
    ? ["name", "count", "bytes", "last_modified"]
    : ["name", "hash", "bytes", "content_type", "last_modified"];
  const items = fields.filter(() => !rng.chance(0.03)).map((key) => {
    const value = key === "name"
      ? JSON.stringify(rng.pick(NAMES))
      : rng.chance(0.8)
      ? JSON.stringify(key === "bytes" || key === "count" ? rng.int(0, 99999) : `v<${key}>&`)
      : rng.pick(VALUES);
    return `${JSON.stringify(key)}: ${value}`;
  });
  if (rng.chance(0.2)) items.push('"symlink_path": "/v1/a/c/o"');
  return `{${rng.shuffle(items).join(", ")}}`;
}

function listingBody(rng: SeededRandom, account: boolean): string {
  const roll = rng.next();
  if (roll < 0.04) return "not json";
  if (roll < 0.07) return '{"a": 1}';
  if (roll < 0.1) return '[{"name": "x"}, 5]';
  const records = Array.from({ length: rng.int(0, 6) }, () => record(rng, account));
  return `[${records.join(", ")}]`;
}

const PATHS = [
  "/v1/a",
  "/v1/a/",
  "/v1/AUTH_test/c",
  "/v1/AUTH_test/c/",
  "/v1.0/%E2%98%83/c%26%3C%3E%22",
  "/v1/a/c/o",
  "/v2/a",
  "/info",
  "/v1//c",
  "/v1/a/c%FF",
];
const QUERIES = [
  "",
  "format=json",
  "format=xml",
  "format=XML",
  "format=plain",
  "format=txt",
  "format=",
  "format=%FF",
  "prefix=a%20b&delimiter=/&format=xml",
  "limit=1&limit=2&marker=%E2%98%83",
  "marker=x&reverse=on&end_marker=y",
  "a+b=c+d&flag",
  "%zz=1&&x=%41",
];
const ACCEPTS = [
  undefined,
  "*/*",
  "application/xml",
  "text/xml",
  "application/json;q=0.9,text/plain;q=0.5",
  "text/html",
  "bogus",
  "text/plain;q=x",
  "application/*",
];

function generatedCases(count: number): Case[] {
  const rng = new SeededRandom(7102024);
  return Array.from({ length: count }, () => {
    // Most cases are listings a backend would send; the rest try every other branch.
    const typical = rng.chance(0.7);
    const path = typical ? rng.pick(PATHS.slice(0, 5)) : rng.pick(PATHS);
    const method = typical ? "GET" : rng.pick(["GET", "GET", "GET", "HEAD", "PUT"]);
    const body = new TextEncoder().encode(listingBody(rng, !path.includes("/c")));
    const headers: [string, string][] = [];
    const accept = rng.pick(ACCEPTS);
    if (accept) headers.push(["Accept", accept]);
    if (rng.chance(0.2)) headers.push(["X-Backend-Allow-Reserved-Names", rng.pick(["true", "no"])]);
    const types = ["application/json; charset=utf-8", "application/json", "text/plain"];
    const responseHeaders: [string, string][] = [
      ["Content-Type", typical ? types[0] : rng.pick(types)],
    ];
    const length = typical ? "exact" : rng.pick(["exact", "exact", "exact", "none", "huge"]);
    if (length !== "none") {
      responseHeaders.push([
        "Content-Length",
        length === "huge" ? "20480001" : String(body.length),
      ]);
    }
    if (rng.chance(0.2)) responseHeaders.push(["Vary", rng.pick(["Origin", "accept, Origin"])]);
    if (rng.chance(0.1)) responseHeaders.push(["X-Container-Object-Count", "3"]);
    const status = typical
      ? "200 OK"
      : rng.pick(["200 OK", "200 OK", "200 OK", "404 Not Found", "204 No Content"]);
    const empty = method === "HEAD" || status.startsWith("204");
    return {
      method,
      path,
      query: typical ? rng.pick(QUERIES.slice(0, 5)) : rng.pick(QUERIES),
      headers,
      take_over: rng.chance(0.05),
      response: { status, headers: responseHeaders, body: empty ? "" : latin1(body) },
    };
  });
}

Deno.test("listing_formats converts listings exactly as Swift's ListingFilter", async () => {
  const cases = generatedCases(1500);
  const spec = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(spec, JSON.stringify(cases));
    const expected = await runPythonJson(ORACLE, [spec]) as Answer[];
    for (const [i, c] of cases.entries()) {
      assertEquals(
        normalized(await swiftd(c)),
        normalized(expected[i]),
        `case ${i}: ${JSON.stringify(c)}`,
      );
    }
  } finally {
    await Deno.remove(spec);
  }
});

Deno.test("the forced query string is left in ctx.env for the stages on the left, as in the environ", async () => {
  const logger = new SwiftLogger(new Logger("lf", "DEBUG"), "lf", 0);
  const stage = {
    kind: "filter" as const,
    name: "listing_formats",
    entryPoint: "listing_formats",
    conf: new Map(),
    options: { swift_dir: "/nonexistent" }, // no swift.conf: Swift's default constraints
    origin: { file: "test.conf" },
  };
  const handler = listingFormatsFilter(stage, { logger, server: "proxy-server", onClose() {} })(
    () =>
      Promise.resolve(
        new Response('[{"name": "c", "count": 1, "bytes": 2, "last_modified": "x"}]', {
          headers: { "Content-Type": "application/json; charset=utf-8", "Content-Length": "60" },
        }),
      ),
  );
  const ctx = newRequestContext(logger, { transport: "tcp", hostname: "127.0.0.1", port: 1 });
  const response = await handler(new Request("http://h/v1/a?prefix=a%20b"), ctx);
  assertEquals(await response.text(), "c\n");
  assertEquals(ctx.env["QUERY_STRING"], "prefix=a+b&format=json");
  assertEquals(ctx.env["swift.format_listing"], true);
});
