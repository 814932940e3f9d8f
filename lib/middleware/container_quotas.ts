/**
 * egg:swift#container_quotas (swift/common/middleware/container_quotas.py, Swift 2.30):
 * containers carry their own quotas, X-Container-Meta-Quota-Bytes and -Count, set by whoever
 * may set the container's metadata. Container PUT and POST must give them as digits (400
 * otherwise); an object PUT that would take the container past either quota answers 413
 * "Upload exceeds quota." (or auth's denial, so that users who could not write there learn
 * nothing about the container). The sizes come from get_container_info() with swift.source
 * "CQ" (_info_lookup.ts), so they are as fresh as the info cache; a chunked upload counts
 * as 0 bytes.
 *
 * COPY is judged once the copy filter has turned it into a PUT, as in Swift; this filter
 * only sees PUT.
 */
import type { StageConfig } from "../config/load.ts";
import { HttpError } from "../server/http_error.ts";
import type { RequestContext } from "../server/context.ts";
import type { Filter } from "./compose.ts";
import {
  authorizeWithAcl,
  containerInfo,
  contentLengthOf,
  hasAuthorize,
  type Info,
  intOf,
  isDigit,
  pathInfo,
  splitPath,
} from "./_info_lookup.ts";

/** The /info section Swift registers: an empty `container_quotas` entry. */
export function containerQuotasInfo(_options?: unknown): Record<string, unknown> {
  return {};
}

/** Whether the upload would take the container past a quota its metadata sets. */
function exceedsQuota(req: Request, info: Info): boolean {
  const meta = (info.meta ?? {}) as Record<string, string>;
  const bytesQuota = meta["quota-bytes"];
  if (bytesQuota !== undefined && "bytes" in info && isDigit(bytesQuota)) {
    const newSize = BigInt(info.bytes as number) + contentLengthOf(req);
    if (intOf(bytesQuota) < newSize) return true;
  }
  const countQuota = meta["quota-count"];
  if (countQuota !== undefined && "object_count" in info && isDigit(countQuota)) {
    if (intOf(countQuota) < BigInt(info.object_count as number) + 1n) return true;
  }
  return false;
}

/** bad_response(): auth's denial for the container's write ACL, else 413. */
async function badResponse(req: Request, ctx: RequestContext, info: Info): Promise<Response> {
  if (hasAuthorize(ctx)) {
    const denial = await authorizeWithAcl(req, ctx, (info.write_acl as string | null) ?? undefined);
    if (denial) return denial;
  }
  throw new HttpError(413, "Upload exceeds quota.");
}

/** Builds the container_quotas filter (Swift's takes no settings). */
export function containerQuotasFilter(_stage?: StageConfig): Filter {
  return (next) =>
    async function containerQuotas(req, ctx) {
      let obj: string | undefined;
      try {
        [, , , obj] = splitPath(pathInfo(req), 3, 4, true);
      } catch {
        return await next(req, ctx);
      }
      if (!obj && (req.method === "PUT" || req.method === "POST")) {
        const bytes = req.headers.get("X-Container-Meta-Quota-Bytes");
        if (bytes && !isDigit(bytes)) throw new HttpError(400, "Invalid bytes quota.");
        const count = req.headers.get("X-Container-Meta-Quota-Count");
        if (count && !isDigit(count)) throw new HttpError(400, "Invalid count quota.");
      } else if (obj && "PUT".includes(req.method)) {
        // Swift tests `method in ('PUT')`, a substring test of "PUT": P, U, T, PU and UT
        // count as uploads too.
        const info = await containerInfo({ next, req, ctx, source: "CQ" });
        const status = info.status as number;
        if (status >= 200 && status < 300 && exceedsQuota(req, info)) {
          return await badResponse(req, ctx, info);
        }
      }
      return await next(req, ctx);
    };
}
