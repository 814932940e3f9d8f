/**
 * egg:swift#staticweb (swift/common/middleware/staticweb.py, Swift 2.30): a container whose
 * metadata asks for it is served as a web site to anonymous GET/HEAD requests (and to
 * authenticated ones sending X-Web-Mode: true):
 * - X-Container-Meta-Web-Index: <name>: a pseudo-directory (the container, or an object path
 *   ending in "/") answers with its <name> object; without the trailing "/", a 301 adds it.
 * - X-Container-Meta-Web-Listings: true: a pseudo-directory without index answers with an
 *   HTML listing (-Web-Listings-CSS links a style sheet, -Web-Listings-Label replaces
 *   "/v1/account/container" in the title); off, the page says "Web Listing Disabled" (404).
 * - X-Container-Meta-Web-Error: <suffix>: 401 and 404 answers carry the body of the
 *   <status><suffix> object.
 * - X-Container-Meta-Web-Directory-Type (application/directory): 0- or 1-byte objects of
 *   that type are directory markers, treated as missing.
 *
 * The contract through ctx.env: staticweb acts only when an auth filter before it set
 * `swift.authorize` (tempauth does), which it asks about the container's read ACL (.r:*
 * makes a container public, .rlistings its listings) before serving container pages; and
 * only when `REMOTE_USER` is unset or X-Web-Mode is true. The ACL it asked about stays in
 * `swob.ACL`, where Swift's req.acl leaves it for later stages. Container metadata comes from
 * _info_lookup.ts (swift.source "SW"), as do subrequests' logs. Redirects are absolute
 * (url_base's scheme and host when set) unless `swift.leave_relative_location` is set.
 *
 * Kept from Swift on purpose: the error page GET carries the client's query string; an index
 * object that answers neither 2xx/3xx nor 404 on an object path, and an empty listing body
 * for the container, fail (500) as they do in Swift.
 */
import type { StageConfig } from "../config/load.ts";
import { optionsOf } from "../config/load.ts";
import { STATICWEB_FILTER } from "../config/options/staticweb.ts";
import { pyStrip } from "../config/ini.ts";
import type { SwiftLogger } from "../log/logger.ts";
import type { RequestContext } from "../server/context.ts";
import type { BuildContext, Filter, Handler } from "./compose.ts";
import {
  authorizeWithAcl,
  configTrueValue,
  containerInfo,
  hasAuthorize,
  pathInfo,
  splitPath,
  wsgiToStr,
} from "./_info_lookup.ts";
import {
  disabledPage,
  listingPage,
  pageBytes,
  swiftQuote,
  type WebMeta,
} from "./staticweb/listing.ts";
import { discard, sendCopy, sendGet, swobResponse, withStatus } from "./staticweb/subrequest.ts";
import { strToWsgi, wsgiQuote } from "./tempauth/swob.ts";

/** What the filter reads from its section. */
export interface StaticwebSettings {
  /** url_base's scheme, for redirects ("" keeps the request's). */
  readonly urlScheme: string;
  /** url_base's host[:port], for redirects ("" keeps the request's Host). */
  readonly urlHost: string;
}

/** The /info section Swift registers: an empty `staticweb` entry. */
export function staticwebInfo(_settings?: unknown): Record<string, unknown> {
  return {};
}

/** urlparse(url_base)'s scheme and netloc. */
export function staticwebSettings(stage: StageConfig): StaticwebSettings {
  let rest = optionsOf(stage, STATICWEB_FILTER).url_base;
  let urlScheme = "";
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (scheme) {
    urlScheme = scheme[1].toLowerCase();
    rest = rest.slice(scheme[0].length);
  }
  const netloc = rest.startsWith("//") ? /^\/\/([^/?#]*)/.exec(rest)![1] : "";
  return { urlScheme, urlHost: netloc };
}

/** Builds the staticweb filter from its [filter:staticweb] stage. */
export function staticwebFilter(stage: StageConfig, build: BuildContext): Filter {
  return staticwebFilterWith(staticwebSettings(stage), { logger: build.logger });
}

const isSuccess = (status: number) => status >= 200 && status < 300;
const isRedirection = (status: number) => status >= 300 && status < 400;

/** Python's truthiness of a json.loads() result. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

function parseListing(bytes: Uint8Array): unknown {
  return bytes.length ? JSON.parse(new TextDecoder().decode(bytes)) : null;
}

/** One request being served as a web page (Swift's _StaticWebContext). */
interface WebRequest {
  readonly next: Handler;
  readonly req: Request;
  readonly ctx: RequestContext;
  /** PATH_INFO and its segments, WSGI strings. */
  readonly path: string;
  readonly version: string;
  readonly account: string;
  readonly container: string;
  readonly obj?: string;
  meta: WebMeta;
}

/** Builds the staticweb filter from settings already read. */
export function staticwebFilterWith(
  settings: StaticwebSettings,
  options: { readonly logger?: Pick<SwiftLogger, "warning"> } = {},
): Filter {
  /** _get_container_info(): the web metadata of a container that answered 2xx. */
  async function readMeta(web: WebRequest): Promise<Record<string, unknown>> {
    const info = await containerInfo({ next: web.next, req: web.req, ctx: web.ctx, source: "SW" });
    web.meta = {};
    if (isSuccess(info.status as number)) {
      const meta = (info.meta ?? {}) as Record<string, string>;
      const get = (key: string) => pyStrip(meta[key] ?? "");
      web.meta = {
        index: get("web-index"),
        error: get("web-error"),
        listings: get("web-listings"),
        listingsLabel: get("web-listings-label"),
        listingsCss: get("web-listings-css"),
        dirType: get("web-directory-type"),
      };
    }
    return info;
  }

  /** _error_response(): `response`, with the body of the <status><web-error> object if any. */
  async function errorResponse(web: WebRequest, response: Response): Promise<Response> {
    if (!web.meta.error) return response;
    const page = await sendGet(
      web.next,
      web.req,
      web.ctx,
      `/${web.version}/${web.account}/${web.container}/${response.status}${web.meta.error}`,
    );
    if (isSuccess(page.status)) {
      await discard(response);
      return withStatus(page, response, web.req.method);
    }
    await discard(page);
    return response;
  }

  /** _redirect_with_slash(): 301 to the same path with "/" appended. */
  function redirectWithSlash(web: WebRequest): Response {
    let location = wsgiQuote(`${web.path}/`);
    if (!web.ctx.env["swift.leave_relative_location"]) {
      const url = new URL(web.req.url);
      const scheme = settings.urlScheme || url.protocol.slice(0, -1);
      let host = settings.urlHost || (web.req.headers.get("Host") ?? url.host);
      if (
        (scheme === "http" && host.endsWith(":80")) || (scheme === "https" && host.endsWith(":443"))
      ) {
        host = host.slice(0, host.lastIndexOf(":"));
      }
      location = `${scheme}://${host}${location}`;
    }
    return swobResponse(web.req, 301, { headers: { Location: location } });
  }

  /** _listing(): the HTML listing of the container or of the pseudo-directory `prefix`. */
  async function listing(web: WebRequest, prefix = ""): Promise<Response> {
    let label = wsgiToStr(web.path);
    if (web.meta.listingsLabel) {
      label = `${web.meta.listingsLabel}/${label.split("/").slice(4).join("/")}`;
    }
    if (!configTrueValue(web.meta.listings)) {
      const body = pageBytes(disabledPage(label, web.meta, prefix));
      return await errorResponse(web, swobResponse(web.req, 404, { body }));
    }
    const containerPath = `/${web.version}/${web.account}/${web.container}`;
    const query = "delimiter=/" + (prefix ? `&prefix=${wsgiQuote(prefix)}` : "");
    const response = await sendGet(web.next, web.req, web.ctx, containerPath, query);
    if (!isSuccess(response.status)) return await errorResponse(web, response);
    const entries = parseListing(new Uint8Array(await response.arrayBuffer()));
    if (prefix && !truthy(entries)) return await errorResponse(web, swobResponse(web.req, 404));
    if (!Array.isArray(entries)) {
      // Swift iterates over what json.loads() gave; None (an empty body) is not iterable.
      throw new TypeError("'NoneType' object is not iterable");
    }
    const page = listingPage(label, web.meta, prefix, wsgiToStr(prefix), entries);
    return swobResponse(web.req, 200, { body: pageBytes(page) });
  }

  /** handle_container(): GET/HEAD of the container itself. */
  async function handleContainer(web: WebRequest): Promise<Response> {
    const info = await readMeta(web);
    // Swift sets req.acl, which swob keeps in the environ (swob.ACL): later stages see it.
    web.ctx.env["swob.ACL"] = info.read_acl ?? null;
    const denial = await authorizeWithAcl(
      web.req,
      web.ctx,
      (info.read_acl as string | null) ?? undefined,
    );
    if (denial) return await errorResponse(web, denial);
    if (!web.meta.listings && !web.meta.index) {
      if (configTrueValue(web.req.headers.get("X-Web-Mode") ?? "f")) {
        return swobResponse(web.req, 404);
      }
      return await web.next(web.req, web.ctx);
    }
    if (!web.path.endsWith("/")) return redirectWithSlash(web);
    if (!web.meta.index) return await listing(web);
    const response = await sendCopy(
      web.next,
      web.req,
      web.ctx,
      web.path + strToWsgi(web.meta.index),
    );
    if (response.status === 404) {
      await discard(response);
      return await listing(web);
    }
    if (!isSuccess(response.status) && !isRedirection(response.status)) {
      return await errorResponse(web, response);
    }
    return response;
  }

  /** handle_object(): GET/HEAD of an object, maybe a pseudo-directory. */
  async function handleObject(web: WebRequest): Promise<Response> {
    let response = await sendCopy(web.next, web.req, web.ctx);
    let status = response.status;
    await readMeta(web);
    if (isSuccess(status) || isRedirection(status)) {
      const dirType = web.meta.dirType || "application/directory";
      const rawLength = response.headers.get("Content-Length");
      const length = rawLength ? Number.parseInt(rawLength, 10) : 0;
      if (Number.isNaN(length)) throw new TypeError(`invalid literal for int(): '${rawLength}'`);
      if (response.headers.get("Content-Type") !== dirType || length > 1) return response;
      // A directory marker: look for the index or a listing instead.
      status = 404;
    }
    if (status !== 404) return response; // custom error pages are for 404s (and 401s) only
    if (!web.meta.listings && !web.meta.index) return response;
    await discard(response);
    if (web.meta.index) {
      const base = web.path.endsWith("/") ? web.path : `${web.path}/`;
      response = await sendCopy(web.next, web.req, web.ctx, base + strToWsgi(web.meta.index));
      status = response.status;
      if (isSuccess(status) || isRedirection(status)) {
        if (web.path.endsWith("/")) return response;
        await discard(response);
        return redirectWithSlash(web);
      }
      await discard(response);
      if (status !== 404) {
        // Swift's handle_object() falls off its end here and returns None: a 500.
        throw new TypeError(`'NoneType' object is not iterable (index answered ${status})`);
      }
    }
    if (web.path.endsWith("/")) return await listing(web, web.obj);
    const probe = await sendGet(
      web.next,
      web.req,
      web.ctx,
      `/${web.version}/${web.account}/${web.container}`,
      `limit=1&delimiter=/&prefix=${swiftQuote(`${wsgiToStr(web.obj!)}/`)}`,
    );
    const body = new Uint8Array(await probe.arrayBuffer());
    if (!isSuccess(probe.status) || !body.length || !truthy(parseListing(body))) {
      return await errorResponse(web, swobResponse(web.req, 404));
    }
    return redirectWithSlash(web);
  }

  return (next) =>
    async function staticweb(req, ctx) {
      ctx.env["staticweb.start_time"] = Date.now() / 1000;
      if (!hasAuthorize(ctx)) {
        options.logger?.warning(
          "No authentication middleware authorized request yet. Skipping staticweb",
        );
        return await next(req, ctx);
      }
      const path = pathInfo(req);
      let parts: (string | undefined)[];
      try {
        parts = splitPath(path, 2, 4, true);
      } catch {
        return await next(req, ctx);
      }
      if (req.method !== "HEAD" && req.method !== "GET") return await next(req, ctx);
      if (ctx.env.REMOTE_USER && !configTrueValue(req.headers.get("X-Web-Mode") ?? "f")) {
        return await next(req, ctx);
      }
      const [version, account, container, obj] = parts as [string, string, string?, string?];
      if (!container) return await next(req, ctx);
      const web: WebRequest = { next, req, ctx, path, version, account, container, obj, meta: {} };
      return obj ? await handleObject(web) : await handleContainer(web);
    };
}
