/**
 * Differential runs of copy, dlo and slo: the same cases go through swiftd's filter over
 * tests/_helpers/fake_swift.ts and through Swift 2.30's middleware over Swift's FakeSwift
 * (_large_object_oracle.py, one Python process per batch), and come back in one shape to compare:
 * status, headers, body, the subrequests made (method, path, the headers that matter), their
 * swift.source and the bodies PUT.
 */
import { fromFileUrl } from "@std/path";
import { Logger } from "@std/log";
import { SwiftLogger } from "../../lib/log/logger.ts";
import type { Filter } from "../../lib/middleware/compose.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { FakeSwift } from "../_helpers/fake_swift.ts";
import { runPythonJson } from "../_helpers/python.ts";

const ORACLE = fromFileUrl(new URL("./_large_object_oracle.py", import.meta.url));

/** One registered backend answer: method, path, status, headers, body. */
export type Registration = [string, string, number, [string, string][], string | Uint8Array];

/** One differential case. */
export interface LoCase {
  readonly middleware: "copy" | "dlo" | "slo";
  readonly conf?: Record<string, string>;
  readonly canIgnoreRange?: boolean;
  /** CONTAINER_LISTING_LIMIT for this case (Swift's tests patch the constant). */
  readonly listingLimit?: number;
  readonly register: Registration[];
  readonly method: string;
  readonly path: string;
  readonly headers?: [string, string][];
  readonly body?: string | Uint8Array;
}

/** What both sides report. */
export interface LoResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  error: boolean;
  calls: [string, string, Record<string, string>][];
  sources: (string | null)[];
  put_bodies: (string | null)[];
}

const CALL_HEADERS = [
  "Range",
  "X-Newest",
  "X-Backend-Etag-Is-At",
  "X-Backend-Ignore-Range-If-Metadata-Present",
  "Etag",
  "Content-Type",
  "Content-Length",
  "X-Static-Large-Object",
  "X-Object-Manifest",
  "X-Object-Sysmeta-Slo-Etag",
  "X-Object-Sysmeta-Slo-Size",
  "X-Object-Sysmeta-Container-Update-Override-Etag",
  "User-Agent",
  "X-Auth-Token",
  "X-Copy-From",
  "X-Object-Meta-Color",
  "X-Object-Meta-Shape",
  "X-Object-Sysmeta-Test",
  "X-Fresh-Metadata",
  "If-Match",
  "If-None-Match",
];

const encoder = new TextEncoder();

function encodeBase64(data: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < data.length; i += 8192) {
    binary += String.fromCharCode(...data.subarray(i, i + 8192));
  }
  return btoa(binary);
}
const bytes = (body: string | Uint8Array | undefined) =>
  typeof body === "string" ? encoder.encode(body) : body ?? new Uint8Array();

/** The same random boundary cannot be expected of both sides. */
function withoutBoundary(result: LoResult): LoResult {
  const type = result.headers["content-type"] ?? "";
  const match = /boundary=([0-9a-f]+)/.exec(type);
  if (!match) return result;
  const body = new TextDecoder("latin1").decode(
    Uint8Array.from(atob(result.body), (c) => c.charCodeAt(0)),
  );
  return {
    ...result,
    headers: { ...result.headers, "content-type": type.replace(match[1], "BOUNDARY") },
    body: btoa(body.replaceAll(match[1], "BOUNDARY")),
  };
}

/** Headers as a lower-cased dict (repeated names joined as Fetch joins them). */
function headerDict(entries: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/** Runs the cases through Swift. */
export async function swiftResults(cases: readonly LoCase[]): Promise<LoResult[]> {
  const spec = cases.map((c) => ({
    middleware: c.middleware,
    conf: c.conf ?? {},
    can_ignore_range: c.canIgnoreRange ?? false,
    listing_limit: c.listingLimit ?? null,
    register: c.register.map(([m, p, s, h, b]) => [m, p, s, h, encodeBase64(bytes(b))]),
    request: {
      method: c.method,
      path: c.path,
      headers: c.headers ?? [],
      body: c.body === undefined ? "" : encodeBase64(bytes(c.body)),
    },
  }));
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify(spec));
    const raw = await runPythonJson(ORACLE, [
      file,
    ]) as (LoResult & { headers: [string, string][] })[];
    return raw.map((r) => withoutBoundary({ ...r, headers: headerDict(r.headers) }));
  } finally {
    await Deno.remove(file);
  }
}

/** A logger that drops everything. */
export function quietLogger(): SwiftLogger {
  return new SwiftLogger(new Logger("lo", "CRITICAL", { handlers: [] }), "lo", 50);
}

/** Runs one case through swiftd's filter. */
export async function swiftdResult(c: LoCase, filter: Filter): Promise<LoResult> {
  const fake = new FakeSwift();
  fake.canIgnoreRange = c.canIgnoreRange ?? false;
  for (const [method, path, status, headers, body] of c.register) {
    fake.register(method, path, status, Object.fromEntries(headers), bytes(body));
  }
  const handler = filter(fake.handler);
  const ctx = newRequestContext(quietLogger(), {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 1,
  });
  const body = c.body === undefined || bytes(c.body).length === 0 ? undefined : bytes(c.body);
  const headers = new Headers({ Host: "localhost:80", ...Object.fromEntries(c.headers ?? []) });
  if (body) headers.set("Content-Length", String(body.length));
  let error = false;
  let resp: Response;
  try {
    resp = await handler(
      new Request(`http://localhost${c.path}`, {
        method: c.method,
        headers,
        body: body as Uint8Array<ArrayBuffer> | undefined,
      }),
      ctx,
    );
  } catch {
    // catch_errors would answer 500.
    resp = new Response(null, { status: 500 });
    error = true;
  }
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of resp.body ?? []) chunks.push(chunk);
  } catch {
    error = true;
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return withoutBoundary({
    status: resp.status,
    headers: headerDict(resp.headers),
    body: encodeBase64(all),
    error,
    calls: fake.calls.map((call) => {
      const picked: Record<string, string> = {};
      for (const name of CALL_HEADERS) {
        const value = call.headers.get(name);
        if (value !== null) picked[name] = value;
      }
      return [call.method, call.path, picked];
    }),
    sources: fake.calls.map((call) => (call.env["swift.source"] as string | undefined) ?? null),
    // Swift's FakeSwift keeps the bodies of object PUTs and container UPDATEs.
    put_bodies: fake.calls.map((call) => {
      const depth = call.path.split("?")[0].split("/").filter(Boolean).length;
      const kept = (call.method === "PUT" && depth >= 4) ||
        (call.method === "UPDATE" && depth === 3);
      return kept ? encodeBase64(call.body ?? new Uint8Array()) : null;
    }),
  });
}
