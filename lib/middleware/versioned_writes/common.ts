/**
 * What both versioning APIs do alike (legacy.py and object_versioning.py repeat it): container
 * info and the write-ACL check against the versioned container, the pre-authorized GET of the
 * current object (with `?symlink=get`, so a link is copied as a link), the copy of it PUT
 * elsewhere with all its headers, and X-Timestamp handling.
 */
import type { StoragePolicies } from "../../common/storage_policy.ts";
import { clusterConstraints } from "../../common/swift_conf.ts";
import { Timestamp } from "../../common/timestamp.ts";
import { SwobError } from "../../object/swob_status.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import type { Handler } from "../compose.ts";
import { authorizeWithAcl, containerInfo, type Info, intOf, isDigit } from "../_info_lookup.ts";
import {
  contentLength,
  drain,
  RaisedResponse,
  subrequest,
  type WsgiRequest,
} from "../symlink/wsgi.ts";

/** What swift.conf tells the versioning filters. */
export interface ClusterSettings {
  /** MAX_FILE_SIZE: a larger current version cannot be copied. */
  readonly maxFileSize: number;
  readonly containerListingLimit: number;
  readonly accountListingLimit: number;
  /** POLICIES: a versions container gets its container's policy. */
  readonly policies: StoragePolicies;
}

/** What a versioning handler works with. */
export interface Versioning extends ClusterSettings {
  /** The rest of the pipeline (Swift's self.app). */
  readonly next: Handler;
  /** time.time(): seconds since the epoch (injected by tests). */
  readonly now: () => number;
}

/** swift.conf in `swiftDir`, or Swift's defaults when there is none. */
export function clusterSettings(swiftDir: string): ClusterSettings {
  const { constraints, policies } = clusterConstraints(swiftDir);
  return {
    maxFileSize: constraints.maxFileSize,
    containerListingLimit: constraints.containerListingLimit,
    accountListingLimit: constraints.accountListingLimit,
    policies,
  };
}

/** get_container_info(env, app, swift_source) for `path` (PATH_INFO; the request's own). */
export function containerInfoOf(
  req: WsgiRequest,
  next: Handler,
  source: string,
  path = req.pathInfo,
): Promise<Info> {
  return containerInfo({ next, req: req.base, ctx: req.ctx, source }, path);
}

/** The sysmeta of container info, values as text. */
export function sysmetaOf(info: Info): Record<string, string> {
  return (info.sysmeta ?? {}) as Record<string, string>;
}

/**
 * Checks the container's write ACL before any backend request, as Swift does when an auth
 * filter installed swift.authorize; throws auth's denial.
 */
export async function authorizeWrite(req: WsgiRequest, next: Handler, source: string) {
  if (!("swift.authorize" in req.ctx.env)) return;
  const info = await containerInfoOf(req, next, source);
  const acl = (info.write_acl as string | null | undefined) ?? undefined;
  const denial = await authorizeWithAcl(req.peek(), req.ctx, acl);
  if (denial) throw new RaisedResponse(denial);
}

/**
 * _get_source_object(): a pre-authorized GET of `pathInfo` with ?symlink=get (users with
 * write but not read access could version objects before this was middleware); a 413
 * response when the object is too big to copy or has no length.
 */
export async function getSourceObject(
  req: WsgiRequest,
  v: Versioning,
  pathInfo: string,
  source: string,
): Promise<Response> {
  const get = subrequest(req, {
    method: "GET",
    path: `${wsgiQuote(pathInfo)}?symlink=get`,
    headers: { "X-Newest": "True" },
    swiftSource: source,
    preAuthed: true,
  });
  const resp = await get.send(v.next);
  const length = contentLength(resp.headers);
  if (length === undefined || length > v.maxFileSize) {
    await resp.body?.cancel();
    return new SwobError(413).toResponse("GET");
  }
  return resp;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** calendar.timegm(time.strptime(value, '%a, %d %b %Y %H:%M:%S GMT')); throws as Python. */
function timegm(value: string | null): number {
  if (value === null) throw new TypeError("strptime() argument 0 must be str, not None");
  const m = /^(\w{3}), (\d{1,2}) (\w{3}) (\d{4}) (\d{1,2}):(\d{1,2}):(\d{1,2}) GMT$/.exec(value);
  const month = m ? MONTHS.indexOf(m[3].toLowerCase()) : -1;
  if (!m || month < 0 || !DAYS.includes(m[1].toLowerCase())) {
    throw new RangeError(`time data '${value}' does not match format`);
  }
  return Date.UTC(+m[4], month, +m[2], +m[5], +m[6], +m[7]) / 1000;
}

/**
 * The time a source object was written: X-Timestamp, else its Last-Modified second. Swift
 * parses Last-Modified either way (the default of its headers.get()), so a response without
 * one fails.
 */
export function sourceTimestamp(resp: Response): string | number {
  const lastModified = timegm(resp.headers.get("last-modified"));
  return resp.headers.get("x-timestamp") ?? lastModified;
}

/**
 * _put_versioned_obj(): a pre-authorized PUT of the source's body with every source header
 * but X-Timestamp; an SLO manifest keeps its size in the content type's swift_bytes.
 */
export async function putVersionedObj(
  req: WsgiRequest,
  v: Versioning,
  putPathInfo: string,
  source: Response,
  swiftSource: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  const headers = new Headers(extra);
  for (const [name, value] of source.headers) {
    if (name.toLowerCase() !== "x-timestamp") headers.set(name, value);
  }
  const put = subrequest(req, {
    method: "PUT",
    path: wsgiQuote(putPathInfo),
    headers,
    body: source.body,
    swiftSource,
    preAuthed: true,
  });
  const sloSize = put.headers.get("X-Object-Sysmeta-Slo-Size");
  if (sloSize) {
    put.headers.set(
      "Content-Type",
      `${put.headers.get("Content-Type") ?? ""}; swift_bytes=${sloSize}`,
    );
    put.ctx.env["swift.content_type_overridden"] = true;
  }
  return await put.send(v.next);
}

/** req.ensure_x_timestamp(): the request's X-Timestamp (400 when invalid), or now. */
export function ensureXTimestamp(req: WsgiRequest, v: Versioning): Timestamp {
  const given = req.headers.get("X-Timestamp");
  if (given === null) {
    const now = new Timestamp(v.now());
    req.headers.set("X-Timestamp", now.internal);
    return now;
  }
  try {
    return new Timestamp(given);
  } catch {
    // swob raises InvalidTimestamp, which nothing catches until catch_errors.
    throw new Error("Invalid X-Timestamp header");
  }
}

/** drain_and_close() of a response, then nothing. */
export { drain };

/** Python's str ordering (by code point, where JS compares UTF-16 units). */
export function comparePy(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

/**
 * constrain_req_limit(): the client's limit= when it is digits (412 above `max`), else
 * `max`; get_param() refuses a limit that is not UTF-8 with 400.
 */
export function constrainLimit(params: ReadonlyMap<string, string>, max: number): number {
  const given = params.get("limit");
  if (given === undefined) return max;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(given, (c) => c.charCodeAt(0)),
    );
  } catch {
    throw new SwobError(400, {
      body: '"limit" parameter not valid UTF-8',
      contentType: "text/plain",
    });
  }
  if (!text || !isDigit(text)) return max;
  const limit = Number(intOf(text));
  if (limit > max) throw new SwobError(412, { body: `Maximum limit is ${max}` });
  return limit;
}
