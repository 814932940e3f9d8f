/**
 * Drives swiftd's tempauth the way _tempauth_oracle.py drives Swift's: a [filter:tempauth]
 * stage from a conf, a FakeMemcache-like cache, and a fake proxy that calls swift.authorize
 * as lib/proxy does and records what tempauth left in the environ; results come out in the
 * oracle's format.
 */
import { assert } from "@std/assert";
import { Logger } from "@std/log";
import { fromFileUrl } from "@std/path";
import { MemcacheConnectionError } from "../../lib/common/memcached.ts";
import { ConfigError } from "../../lib/config/errors.ts";
import { parseOptions, type StageConfig } from "../../lib/config/load.ts";
import { TEMPAUTH_FILTER } from "../../lib/config/options/tempauth.ts";
import { SwiftLogger } from "../../lib/log/logger.ts";
import type { Handler } from "../../lib/middleware/compose.ts";
import {
  type Authorize,
  tempauthFilterWith,
  tempauthSettings,
  type TokenCache,
} from "../../lib/middleware/tempauth.ts";
import { SwobRequest } from "../../lib/object/swob_request.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import type { CorpusCase, CorpusRequest } from "./_tempauth_corpus.ts";

/** Swift's side of the differential tests. */
export const ORACLE = fromFileUrl(new URL("./_tempauth_oracle.py", import.meta.url));

/** A logger that drops everything. */
export const LOGGER = new SwiftLogger(
  new Logger("tempauth", "CRITICAL", { handlers: [] }),
  "tempauth",
  0,
);
/** The client address of test requests. */
export const PEER: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 40000 };

/** The stage a [filter:tempauth] section with `conf` gives. */
export function stageOf(conf: Readonly<Record<string, string>>): StageConfig {
  const entries = new Map(Object.entries(conf).map(([key, value]) => [key, { value, line: 1 }]));
  return {
    kind: "filter",
    name: "tempauth",
    section: "filter:tempauth",
    entryPoint: "tempauth",
    conf: entries,
    options: parseOptions(TEMPAUTH_FILTER, entries, { file: "test.conf" }, () => {}),
    origin: { file: "test.conf" },
  };
}

/** MemcacheRing's interface over a Map, values crossing as JSON (Swift's FakeMemcache). */
export class FakeCache implements TokenCache {
  readonly store = new Map<string, string>();
  constructor(seed: Readonly<Record<string, unknown>> = {}, readonly down = false) {
    for (const [key, value] of Object.entries(seed)) this.store.set(key, JSON.stringify(value));
  }
  get(key: string): Promise<unknown> {
    const value = this.down ? undefined : this.store.get(key);
    return Promise.resolve(value === undefined ? null : JSON.parse(value));
  }
  set(key: string, value: unknown, options: { raiseOnError?: boolean } = {}): Promise<void> {
    if (!this.down) this.store.set(key, JSON.stringify(value));
    else if (options.raiseOnError) {
      return Promise.reject(new MemcacheConnectionError("No memcached connections succeeded."));
    }
    return Promise.resolve();
  }
}

/** A response as the oracle prints it. */
export type Rendered = { status: number; headers: [string, string][]; body: string };

/** Status, headers (lower-case, sorted) and latin-1 body of a response. */
export async function rendered(resp: Response): Promise<Rendered> {
  const bytes = new Uint8Array(await resp.arrayBuffer());
  return { status: resp.status, headers: [...resp.headers], body: String.fromCharCode(...bytes) };
}

/** Another auth middleware's swift.authorize, installed before tempauth. */
const OTHER_AUTHORIZE: Authorize = () => Promise.resolve(undefined);

/** The fake proxy: calls swift.authorize as lib/proxy does and records what it saw. */
export function fakeProxy(spec: CorpusCase, records: Record<string, unknown>[]): Handler {
  return async (req, ctx) => {
    const swob = new SwobRequest(req);
    if (ctx.env["swift.source"] === "TA") {
      const account = new TextDecoder().decode(
        Uint8Array.from(swob.pathInfo.split("/")[2], (c) => c.charCodeAt(0)),
      );
      const headers = new Headers({ "Content-Length": "0" });
      const stored = spec.account_acls?.[account];
      if (stored !== undefined) {
        const wsgi = String.fromCharCode(...new TextEncoder().encode(stored));
        headers.set("X-Account-Sysmeta-Core-Access-Control", wsgi);
      }
      return new Response(null, { status: 204, headers });
    }
    const request = ctx.env["oracle.request"] as CorpusRequest;
    const hook = ctx.env["swift.authorize"] as Authorize | undefined;
    const rec: Record<string, unknown> = {};
    if (hook === undefined) rec.authorize = "absent";
    else if (hook === OTHER_AUTHORIZE) rec.authorize = "other";
    else {
      try {
        const resp = await hook({ req: swob, ctx, acl: request.acl ?? undefined });
        rec.authorize = resp === undefined ? "allowed" : await rendered(resp);
      } catch {
        rec.authorize = { error: true };
      }
    }
    rec.remote_user = ctx.env.REMOTE_USER ?? null;
    rec.swift_owner = Boolean(ctx.env.swift_owner);
    rec.reseller_request = Boolean(ctx.env.reseller_request);
    rec.clean_acl = "swift.clean_acl" in ctx.env;
    rec.sysmeta_acl = swob.headers.get("X-Account-Sysmeta-Core-Access-Control") ?? null;
    rec.acl_header = swob.headers.get("X-Account-Access-Control") ?? null;
    records.push(rec);
    return new Response("app", {
      headers: { "Content-Length": "3", "Content-Type": "text/plain" },
    });
  };
}

/** One case's results, in the oracle's format. */
export interface CaseResult {
  settings: Record<string, unknown>;
  responses: Record<string, unknown>[];
  tokens: Record<string, unknown>;
}

/** What swiftd's tempauth does with one case (the oracle's output format). */
export async function runSwiftd(spec: CorpusCase, cache?: TokenCache): Promise<CaseResult> {
  let settings;
  try {
    settings = tempauthSettings(stageOf(spec.conf));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { settings: { error: true }, responses: [], tokens: {} };
  }
  const store = cache ?? new FakeCache(spec.seed, spec.cache_down);
  const records: Record<string, unknown>[] = [];
  const handler = tempauthFilterWith(settings)(fakeProxy(spec, records));
  const tokens: Record<string, string> = {};
  const responses: Record<string, unknown>[] = [];
  for (const request of spec.requests) {
    const headers = new Headers();
    for (let [name, value] of Object.entries(request.headers ?? {})) {
      for (const [saved, token] of Object.entries(tokens)) {
        value = value.replaceAll(`\${${saved}}`, token);
      }
      headers.set(name, value);
    }
    const ctx = newRequestContext(LOGGER, PEER);
    Object.assign(ctx.env, { "swift.cache": store, "oracle.request": request });
    const env = request.env ?? {};
    if (env["swift.authorize_override"]) ctx.env["swift.authorize_override"] = true;
    if (env.swift_sync_key) ctx.env.swift_sync_key = env.swift_sync_key;
    if (env.preauth) ctx.env["swift.authorize"] = OTHER_AUTHORIZE;
    records.length = 0;
    let got: Rendered & { app?: unknown };
    try {
      const req = new Request(`http://localhost${request.path}`, {
        method: request.method,
        headers,
      });
      got = await rendered(await handler(req, ctx));
    } catch {
      responses.push({ error: true });
      continue;
    }
    got.app = records[0] ?? null;
    const token = got.headers.find(([k]) => k === "x-auth-token")?.[1];
    if (request.save && token && got.status === 200) tokens[request.save] = token;
    for (const [saved, value] of Object.entries(tokens)) {
      got.headers = got.headers.map(([k, v]) => [k, v.replaceAll(value, `\${${saved}}`)]);
    }
    responses.push(got);
  }
  const prefix = settings.resellerPrefixes[0];
  const saved: Record<string, unknown> = {};
  for (const [name, token] of Object.entries(tokens)) {
    const entry = await store.get(`${prefix}/token/${token}`) as [number, string] | null;
    const users = [];
    for (const user of settings.users.keys()) {
      if (await store.get(`${prefix}/user/${user}`) === token) users.push(user);
    }
    saved[name] = { groups: entry ? entry[1] : null, users };
  }
  return {
    settings: {
      users: Object.fromEntries(settings.users),
      prefixes: settings.resellerPrefixes,
      require_groups: Object.fromEntries(settings.requireGroups),
      auth_prefix: settings.authPrefix,
      token_life: settings.tokenLife,
      allow_overrides: settings.allowOverrides,
      storage_url_scheme: settings.storageUrlScheme,
    },
    responses,
    tokens: saved,
  };
}

/**
 * A result as compared: errors reduced to "it raised" (class names differ between languages)
 * and new tokens nobody saved shown as `tk<uuid>` (both sides draw them at random).
 */
export function normalized(result: CaseResult): CaseResult {
  const fix = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(/tk[0-9a-f]{32}/g, "tk<uuid>");
    if (Array.isArray(value)) return value.map(fix);
    if (typeof value !== "object" || value === null) return value;
    if ("error" in value) return { error: true };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fix(v)]));
  };
  return fix(result) as CaseResult;
}

/**
 * X-Auth-Token-Expires counts down between the two runs: equal within the seconds elapsed
 * since Swift's run started (plus rounding), then dropped.
 */
export function compareExpires(
  swift: CaseResult,
  swiftd: CaseResult,
  since: number,
  where: string,
) {
  const slack = (Date.now() - since) / 1000 + 2;
  swift.responses.forEach((response, i) => {
    const theirs = response as { headers?: [string, string][] };
    const ours = swiftd.responses[i] as { headers?: [string, string][] };
    const at = theirs.headers?.findIndex(([k]) => k === "x-auth-token-expires") ?? -1;
    if (at < 0) return;
    const mine = ours.headers?.findIndex(([k]) => k === "x-auth-token-expires") ?? -1;
    assert(mine >= 0, `${where} request ${i}: no X-Auth-Token-Expires`);
    const delta = Number(theirs.headers![at][1]) - Number(ours.headers![mine][1]);
    assert(Math.abs(delta) <= slack, `${where} request ${i}: expires differ by ${delta}`);
    theirs.headers!.splice(at, 1);
    ours.headers!.splice(mine, 1);
  });
}

/** A tempauth over the fake proxy, for tests that look at single requests. */
export interface TempauthUnderTest {
  /** Sends one request; `app` is what the fake proxy recorded (null if it was not reached). */
  send(
    method: string,
    path: string,
    headers?: Record<string, string>,
    acl?: string,
  ): Promise<{ status: number; headers: Headers; app: Record<string, unknown> | null }>;
}

/** swiftd's tempauth for `conf`, with `swift.cache` = `cache` (none: the worker's own store). */
export function tempauthUnderTest(
  conf: Readonly<Record<string, string>>,
  options: { cache?: TokenCache; clock?: () => number } = {},
): TempauthUnderTest {
  const records: Record<string, unknown>[] = [];
  const settings = tempauthSettings(stageOf(conf));
  const handler = tempauthFilterWith(settings, { clock: options.clock })(
    fakeProxy({ conf, requests: [] }, records),
  );
  return {
    async send(method, path, headers = {}, acl) {
      const ctx = newRequestContext(LOGGER, PEER);
      ctx.env["oracle.request"] = { method, path, acl };
      if (options.cache) ctx.env["swift.cache"] = options.cache;
      records.length = 0;
      const resp = await handler(new Request(`http://localhost${path}`, { method, headers }), ctx);
      await resp.body?.cancel();
      return { status: resp.status, headers: resp.headers, app: records[0] ?? null };
    },
  };
}

/** A port nothing listens on now (bind :0, read it, close it). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A memcached process on a free port, stopped at the end of an `await using` block. */
export async function startMemcached(): Promise<{ readonly server: string } & AsyncDisposable> {
  const port = freePort();
  const child = new Deno.Command("/usr/bin/memcached", {
    args: ["-l", "127.0.0.1", "-p", String(port), "-U", "0"].concat(
      Deno.uid() === 0 ? ["-u", "nobody"] : [],
    ),
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let attempt = 0;; attempt++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch (err) {
      if (attempt > 500) {
        child.kill();
        await child.status;
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return {
    server: `127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}
