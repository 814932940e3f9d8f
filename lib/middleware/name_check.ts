/**
 * egg:swift#name_check (swift/common/middleware/name_check.py, Swift 2.30): refuses with 400
 * the requests whose decoded path (PATH_INFO, one char per byte) contains one of
 * forbidden_chars, is longer than maximum_length bytes, or matches forbidden_regexp (by
 * default "." and ".." segments, which other tools would resolve to another name). The
 * checks run in that order; the first that fails names itself in the body.
 */
import { optionsOf, type StageConfig } from "../config/load.ts";
import { NAME_CHECK_FILTER } from "../config/options/name_check.ts";
import { LOG_LEVELS } from "../config/values.ts";
import type { TypedConfig } from "../config/options/option.ts";
import { HttpError } from "../server/http_error.ts";
import type { Filter } from "./compose.ts";
import { pathInfo } from "./_info_lookup.ts";
import { wsgiQuote } from "./recon/request_path.ts";

type Options = TypedConfig<typeof NAME_CHECK_FILTER["options"]>;

/** The /info section Swift registers (forbidden_regexp as written, "" when disabled). */
export function nameCheckInfo(options: Options): Record<string, unknown> {
  return {
    forbidden_chars: options.forbidden_chars,
    maximum_length: options.maximum_length,
    forbidden_regexp: options.forbidden_regexp?.source ?? "",
  };
}

/** Builds the name_check filter. */
export function nameCheckFilter(stage: StageConfig): Filter {
  const { forbidden_chars, maximum_length, forbidden_regexp } = optionsOf(
    stage,
    NAME_CHECK_FILTER,
  );
  const forbidden = [...forbidden_chars];
  return (next) =>
    function nameCheck(req, ctx) {
      const path = pathInfo(req);
      // Swift logs these for every request; building them costs only when DEBUG is on.
      const debug = ctx.logger.isEnabledFor(LOG_LEVELS.DEBUG);
      if (debug) {
        ctx.logger.debug(`name_check: path ${wsgiQuote(path)}`);
        ctx.logger.debug(`name_check: self.forbidden_chars ${forbidden_chars}`);
      }
      if (forbidden.some((c) => path.includes(c))) {
        throw new HttpError(
          400,
          `Object/Container/Account name contains forbidden chars from ${forbidden_chars}`,
        );
      }
      if (path.length > maximum_length) {
        throw new HttpError(
          400,
          `Object/Container/Account name longer than the allowed maximum ${maximum_length}`,
        );
      }
      if (forbidden_regexp) {
        if (debug) {
          ctx.logger.debug(`name_check: path ${wsgiQuote(path)}`);
          ctx.logger.debug(`name_check: self.forbidden_regexp ${forbidden_regexp.source}`);
        }
        if (forbidden_regexp.regexp.test(path)) {
          throw new HttpError(
            400,
            "Object/Container/Account name contains a forbidden substring from regular " +
              `expression ${forbidden_regexp.source}`,
          );
        }
      }
      return next(req, ctx);
    };
}
