/**
 * check_metadata(req, target_type) for accounts and containers (swift/common/constraints.py):
 * header sizes, and the count, name and value sizes of X-<Type>-Meta-* headers, which must
 * also be UTF-8. lib/object/constraints.ts has the object flavour (no UTF-8 rule); both
 * answer 400 text/plain with Swift's messages.
 */
import type { SwiftConstraints } from "../common/constraints.ts";
import { checkUtf8, wsgiToStr } from "../object/request_path.ts";
import type { SwobRequest } from "../object/swob_request.ts";
import { badRequest } from "../object/swob_status.ts";

/** Throws the 400 Swift answers for bad `x-<type>-meta-*` headers. */
export function checkMetadata(
  req: SwobRequest,
  targetType: "account" | "container",
  limits: SwiftConstraints,
): void {
  const prefix = `x-${targetType}-meta-`;
  let count = 0;
  let size = 0;
  for (const [name, value] of req.headers.entries()) {
    if (value.length > limits.maxHeaderSize) {
      throw badRequest(`Header value too long: ${name.slice(0, limits.maxMetaNameLength)}`);
    }
    if (!name.toLowerCase().startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    if (!key) throw badRequest("Metadata name cannot be empty");
    const badKey = !checkUtf8(key);
    const badValue = value !== "" && !checkUtf8(value);
    if (badKey || badValue) throw badRequest("Metadata must be valid UTF-8");
    count += 1;
    size += key.length + value.length;
    if (key.length > limits.maxMetaNameLength) {
      throw badRequest(`Metadata name too long: ${prefix}${wsgiToStr(key) ?? key}`);
    }
    if (value.length > limits.maxMetaValueLength) {
      throw badRequest(
        `Metadata value longer than ${limits.maxMetaValueLength}: ${prefix}${
          wsgiToStr(key) ?? key
        }`,
      );
    }
    if (count > limits.maxMetaCount) {
      throw badRequest(`Too many metadata items; max ${limits.maxMetaCount}`);
    }
    if (size > limits.maxMetaOverallSize) {
      throw badRequest(`Total metadata too large; max ${limits.maxMetaOverallSize}`);
    }
  }
}
