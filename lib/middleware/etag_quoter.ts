/**
 * egg:swift#etag_quoter (swift/common/middleware/etag_quoter.py, Swift 2.30): double-quotes
 * the ETag of object responses (RFC 7232) where the container says so
 * (X-Container-Rfc-Compliant-Etags), else where the account says so
 * (X-Account-Rfc-Compliant-Etags), else where enable_by_default says so. Some CDNs need it;
 * clients that expect bare MD5s keep them by turning it off for their container.
 *
 * On account and container requests the client's X-(Account|Container)-Rfc-Compliant-Etags
 * (and X-Remove-...) is stored as X-(Account|Container)-Sysmeta-Rfc-Compliant-Etags, which
 * only the proxy can write ("True"/"False", Python's str() of the flag), and the sysmeta
 * header of the response is shown back under the client's name.
 *
 * The flags come from get_container_info() and get_account_info() with swift.source "EQ"
 * (see _info_lookup.ts); when either lookup fails the response passes unquoted.
 */
import { optionsOf, type StageConfig } from "../config/load.ts";
import { ETAG_QUOTER_FILTER } from "../config/options/etag_quoter.ts";
import type { TypedConfig } from "../config/options/option.ts";
import type { RequestContext } from "../server/context.ts";
import type { Filter, Handler } from "./compose.ts";
import {
  accountInfo,
  configTrueValue,
  containerInfo,
  type Info,
  pathInfo,
  splitPath,
  validApiVersion,
} from "./_info_lookup.ts";

type Options = TypedConfig<typeof ETAG_QUOTER_FILTER["options"]>;

/** The /info section Swift registers. */
export function etagQuoterInfo(options: Options): Record<string, unknown> {
  return { enable_by_default: options.enable_by_default };
}

function isSuccess(info: Info): boolean {
  const status = info.status as number;
  return status >= 200 && status < 300;
}

/** The flag of `info`'s sysmeta; undefined when unset (an empty value is a set "false"). */
function flagOf(info: Info): string | undefined {
  const value = (info.sysmeta as Record<string, unknown> | undefined)?.["rfc-compliant-etags"];
  return value === undefined || value === null ? undefined : String(value);
}

/** An ETag as RFC 7232 writes it: left alone when already `"..."` or `W/"..."`. */
export function quotedEtag(value: string): string {
  return (value.startsWith('"') || value.startsWith('W/"')) && value.endsWith('"')
    ? value
    : `"${value}"`;
}

/** Builds the etag_quoter filter. */
export function etagQuoterFilter(stage: StageConfig): Filter {
  const { enable_by_default } = optionsOf(stage, ETAG_QUOTER_FILTER);
  return (next) =>
    async function etagQuoter(req, ctx) {
      let parts: (string | undefined)[];
      try {
        parts = splitPath(pathInfo(req), 2, 4, true);
      } catch {
        return await next(req, ctx);
      }
      if (!validApiVersion(parts[0])) return await next(req, ctx);
      const [, , container, obj] = parts;
      if (!obj) return await translateSysmeta(next, req, ctx, container ? "Container" : "Account");

      const from = { next, req, ctx, source: "EQ" };
      const cinfo = await containerInfo(from);
      if (!isSuccess(cinfo)) return await next(req, ctx);
      let flag = flagOf(cinfo);
      if (flag === undefined) {
        const ainfo = await accountInfo(from);
        if (!isSuccess(ainfo)) return await next(req, ctx);
        flag = flagOf(ainfo);
      }
      if (!(flag === undefined ? enable_by_default : configTrueValue(flag))) {
        return await next(
          req,
          ctx,
        );
      }
      return quoteEtags(await next(req, ctx));
    };
}

/** The account or container request with the client header turned into sysmeta, and back. */
async function translateSysmeta(
  next: Handler,
  req: Request,
  ctx: RequestContext,
  type: "Account" | "Container",
): Promise<Response> {
  const client = `X-${type}-Rfc-Compliant-Etags`;
  const sysmeta = `X-${type}-Sysmeta-Rfc-Compliant-Etags`;
  let headers: Headers | undefined;
  const value = req.headers.get(client);
  if (value !== null) {
    headers = new Headers(req.headers);
    // swob stores str(config_true_value(...)): "True" or "False".
    headers.set(sysmeta, value ? (configTrueValue(value) ? "True" : "False") : "");
  }
  if (req.headers.get(`X-Remove-${type}-Rfc-Compliant-Etags`)) {
    headers ??= new Headers(req.headers);
    headers.set(sysmeta, "");
  }
  const response = await next(headers ? new Request(req, { headers }) : req, ctx);
  const shown = response.headers.get(sysmeta);
  if (shown === null) return response;
  const out = new Headers(response.headers);
  out.delete(sysmeta);
  // Swift renames the header in place, so a client header already there stays as well.
  out.append(client, shown);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: out,
  });
}

/** The response with every unquoted ETag quoted. */
function quoteEtags(response: Response): Response {
  const etag = response.headers.get("ETag");
  if (etag === null || quotedEtag(etag) === etag) return response;
  const headers = new Headers(response.headers);
  headers.set("ETag", quotedEtag(etag));
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
