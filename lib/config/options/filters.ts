/** Options of the paste filters (middleware), by Swift entry point name. */
import { optionalPath, text } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";
import { ACCOUNT_QUOTAS_FILTER } from "./account_quotas.ts";
import { CONTAINER_QUOTAS_FILTER } from "./container_quotas.ts";
import { COPY_FILTER } from "./copy.ts";
import { CROSSDOMAIN_FILTER } from "./crossdomain.ts";
import { DLO_FILTER } from "./dlo.ts";
import { DOMAIN_REMAP_FILTER } from "./domain_remap.ts";
import { ETAG_QUOTER_FILTER } from "./etag_quoter.ts";
import { LIST_ENDPOINTS_FILTER } from "./list_endpoints.ts";
import { NAME_CHECK_FILTER } from "./name_check.ts";
import { READ_ONLY_FILTER } from "./read_only.ts";
import { SLO_FILTER } from "./slo.ts";
import { FORMPOST_FILTER } from "./formpost.ts";
import { TEMPURL_FILTER } from "./tempurl.ts";
import { CONTAINER_SYNC_FILTER } from "./container_sync.ts";
import { RATELIMIT_FILTER } from "./ratelimit.ts";
import { STATICWEB_FILTER } from "./staticweb.ts";
import { BULK_FILTER } from "./bulk.ts";
import { SYMLINK_FILTER } from "./symlink.ts";
import { VERSIONED_WRITES_FILTER } from "./versioned_writes.ts";
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
  [ACCOUNT_QUOTAS_FILTER.name]: ACCOUNT_QUOTAS_FILTER,
  [CONTAINER_QUOTAS_FILTER.name]: CONTAINER_QUOTAS_FILTER,
  [COPY_FILTER.name]: COPY_FILTER,
  [CROSSDOMAIN_FILTER.name]: CROSSDOMAIN_FILTER,
  [DLO_FILTER.name]: DLO_FILTER,
  [DOMAIN_REMAP_FILTER.name]: DOMAIN_REMAP_FILTER,
  [ETAG_QUOTER_FILTER.name]: ETAG_QUOTER_FILTER,
  [LIST_ENDPOINTS_FILTER.name]: LIST_ENDPOINTS_FILTER,
  [NAME_CHECK_FILTER.name]: NAME_CHECK_FILTER,
  [READ_ONLY_FILTER.name]: READ_ONLY_FILTER,
  [SLO_FILTER.name]: SLO_FILTER,
  [TEMPURL_FILTER.name]: TEMPURL_FILTER,
  [FORMPOST_FILTER.name]: FORMPOST_FILTER,
  [RATELIMIT_FILTER.name]: RATELIMIT_FILTER,
  [CONTAINER_SYNC_FILTER.name]: CONTAINER_SYNC_FILTER,
  [STATICWEB_FILTER.name]: STATICWEB_FILTER,
  [BULK_FILTER.name]: BULK_FILTER,
  [SYMLINK_FILTER.name]: SYMLINK_FILTER,
  [VERSIONED_WRITES_FILTER.name]: VERSIONED_WRITES_FILTER,
};
