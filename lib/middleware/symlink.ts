/**
 * egg:swift#symlink (swift/common/middleware/symlink.py, Swift 2.30): objects that point at
 * other objects. A PUT with X-Symlink-Target (and -Account) stores a zero-byte link; with
 * X-Symlink-Target-Etag the link is static: the target must exist with that ETag, and its
 * size and content type are recorded (X-Symlink-Target-Bytes). GET and HEAD follow links up to
 * symloop_max hops (409 beyond), `?symlink=get` returns the link itself, and POST to a link
 * answers 307 to its target. Container listings show `symlink_path`, `symlink_etag` and
 * `symlink_bytes` for links.
 *
 * Filters below talk to this one through sysmeta: object versioning writes links into
 * reserved-name containers with X-Object-Sysmeta-Allow-Reserved-Names and
 * -Symloop-Extend; container_sync sets `swift.symlink_override` so a synced static link is
 * stored as sent.
 */
import { optionsOf, type StageConfig } from "../config/load.ts";
import { SYMLINK_FILTER } from "../config/options/symlink.ts";
import { splitPath } from "../object/request_path.ts";
import { SwobError } from "../object/swob_status.ts";
import { wsgiQuote } from "../object/wsgi_text.ts";
import type { BuildContext, Filter, Handler } from "./compose.ts";
import { errorResponseFor } from "./segments/swob.ts";
import { rewriteListing } from "./symlink/listing.ts";
import { SymlinkObject } from "./symlink/object.ts";
import { isSuccess, mutable, WsgiRequest } from "./symlink/wsgi.ts";

export {
  ALLOW_RESERVED_NAMES,
  SYMLOOP_EXTEND,
  TGT_ACCT_SYMLINK_HDR,
  TGT_BYTES_SYSMETA_SYMLINK_HDR,
  TGT_ETAG_SYSMETA_SYMLINK_HDR,
  TGT_OBJ_SYMLINK_HDR,
} from "./symlink/object.ts";

const DEFAULT_SYMLOOP_MAX = 2;

/** What the symlink filter needs to know. */
export interface SymlinkSettings {
  /** Links one GET or HEAD follows at most. */
  readonly symloopMax: number;
}

/** symloop_max as filter_factory() reads it: below 1 means the default. */
function symloopMaxOf(stage: StageConfig): number {
  const value = optionsOf(stage, SYMLINK_FILTER).symloop_max;
  return value < 1 ? DEFAULT_SYMLOOP_MAX : value;
}

/** The /info section Swift registers: symloop_max and static_links. */
export function symlinkInfo(stage?: StageConfig): Record<string, unknown> {
  return {
    symloop_max: stage ? symloopMaxOf(stage) : DEFAULT_SYMLOOP_MAX,
    static_links: true,
  };
}

/** Builds the symlink filter (Swift's filter_factory). */
export function symlinkFilter(stage: StageConfig, _build?: BuildContext): Filter {
  return symlinkFilterWith({ symloopMax: symloopMaxOf(stage) });
}

/** Builds the symlink filter from explicit settings. */
export function symlinkFilterWith(settings: SymlinkSettings): Filter {
  return (next) =>
    async function symlink(req, ctx) {
      const wsgi = WsgiRequest.of(req, ctx);
      let parts: (string | undefined)[];
      try {
        parts = splitPath(wsgi.pathInfo, 3, 4, true);
      } catch {
        return await next(req, ctx);
      }
      try {
        if (parts[3]) return await new SymlinkObject(next, settings.symloopMax).handle(wsgi);
        return await handleContainer(wsgi, next);
      } catch (err) {
        if (err instanceof SwobError) return errorResponseFor(req, err);
        throw err;
      }
    };
}

/** handle_container(): listings get the symlink attributes of their links. */
async function handleContainer(req: WsgiRequest, next: Handler): Promise<Response> {
  const method = req.method;
  const resp = await req.send(next);
  if (method !== "GET" || !isSuccess(resp.status)) return resp;
  // split_path(req.path): the version and account as quoted in the request path.
  const [version, account] = splitPath(wsgiQuote(req.pathInfo), 2, 3, true) as string[];
  const body = rewriteListing(new Uint8Array(await resp.arrayBuffer()), version, account);
  const out = mutable(resp, body as BodyInit);
  out.headers.set("Content-Length", String(body.length));
  return out;
}
