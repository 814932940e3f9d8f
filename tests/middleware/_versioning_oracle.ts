/**
 * The same requests through Swift 2.30's versioned_writes and symlink (_versioning_oracle.py,
 * in front of Swift's FakeSwift) and through swiftd's filters (in front of _filter_oracle.ts's
 * FakeBackend answering the same registered responses), reduced to what a client and the
 * backend see: status, headers, body, and each backend request with its query string,
 * swift.source and headers. Both sides run with the same fixed time.time().
 */
import { assertEquals } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { buildStoragePolicies } from "../../lib/common/storage_policy.ts";
import type { Filter } from "../../lib/middleware/compose.ts";
import { symlinkFilterWith } from "../../lib/middleware/symlink.ts";
import { versionedWritesFilterWith } from "../../lib/middleware/versioned_writes.ts";
import type { Authorize } from "../../lib/proxy/call.ts";
import { HttpError } from "../../lib/server/http_error.ts";
import { runPythonJson } from "../_helpers/python.ts";
import { type Call, contextOf, FakeBackend, requestOf } from "./_filter_oracle.ts";
import { wsgiQuote } from "../../lib/object/wsgi_text.ts";

const ORACLE = fromFileUrl(new URL("./_versioning_oracle.py", import.meta.url));

/** One answer of the backend. */
export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** What the backend answers to (method, PATH_INFO[?query]): one answer, or a sequence. */
export type Registered =
  | (Answer & { readonly method: string; readonly path: string })
  | { readonly method: string; readonly path: string; readonly sequence: Answer[] };

/** One request through a pipeline of the two filters. */
export interface VersioningCase {
  /** Outermost first. */
  readonly pipeline: readonly ("versioned_writes" | "symlink")[];
  readonly conf?: {
    versioned_writes?: Record<string, string>;
    symlink?: Record<string, string>;
  };
  readonly method?: string;
  /** As on the wire: quoted, with the query. */
  readonly path: string;
  readonly headers?: [string, string][];
  /** Latin-1 text. */
  readonly body?: string;
  /** time.time() during the request. */
  readonly now?: number;
  readonly env?: { readonly authorize?: "allow" | "deny401" | "deny403" };
  readonly responses?: readonly Registered[];
}

/** What happened, on either side. */
export interface Outcome {
  status?: number;
  headers?: [string, string][];
  body?: string;
  error?: boolean;
  build_error?: boolean;
  calls?: Call[];
}

const NOW = 1700000000.0;

/** Headers the two fakes add on their own, left out of the comparison. */
const FAKE_ONLY = new Set(["content-length", "x-backend-storage-policy-index"]);

const byName = (a: [string, string], b: [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

function headerList(headers: Iterable<[string, string]>): [string, string][] {
  return [...headers]
    .map(([k, v]): [string, string] => [k.toLowerCase(), v])
    .filter(([k]) => !FAKE_ONLY.has(k))
    .sort(byName);
}

/** A backend request, an empty Content-Type read as none (Swift's server sends "" for none). */
function normalizedCall([m, p, q, s, h]: Call): Call {
  const headers = headerList(Object.entries(h)).filter(([k, v]) => k !== "content-type" || v);
  return [m, p, q, s, Object.fromEntries(headers)];
}

function latin1Bytes(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

function latin1(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

function intOr(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : Number(text);
}

/** A registered PATH_INFO quoted, its query (already on the wire's form) kept. */
function quotedPath(path: string): string {
  const at = path.indexOf("?");
  return at < 0 ? wsgiQuote(path) : wsgiQuote(path.slice(0, at)) + path.slice(at);
}

/** swiftd's filters for a case, outermost first. */
export function pipelineOf(c: VersioningCase): Filter[] {
  const now = () => c.now ?? NOW;
  return c.pipeline.map((name) => {
    if (name === "symlink") {
      const max = intOr(c.conf?.symlink?.symloop_max, 2);
      return symlinkFilterWith({ symloopMax: max < 1 ? 2 : max });
    }
    const conf = c.conf?.versioned_writes ?? {};
    return versionedWritesFilterWith({
      allowVersionedWrites: conf.allow_versioned_writes || undefined,
      allowObjectVersioning: ["true", "1", "yes", "on", "t", "y"].includes(
        (conf.allow_object_versioning ?? "").toLowerCase(),
      ),
      maxFileSize: 5368709122,
      containerListingLimit: 10000,
      accountListingLimit: 10000,
      policies: buildStoragePolicies([]),
      now,
    });
  });
}

/** What swiftd's filters do with a case. */
export async function swiftdOutcome(c: VersioningCase): Promise<Outcome> {
  const backend = new FakeBackend();
  for (const r of c.responses ?? []) {
    if ("sequence" in r) {
      backend.swift.registerResponses(
        r.method,
        quotedPath(r.path),
        r.sequence.map((a) => ({ ...a, body: latin1Bytes(a.body ?? "") })),
      );
    } else {
      backend.swift.register(
        r.method,
        quotedPath(r.path),
        r.status,
        r.headers,
        latin1Bytes(r.body ?? ""),
      );
    }
  }
  const ctx = contextOf();
  if (c.env?.authorize) {
    const kind = c.env.authorize;
    const authorize: Authorize = () => {
      if (kind === "allow") return undefined;
      const headers: Record<string, string> = kind === "deny401"
        ? { "Www-Authenticate": 'Swift realm="test"' }
        : {};
      return new HttpError(kind === "deny401" ? 401 : 403, "denied", headers).toResponse("GET");
    };
    ctx.env["swift.authorize"] = authorize;
  }
  const handler = pipelineOf(c).reduceRight((next, filter) => filter(next), backend.handler);
  const out: Outcome = {};
  const req = requestOf({
    filter: "",
    method: c.method,
    path: c.path,
    headers: c.headers,
    body: c.body,
  });
  try {
    let response: Response;
    try {
      response = await handler(req, ctx);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      response = err.toResponse(req.method);
    }
    out.status = response.status;
    out.headers = headerList(response.headers);
    out.body = latin1(new Uint8Array(await response.arrayBuffer()));
  } catch {
    out.error = true;
  }
  out.calls = backend.calls.map(normalizedCall);
  return out;
}

/** What Swift's middleware does with each case (one Python process for the batch). */
export async function swiftOutcomes(cases: readonly VersioningCase[]): Promise<Outcome[]> {
  const spec = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(spec, JSON.stringify({ cases }));
    const raw = await runPythonJson(ORACLE, [spec]) as Record<string, unknown>[];
    return raw.map((r) => {
      if ("build_error" in r) return { build_error: true };
      const out: Outcome = {};
      if ("error" in r) out.error = true;
      else {
        out.status = r.status as number;
        out.headers = headerList(r.headers as [string, string][]);
        out.body = r.body as string;
      }
      out.calls = (r.calls as [string, string, string, string | null, Record<string, string>][])
        .map(([m, p, q, s, h]) => normalizedCall([m, p, q, s, h]));
      return out;
    });
  } finally {
    await Deno.remove(spec);
  }
}

/** Compares each case's swiftd outcome with Swift's. */
export async function assertSameAsSwift(cases: readonly VersioningCase[]): Promise<void> {
  const swift = await swiftOutcomes(cases);
  for (const [i, c] of cases.entries()) {
    assertEquals(await swiftdOutcome(c), swift[i], `case ${i}: ${JSON.stringify(c)}`);
  }
}
