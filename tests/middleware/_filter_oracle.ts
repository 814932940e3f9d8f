/**
 * The same requests through Swift 2.30's middleware (_filter_oracle.py, in front of Swift's
 * FakeSwift) and through swiftd's filter (in front of FakeBackend, a TypeScript FakeSwift
 * answering the same registered responses), reduced to what a client and the backend see:
 * status, headers, body, the requests that reached the backend (with swift.source), the ACLs
 * swift.authorize was asked about, and what was cached in swift.infocache and memcached.
 *
 * FakeBackend is tests/_helpers/fake_swift.ts's FakeSwift plus the two things these tests need
 * from Swift's: swift.authorize is called first, and unregistered requests get a default 200.
 */
import { assertEquals } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { parseOptions, type StageConfig } from "../../lib/config/load.ts";
import type { OptionTable } from "../../lib/config/options/option.ts";
import { SwiftLogger } from "../../lib/log/logger.ts";
import type { BuildContext, Filter, Handler } from "../../lib/middleware/compose.ts";
import { pathInfoOf, wsgiQuote } from "../../lib/middleware/recon/request_path.ts";
import { SwobRequest } from "../../lib/object/swob_request.ts";
import type { Authorize } from "../../lib/proxy/call.ts";
import type { InfoMemcache } from "../../lib/proxy/info_cache.ts";
import { newRequestContext, type RequestContext } from "../../lib/server/context.ts";
import { HttpError } from "../../lib/server/http_error.ts";
import { Logger } from "@std/log";
import { FakeSwift } from "../_helpers/fake_swift.ts";
import { runPythonJson } from "../_helpers/python.ts";

const ORACLE = fromFileUrl(new URL("./_filter_oracle.py", import.meta.url));

/** A response the backend gives for (method, PATH_INFO). */
export interface Registered {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** What the pipeline around the filter put in the environ. */
export interface CaseEnv {
  readonly reseller_request?: boolean;
  readonly authorize?: "allow" | "deny401" | "deny403";
  readonly infocache?: Record<string, unknown>;
  readonly memcache?: Record<string, unknown>;
}

/** One request to a filter. */
export interface FilterCase {
  readonly filter: string;
  readonly conf?: Record<string, string>;
  readonly method?: string;
  /** As on the wire: quoted, with the query. */
  readonly path: string;
  readonly headers?: [string, string][];
  /** Latin-1 text. */
  readonly body?: string;
  readonly env?: CaseEnv;
  readonly responses?: Registered[];
}

/** A backend request: method, PATH_INFO, query, swift.source, headers. */
export type Call = [string, string, string, string | null, Record<string, string>];

/** What happened, on either side, normalized for comparison. */
export interface Outcome {
  status?: number;
  headers?: [string, string][];
  body?: string;
  error?: boolean;
  build_error?: boolean;
  calls?: Call[];
  acls?: (string | null)[];
  infocache?: Record<string, unknown>;
  memcache_sets?: [string, unknown, number][];
}

/** What Swift's side also reports: the filter's /info section (null when it registers none). */
export interface SwiftOutcome extends Outcome {
  swift_info?: Record<string, unknown> | null;
}

/** Swift's rings and swift.conf for list_endpoints, written by the oracle. */
export interface ClusterSpec {
  readonly dir: string;
  readonly hash_prefix: string;
  readonly hash_suffix: string;
  readonly swift_conf: string;
  readonly rings: Record<
    string,
    { replica2part2dev: number[][]; devs: (Record<string, unknown> | null)[]; part_shift: number }
  >;
}

function latin1Bytes(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

function latin1(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

const byName = (a: [string, string], b: [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** Headers compared case-insensitively, Content-Length left out (Fetch adds it late). */
function headerList(headers: Iterable<[string, string]>): [string, string][] {
  return [...headers]
    .map(([k, v]): [string, string] => [k.toLowerCase(), v])
    .filter(([k]) => k !== "content-length")
    .sort(byName);
}

function headerRecord(headers: Iterable<[string, string]>): Record<string, string> {
  return Object.fromEntries(headerList(headers));
}

/**
 * tests/_helpers/fake_swift.ts's FakeSwift with what Swift's FakeSwift does besides (it calls
 * swift.authorize first), every call recorded as it arrives, and 200 with X-Fake-Default for
 * what nobody registered, as the oracle's Backend answers.
 */
export class FakeBackend {
  readonly calls: Call[] = [];
  readonly swift = new FakeSwift();

  constructor(responses: readonly Registered[] = []) {
    for (const r of responses) {
      this.swift.register(
        r.method,
        wsgiQuote(r.path),
        r.status,
        r.headers,
        latin1Bytes(r.body ?? ""),
      );
    }
  }

  readonly handler: Handler = async (req, ctx) => {
    this.calls.push([
      req.method,
      pathInfoOf(req.url),
      new URL(req.url).search.slice(1),
      (ctx.env["swift.source"] as string | undefined) ?? null,
      headerRecord(req.headers),
    ]);
    const authorize = ctx.env["swift.authorize"] as Authorize | undefined;
    if (authorize) {
      const denial = await authorize({ req: new SwobRequest(req), ctx, acl: undefined });
      if (denial) return denial;
    }
    try {
      return await this.swift.handler(req, ctx);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("Didn't find ")) throw err;
      await req.body?.cancel();
      return new Response(null, {
        headers: { "Content-Type": "text/html; charset=UTF-8", "X-Fake-Default": "yes" },
      });
    }
  };
}

/** An in-memory memcached recording its sets, as the oracle's FakeMemcache. */
class FakeMemcache implements InfoMemcache {
  readonly sets: [string, unknown, number][] = [];
  readonly #values: Map<string, unknown>;
  constructor(values: Record<string, unknown>) {
    this.#values = new Map(Object.entries(structuredClone(values)));
  }
  get(key: string): Promise<unknown> {
    return Promise.resolve(structuredClone(this.#values.get(key) ?? null));
  }
  set(key: string, value: unknown, options: { time?: number } = {}): Promise<void> {
    this.sets.push([key, structuredClone(value), options.time ?? 0]);
    this.#values.set(key, value);
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.#values.delete(key);
    return Promise.resolve();
  }
}

/** A filter's StageConfig with `conf` as its section's keys. */
export function stageOf(table: OptionTable, conf: Record<string, string> = {}): StageConfig {
  const entries = new Map(Object.entries(conf).map(([key, value]) => [key, { value }]));
  return {
    kind: "filter",
    name: table.name,
    section: `filter:${table.name}`,
    entryPoint: table.name,
    conf: entries,
    options: parseOptions(table, entries, { file: "test.conf" }, () => {}),
    origin: { file: "test.conf" },
  };
}

/** A BuildContext with a logger that drops everything. */
export function buildContext(): BuildContext {
  const logger = new SwiftLogger(new Logger("filter-test", "CRITICAL", { handlers: [] }), "t", 0);
  return { logger, server: "proxy-server", onClose: () => {} };
}

/** A context for one request from 127.0.0.1. */
export function contextOf(build = buildContext()): RequestContext {
  return newRequestContext(build.logger, { transport: "tcp", hostname: "127.0.0.1", port: 1 });
}

/** The request of a case, with Swift's Request.blank() Host when the case sets none. */
export function requestOf(c: FilterCase): Request {
  const headers = new Headers(c.headers ?? []);
  if (!headers.has("Host")) headers.set("Host", "localhost:80");
  return new Request(`http://localhost${c.path}`, {
    method: c.method ?? "GET",
    headers,
    body: c.body === undefined ? undefined : latin1Bytes(c.body),
  });
}

/** Runs `req` through `filter` in front of `next`, answering an HttpError as catch_errors. */
export async function serve(
  filter: Filter,
  req: Request,
  options: { next?: Handler; ctx?: RequestContext } = {},
): Promise<Response> {
  const next = options.next ?? new FakeBackend().handler;
  try {
    return await filter(next)(req, options.ctx ?? contextOf());
  } catch (err) {
    if (err instanceof HttpError) return err.toResponse(req.method);
    throw err;
  }
}

/** Compares each case's swiftd outcome with Swift's, the /info section left out. */
export async function assertSameAsSwift(
  cases: readonly FilterCase[],
  build: (c: FilterCase) => Filter,
  cluster?: ClusterSpec,
): Promise<SwiftOutcome[]> {
  const swift = await swiftOutcomes(cases, cluster);
  for (const [i, c] of cases.entries()) {
    const { swift_info: _, ...expected } = swift[i];
    assertEquals(await swiftdOutcome(build, c), expected, `case ${i}: ${JSON.stringify(c)}`);
  }
  return swift;
}

/** What swiftd's filter (built by `build`) does with a case. */
export async function swiftdOutcome(
  build: (c: FilterCase) => Filter,
  c: FilterCase,
): Promise<Outcome> {
  let filter: Filter;
  try {
    filter = build(c);
  } catch {
    return { build_error: true };
  }
  const backend = new FakeBackend(c.responses);
  const ctx = contextOf();
  const acls: (string | null)[] = [];
  const env = c.env ?? {};
  let memcache: FakeMemcache | undefined;
  if (env.reseller_request !== undefined) ctx.env.reseller_request = env.reseller_request;
  if (env.authorize) {
    const kind = env.authorize;
    const authorize: Authorize = ({ acl }) => {
      acls.push(acl ?? null);
      if (kind === "allow") return undefined;
      const headers: Record<string, string> = kind === "deny401"
        ? { "Www-Authenticate": 'Swift realm="test"' }
        : {};
      return new HttpError(kind === "deny401" ? 401 : 403, "denied", headers).toResponse("GET");
    };
    ctx.env["swift.authorize"] = authorize;
  }
  if (env.infocache) ctx.env["swift.infocache"] = structuredClone(env.infocache);
  if (env.memcache) {
    memcache = new FakeMemcache(env.memcache);
    ctx.env["swift.cache"] = memcache;
  }
  const out: Outcome = {};
  const req = requestOf(c);
  try {
    let response: Response;
    try {
      response = await filter(backend.handler)(req, ctx);
    } catch (err) {
      // What catch_errors would answer; only HttpError keeps its status.
      if (!(err instanceof HttpError)) throw err;
      response = err.toResponse(req.method);
    }
    out.status = response.status;
    out.headers = headerList(response.headers);
    out.body = latin1(new Uint8Array(await response.arrayBuffer()));
  } catch {
    out.error = true;
  }
  out.calls = backend.calls;
  out.acls = acls;
  out.infocache = (ctx.env["swift.infocache"] as Record<string, unknown> | undefined) ?? {};
  out.memcache_sets = memcache?.sets ?? [];
  return out;
}

/** What Swift's middleware does with each case (one Python process for the batch). */
export async function swiftOutcomes(
  cases: readonly FilterCase[],
  cluster?: ClusterSpec,
): Promise<SwiftOutcome[]> {
  const spec = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(spec, JSON.stringify({ cluster, cases }));
    const raw = await runPythonJson(ORACLE, [spec]) as Record<string, unknown>[];
    return raw.map((r) => {
      const out: SwiftOutcome = {};
      if ("build_error" in r) return { build_error: true };
      if ("error" in r) out.error = true;
      else {
        out.status = r.status as number;
        out.headers = headerList(r.headers as [string, string][]);
        out.body = r.body as string;
      }
      out.calls = (r.calls as Call[]).map((
        [m, p, q, s, h],
      ): Call => [m, p, q, s, headerRecord(Object.entries(h))]);
      out.acls = r.acls as (string | null)[];
      out.infocache = r.infocache as Record<string, unknown>;
      out.memcache_sets = r.memcache_sets as [string, unknown, number][];
      out.swift_info = r.swift_info as Record<string, unknown> | null;
      return out;
    });
  } finally {
    await Deno.remove(spec);
  }
}
