/**
 * The filter entry points swiftd provides: `egg:swift#NAME` -> factory, and the /info sections
 * each registers when built (Swift's filter_factory() calls register_swift_info()).
 * lib/config/options/filters.ts has their option tables; a test keeps the two in step.
 */
import type { StageConfig } from "../config/load.ts";
import { optionsOf } from "../config/load.ts";
import { BULK_FILTER } from "../config/options/bulk.ts";
import { CROSSDOMAIN_FILTER } from "../config/options/crossdomain.ts";
import { DOMAIN_REMAP_FILTER } from "../config/options/domain_remap.ts";
import { ETAG_QUOTER_FILTER } from "../config/options/etag_quoter.ts";
import { NAME_CHECK_FILTER } from "../config/options/name_check.ts";
import { READ_ONLY_FILTER } from "../config/options/read_only.ts";
import { SLO_FILTER } from "../config/options/slo.ts";
import { FORMPOST_FILTER } from "../config/options/formpost.ts";
import { TEMPURL_FILTER } from "../config/options/tempurl.ts";
import { VERSIONED_WRITES_FILTER } from "../config/options/versioned_writes.ts";
import { accountQuotasFilter, accountQuotasInfo } from "./account_quotas.ts";
import { bulkFilter, bulkInfo } from "./bulk.ts";
import { catchErrorsFilter } from "./catch_errors.ts";
import type { FilterFactory } from "./compose.ts";
import { containerQuotasFilter, containerQuotasInfo } from "./container_quotas.ts";
import { copyFilter } from "./copy.ts";
import { crossdomainFilter, crossdomainInfo } from "./crossdomain.ts";
import { dloFilter } from "./dlo.ts";
import { domainRemapFilter, domainRemapInfo } from "./domain_remap.ts";
import { etagQuoterFilter, etagQuoterInfo } from "./etag_quoter.ts";
import { gatekeeperFilter } from "./gatekeeper.ts";
import { healthcheckFilter } from "./healthcheck.ts";
import { listEndpointsFilter } from "./list_endpoints.ts";
import { listingFormatsFilter } from "./listing_formats.ts";
import { memcacheFilter } from "./memcache.ts";
import { nameCheckFilter, nameCheckInfo } from "./name_check.ts";
import { proxyLoggingFilter } from "./proxy_logging.ts";
import { readOnlyFilter, readOnlyInfo } from "./read_only.ts";
import { reconFilter } from "./recon.ts";
import { sloFilter, sloInfo } from "./slo.ts";
import { tempauthFilter } from "./tempauth.ts";
import { formpostFilter, formpostInfo } from "./formpost.ts";
import { containerSyncFilter, containerSyncInfo } from "./container_sync.ts";
import { ratelimitFilter, ratelimitInfo, ratelimitSettings } from "./ratelimit.ts";
import { staticwebFilter } from "./staticweb.ts";
import { SWIFT_INFO } from "../common/swift_info.ts";
import { tempurlFilter, tempurlInfo } from "./tempurl.ts";
import { symlinkFilter, symlinkInfo } from "./symlink.ts";
import { versionedWritesFilter, versionedWritesInfo } from "./versioned_writes.ts";

/** Every filter factory, by Swift entry point name. */
export const FILTER_FACTORIES: Readonly<Record<string, FilterFactory>> = {
  account_quotas: accountQuotasFilter,
  bulk: bulkFilter,
  catch_errors: catchErrorsFilter,
  container_quotas: containerQuotasFilter,
  copy: copyFilter,
  crossdomain: crossdomainFilter,
  dlo: dloFilter,
  domain_remap: domainRemapFilter,
  etag_quoter: etagQuoterFilter,
  gatekeeper: gatekeeperFilter,
  healthcheck: healthcheckFilter,
  list_endpoints: listEndpointsFilter,
  listing_formats: listingFormatsFilter,
  memcache: memcacheFilter,
  name_check: nameCheckFilter,
  proxy_logging: proxyLoggingFilter,
  read_only: readOnlyFilter,
  recon: reconFilter,
  slo: sloFilter,
  tempauth: tempauthFilter,
  tempurl: tempurlFilter,
  formpost: formpostFilter,
  ratelimit: ratelimitFilter,
  staticweb: staticwebFilter,
  symlink: symlinkFilter,
  versioned_writes: versionedWritesFilter,
  // Swift refreshes the realms in /info when container-sync-realms.conf changes.
  container_sync: (stage, build) =>
    containerSyncFilter(stage, build, {
      publish: (info) => SWIFT_INFO.register("container_sync", info),
    }),
};

/** A filter's /info sections: section name -> values (undefined registers nothing). */
export type InfoSections = (
  stage: StageConfig,
) => Record<string, Record<string, unknown> | undefined>;

/** What each filter registers in /info, as its Swift filter_factory() does. */
export const FILTER_INFO: Readonly<Record<string, InfoSections>> = {
  account_quotas: () => ({ account_quotas: accountQuotasInfo() }),
  bulk: (stage) => bulkInfo(optionsOf(stage, BULK_FILTER)),
  container_quotas: () => ({ container_quotas: containerQuotasInfo() }),
  crossdomain: (stage) => ({ crossdomain: crossdomainInfo(optionsOf(stage, CROSSDOMAIN_FILTER)) }),
  domain_remap: (stage) => ({
    domain_remap: domainRemapInfo(optionsOf(stage, DOMAIN_REMAP_FILTER)),
  }),
  etag_quoter: (stage) => ({ etag_quoter: etagQuoterInfo(optionsOf(stage, ETAG_QUOTER_FILTER)) }),
  name_check: (stage) => ({ name_check: nameCheckInfo(optionsOf(stage, NAME_CHECK_FILTER)) }),
  read_only: (stage) => ({ read_only: readOnlyInfo(optionsOf(stage, READ_ONLY_FILTER)) }),
  slo: (stage) => ({ slo: sloInfo(optionsOf(stage, SLO_FILTER)) }),
  tempauth: () => ({ tempauth: { account_acls: true } }),
  tempurl: (stage) => ({ tempurl: tempurlInfo(optionsOf(stage, TEMPURL_FILTER)) }),
  formpost: (stage) => ({ formpost: formpostInfo(optionsOf(stage, FORMPOST_FILTER)) }),
  ratelimit: (stage) => ({ ratelimit: ratelimitInfo(ratelimitSettings(stage)) }),
  container_sync: (stage) => ({ container_sync: containerSyncInfo(stage) }),
  staticweb: () => ({ staticweb: {} }),
  symlink: (stage) => ({ symlink: symlinkInfo(stage) }),
  versioned_writes: (stage) => versionedWritesInfo(optionsOf(stage, VERSIONED_WRITES_FILTER)),
};
