/**
 * A fake proxy behind a middleware under test, after Swift's own FakeSwift
 * (test/unit/common/middleware/helpers.py): answers registered (method, path) pairs, records
 * every call with its headers, context and body, and serves GET/HEAD the way swob would for an
 * object server: If-Match/If-None-Match (honouring X-Backend-Etag-Is-At), If-(Un)Modified-Since,
 * Range with 206/416 and multipart/byteranges. PUTs are kept and served back to later GETs.
 *
 * Paths are registered quoted and matched as PATH_INFO (unquoted), with their query string
 * normalised as Swift's FakeSwift does it (pairs
 * with empty values dropped, sorted, re-encoded), falling back to the path alone, and HEAD
 * falls back to a registered GET (without its body).
 */
import { createHash } from "node:crypto";
import type { Handler } from "../../lib/middleware/compose.ts";
import { conditionalStatus } from "../../lib/object/conditional.ts";
import {
  closingDelimiter,
  contentRange,
  multipartLength,
  newBoundary,
  parseRange,
  partHeader,
  rangesForLength,
} from "../../lib/object/ranges.ts";
import { SwobHeaders } from "../../lib/object/swob_headers.ts";
import { pathInfoOf } from "../../lib/object/swob_request.ts";
import { defaultBody } from "../../lib/object/swob_status.ts";
import type { RequestContext } from "../../lib/server/context.ts";

/** A registered body: bytes (rangeable) or a list of chunks (streamed as they are, like an app_iter). */
export type FakeBody = string | Uint8Array | readonly Uint8Array[];

/** One registered answer. */
export interface FakeAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: FakeBody | null;
}

/** One request the fake received. */
export interface FakeCall {
  readonly method: string;
  /** The path with the normalised query string. */
  readonly path: string;
  readonly headers: Headers;
  /** The context's env (swift.source...). */
  readonly env: Record<string, unknown>;
  /** The request body, for PUT and POST. */
  readonly body?: Uint8Array;
}

const encoder = new TextEncoder();

function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}

function quotePlus(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*~]/g,
    (c) => c === "~" ? c : `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
    .replaceAll("%20", "+");
}

/** A registered path as its WSGI PATH_INFO (%XX decoded to latin-1 characters), query kept. */
function unquotedPath(path: string): string {
  const at = path.indexOf("?");
  const decoded = (at < 0 ? path : path.slice(0, at)).replace(
    /%([0-9a-fA-F]{2})/g,
    (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
  );
  return at < 0 ? decoded : decoded + path.slice(at);
}

/**
 * normalize_path(): the path, then urlencode(sorted(parse_qsl(query))). Paths are WSGI
 * strings, as Swift's FakeSwift keys them by PATH_INFO.
 */
export function normalizePath(path: string): string {
  const at = path.indexOf("?");
  if (at < 0) return path;
  const pairs: [string, string][] = [];
  for (const field of path.slice(at + 1).split(/[&;]/)) {
    const eq = field.indexOf("=");
    if (eq < 0) continue;
    const value = formDecode(field.slice(eq + 1));
    // parse_qsl() drops pairs with empty values.
    if (value) pairs.push([formDecode(field.slice(0, eq)), value]);
  }
  pairs.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  const query = pairs.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join("&");
  return query ? `${path.slice(0, at)}?${query}` : path.slice(0, at);
}

function bytesOf(body: FakeBody | null | undefined): Uint8Array | readonly Uint8Array[] | null {
  if (body === undefined || body === null) return null;
  return typeof body === "string" ? encoder.encode(body) : body;
}

/** The fake proxy; `handler` goes where the middleware's `next` goes. */
export class FakeSwift {
  readonly calls: FakeCall[] = [];
  /** Objects PUT through the fake: path -> headers and body. */
  readonly uploaded = new Map<string, { headers: Headers; body: Uint8Array }>();
  /** Honour X-Backend-Ignore-Range-If-Metadata-Present, as object servers since 2.24 do. */
  canIgnoreRange = false;
  readonly #answers = new Map<string, FakeAnswer[] | FakeAnswer>();
  #open = 0;

  /** Registers the answer to every `method path` request. */
  register(
    method: string,
    path: string,
    status: number,
    headers: Record<string, string> = {},
    body: FakeBody | null = "",
  ): void {
    this.#answers.set(`${method} ${normalizePath(unquotedPath(path))}`, { status, headers, body });
  }

  /** Registers answers given in turn to successive `method path` requests. */
  registerResponses(method: string, path: string, answers: readonly FakeAnswer[]): void {
    this.#answers.set(`${method} ${normalizePath(unquotedPath(path))}`, [...answers]);
  }

  /** [method, path] of each call. */
  get callList(): [string, string][] {
    return this.calls.map((c) => [c.method, c.path]);
  }

  /** Response bodies handed out and not yet read to the end or cancelled. */
  get unclosed(): number {
    return this.#open;
  }

  /** The handler to use as `next`. */
  readonly handler: Handler = (req, ctx) => this.#serve(req, ctx);

  #find(method: string, path: string): FakeAnswer | undefined {
    const key = `${method} ${path}`;
    const found = this.#answers.get(key);
    if (Array.isArray(found)) {
      if (!found.length) throw new Error(`Didn't find any more ${key} in allowed responses`);
      return found.shift();
    }
    return found as FakeAnswer | undefined;
  }

  async #serve(req: Request, ctx: RequestContext): Promise<Response> {
    const url = new URL(req.url);
    const rawPath = pathInfoOf(req);
    const path = normalizePath(rawPath + url.search);
    const method = req.method;
    const parts = rawPath.split("/");
    const isObject = parts.length >= 5 && parts[4] !== "";
    let answer = this.#find(method, path);
    if (!answer && url.search) answer = this.#find(method, rawPath);
    if (!answer && method === "HEAD") {
      const get = this.#find("GET", path);
      if (get) answer = { ...get, body: null };
    }
    if (!answer && method === "GET" && isObject && this.uploaded.has(path)) {
      const { headers, body } = this.uploaded.get(path)!;
      answer = { status: 200, headers: Object.fromEntries(headers), body };
    }
    if (!answer) throw new Error(`Didn't find ${method} ${path} in allowed responses`);
    const headers = new Headers(answer.headers);
    let requestBody: Uint8Array | undefined;
    if (method === "PUT" || method === "POST") {
      requestBody = new Uint8Array(await req.arrayBuffer());
    }
    if (method === "PUT" && isObject) {
      if (!headers.has("ETag")) {
        headers.set("ETag", createHash("md5").update(requestBody!).digest("hex"));
      }
      if (!headers.has("Content-Length")) {
        headers.set("Content-Length", String(requestBody!.length));
      }
      this.uploaded.set(path, { headers: new Headers(req.headers), body: requestBody! });
    }
    const recorded = new Headers(req.headers);
    const swobHeaders = new SwobHeaders(req.headers);
    let range = method === "GET" || method === "HEAD" ? swobHeaders.get("Range") : undefined;
    const ignore = swobHeaders.get("X-Backend-Ignore-Range-If-Metadata-Present");
    if (this.canIgnoreRange && ignore && ignore.split(",").some((name) => headers.has(name))) {
      // The object server drops the Range; so does the request Swift's FakeSwift records.
      range = undefined;
      recorded.delete("Range");
    }
    this.calls.push({ method, path, headers: recorded, env: ctx.env, body: requestBody });
    return this.#respond(req, answer, headers, swobHeaders, range);
  }

  #respond(
    req: Request,
    answer: FakeAnswer,
    headers: Headers,
    reqHeaders: SwobHeaders,
    range: string | undefined,
  ): Response {
    const method = req.method;
    const status = answer.status;
    if (!headers.has("Content-Type")) headers.set("Content-Type", "text/html; charset=UTF-8");
    const body = bytesOf(answer.body);
    if (body instanceof Uint8Array && body.length) {
      headers.set("Content-Length", String(body.length));
    } else if (body instanceof Uint8Array && !headers.has("Content-Length")) {
      headers.set("Content-Length", "0");
    } else if (Array.isArray(body) && !headers.has("Content-Length")) {
      headers.set("Content-Length", String(body.reduce((n, c) => n + c.length, 0)));
    }
    const conditional = method === "GET" || method === "HEAD";
    if (conditional) {
      let etag = headers.get("ETag")?.replaceAll('"', "");
      for (const name of (reqHeaders.get("X-Backend-Etag-Is-At") ?? "").split(",")) {
        const value = name.trim() ? headers.get(name.trim()) : null;
        if (value !== null) {
          etag = value;
          break;
        }
      }
      const empty = conditionalStatus(reqHeaders, {
        status,
        etag,
        lastModified: headers.get("Last-Modified") ?? undefined,
      });
      if (empty !== undefined) {
        headers.set("Content-Length", "0");
        return new Response(null, { status: empty, headers });
      }
    }
    if (method === "HEAD") return new Response(null, { status, headers });
    const length = Number(headers.get("Content-Length"));
    const specs = conditional ? parseRange(range) : undefined;
    if (specs?.length && !headers.has("Content-Range")) {
      const ranges = rangesForLength(specs, length);
      if (!ranges.length) {
        const page = encoder.encode(defaultBody(416));
        headers.set("Content-Range", `bytes */${length}`);
        headers.set("Content-Length", String(page.length));
        return this.#tracked(page, 416, headers);
      }
      if (length && body instanceof Uint8Array && body.length) {
        if (ranges.length === 1) {
          const [start, stop] = ranges[0];
          headers.set("Content-Range", contentRange(ranges[0], length));
          headers.set("Content-Length", String(stop - start));
          return this.#tracked(body.slice(start, stop), 206, headers);
        }
        const boundary = newBoundary();
        const type = encoder.encode(headers.get("Content-Type") ?? "");
        headers.set("Content-Type", `multipart/byteranges;boundary=${boundary}`);
        headers.set("Content-Length", String(multipartLength(ranges, boundary, type, length)));
        const chunks: Uint8Array[] = [];
        for (const r of ranges) {
          chunks.push(partHeader(boundary, type, r, length), body.slice(r[0], r[1]));
          chunks.push(encoder.encode("\r\n"));
        }
        chunks.push(closingDelimiter(boundary));
        return this.#tracked(chunks, 206, headers);
      }
    }
    if (body === null) {
      const page = encoder.encode(defaultBody(status));
      headers.set("Content-Length", String(page.length));
      return this.#tracked(page, status, headers);
    }
    return this.#tracked(body, status, headers);
  }

  /** A response whose body counts as open until read to the end or cancelled. */
  #tracked(body: Uint8Array | readonly Uint8Array[], status: number, headers: Headers): Response {
    const chunks = body instanceof Uint8Array ? [body] : [...body];
    if (!chunks.some((c) => c.length)) return new Response(null, { status, headers });
    this.#open++;
    let closed = false;
    const close = () => {
      if (!closed) this.#open--;
      closed = true;
    };
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk === undefined) {
          close();
          controller.close();
        } else if (chunk.length) {
          controller.enqueue(chunk);
        }
      },
      cancel: close,
    });
    return new Response(stream, { status, headers });
  }
}
