/**
 * Options of `egg:swift#recon` (swift/common/middleware/recon.py, Swift 2.30): the keys
 * ReconMiddleware.__init__ reads, plus get_logger()'s.
 *
 * Paths are kept as written (`text`, not `path`): recon echoes them back as JSON keys
 * (`/recon/devices` answers `{"<devices>": [...]}`, `/recon/ringmd5` keys are
 * os.path.join(swift_dir, ...)), so resolving them would change what monitoring tools see.
 *
 * Not here on purpose: `mount_check` (recon always checks mounts in /recon/unmounted and
 * /recon/diskusage, whatever the server's mount_check says) and swift.conf's location (Swift
 * reads /etc/swift/swift.conf for /recon/swiftconfmd5 and the storage policies, not
 * swift_dir/swift.conf).
 */
import { text } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** `egg:swift#recon`: answers /recon/... with the node's health and daemon statistics. */
export const RECON_FILTER = {
  name: "recon",
  doc: "Answers /recon/... with disk, ring, load and daemon statistics for swift-recon.",
  options: [
    option({
      key: "recon_cache_path",
      parse: text,
      default: "/var/cache/swift",
      doc: "Directory of the *.recon files the daemons write (object.recon, drive.recon...).",
    }),
    option({
      key: "devices",
      parse: text,
      default: "/srv/node",
      doc: "Directory holding one mount point per disk; /recon/devices answers it as written.",
    }),
    option({
      key: "swift_dir",
      parse: text,
      default: "/etc/swift",
      doc: "Directory of the *.ring.gz files whose md5 /recon/ringmd5 reports.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
