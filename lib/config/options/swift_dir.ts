/**
 * swift_dir as the proxy's filters read it: where swift.conf (constraints, storage policies) and
 * mime.types are.
 * Swift's filters read /etc/swift/swift.conf whatever swift_dir says; swiftd reads swift.conf
 * in swift_dir everywhere, so a node's private swift_dir (the all-in-one's ./data/etc) is one
 * cluster, not two. Usually set in [DEFAULT].
 */
import { path } from "../values.ts";
import { option } from "./option.ts";

/** The swift_dir row of a filter that reads swift.conf. */
export const SWIFT_CONF_DIR_OPTION = option({
  key: "swift_dir",
  parse: path,
  default: "/etc/swift",
  doc: "Directory of swift.conf, whose constraints and storage policies apply, and of " +
    "mime.types (Swift reads /etc/swift/swift.conf whatever swift_dir says).",
});
