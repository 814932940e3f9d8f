/**
 * egg:swift#tempurl (swift/common/middleware/tempurl.py, Swift 2.30): a request for an
 * object carrying `temp_url_sig` and `temp_url_expires` goes through without a token when
 * the signature is the HMAC of `[ip=RANGE\n]METHOD\nEXPIRES\nPATH` under one of the
 * account's or container's temp URL keys (X-{Account,Container}-Meta-Temp-URL-Key[-2]) and
 * the time has not passed. PATH is the object's, or `prefix:/v1/a/c/PREFIX` with
 * `temp_url_prefix` for every object under it; `temp_url_ip_range` limits the client
 * address. A HEAD may use a GET, POST or PUT signature. Anything wrong is the same 401, so a
 * client learns nothing about which part failed.
 *
 * The contract with the rest of the pipeline, through ctx.env (Swift's environ keys): a
 * valid temp URL sets `swift.authorize` to a check that keeps the request (and any
 * subrequest it makes) inside the signed account, or the signed container for a container
 * key; `swift.authorize_override` to true, so an auth filter further down leaves it alone;
 * and `REMOTE_USER` to ".wsgi.tempurl". The request goes on with only the temp URL
 * parameters in its query (signature as hex), and the incoming_* lists applied to its
 * headers; the answer has the outgoing_* lists applied and, for a successful GET or HEAD,
 * Content-Disposition and Expires set. Keys come from account and container info
 * (tempurl/keys.ts), looked up with swift.source "TU".
 *
 * Not done: the statsd counter tempurl.digests.<algo> (swiftd's logger has no statsd client).
 */
import { optionsOf, type StageConfig } from "../config/load.ts";
import { TEMPURL_FILTER } from "../config/options/tempurl.ts";
import type { TypedConfig } from "../config/options/option.ts";
import { rawPath, requestFor } from "../server/request_path.ts";
import type { RequestContext } from "../server/context.ts";
import type { BuildContext, Filter, Handler } from "./compose.ts";
import { registerSensitiveParam } from "./proxy_logging/sensitive.ts";
import { splitPath, swobResponse } from "./tempauth/swob.ts";
import { extractDigestAndAlgorithm, getHmac, streqConstTime } from "./tempurl/digest.ts";
import { expiresHeader, parseExpires } from "./tempurl/expires.ts";
import {
  cleanIncoming,
  cleanOutgoing,
  contentDisposition,
  disallowedHeaderMessage,
  environKey,
  HeaderRules,
} from "./tempurl/headers.ts";
import { ipAddress, ipNetwork, networkContains } from "./tempurl/ip_range.ts";
import { tempurlKeys } from "./tempurl/keys.ts";
import { parseQs, pathInfoOf, queryStringOf, urlencode, wsgiToStr } from "./tempurl/python_text.ts";
import { pyTitle } from "../object/wsgi_text.ts";

/** The typed options of [filter:tempurl]. */
export type TempurlConfig = TypedConfig<typeof TEMPURL_FILTER.options>;

/** What tempurlFilterWith() takes besides the options. */
export interface TempurlOptions {
  /** Seconds since the epoch (Swift's time()); tests pass a fixed one. */
  readonly clock?: () => number;
}

/**
 * `swift.authorize` as tempurl installs it: structurally both lib/proxy/call.ts's and
 * tempauth's hook, of which it only reads the request's method and PATH_INFO.
 */
export type TempurlAuthorize = (
  request: { readonly req: { readonly method: string; readonly pathInfo: string } },
) => Promise<Response | undefined>;

/** register_swift_info('tempurl', ...): the /info section. */
export function tempurlInfo(options: TempurlConfig): Record<string, unknown> {
  const info: Record<string, unknown> = {
    methods: [...options.methods],
    incoming_remove_headers: [...options.incoming_remove_headers],
    incoming_allow_headers: [...options.incoming_allow_headers],
    outgoing_remove_headers: [...options.outgoing_remove_headers],
    outgoing_allow_headers: [...options.outgoing_allow_headers],
    allowed_digests: [...options.allowed_digests.allowed],
  };
  if (options.allowed_digests.deprecated.length) {
    info.deprecated_digests = [...options.allowed_digests.deprecated];
  }
  return info;
}

/** Builds the tempurl filter from its [filter:tempurl] stage. */
export function tempurlFilter(stage: StageConfig, build: BuildContext): Filter {
  const options = optionsOf(stage, TEMPURL_FILTER);
  const { byDefault, deprecated } = options.allowed_digests;
  if (byDefault && deprecated.length) {
    build.logger.warning(
      `The following digest algorithms are allowed by default but deprecated: ` +
        `${deprecated.join(", ")}. Support will be disabled by default in a future release, ` +
        `and later removed entirely.`,
    );
  }
  return tempurlFilterWith(options);
}

/** The 401 of every refused temp URL (swob's HTTPUnauthorized, made without a request). */
function invalid(method: string): Response {
  const headers: Record<string, string> = {
    "Content-Type": "text/html; charset=UTF-8",
    "Www-Authenticate": 'Swift realm="unknown"',
  };
  // swob sends neither body nor length for a HEAD it was given no body for.
  if (method === "HEAD") return new Response(null, { status: 401, headers });
  const body = new TextEncoder().encode("401 Unauthorized: Temp URL invalid\n");
  headers["Content-Length"] = String(body.length);
  return new Response(body, { status: 401, headers });
}

/** authorize_same_account(): the request must stay in `account`. */
function sameAccount(account: string): TempurlAuthorize {
  return ({ req }) => {
    let acc: string | undefined;
    try {
      [, acc] = splitPath(req.pathInfo, 2, 3, true);
    } catch {
      // No account in the path.
    }
    const allowed = acc !== undefined && wsgiToStr(acc) === account;
    return Promise.resolve(
      allowed ? undefined : swobResponse(401, req.method, { path: req.pathInfo }),
    );
  };
}

/** authorize_same_container(): the request must stay in `account`/`container`. */
function sameContainer(account: string, container: string): TempurlAuthorize {
  return ({ req }) => {
    let acc: string | undefined;
    let con: string | undefined;
    try {
      [, acc, con] = splitPath(req.pathInfo, 3, 4, true);
    } catch {
      // No container in the path.
    }
    const allowed = acc !== undefined && con !== undefined && wsgiToStr(acc) === account &&
      wsgiToStr(con) === container;
    return Promise.resolve(
      allowed ? undefined : swobResponse(401, req.method, { path: req.pathInfo }),
    );
  };
}

/** Python's str.strip("/"). */
function stripSlashes(text: string): string {
  return text.replace(/^\/+|\/+$/g, "");
}

/** Builds the tempurl filter from options already read. */
export function tempurlFilterWith(config: TempurlConfig, options: TempurlOptions = {}): Filter {
  registerSensitiveParam("temp_url_sig");
  const clock = options.clock ?? (() => Date.now() / 1000);
  const allowedDigests = config.allowed_digests.allowed;
  const incoming = new HeaderRules(
    config.incoming_remove_headers,
    config.incoming_allow_headers,
    environKey,
  );
  const outgoing = new HeaderRules(
    config.outgoing_remove_headers,
    config.outgoing_allow_headers,
    pyTitle,
  );

  /** _get_path_parts(): account, container and object of a v1 object request, as text. */
  function pathParts(method: string, pathInfo: string): [string, string, string] | undefined {
    if (!config.methods.includes(method)) return undefined;
    let parts: (string | undefined)[];
    try {
      parts = splitPath(pathInfo, 4, 4, true);
    } catch {
      return undefined;
    }
    const [ver, acc, cont, obj] = parts as string[];
    if (ver !== "v1" || !stripSlashes(obj)) return undefined;
    return [wsgiToStr(acc), wsgiToStr(cont), wsgiToStr(obj)];
  }

  return (next: Handler) =>
    async function tempurl(req: Request, ctx: RequestContext): Promise<Response> {
      if (req.method === "OPTIONS") return await next(req, ctx);
      const qs = parseQs(queryStringOf(req));
      const param = (name: string) => qs.get(name)?.[0];
      const sigParam = param("temp_url_sig");
      const expiresParam = param("temp_url_expires");
      if (sigParam === undefined && expiresParam === undefined) return await next(req, ctx);
      const expires = expiresParam === undefined ? 0n : parseExpires(expiresParam, clock());
      if (!sigParam || !expires) return invalid(req.method);

      let algorithm: string;
      let sig: string;
      try {
        [algorithm, sig] = extractDigestAndAlgorithm(sigParam);
      } catch {
        return invalid(req.method);
      }
      if (!allowedDigests.includes(algorithm)) return invalid(req.method);
      const pathInfo = pathInfoOf(req);
      const parts = pathParts(req.method, pathInfo);
      if (!parts) return invalid(req.method);
      const [account, container, obj] = parts;

      const ipRange = param("temp_url_ip_range");
      if (ipRange) {
        const client = ctx.remoteAddr?.hostname;
        if (!client) return invalid(req.method);
        const net = ipNetwork(ipRange);
        const address = ipAddress(client);
        if (!net || !address || !networkContains(net, address)) return invalid(req.method);
      }

      const keys = await tempurlKeys({ next, req, ctx, source: "TU" }, pathInfo);
      if (!keys.account.length && !keys.container.length) return invalid(req.method);
      const prefix = param("temp_url_prefix");
      let path: string;
      if (prefix === undefined) path = `/v1/${account}/${container}/${obj}`;
      else if (obj.startsWith(prefix)) path = `prefix:/v1/${account}/${container}/${prefix}`;
      else return invalid(req.method);
      if (config.path_prefix !== undefined) path = `/${stripSlashes(config.path_prefix)}${path}`;

      // A HEAD only reads, so any signature that allows reading or writing the object will do.
      const methods = req.method === "HEAD" ? ["HEAD", "GET", "POST", "PUT"] : [req.method];
      const scoped = [
        ...keys.account.map((key) => [key, "account"] as const),
        ...keys.container.map((key) => [key, "container"] as const),
      ];
      let scope: "account" | "container" | undefined;
      search: for (const method of methods) {
        for (const [key, keyScope] of scoped) {
          const hmac = getHmac({
            method,
            expires: String(expires),
            path,
            key,
            digest: algorithm,
            ipRange,
          });
          if (streqConstTime(sig, hmac)) {
            scope = keyScope;
            break search;
          }
        }
      }
      if (!scope) return invalid(req.method);

      if (!["GET", "HEAD", "OPTIONS"].includes(req.method)) {
        const message = disallowedHeaderMessage(req.headers);
        if (message) {
          return swobResponse(400, req.method, { body: message });
        }
      }
      const env = ctx.env;
      env["swift.authorize"] = scope === "account"
        ? sameAccount(account)
        : sameContainer(account, container);
      env["swift.authorize_override"] = true;
      env.REMOTE_USER = ".wsgi.tempurl";

      // Only the temp URL's own parameters go on (multipart-manifest=get and the like do not).
      const query: [string, string][] = [
        ["temp_url_sig", sig],
        ["temp_url_expires", String(expires)],
      ];
      if (prefix !== undefined) query.push(["temp_url_prefix", prefix]);
      const filename = param("filename");
      if (filename) query.push(["filename", filename]);
      const hasBody = req.body !== null && req.method !== "GET" && req.method !== "HEAD";
      const forwarded = requestFor(`${rawPath(req)}?${urlencode(query)}`, req, {
        method: req.method,
        headers: cleanIncoming(req.headers, incoming),
        body: hasBody ? req.body : undefined,
        ...(hasBody ? { duplex: "half" } : {}),
        signal: req.signal,
      } as RequestInit);

      const resp = await next(forwarded, ctx);
      const headers = cleanOutgoing(resp.headers, outgoing);
      if (
        (req.method === "GET" || req.method === "HEAD") && resp.status >= 200 && resp.status < 300
      ) {
        let expiresValue: string;
        try {
          expiresValue = expiresHeader(expires);
        } catch (err) {
          await resp.body?.cancel();
          throw err;
        }
        const existing = headers.get("Content-Disposition") ?? undefined;
        headers.delete("Content-Disposition");
        headers.set(
          "Content-Disposition",
          contentDisposition({
            inline: qs.has("inline"),
            filename,
            existing,
            path: wsgiToStr(pathInfo),
          }),
        );
        headers.set("Expires", expiresValue);
      }
      return new Response(resp.body, { status: resp.status, statusText: resp.statusText, headers });
    };
}
