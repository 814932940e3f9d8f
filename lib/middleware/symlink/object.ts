/**
 * Symlink object requests (SymlinkObjectContext, swift/common/middleware/symlink.py 2.30):
 * GET/HEAD follow symlinks (at most symloop_max hops, static links checking the target's
 * ETag), `?symlink=get` shows the link itself, PUT with X-Symlink-Target stores the link as
 * sysmeta plus the container listing's override etag, and POST to a link answers 307.
 */
import { pyRepr } from "../../common/python_repr.ts";
import { splitPath } from "../../object/request_path.ts";
import { SwobError } from "../../object/swob_status.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import type { Handler } from "../compose.ts";
import { joinPath } from "./listing.ts";
import { drain, isSuccess, mutable, subrequest, type WsgiRequest, wsgiUnquote } from "./wsgi.ts";

export const TGT_OBJ_SYMLINK_HDR = "x-symlink-target";
export const TGT_ACCT_SYMLINK_HDR = "x-symlink-target-account";
export const TGT_ETAG_SYMLINK_HDR = "x-symlink-target-etag";
export const TGT_BYTES_SYMLINK_HDR = "x-symlink-target-bytes";
export const TGT_OBJ_SYSMETA_SYMLINK_HDR = "x-object-sysmeta-symlink-target";
export const TGT_ACCT_SYSMETA_SYMLINK_HDR = "x-object-sysmeta-symlink-target-account";
export const TGT_ETAG_SYSMETA_SYMLINK_HDR = "x-object-sysmeta-symlink-target-etag";
export const TGT_BYTES_SYSMETA_SYMLINK_HDR = "x-object-sysmeta-symlink-target-bytes";
export const SYMLOOP_EXTEND = "x-object-sysmeta-symloop-extend";
export const ALLOW_RESERVED_NAMES = "x-object-sysmeta-allow-reserved-names";

const OVERRIDE_ETAG = "X-Object-Sysmeta-Container-Update-Override-Etag";
const MD5_OF_EMPTY_STRING = "d41d8cd98f00b204e9800998ecf8427e";
const TARGET_FORMAT = "X-Symlink-Target header must be of the form <container name>/<object name>";

/** User-facing header -> sysmeta header, in the order Swift converts them. */
const USER_TO_SYSMETA: readonly (readonly [string, string])[] = [
  [TGT_OBJ_SYMLINK_HDR, TGT_OBJ_SYSMETA_SYMLINK_HDR],
  [TGT_ACCT_SYMLINK_HDR, TGT_ACCT_SYSMETA_SYMLINK_HDR],
  [TGT_ETAG_SYMLINK_HDR, TGT_ETAG_SYSMETA_SYMLINK_HDR],
  [TGT_BYTES_SYMLINK_HDR, TGT_BYTES_SYSMETA_SYMLINK_HDR],
];

function textPlain(status: number, body: string, headers: Record<string, string> = {}): SwobError {
  return new SwobError(status, { body, contentType: "text/plain", headers });
}

/** swob.normalize_etag(). */
function normalizeEtag(tag: string | null): string | null {
  if (tag && tag.startsWith('"') && tag.endsWith('"') && tag !== '"') return tag.slice(1, -1);
  return tag;
}

/** check_account_format()/check_container_format(): 412 for empty names or slashes. */
export function checkNameFormat(name: string, type: "Account" | "Container"): string {
  if (!name) throw new SwobError(412, { body: `${type} name cannot be empty` });
  if (name.includes("/")) throw new SwobError(412, { body: `${type} name cannot contain slashes` });
  return name;
}

/** Whether a request has a body (content_length, else one byte read from a chunked body). */
export async function hasBody(req: WsgiRequest): Promise<boolean> {
  const length = req.headers.get("Content-Length");
  if (length !== null) return Number(length) !== 0;
  if (!req.body) return false;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return false;
    if (value.length) {
      await reader.cancel().catch(() => {});
      return true;
    }
  }
}

/** _validate_and_prep_request_headers(): the target's full path and X-Symlink-Target-Etag. */
function validateAndPrep(req: WsgiRequest): [string, string | null] {
  const raw = req.headers.get(TGT_OBJ_SYMLINK_HDR)!;
  if (wsgiUnquote(raw).startsWith("/")) throw textPlain(412, TARGET_FORMAT);
  let value = wsgiUnquote(raw);
  if (!value.startsWith("/")) value = "/" + value;
  let container: string, obj: string;
  try {
    [container, obj] = splitPath(value, 2, 2, true) as [string, string];
  } catch {
    throw new SwobError(412, { body: TARGET_FORMAT });
  }
  req.headers.set(TGT_OBJ_SYMLINK_HDR, wsgiQuote(`${container}/${obj}`));
  const acctHeader = req.headers.get(TGT_ACCT_SYMLINK_HDR);
  let account = acctHeader === null ? null : checkNameFormat(wsgiUnquote(acctHeader), "Account");
  const [, reqAcc, reqCont, reqObj] = splitPath(req.pathInfo, 4, 4, true) as string[];
  if (account) req.headers.set(TGT_ACCT_SYMLINK_HDR, wsgiQuote(account));
  else account = reqAcc;
  if (account === reqAcc && container === reqCont && obj === reqObj) {
    throw textPlain(400, "Symlink cannot target itself");
  }
  const etag = normalizeEtag(req.headers.get(TGT_ETAG_SYMLINK_HDR));
  // cgi.parse_header() would misread these in the listing's override etag.
  if (etag && /[;"\\]/.test(etag)) throw textPlain(400, "Bad X-Symlink-Target-Etag format");
  if (!(etag || req.headers.get("Content-Type"))) {
    req.headers.set("Content-Type", "application/symlink");
  }
  return [`/v1/${account}/${container}/${obj}`, etag];
}

/** One client object request's symlink state (Swift's SymlinkObjectContext). */
export class SymlinkObject {
  #loopCount = 0;
  #lastTargetPath: string | undefined;
  readonly #next: Handler;
  readonly #symloopMax: number;

  constructor(next: Handler, symloopMax: number) {
    this.#next = next;
    this.#symloopMax = symloopMax;
  }

  /** handle_object(). */
  handle(req: WsgiRequest): Promise<Response> {
    if (req.method === "GET" || req.method === "HEAD") {
      if (req.params.get("symlink") === "get") return this.#getHeadSymlink(req);
      return this.#getHead(req);
    }
    if (req.method === "PUT" && req.headers.has(TGT_OBJ_SYMLINK_HDR)) return this.#put(req);
    if (req.method === "POST") return this.#post(req);
    return req.send(this.#next);
  }

  async #getHeadSymlink(req: WsgiRequest): Promise<Response> {
    const resp = mutable(await req.send(this.#next));
    for (const [user, sysmeta] of USER_TO_SYSMETA) {
      const value = resp.headers.get(sysmeta);
      if (value !== null) {
        resp.headers.delete(sysmeta);
        resp.headers.set(user, value);
      }
    }
    return resp;
  }

  async #getHead(req: WsgiRequest): Promise<Response> {
    const name = "X-Backend-Ignore-Range-If-Metadata-Present";
    const existing = req.headers.get(name);
    req.headers.set(
      name,
      existing ? `${existing},${TGT_OBJ_SYSMETA_SYMLINK_HDR}` : TGT_OBJ_SYSMETA_SYMLINK_HDR,
    );
    try {
      return await this.#recursiveGetHead(req, null, true, req);
    } catch (err) {
      if (!(err instanceof LinkIterError)) throw err;
      throw textPlain(
        409,
        `Too many levels of symbolic links, maximum allowed is ${this.#symloopMax}`,
      );
    }
  }

  async #recursiveGetHead(
    req: WsgiRequest,
    targetEtag: string | null,
    followSoftlinks: boolean,
    origReq: WsgiRequest,
  ): Promise<Response> {
    // Headers change only once a link was followed (Content-Location): until then the
    // response goes back as the rest of the pipeline made it, as Swift's start_response does.
    const resp = await req.send(this.#next);
    const header = (name: string) => resp.headers.get(name);
    const symlinkTarget = header(TGT_OBJ_SYSMETA_SYMLINK_HDR);
    const respEtag = header(TGT_ETAG_SYSMETA_SYMLINK_HDR);
    if (symlinkTarget && (respEtag || followSoftlinks)) {
      await drain(resp);
      const foundEtag = respEtag || header("etag");
      if (targetEtag && targetEtag !== foundEtag) {
        throw this.#conflict("X-Symlink-Target-Etag headers do not match");
      }
      if (this.#loopCount >= this.#symloopMax) throw new LinkIterError();
      const [version, account] = splitPath(req.pathInfo, 2, 3, true) as string[];
      const targetAccount = header(TGT_ACCT_SYSMETA_SYMLINK_HDR) || wsgiQuote(account);
      const targetPath = joinPath("/", version, targetAccount, symlinkTarget.replace(/^\/+/, ""));
      this.#lastTargetPath = targetPath;
      const headers = new Headers(req.headers);
      const reserved = Boolean(header(ALLOW_RESERVED_NAMES));
      // The link's sysmeta says a filter let it point into the reserved namespace, which
      // users cannot reach themselves: the hop is pre-authorized, as in Swift.
      if (reserved) headers.set("X-Backend-Allow-Reserved-Names", "true");
      headers.delete("X-Backend-Storage-Policy-Index");
      const newReq = subrequest(origReq, {
        method: req.method,
        path: targetPath,
        headers,
        swiftSource: "SYM",
        preAuthed: reserved,
      });
      if (!isTrueValue(header(SYMLOOP_EXTEND))) this.#loopCount++;
      return await this.#recursiveGetHead(newReq, respEtag, true, req);
    }
    const finalEtag = header("etag");
    if (finalEtag && targetEtag && targetEtag !== finalEtag) {
      await resp.body?.cancel();
      throw this.#conflict(
        `Object Etag ${pyRepr(finalEtag)} does not match X-Symlink-Target-Etag header ${
          pyRepr(targetEtag)
        }`,
      );
    }
    // Content-Location shows which object answered once a link was followed; it comes from
    // the link's (quoted) target so that a %2F in it stays as it was.
    if (this.#lastTargetPath) {
      const out = mutable(resp);
      out.headers.set("Content-Location", headerSafe(this.#lastTargetPath));
      return out;
    }
    return resp;
  }

  #conflict(body: string): SwobError {
    const headers: Record<string, string> = {};
    if (this.#lastTargetPath !== undefined) {
      headers["Content-Location"] = headerSafe(this.#lastTargetPath);
    }
    return textPlain(409, body, headers);
  }

  /** _validate_etag_and_update_sysmeta(): a static link's target must exist with that ETag. */
  async #validateEtag(req: WsgiRequest, targetPath: string, etag: string): Promise<void> {
    if (req.ctx.env["swift.symlink_override"]) {
      req.headers.set(TGT_ETAG_SYSMETA_SYMLINK_HDR, etag);
      const bytes = req.headers.get(TGT_BYTES_SYMLINK_HDR);
      if (bytes === null) throw new Error("KeyError: x-symlink-target-bytes");
      req.headers.set(TGT_BYTES_SYSMETA_SYMLINK_HDR, bytes);
      return;
    }
    const headers: Record<string, string> = {};
    if (isTrueValue(req.headers.get("X-Backend-Allow-Reserved-Names"))) {
      headers["X-Backend-Allow-Reserved-Names"] = "true";
    }
    const head = subrequest(req, {
      method: "HEAD",
      path: wsgiQuote(targetPath),
      headers,
      swiftSource: "SYM",
    });
    this.#lastTargetPath = targetPath;
    const resp = await this.#recursiveGetHead(head, etag, false, head);
    if (resp.status === 404) {
      await drain(resp);
      throw textPlain(409, "X-Symlink-Target does not exist", {
        "Content-Location": headerSafe(this.#lastTargetPath),
      });
    }
    if (!isSuccess(resp.status)) {
      await drain(resp);
      throw new SwobError(resp.status);
    }
    await drain(resp);
    const got = resp.headers;
    const override = got.get(OVERRIDE_ETAG);
    if (override !== null && !req.headers.has(OVERRIDE_ETAG)) {
      // Carry the target's etag parameters (an SLO's slo_etag) into the link's listing entry.
      const at = override.indexOf(";");
      req.headers.set(OVERRIDE_ETAG, MD5_OF_EMPTY_STRING + (at < 0 ? "" : override.slice(at)));
    }
    const sloEtag = got.get("X-Object-Sysmeta-Slo-Etag");
    if (sloEtag !== null && !req.headers.has(OVERRIDE_ETAG)) {
      req.headers.set(OVERRIDE_ETAG, `${MD5_OF_EMPTY_STRING}; slo_etag=${sloEtag}`);
    }
    const bytes = got.get("x-object-sysmeta-slo-size") || got.get("Content-Length");
    if (bytes === null) throw new Error("KeyError: Content-Length");
    req.headers.set(TGT_BYTES_SYSMETA_SYMLINK_HDR, bytes);
    req.headers.set(TGT_ETAG_SYSMETA_SYMLINK_HDR, etag);
    if (!req.headers.get("Content-Type")) {
      req.headers.set("Content-Type", got.get("Content-Type") ?? "");
    }
  }

  async #put(req: WsgiRequest): Promise<Response> {
    if (await hasBody(req)) throw textPlain(400, "Symlink requests require a zero byte body");
    const [targetPath, etag] = validateAndPrep(req);
    if (etag) await this.#validateEtag(req, targetPath, etag);
    for (const [user, sysmeta] of USER_TO_SYSMETA.slice(0, 2)) {
      const value = req.headers.get(user);
      if (value !== null) {
        req.headers.delete(user);
        req.headers.set(sysmeta, value);
      }
    }
    // The listing shows what a link points at through the container update's etag, which
    // cannot change until the link is overwritten (a link is empty, so the md5 is known).
    const override = [
      req.headers.get(OVERRIDE_ETAG) ?? MD5_OF_EMPTY_STRING,
      `symlink_target=${req.headers.get(TGT_OBJ_SYSMETA_SYMLINK_HDR)}`,
    ];
    const account = req.headers.get(TGT_ACCT_SYSMETA_SYMLINK_HDR);
    if (account !== null) override.push(`symlink_target_account=${account}`);
    const targetEtag = req.headers.get(TGT_ETAG_SYSMETA_SYMLINK_HDR);
    if (targetEtag !== null) {
      const bytes = req.headers.get(TGT_BYTES_SYSMETA_SYMLINK_HDR);
      if (bytes === null) throw new Error("KeyError: x-object-sysmeta-symlink-target-bytes");
      override.push(`symlink_target_etag=${targetEtag}`, `symlink_target_bytes=${bytes}`);
    }
    req.headers.set(OVERRIDE_ETAG, override.join("; "));
    return await req.send(this.#next);
  }

  async #post(req: WsgiRequest): Promise<Response> {
    if (req.headers.has(TGT_OBJ_SYMLINK_HDR)) {
      throw textPlain(400, "A PUT request is required to set a symlink target");
    }
    const resp = await req.send(this.#next);
    if (!isSuccess(resp.status)) return resp;
    const target = resp.headers.get(TGT_OBJ_SYSMETA_SYMLINK_HDR);
    if (!target) return resp;
    // The object server applied the POST to the link itself, which it cannot tell from any
    // other object; the client learns where the target is and that its metadata is unchanged.
    const [version, account] = splitPath(req.pathInfo, 2, 3, true) as string[];
    const targetAccount = resp.headers.get(TGT_ACCT_SYSMETA_SYMLINK_HDR) || wsgiQuote(account);
    const headers: Record<string, string> = {
      location: joinPath("/", version, targetAccount, target),
    };
    const targetEtag = resp.headers.get(TGT_ETAG_SYSMETA_SYMLINK_HDR);
    if (targetEtag) headers[TGT_ETAG_SYMLINK_HDR] = targetEtag;
    req.ctx.env["swift.leave_relative_location"] = true;
    for (const [name, value] of resp.headers) {
      if (name.toLowerCase().startsWith("x-object-sysmeta-")) headers[name] = value;
    }
    await drain(resp);
    throw new SwobError(307, {
      body: "The requested POST was applied to a symlink. POST directly to the target to " +
        "apply requested metadata.",
      headers,
    });
  }
}

/**
 * A path as a header value. A static link's target is checked by its unquoted path, which
 * Swift puts in Content-Location as it is; Fetch headers cannot hold a NUL (reserved names)
 * or a line break, so such a path is quoted instead.
 */
function headerSafe(path: string): string {
  return /[\0\r\n]/.test(path) ? wsgiQuote(path) : path;
}

/** Raised past symloop_max (swift.common.exceptions.LinkIterError). */
class LinkIterError extends Error {}

function isTrueValue(value: string | null): boolean {
  return value !== null && ["true", "1", "yes", "on", "t", "y"].includes(value.toLowerCase());
}
