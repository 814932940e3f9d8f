/**
 * Options of `egg:swift#tempurl` (swift/common/middleware/tempurl.py, Swift 2.30): the keys
 * filter_factory() and TempURL read, plus get_logger()'s. Lists are split on whitespace, as
 * Swift's `conf.get(key, default).split()` does (not on commas).
 */
import { InvalidValue, type Parser } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** Python's str.isspace() characters, which str.split() splits on (controls included). */
const PY_WHITESPACE =
  // deno-lint-ignore no-control-regex
  /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** str.split(): whitespace-separated words, empty ones dropped. */
export const words: Parser<string[]> = (raw) => raw.split(PY_WHITESPACE).filter(Boolean);

/** swift.common.digest: what tempurl and formpost can verify, and what is on its way out. */
const SUPPORTED_DIGESTS = ["sha1", "sha256", "sha512"] as const;
const DEPRECATED_DIGESTS = ["sha1"];

/** get_allowed_digests()'s result. */
export interface AllowedDigests {
  /** Sorted, as /info shows them. */
  readonly allowed: readonly string[];
  /** The allowed ones Swift calls deprecated (sha1). */
  readonly deprecated: readonly string[];
  /** True when the key was empty or absent, so Swift's defaults apply. */
  readonly byDefault: boolean;
}

/**
 * get_allowed_digests(): lower-cased names, unsupported ones dropped with a warning, none at
 * all meaning every supported one; nothing left is an error, as Swift refuses to start.
 */
export const allowedDigests: Parser<AllowedDigests> = (raw, warn) => {
  const given = new Set(words(raw, warn).map((d) => d.toLowerCase()));
  const byDefault = given.size === 0;
  const wanted = byDefault ? new Set<string>(SUPPORTED_DIGESTS) : given;
  const unsupported = [...wanted].filter((d) =>
    !(SUPPORTED_DIGESTS as readonly string[]).includes(d)
  );
  if (unsupported.length) {
    warn(
      `names digest algorithms that are not supported, which are ignored: ${
        unsupported.join(", ")
      }`,
    );
  }
  const allowed = [...wanted].filter((d) => !unsupported.includes(d)).sort();
  if (!allowed.length) {
    throw new InvalidValue(`must name at least one of ${SUPPORTED_DIGESTS.join(", ")}`);
  }
  const deprecated = allowed.filter((d) => DEPRECATED_DIGESTS.includes(d));
  if (deprecated.length && !byDefault) {
    warn(
      `allows deprecated digest algorithms: ${deprecated.join(", ")}. ` +
        "Support will be removed in a future release.",
    );
  }
  return { allowed, deprecated, byDefault };
};

/** The allowed_digests option, shared with formpost. */
export const ALLOWED_DIGESTS_OPTION = option({
  key: "allowed_digests",
  parse: allowedDigests,
  default: "",
  doc: "HMAC digests signatures may use, among sha1 sha256 sha512 (separated by spaces); " +
    "empty allows all three.",
});

/** `egg:swift#tempurl`: time-limited, signed URLs to objects. */
export const TEMPURL_FILTER = {
  name: "tempurl",
  doc: "Lets anyone holding a URL signed with an account or container X-*-Meta-Temp-URL-Key " +
    "(or -Key-2) use one object, or the objects under a prefix, until the URL expires.",
  options: [
    option({
      key: "methods",
      parse: words,
      default: "GET HEAD PUT POST DELETE",
      doc: "Request methods temporary URLs may be signed for (separated by spaces).",
    }),
    option({
      key: "incoming_remove_headers",
      parse: words,
      default: "x-timestamp",
      doc: "Request headers removed before the request goes on; a trailing * matches a prefix.",
    }),
    option({
      key: "incoming_allow_headers",
      parse: words,
      default: "",
      doc: "Request headers kept even when incoming_remove_headers matches them (* allowed).",
    }),
    option({
      key: "outgoing_remove_headers",
      parse: words,
      default: "x-object-meta-*",
      doc: "Response headers removed before the answer goes out; a trailing * matches a prefix.",
    }),
    option({
      key: "outgoing_allow_headers",
      parse: words,
      default: "x-object-meta-public-*",
      doc: "Response headers kept even when outgoing_remove_headers matches them (* allowed).",
    }),
    ALLOWED_DIGESTS_OPTION,
    option({
      key: "path_prefix",
      parse: (raw) => raw === "" ? undefined : raw,
      default: "",
      doc: "Path prepended (between slashes) to the signed path, for a proxy mounted under " +
        "a prefix; empty for none.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
