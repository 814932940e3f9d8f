/** Options of the paste filters (middleware), by Swift entry point name. */
import { optionalPath, text } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";
import { GATEKEEPER_FILTER } from "./gatekeeper.ts";
import { LISTING_FORMATS_FILTER } from "./listing_formats.ts";
import { MEMCACHE_FILTER } from "./memcache.ts";
import { PROXY_LOGGING_FILTER } from "./proxy_logging.ts";
import { RECON_FILTER } from "./recon.ts";
import { TEMPAUTH_FILTER } from "./tempauth.ts";

/** `egg:swift#healthcheck`: answers /healthcheck. */
export const HEALTHCHECK_FILTER = {
  name: "healthcheck",
  doc: "Answers GET /healthcheck with 200 OK, or 503 while disable_path exists.",
  options: [
    option({
      key: "disable_path",
      parse: optionalPath,
      default: "",
      doc: "While a file exists at this path, /healthcheck answers 503 DISABLED BY FILE.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;

/** `egg:swift#catch_errors`: transaction ids and the last line of defence against errors. */
export const CATCH_ERRORS_FILTER = {
  name: "catch_errors",
  doc: "Gives every request a transaction id and turns any unhandled error into a 500.",
  options: [
    option({
      key: "trans_id_suffix",
      parse: text,
      default: "",
      doc: "Appended to every transaction id (to tell clusters apart).",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;

/** Every filter entry point swiftd knows, by name. */
export const FILTER_TABLES: Readonly<Record<string, OptionTable>> = {
  [HEALTHCHECK_FILTER.name]: HEALTHCHECK_FILTER,
  [CATCH_ERRORS_FILTER.name]: CATCH_ERRORS_FILTER,
  [RECON_FILTER.name]: RECON_FILTER,
  [MEMCACHE_FILTER.name]: MEMCACHE_FILTER,
  [TEMPAUTH_FILTER.name]: TEMPAUTH_FILTER,
  [GATEKEEPER_FILTER.name]: GATEKEEPER_FILTER,
  [LISTING_FORMATS_FILTER.name]: LISTING_FORMATS_FILTER,
  [PROXY_LOGGING_FILTER.name]: PROXY_LOGGING_FILTER,
};
