/**
 * Options of `egg:swift#versioned_writes` (swift/common/middleware/versioned_writes/, Swift
 * 2.30), one entry point for both versioning APIs: the legacy X-Versions-Location /
 * X-History-Location mode and object versioning (X-Versions-Enabled), plus get_logger()'s keys.
 *
 * allow_versioned_writes is kept as text because Swift tests the raw value twice: set to
 * anything (even "false"), it makes the filter the judge of container requests; only a true
 * value enables the legacy API, and unset leaves containers with the container server's old
 * allow_versions flag working.
 */
import { bool, optionalText } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";
import { SWIFT_CONF_DIR_OPTION } from "./swift_dir.ts";

/** `egg:swift#versioned_writes`: object versioning, legacy and new. */
export const VERSIONED_WRITES_FILTER = {
  name: "versioned_writes",
  doc: "Object versioning: the legacy X-Versions-Location/X-History-Location archive " +
    "containers and the X-Versions-Enabled API with version ids (needs symlink).",
  options: [
    option({
      key: "allow_versioned_writes",
      parse: optionalText,
      default: "",
      doc: "True enables X-Versions-Location and X-History-Location (published in /info); " +
        "any value makes this filter, not the container server's allow_versions, decide.",
    }),
    option({
      key: "allow_object_versioning",
      parse: bool,
      default: "false",
      doc: "Enable the X-Versions-Enabled API (published in /info); needs the symlink filter.",
    }),
    SWIFT_CONF_DIR_OPTION,
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
