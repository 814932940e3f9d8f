/** The filter entry points swiftd provides: `egg:swift#NAME` -> factory. */
import { catchErrorsFilter } from "./catch_errors.ts";
import type { FilterFactory } from "./compose.ts";
import { gatekeeperFilter } from "./gatekeeper.ts";
import { healthcheckFilter } from "./healthcheck.ts";
import { listingFormatsFilter } from "./listing_formats.ts";
import { memcacheFilter } from "./memcache.ts";
import { proxyLoggingFilter } from "./proxy_logging.ts";
import { reconFilter } from "./recon.ts";
import { tempauthFilter } from "./tempauth.ts";

/** Every filter factory, by Swift entry point name (lib/config/options/filters.ts has their options). */
export const FILTER_FACTORIES: Readonly<Record<string, FilterFactory>> = {
  catch_errors: catchErrorsFilter,
  healthcheck: healthcheckFilter,
  recon: reconFilter,
  memcache: memcacheFilter,
  tempauth: tempauthFilter,
  gatekeeper: gatekeeperFilter,
  listing_formats: listingFormatsFilter,
  proxy_logging: proxyLoggingFilter,
};
