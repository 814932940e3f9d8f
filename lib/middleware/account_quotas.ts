/**
 * egg:swift#account_quotas (swift/common/middleware/account_quotas.py, Swift 2.30): an
 * account's X-Account-Meta-Quota-Bytes caps the bytes it may store. Only a reseller
 * (`reseller_request` set by auth) may set or remove it (400 unless digits; 403 for anyone
 * else); an object PUT that would take the account past it answers 413 "Upload exceeds
 * quota.". When auth installed swift.authorize the 413 is handed out by it, after auth's own
 * checks pass, so that users who could not write anyway get auth's denial and learn nothing
 * about the account. Usage comes from get_account_info() with swift.source "AQ"
 * (_info_lookup.ts); a chunked upload counts as 0 bytes. POST, DELETE and container
 * requests always pass.
 *
 * Swift 2.30 has no per-policy account quotas (X-Account-Quota-Bytes-Policy-*): they came in
 * a later release, and this filter follows 2.30.
 */
import { pythonInt } from "../common/constraints.ts";
import type { StageConfig } from "../config/load.ts";
import { HttpError } from "../server/http_error.ts";
import type { Filter } from "./compose.ts";
import {
  accountInfo,
  type Authorize,
  AUTHORIZE_KEY,
  contentLengthOf,
  hasAuthorize,
  isDigit,
  pathInfo,
  splitPath,
} from "./_info_lookup.ts";

/** swob's default bodies for the statuses this filter answers without one. */
const BAD_REQUEST = "<html><h1>Bad Request</h1><p>The server could not comply with the " +
  "request since it is either malformed or otherwise incorrect.</p></html>";
const FORBIDDEN = "<html><h1>Forbidden</h1><p>Access was denied to this resource.</p></html>";
const OVER_QUOTA = "Upload exceeds quota.";

/** The /info section Swift registers: an empty `account_quotas` entry. */
export function accountQuotasInfo(_options?: unknown): Record<string, unknown> {
  return {};
}

/** Builds the account_quotas filter (Swift's takes no settings). */
export function accountQuotasFilter(_stage?: StageConfig): Filter {
  return (next) =>
    async function accountQuotas(req, ctx) {
      if (req.method !== "POST" && req.method !== "PUT") return await next(req, ctx);
      let container: string | undefined;
      let obj: string | undefined;
      try {
        [, , container, obj] = splitPath(pathInfo(req), 2, 4, true);
      } catch {
        return await next(req, ctx);
      }
      // Quota headers only mean something on the account itself.
      let newQuota = container ? null : req.headers.get("X-Account-Meta-Quota-Bytes");
      const removeQuota = container ? null : req.headers.get("X-Remove-Account-Meta-Quota-Bytes");
      if (removeQuota) newQuota = "0";

      if (ctx.env["reseller_request"] === true) {
        if (newQuota && !isDigit(newQuota)) throw new HttpError(400, BAD_REQUEST);
        return await next(req, ctx);
      }
      if (newQuota !== null) throw new HttpError(403, FORBIDDEN);
      if (req.method === "POST" || !obj) return await next(req, ctx);

      const contentLength = contentLengthOf(req);
      const info = await accountInfo({ next, req, ctx, source: "AQ" });
      const meta = (info.meta ?? {}) as Record<string, string>;
      const quota = "quota-bytes" in meta ? pythonInt(meta["quota-bytes"]) : -1n;
      if (quota === undefined || quota < 0n) return await next(req, ctx);
      if (quota >= BigInt(info.bytes as number) + contentLength) return await next(req, ctx);

      if (!hasAuthorize(ctx)) throw new HttpError(413, OVER_QUOTA);
      const authorize = ctx.env[AUTHORIZE_KEY] as Authorize;
      const rejecting: Authorize = async (request) =>
        await authorize(request) ?? new HttpError(413, OVER_QUOTA).toResponse(req.method);
      ctx.env[AUTHORIZE_KEY] = rejecting;
      return await next(req, ctx);
    };
}
