/**
 * Options of `egg:swift#domain_remap` (swift/common/middleware/domain_remap.py, Swift 2.30):
 * the keys DomainRemapMiddleware.__init__ reads, plus get_logger()'s.
 *
 * default_reseller_prefix: Swift tells an absent key (None) from an empty one ('') only in
 * /info; both mean "no default prefix" for requests, and swiftd publishes both as null.
 */
import { bool, csv, optionalText, text } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** `egg:swift#domain_remap`: takes account and container from the Host header. */
export const DOMAIN_REMAP_FILTER = {
  name: "domain_remap",
  doc: "Maps <container>.<account>.<storage_domain>/<object> to /v1/<account>/<container>/" +
    "<object>.",
  options: [
    option({
      key: "storage_domain",
      parse: csv,
      default: "example.com",
      doc: "Comma-separated domains whose subdomains name accounts and containers; empty " +
        "turns the filter off.",
    }),
    option({
      key: "path_root",
      parse: text,
      default: "v1",
      doc: "API version put in front of the remapped path (slashes around it are ignored).",
    }),
    option({
      key: "reseller_prefixes",
      parse: csv,
      default: "AUTH",
      doc: "Account prefixes the Host may carry (any case, '-' for '_'); other hosts pass " +
        "unchanged unless default_reseller_prefix is set. Empty accepts any account.",
    }),
    option({
      key: "default_reseller_prefix",
      parse: optionalText,
      default: "",
      doc: "Prefix added (with '_') to an account whose prefix is not in reseller_prefixes.",
    }),
    option({
      key: "mangle_client_paths",
      parse: bool,
      default: "false",
      doc: "Drop a leading path_root the client put in the path (/v1/o -> /v1/AUTH_a/c/o, " +
        "not /v1/AUTH_a/c/v1/o).",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
