/**
 * egg:swift#catch_errors (swift/common/middleware/catch_errors.py): gives each request a
 * transaction id (`tx` + 21 hex digits + `-` + 10 hex digits of the time + suffix), puts it on
 * every response as X-Trans-Id and X-Openstack-Request-Id, and turns any error the rest of
 * the pipeline throws into a 500 "An error occurred" plus a log line with the id.
 */
import { optionsOf, type StageConfig } from "../config/load.ts";
import { CATCH_ERRORS_FILTER } from "../config/options/filters.ts";
import { HttpError } from "../server/http_error.ts";
import type { Filter } from "./compose.ts";

/** swift.common.utils.generate_trans_id(). */
export function generateTransId(suffix: string, now = Date.now()): string {
  const hex = crypto.randomUUID().replaceAll("-", "").slice(0, 21);
  const seconds = Math.floor(now / 1000).toString(16).padStart(10, "0");
  return `tx${hex}-${seconds}${quoteSuffix(suffix)}`;
}

/** Swift's quote() of the suffix: urllib's quote with "/" safe. */
function quoteSuffix(suffix: string): string {
  return encodeURIComponent(suffix).replaceAll("%2F", "/").replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Builds the catch_errors filter. */
export function catchErrorsFilter(stage: StageConfig): Filter {
  const { trans_id_suffix } = optionsOf(stage, CATCH_ERRORS_FILTER);
  return (next) =>
    async function catchErrors(req, ctx) {
      let suffix = trans_id_suffix;
      const extra = req.headers.get("X-Trans-Id-Extra");
      if (extra) suffix += `-${extra.slice(0, 32)}`;
      const txnId = generateTransId(suffix);
      ctx.txnId = txnId;
      ctx.logger = ctx.logger.child({ txnId });
      let response: Response;
      try {
        response = await next(req, ctx);
      } catch (err) {
        if (err instanceof HttpError) {
          response = err.toResponse(req.method);
        } else {
          ctx.logger.exception("Error: An error occurred", err);
          response = new Response(req.method === "HEAD" ? null : "An error occurred", {
            status: 500,
            headers: { "Content-Type": "text/plain" },
          });
        }
      }
      return withTransId(response, txnId);
    };
}

/**
 * The response with the transaction id headers added and every header name title-cased
 * (copying it if its headers are frozen). swob's HeaderKeyDict title-cases each name it holds
 * and eventlet writes them as given, so Swift clients see "X-Object-Meta-Color" whatever case
 * the metadata was stored in; a Headers object keeps the case a name was appended with, and
 * this filter is the outermost stage of every proxy pipeline.
 */
function withTransId(response: Response, txnId: string): Response {
  try {
    titleCaseNames(response.headers);
    response.headers.set("X-Trans-Id", txnId);
    response.headers.set("X-Openstack-Request-Id", txnId);
    return response;
  } catch {
    // Responses from fetch() have immutable headers.
    const copy = new Response(response.body, response);
    titleCaseNames(copy.headers);
    copy.headers.set("X-Trans-Id", txnId);
    copy.headers.set("X-Openstack-Request-Id", txnId);
    return copy;
  }
}

/** Python's bytes.title() of a header name: ASCII letters only, upper after a non-letter. */
export function titleCase(name: string): string {
  return name.toLowerCase().replace(
    /(^|[^a-z])([a-z])/g,
    (_, before, letter) => before + letter.toUpperCase(),
  );
}

function titleCaseNames(headers: Headers): void {
  const entries = [...headers];
  for (const [name] of entries) headers.delete(name);
  for (const [name, value] of entries) headers.append(titleCase(name), value);
}
