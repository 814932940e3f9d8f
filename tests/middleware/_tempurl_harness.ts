/**
 * Differential harness for tempurl and formpost: the same cases through Swift 2.30's
 * middleware (_tempurl_oracle.py, in front of Swift's FakeSwift) and through swiftd's
 * filters (in front of tests/_helpers/fake_swift.ts), with the same clock, client address
 * and registered backend answers, reduced to what a client and the backend see (see the
 * oracle's doc for the fields). Plus helpers to sign temp URLs and forms and to build
 * multipart bodies.
 */
import { createHmac } from "node:crypto";
import { fromFileUrl } from "@std/path";
import { parseOptions } from "../../lib/config/load.ts";
import { FORMPOST_FILTER } from "../../lib/config/options/formpost.ts";
import { TEMPURL_FILTER } from "../../lib/config/options/tempurl.ts";
import { nullLogger } from "../../lib/log/logger.ts";
import type { Filter, Handler } from "../../lib/middleware/compose.ts";
import { formpostFilterWith, formpostInfo } from "../../lib/middleware/formpost.ts";
import {
  type TempurlAuthorize,
  tempurlFilterWith,
  tempurlInfo,
} from "../../lib/middleware/tempurl.ts";
import { pathInfoOf, queryStringOf } from "../../lib/middleware/tempurl/python_text.ts";
import { SwobRequest } from "../../lib/object/swob_request.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { requestFor } from "../../lib/server/request_path.ts";
import { FakeSwift } from "../_helpers/fake_swift.ts";
import { runPythonJson } from "../_helpers/python.ts";

const ORACLE = fromFileUrl(new URL("./_tempurl_oracle.py", import.meta.url));

/** A backend answer for (method, path). */
export interface Registered {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** Latin-1 text. */
  readonly body?: string;
}

/** One request to tempurl or formpost. */
export interface SignedCase {
  /** Shown when the case fails. */
  readonly name: string;
  readonly filter: "tempurl" | "formpost";
  readonly conf?: Record<string, string>;
  /** time() in seconds. */
  readonly now: number;
  readonly method?: string;
  /** As on the wire: quoted, query included. */
  readonly path: string;
  readonly headers?: [string, string][];
  /** Latin-1 text. */
  readonly body?: string;
  readonly remote_addr?: string;
  readonly responses?: readonly Registered[];
  /** Paths whose GET the let-through request's swift.authorize is asked about. */
  readonly probes?: readonly string[];
}

/** A backend call: method, PATH_INFO, query, swift.source, headers, REMOTE_USER, override, body. */
export type Call = [
  string,
  string,
  string,
  string | null,
  Record<string, string>,
  string | null,
  boolean,
  string | null,
];

/** What a case did, on either side. */
export interface Outcome {
  status?: number;
  headers?: [string, string][];
  body?: string;
  error?: string | boolean;
  build_error?: string | boolean;
  calls?: Call[];
  probes?: (number | null)[];
  infocache?: string[];
  swift_info?: Record<string, unknown> | null;
}

/** Every case through Swift, in one Python process. */
export async function swiftOutcomes(cases: readonly SignedCase[]): Promise<Outcome[]> {
  const spec = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(spec, JSON.stringify({ cases }));
    return await runPythonJson(ORACLE, [spec]) as Outcome[];
  } finally {
    await Deno.remove(spec);
  }
}

/** Latin-1 text as bytes. */
export function latin1Bytes(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

function latin1(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

const byName = (a: [string, string], b: [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** The fake proxy: records calls, probes swift.authorize, then lets FakeSwift answer. */
function backendOf(spec: SignedCase, out: { calls: Call[]; probes: (number | null)[] }): Handler {
  const fake = new FakeSwift();
  for (const r of spec.responses ?? []) {
    fake.register(r.method, r.path, r.status, r.headers ?? {}, latin1Bytes(r.body ?? ""));
  }
  return async (req, ctx) => {
    let body: Uint8Array<ArrayBuffer> | undefined;
    if (req.method === "PUT" || req.method === "POST") {
      body = new Uint8Array(await req.arrayBuffer());
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of req.headers) if (k !== "host") headers[k] = v;
    const source = (ctx.env["swift.source"] as string | undefined) ?? null;
    out.calls.push([
      req.method,
      pathInfoOf(req),
      queryStringOf(req),
      source,
      headers,
      (ctx.env.REMOTE_USER as string | undefined) ?? null,
      ctx.env["swift.authorize_override"] === true,
      body ? latin1(body) : null,
    ]);
    const authorize = ctx.env["swift.authorize"] as TempurlAuthorize | undefined;
    if (source === null && authorize) {
      for (const probe of spec.probes ?? []) {
        const denial = await authorize({
          req: new SwobRequest(new Request(`http://localhost${probe}`)),
        });
        await denial?.body?.cancel();
        out.probes.push(denial ? denial.status : null);
      }
    }
    // FakeSwift asks swift.authorize first, as the proxy would.
    if (authorize) {
      const denial = await authorize({ req: new SwobRequest(req) });
      if (denial) return denial;
    }
    const forwarded = new Request(req.url, { method: req.method, headers: req.headers, body });
    return await fake.handler(forwarded, ctx);
  };
}

/** swiftd's filter for a case, built as its paste stage would be. */
function filterOf(spec: SignedCase): { filter: Filter; info: Record<string, unknown> } {
  const conf = new Map(Object.entries(spec.conf ?? {}).map(([k, value]) => [k, { value }]));
  const clock = () => spec.now;
  if (spec.filter === "tempurl") {
    const options = parseOptions(TEMPURL_FILTER, conf, { file: "test.conf" }, () => {});
    const typed = options as Parameters<typeof tempurlFilterWith>[0];
    return { filter: tempurlFilterWith(typed, { clock }), info: tempurlInfo(typed) };
  }
  const options = parseOptions(FORMPOST_FILTER, conf, { file: "test.conf" }, () => {});
  const typed = options as NonNullable<Parameters<typeof formpostInfo>[0]>;
  return {
    filter: formpostFilterWith(typed.allowed_digests.allowed, { clock }),
    info: formpostInfo(typed),
  };
}

/** One case through swiftd. */
export async function swiftdOutcome(spec: SignedCase): Promise<Outcome> {
  let built: { filter: Filter; info: Record<string, unknown> };
  try {
    built = filterOf(spec);
  } catch {
    return { build_error: true };
  }
  const out: Outcome = { swift_info: built.info };
  const record = { calls: [] as Call[], probes: [] as (number | null)[] };
  const handler = built.filter(backendOf(spec, record));
  const headers = new Headers(spec.headers ?? []);
  const body = spec.body === undefined ? undefined : latin1Bytes(spec.body);
  if (body) headers.set("Content-Length", String(body.length));
  const req = requestFor(spec.path, "http://localhost", {
    method: spec.method ?? "GET",
    headers,
    body,
  });
  const ctx = newRequestContext(nullLogger("test"), {
    transport: "tcp",
    hostname: spec.remote_addr ?? "127.0.0.1",
    port: 40000,
  });
  try {
    const resp = await handler(req, ctx);
    out.status = resp.status;
    out.headers = [...resp.headers].map(([k, v]): [string, string] => [k, v]).sort(byName);
    out.body = latin1(new Uint8Array(await resp.arrayBuffer()));
  } catch (err) {
    // Kept for whoever debugs a failing case; comparable() reduces it to true.
    out.error = String(err);
  }
  out.calls = record.calls;
  out.probes = record.probes;
  out.infocache = Object.keys((ctx.env["swift.infocache"] ?? {}) as object).sort();
  return out;
}

/**
 * Both outcomes of a case, errors reduced to "an error happened". The info lookups' REMOTE_USER
 * is left out: Swift's make_pre_authed_env() sets ".wsgi.pre_authed", lib/proxy/get_info.ts
 * sets none, and that module is the lookups' contract, not the filters'.
 */
export function comparable(outcome: Outcome): Outcome {
  const copy = { ...outcome };
  copy.calls = copy.calls?.map((call): Call => {
    const lookup = call[0] === "HEAD" && (call[3] === "TU" || call[3] === "FP") &&
      call[1].split("/").length <= 4;
    return lookup ? [...call.slice(0, 5), null, ...call.slice(6)] as Call : call;
  });
  if (copy.error !== undefined) copy.error = true;
  if (copy.build_error !== undefined) return { build_error: true };
  return copy;
}

/** get_hmac() for test URLs: hex unless `base64`, then `algo:` + (URL-safe) base64. */
export function sign(
  parts: { method: string; expires: number | string; path: string; ipRange?: string },
  key: string,
  digest = "sha256",
  encoding: "hex" | "base64" | "base64url" = "hex",
): string {
  let message = `${parts.method}\n${parts.expires}\n${parts.path}`;
  if (parts.ipRange) message = `ip=${parts.ipRange}\n${message}`;
  const mac = createHmac(digest, key).update(message);
  if (encoding === "hex") return mac.digest("hex");
  const b64 = mac.digest("base64");
  return `${digest}:${
    encoding === "base64" ? b64 : b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")
  }`;
}

/** A form's signature: HMAC of path, redirect, max_file_size, max_file_count, expires. */
export function signForm(
  fields: {
    path: string;
    redirect?: string;
    maxFileSize: string;
    maxFileCount: string;
    expires: string;
  },
  key: string,
  digest = "sha256",
): string {
  const message = [
    fields.path,
    fields.redirect ?? "",
    fields.maxFileSize,
    fields.maxFileCount,
    fields.expires,
  ].join("\n");
  return createHmac(digest, key).update(message).digest("hex");
}

/** One part of a form: a field (`value`) or a file (`filename`, `data`, `type`). */
export interface FormPart {
  readonly name: string;
  readonly value?: string;
  readonly filename?: string;
  readonly data?: string;
  readonly type?: string;
  /** Extra header lines, written as given. */
  readonly extra?: readonly string[];
}

/** A multipart/form-data body (latin-1 text) as browsers send it. */
export function formBody(boundary: string, parts: readonly FormPart[]): string {
  let body = "";
  for (const part of parts) {
    body += `--${boundary}\r\n`;
    body += `Content-Disposition: form-data; name="${part.name}"` +
      (part.filename !== undefined ? `; filename="${part.filename}"` : "") + "\r\n";
    if (part.type !== undefined) body += `Content-Type: ${part.type}\r\n`;
    for (const line of part.extra ?? []) body += `${line}\r\n`;
    body += `\r\n${part.filename !== undefined ? part.data ?? "" : part.value ?? ""}\r\n`;
  }
  return `${body}--${boundary}--\r\n`;
}
