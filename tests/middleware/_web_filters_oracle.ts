/**
 * The same requests through Swift 2.30's ratelimit, container_sync or staticweb
 * (_web_filters_oracle.py, in front of Swift's FakeSwift) and through swiftd's filter (in
 * front of tests/_helpers/fake_swift.ts answering the same registered responses), reduced to
 * what clients and the cluster see: status, headers, body, the requests that reached the
 * backend (headers, swift.source, override flags), the ACLs swift.authorize was asked about,
 * swift.log_info, the sleeps asked for, every memcached operation, log lines and /info.
 *
 * The fake backend calls swift.authorize before answering, as Swift's FakeSwift does. Clocks
 * are fake on both sides: a request starts at its `at`, and a sleep moves time forward.
 */
import { fromFileUrl } from "@std/path";
import { TEMPAUTH_FILTER } from "../../lib/config/options/tempauth.ts";
import type { SwiftLogger } from "../../lib/log/logger.ts";
import type { Filter, Handler } from "../../lib/middleware/compose.ts";
import { pathInfoOf } from "../../lib/middleware/recon/request_path.ts";
import { tempauthFilterWith, tempauthSettings } from "../../lib/middleware/tempauth.ts";
import { wsgiQuote } from "../../lib/middleware/tempauth/swob.ts";
import { SwobRequest } from "../../lib/object/swob_request.ts";
import type { Authorize } from "../../lib/proxy/call.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { HttpError } from "../../lib/server/http_error.ts";
import { rawPath, rawQuery, requestFor } from "../../lib/server/request_path.ts";
import { FakeSwift } from "../_helpers/fake_swift.ts";
import { runPythonJson } from "../_helpers/python.ts";
import { recordingLogger, RecordingMemcache, stageOf } from "./_web_filters_fakes.ts";

export { recordingLogger, RecordingMemcache, stageOf };

const ORACLE = fromFileUrl(new URL("./_web_filters_oracle.py", import.meta.url));

/** A response the backend gives for (method, PATH_INFO[?query]). */
export interface Registered {
  readonly method: string;
  /** A WSGI PATH_INFO (one char per byte), query allowed. */
  readonly path: string;
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** One client request. */
export interface WebRequest {
  readonly method?: string;
  /** As on the wire: quoted, with the query. */
  readonly path: string;
  readonly headers?: [string, string][];
  /** Latin-1 text. */
  readonly body?: string;
  readonly env?: {
    readonly authorize?: "allow" | "deny401" | "deny403" | "deny_listing" | "deny_objects" | "acl";
    readonly remote_user?: string;
    readonly infocache?: Record<string, unknown>;
    readonly leave_relative_location?: boolean;
  };
  /** The fake time (seconds) when it starts. */
  readonly at?: number;
}

/** A step of a scenario: rewrite the realms file, set the clock, build, or send a request. */
export type Step =
  | { readonly write: string; readonly mtime: number }
  | { readonly clock: number }
  | { readonly build: true }
  | { readonly request: number };

/** One filter, its backend and the requests sent to it in turn. */
export interface WebCase {
  readonly conf?: Record<string, string>;
  readonly responses?: readonly Registered[];
  readonly requests: readonly WebRequest[];
  /** One swift.cache for every request of the case. */
  readonly memcache?: { readonly values?: Record<string, unknown>; readonly down?: boolean };
  /** Swift's (swiftd's) tempauth in front of the filter, with this conf. */
  readonly tempauth?: Record<string, string>;
  readonly steps?: readonly Step[];
  /** Authorize backend GET/HEAD with the container's X-Container-Read, as the proxy does. */
  readonly proxy_acls?: boolean;
}

/** A backend request: method, PATH_INFO, query, swift.source, headers, override flags. */
export type Call = [
  string,
  string,
  string,
  string | null,
  Record<string, string>,
  Record<string, true>,
];

/** What one request did. */
export interface RequestOutcome {
  status?: number;
  headers?: [string, string][];
  body?: string;
  error?: boolean;
  calls: Call[];
  acls: (string | null)[];
  log_info: string[];
  sleeps: number[];
  flags: Record<string, true>;
}

/** What one case did. */
export interface CaseOutcome {
  build_error?: boolean;
  requests: RequestOutcome[];
  info: unknown[];
  memcache: unknown[];
  logs: [string, string][];
}

/** What swiftd's filter gets to build itself with. */
export interface BuildDeps {
  readonly logger: SwiftLogger;
  /** Seconds since the epoch, fake. */
  readonly clock: () => number;
  readonly sleep: (seconds: number) => Promise<void>;
  /** Receives the /info section (container_sync publishes it). */
  readonly publish: (info: Record<string, unknown>) => void;
  /** The /info section a filter registers once, when built. */
  setInfo(info: unknown): void;
}

const FLAGS = ["swift.authorize_override", "swift.slo_override", "swift.symlink_override"];

const byName = (a: [string, string], b: [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** Headers compared by lower-case name, Content-Length left out (Fetch adds it late). */
function headerList(headers: Iterable<[string, string]>): [string, string][] {
  return [...headers].map(([k, v]): [string, string] => [k.toLowerCase(), v])
    .filter(([k]) => k !== "content-length").sort(byName);
}

function headerRecord(headers: Iterable<[string, string]>): Record<string, string> {
  return Object.fromEntries(headerList(headers));
}

function latin1Bytes(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

function latin1(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** JSON's view of a value: what Python's side can express. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

function authorizer(kind: string, acls: (string | null)[]): Authorize {
  return ({ req, acl }) => {
    acls.push(acl ?? null);
    const parts = req.path.replace(/^\/+|\/+$/g, "").split("/");
    const denied = kind === "deny401" || kind === "deny403" ||
      (kind === "deny_listing" && parts.length === 3) ||
      (kind === "deny_objects" && parts.length > 3) ||
      (kind === "acl" && !(acl ?? "").includes(".r:*"));
    if (!denied) return undefined;
    if (kind === "deny403") return new HttpError(403, "denied").toResponse("GET");
    return new HttpError(401, "denied", { "Www-Authenticate": 'Swift realm="test"' })
      .toResponse("GET");
  };
}

/** FakeSwift behind a recorder that also calls swift.authorize, as Swift's FakeSwift does. */
function backendOf(
  responses: readonly Registered[] = [],
  proxyAcls = false,
): { handler: Handler; calls: Call[] } {
  const fake = new FakeSwift();
  for (const r of responses) {
    const at = r.path.indexOf("?");
    const quoted = at < 0 ? wsgiQuote(r.path) : wsgiQuote(r.path.slice(0, at)) + r.path.slice(at);
    fake.register(r.method, quoted, r.status, r.headers ?? {}, latin1Bytes(r.body ?? ""));
  }
  const calls: Call[] = [];
  const handler: Handler = async (req, ctx) => {
    const flags: Record<string, true> = {};
    for (const flag of FLAGS) if (ctx.env[flag]) flags[flag] = true;
    calls.push([
      req.method,
      pathInfoOf(rawPath(req)),
      rawQuery(req),
      (ctx.env["swift.source"] as string | undefined) ?? null,
      headerRecord(req.headers),
      flags,
    ]);
    const authorize = ctx.env["swift.authorize"] as Authorize | undefined;
    if (authorize) {
      // swob's req.acl reads the environ, where an earlier req.acl = ... left it.
      let acl = (ctx.env["swob.ACL"] as string | null | undefined) ?? undefined;
      if (proxyAcls && (req.method === "GET" || req.method === "HEAD")) {
        const container = pathInfoOf(rawPath(req)).split("/").slice(0, 4).join("/");
        acl = responses.find((r) => r.method === "HEAD" && r.path === container)
          ?.headers?.["X-Container-Read"];
      }
      const denial = await authorize({ req: new SwobRequest(req), ctx, acl });
      if (denial) {
        await req.body?.cancel();
        return denial;
      }
    }
    return await fake.handler(req, ctx);
  };
  return { handler, calls };
}

/** What swiftd's filter, built by `build`, does with a case. */
export async function swiftdOutcome(
  c: WebCase,
  build: (c: WebCase, deps: BuildDeps) => Filter,
  options: { readonly dir?: string; readonly memcache?: unknown } = {},
): Promise<CaseOutcome> {
  const dir = options.dir;
  const logs: [string, string][] = [];
  const logger = recordingLogger(logs);
  let now = 0;
  let sleeps: number[] = [];
  let info: unknown = null;
  const deps: BuildDeps = {
    logger,
    clock: () => now,
    sleep: (seconds) => {
      sleeps.push(seconds);
      now += seconds;
      return Promise.resolve();
    },
    publish: (section) => void (info = plain(section)),
    setInfo: (section) => void (info = section),
  };
  const backend = backendOf(c.responses, c.proxy_acls);
  const recording = c.memcache && new RecordingMemcache(c.memcache.values, c.memcache.down);
  const memcache = options.memcache ?? recording;
  const out: CaseOutcome = { requests: [], info: [], memcache: [], logs };
  let handler: Handler | undefined;
  const steps = c.steps ?? [{ build: true }, ...c.requests.map((_, i) => ({ request: i }))];
  for (const step of steps) {
    if ("write" in step) {
      const path = `${dir}/container-sync-realms.conf`;
      await Deno.writeTextFile(path, step.write);
      await Deno.utime(path, step.mtime, step.mtime);
    } else if ("clock" in step) {
      now = step.clock;
    } else if ("build" in step) {
      try {
        let filter = build(c, deps)(backend.handler);
        if (c.tempauth) {
          const settings = tempauthSettings(stageOf(TEMPAUTH_FILTER, c.tempauth));
          filter = tempauthFilterWith(settings)(filter);
        }
        handler = filter;
      } catch {
        out.build_error = true;
        break;
      }
      out.info.push(info);
    } else {
      const r = c.requests[step.request];
      if (r.at !== undefined) now = r.at;
      sleeps = [];
      const before = backend.calls.length;
      const acls: (string | null)[] = [];
      const ctx = newRequestContext(logger, { transport: "tcp", hostname: "127.0.0.1", port: 1 });
      const env = r.env ?? {};
      if (env.authorize) ctx.env["swift.authorize"] = authorizer(env.authorize, acls);
      if (env.remote_user !== undefined) ctx.env.REMOTE_USER = env.remote_user;
      if (env.infocache) ctx.env["swift.infocache"] = structuredClone(env.infocache);
      if (env.leave_relative_location) ctx.env["swift.leave_relative_location"] = true;
      if (memcache) ctx.env["swift.cache"] = memcache;
      const headers = new Headers(r.headers ?? []);
      if (!headers.has("Host")) headers.set("Host", "localhost:80");
      const method = r.method ?? "GET";
      const req = requestFor(r.path, "http://localhost", {
        method,
        headers,
        body: r.body === undefined ? undefined : latin1Bytes(r.body),
      });
      const got: Partial<RequestOutcome> = {};
      try {
        let response: Response;
        try {
          response = await handler!(req, ctx);
        } catch (err) {
          if (!(err instanceof HttpError)) throw err;
          response = err.toResponse(method);
        }
        got.status = response.status;
        got.headers = headerList(response.headers);
        got.body = latin1(new Uint8Array(await response.arrayBuffer()));
      } catch {
        got.error = true;
      }
      const flags: Record<string, true> = {};
      for (const flag of FLAGS) if (ctx.env[flag]) flags[flag] = true;
      out.requests.push({
        ...got,
        calls: backend.calls.slice(before),
        acls,
        log_info: (ctx.env["swift.log_info"] as string[] | undefined) ?? [],
        sleeps,
        flags,
      });
      out.info.push(info);
    }
  }
  out.memcache = plain(recording?.ops ?? []);
  return out;
}

/** What Swift's middleware does with each case (one Python process for the batch). */
export async function swiftOutcomes(
  filter: "ratelimit" | "container_sync" | "staticweb",
  cases: readonly WebCase[],
  options: { readonly memcached?: string } = {},
): Promise<CaseOutcome[]> {
  const spec = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(spec, JSON.stringify({ filter, cases, ...options }));
    const raw = await runPythonJson(ORACLE, [spec]) as Record<string, unknown>[];
    return raw.map((r): CaseOutcome => ({
      ...(r.build_error ? { build_error: true } : {}),
      requests: (r.requests as Record<string, unknown>[]).map((q): RequestOutcome => ({
        ...("error" in q ? { error: true } : {
          status: q.status as number,
          headers: headerList(q.headers as [string, string][]),
          body: q.body as string,
        }),
        calls: (q.calls as Call[]).map(([m, p, qs, s, h, f]): Call => [
          m,
          p,
          qs,
          s,
          headerRecord(Object.entries(h)),
          f,
        ]),
        acls: q.acls as (string | null)[],
        log_info: q.log_info as string[],
        sleeps: q.sleeps as number[],
        flags: q.flags as Record<string, true>,
      })),
      info: r.info as unknown[],
      memcache: r.memcache as unknown[],
      logs: r.logs as [string, string][],
    }));
  } finally {
    await Deno.remove(spec);
  }
}

/** The parts of an outcome a test compares (HEAD bodies dropped: the server never sends them). */
export function comparable(
  c: WebCase,
  outcome: CaseOutcome,
  keep: { memcache?: boolean; logs?: (line: [string, string]) => [string, string] | undefined },
): unknown {
  return {
    build_error: outcome.build_error ?? false,
    requests: outcome.requests.map((r, i) => {
      const head = (c.requests[i]?.method ?? "GET") === "HEAD";
      return head ? { ...r, body: r.error ? undefined : "" } : r;
    }),
    info: outcome.info,
    memcache: keep.memcache ? outcome.memcache : [],
    logs: keep.logs
      ? outcome.logs.map(keep.logs).filter((l): l is [string, string] => l !== undefined)
      : [],
  };
}
