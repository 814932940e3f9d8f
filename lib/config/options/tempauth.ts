/**
 * Options of `egg:swift#tempauth` (swift/common/middleware/tempauth.py, Swift 2.30): the keys
 * TempAuth.__init__ reads, plus get_logger()'s.
 *
 * Not in the table, because their names are data: the users (`user_<account>_<user>` and
 * `user64_<b64 account>_<b64 user>`) and the per-prefix `<PREFIX>require_group` overrides
 * (`SERVICE_require_group`, `''require_group`). lib/middleware/tempauth/settings.ts reads
 * them from the stage's conf, in one place. For the same reason the table is not `complete`:
 * an unknown-key warning would fire on every user line.
 */
import { pyStrip } from "../ini.ts";
import { bool, int, type Parser, text } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/**
 * config_read_reseller_options()'s prefix list: comma-separated, stripped, `''` for the empty
 * prefix, an `_` appended to each non-empty one, duplicates dropped; none at all is [""].
 */
export const resellerPrefixes: Parser<string[]> = (raw) => {
  const prefixes: string[] = [];
  for (const item of raw.split(",")) {
    let prefix = pyStrip(item);
    if (!prefix) continue;
    if (prefix === "''") prefix = "";
    if (prefix && !prefix.endsWith("_")) prefix += "_";
    if (!prefixes.includes(prefix)) prefixes.push(prefix);
  }
  return prefixes.length ? prefixes : [""];
};

/** storage_url_scheme: Swift pastes any word before the URL's `:`; other than these, warn. */
export const storageUrlScheme: Parser<string> = (raw, warn) => {
  if (!["default", "http", "https"].includes(raw)) {
    warn(`is used as written as the scheme of storage URLs (current value is "${raw}")`);
  }
  return raw;
};

/** `egg:swift#tempauth`: users from the conf, tokens, and ACL-based authorization. */
export const TEMPAUTH_FILTER = {
  name: "tempauth",
  doc: "Authenticates users listed in the conf (user_<account>_<user> = key [group...] " +
    "[storage_url]), hands out tokens at auth_prefix, and authorizes requests with groups " +
    "and container/account ACLs.",
  options: [
    option({
      key: "reseller_prefix",
      parse: resellerPrefixes,
      default: "AUTH",
      doc: "Comma-separated account prefixes this auth owns (AUTH, SERVICE...; '' for none); " +
        "tokens and default storage URLs use the first.",
    }),
    option({
      key: "require_group",
      parse: text,
      default: "",
      doc: "Group a user also needs to own an account; <PREFIX>require_group overrides it " +
        "for one prefix (SERVICE_require_group = .service).",
    }),
    option({
      key: "auth_prefix",
      parse: text,
      default: "/auth/",
      doc: "Path prefix of the token endpoint (GET <auth_prefix>v1.0); '' or '/' mean /auth/.",
    }),
    option({
      key: "token_life",
      parse: int(),
      default: "86400",
      doc: "Seconds a new token stays valid.",
    }),
    option({
      key: "allow_overrides",
      parse: bool,
      default: "true",
      doc: "Let an earlier middleware that sets swift.authorize_override (tempurl, " +
        "formpost...) skip tempauth.",
    }),
    option({
      key: "storage_url_scheme",
      parse: storageUrlScheme,
      default: "default",
      doc: "Scheme of the X-Storage-Url tempauth returns: default (the request's), http or https.",
    }),
    option({
      key: "log_headers",
      parse: bool,
      default: "false",
      doc: "Read by Swift's tempauth but unused there too.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: false,
} as const satisfies OptionTable;
