/**
 * Differential runs of bulk: the same cases go through swiftd's filter over
 * tests/_helpers/fake_swift.ts and through Swift 2.30's bulk over Swift's FakeSwift
 * (_bulk_oracle.py, one Python process per batch, which also builds the archives), and come
 * back in one shape: status, Content-Type, the body chunk by chunk (heartbeats included),
 * the subrequests (method, unquoted path, the headers that matter), their swift.source, the
 * object bodies PUT, the retry sleeps and the errors logged.
 */
import { Logger } from "@std/log";
import { fromFileUrl } from "@std/path";
import { SwiftLogger } from "../../lib/log/logger.ts";
import { bulkFilterWith } from "../../lib/middleware/bulk.ts";
import type { BulkSettings } from "../../lib/middleware/bulk/settings.ts";
import type { Handler } from "../../lib/middleware/compose.ts";
import { wsgiUnquote } from "../../lib/middleware/segments/swob.ts";
import { wsgiQuote } from "../../lib/object/wsgi_text.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { rawTarget, requestFor } from "../../lib/server/request_path.ts";
import { FakeSwift } from "../_helpers/fake_swift.ts";
import { runPythonJson } from "../_helpers/python.ts";

const ORACLE = fromFileUrl(new URL("./_bulk_oracle.py", import.meta.url));

/** [status, headers, body] of one backend answer. */
export type Answer = [number, [string, string][]?, string?];
/** [method, PATH_INFO (one char per byte), answers given in turn (one: always)]. */
export type Registration = [string, string, Answer[]];

/** One differential case. */
export interface BulkCase {
  readonly conf?: Record<string, string>;
  readonly register: Registration[];
  readonly request: {
    readonly method: string;
    /** Quoted path with query. */
    readonly path: string;
    readonly headers?: [string, string][];
    /** An archive _bulk_oracle.py builds, by name. */
    readonly archive?: string;
    readonly body?: string;
    readonly chunked?: boolean;
    readonly noLength?: boolean;
  };
  /** Seconds the clock advances at each reading. */
  readonly tick?: number;
}

/** What both sides report. */
export interface BulkResult {
  status: number;
  content_type: string | null;
  chunks: string[];
  calls: [string, string, Record<string, string>][];
  sources: (string | null)[];
  put_bodies: (string | null)[];
  sleeps: number[];
  errors_logged: number;
}

const CALL_HEADERS = [
  "X-Auth-Token",
  "User-Agent",
  "Content-Length",
  "Content-Type",
  "X-Delete-At",
  "X-Delete-After",
  "X-Object-Meta-Color",
  "X-Object-Meta-Lunch",
  "X-Object-Meta-Dinner",
  "X-Trans-Id-Extra",
];

const decode64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const latin1 = (data: Uint8Array) => {
  let out = "";
  for (let i = 0; i < data.length; i += 8192) {
    out += String.fromCharCode(...data.subarray(i, i + 8192));
  }
  return out;
};

/** Runs the cases through Swift; also returns the archives it built. */
export async function swiftResults(
  cases: readonly BulkCase[],
): Promise<{ archives: Record<string, Uint8Array>; results: BulkResult[] }> {
  const spec = {
    cases: cases.map((c) => ({
      conf: c.conf ?? {},
      register: c.register.map(([m, p, answers]) => [
        m,
        p,
        answers.map(([status, headers, body]) => [status, headers ?? [], btoa(body ?? "")]),
      ]),
      request: {
        method: c.request.method,
        path: c.request.path,
        headers: c.request.headers ?? [],
        archive: c.request.archive ?? null,
        body: btoa(c.request.body ?? ""),
        chunked: c.request.chunked ?? false,
        no_length: c.request.noLength ?? false,
      },
      tick: c.tick ?? 0,
    })),
  };
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify(spec));
    const out = await runPythonJson(ORACLE, [file]) as {
      archives: Record<string, string>;
      results: BulkResult[];
    };
    const archives: Record<string, Uint8Array> = {};
    for (const [name, data] of Object.entries(out.archives)) archives[name] = decode64(data);
    return { archives, results: out.results };
  } finally {
    await Deno.remove(file);
  }
}

/**
 * The shared fake parses URLs the WHATWG way, which resolves `.` and `..` segments; bulk
 * sends them on as they are, so the fake gets them spelled as segments it leaves alone.
 */
function fakeTarget(target: string): string {
  const at = target.indexOf("?");
  const path = at < 0 ? target : target.slice(0, at);
  const mapped = path.split("/").map((seg) => {
    const plain = wsgiUnquote(seg).toLowerCase();
    return plain === "." ? "@dot@" : plain === ".." ? "@dotdot@" : seg;
  }).join("/");
  return at < 0 ? mapped : mapped + target.slice(at);
}

function unfake(path: string): string {
  const at = path.indexOf("?");
  const p = at < 0 ? path : path.slice(0, at);
  // The fake records PATH_INFO: already unquoted.
  const plain = p.replaceAll("@dotdot@", "..").replaceAll("@dot@", ".");
  return at < 0 ? plain : plain + path.slice(at);
}

/** Bulk's defaults (filter_factory()), with a case's conf over them. */
export function settingsFor(conf: Record<string, string>, extra: Partial<BulkSettings> = {}) {
  const int = (key: string, fallback: number) =>
    conf[key] === undefined ? fallback : Number(conf[key]);
  return {
    maxContainers: int("max_containers_per_extraction", 10000),
    maxFailedExtractions: int("max_failed_extractions", 1000),
    maxDeletesPerRequest: int("max_deletes_per_request", 10000),
    maxFailedDeletes: int("max_failed_deletes", 1000),
    yieldFrequency: int("yield_frequency", 10),
    deleteConcurrency: Math.min(1000, Math.max(1, int("delete_concurrency", 2))),
    retryCount: int("delete_container_retry_count", 0),
    retryInterval: 1.5,
    maxPathLength: 1024 + 256 + 2,
    maxFileSize: 5368709122,
    ...extra,
  } satisfies BulkSettings;
}

/** Runs one case through swiftd's filter. */
export async function swiftdResult(
  c: BulkCase,
  archives: Record<string, Uint8Array>,
): Promise<BulkResult> {
  const fake = new FakeSwift();
  for (const [method, path, answers] of c.register) {
    const target = fakeTarget(wsgiQuote(path));
    const fakeAnswers = answers.map(([status, headers, body]) => ({
      status,
      headers: Object.fromEntries(headers ?? []),
      body: body ?? "",
    }));
    if (fakeAnswers.length === 1) {
      const a = fakeAnswers[0];
      fake.register(method, target, a.status, a.headers, a.body);
    } else {
      fake.registerResponses(method, target, fakeAnswers);
    }
  }
  // Swift's FakeSwift notes swift.source before it looks the path up: failed calls count.
  const sources: (string | null)[] = [];
  const backend: Handler = (req, ctx) => (
    sources.push((ctx.env["swift.source"] as string | undefined) ?? null),
      fake.handler(
        new Request(`http://localhost${fakeTarget(rawTarget(req))}`, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          duplex: "half",
        } as RequestInit),
        ctx,
      )
  );
  let now = 1000000;
  const sleeps: number[] = [];
  const clock = {
    now: () => (now += c.tick ?? 0),
    sleep: (seconds: number) => {
      sleeps.push(seconds);
      return new Promise<void>((resolve) => setTimeout(resolve, 0));
    },
  };
  const handler = bulkFilterWith(settingsFor(c.conf ?? {}, { clock }))(backend);
  let errors = 0;
  const logger = new SwiftLogger(new Logger("bulk", "CRITICAL", { handlers: [] }), "bulk", 50);
  logger.exception = () => void errors++;
  const ctx = newRequestContext(logger, { transport: "tcp", hostname: "127.0.0.1", port: 1 });
  const body = c.request.archive !== undefined
    ? archives[c.request.archive]
    : new TextEncoder().encode(c.request.body ?? "");
  const headers = new Headers([["Host", "localhost:80"], ...(c.request.headers ?? [])]);
  if (c.request.chunked) headers.set("Transfer-Encoding", "chunked");
  else if (!c.request.noLength) headers.set("Content-Length", String(body.length));
  const resp = await handler(
    requestFor(c.request.path, "http://localhost", {
      method: c.request.method,
      headers,
      body: ["GET", "HEAD"].includes(c.request.method) ? undefined : ReadableStream.from([body]),
      duplex: "half",
    } as RequestInit),
    ctx,
  );
  const chunks: string[] = [];
  for await (const chunk of resp.body ?? []) if (chunk.length) chunks.push(latin1(chunk));
  const digest = async (data: Uint8Array) =>
    Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>))
        .subarray(0, 8),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
  const putBodies: (string | null)[] = [];
  for (const call of fake.calls) {
    const depth = call.path.split("?")[0].split("/").filter(Boolean).length;
    putBodies.push(
      call.method === "PUT" && depth >= 4 ? await digest(call.body ?? new Uint8Array()) : null,
    );
  }
  return {
    status: resp.status,
    content_type: resp.headers.get("Content-Type"),
    chunks,
    calls: fake.calls.map((call) => {
      const picked: Record<string, string> = {};
      for (const name of CALL_HEADERS) {
        const value = call.headers.get(name);
        if (value !== null) picked[name] = value;
      }
      return [call.method, unfake(call.path), picked];
    }),
    sources,
    put_bodies: putBodies,
    sleeps,
    errors_logged: errors,
  };
}
