/**
 * Options the three storage servers (account, container, object) read alike: the disks they
 * serve, the system-account prefix, and BaseStorageServer's access-line settings (Swift 2.30's
 * swift/common/base_storage_server.py and swift/common/utils.py). The per-server tables spread
 * these where Swift's sample configs list them.
 */
import { bool, oneOf, optionalText, path, text } from "../values.ts";
import { option } from "./option.ts";

/** Swift's LOG_LINE_DEFAULT_FORMAT (swift/common/utils.py), the storage servers' access line. */
export const LOG_LINE_DEFAULT_FORMAT = "{remote_addr} - - [{time.d}/{time.b}/{time.Y}" +
  ":{time.H}:{time.M}:{time.S} +0000] " +
  '"{method} {path}" {status} {content_length} ' +
  '"{referer}" "{txn_id}" "{user_agent}" ' +
  '{trans_time:.4f} "{additional_info}" {pid} ' +
  "{policy_index}";

/** Where the disks are mounted and whether an unmounted one is refused. */
export const DISK_OPTIONS = [
  option({
    key: "devices",
    parse: path,
    default: "/srv/node",
    doc: "Directory holding one mount point per disk, named as the ring's devices.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "mount_check",
    parse: bool,
    default: "true",
    doc: "Refuse (507) a disk that is not a mount point, so an unmounted disk never fills the " +
      "root filesystem.",
    sampleIn: "DEFAULT",
  }),
] as const;

/** The deprecated per-server spelling of swift.conf's auto_create_account_prefix. */
export const AUTO_CREATE_PREFIX_OPTION = option({
  key: "auto_create_account_prefix",
  parse: optionalText,
  default: "",
  doc: "Deprecated: prefix of the system accounts; set it in swift.conf [swift-constraints].",
  sampleIn: "section",
});

/** The account and container servers' database settings. */
export const DB_SERVER_OPTIONS = [
  option({
    key: "replication_server",
    parse: bool,
    default: "true",
    doc: "Serve REPLICATE, the db replicator's calls; false answers it 405.",
    sampleIn: "section",
  }),
  option({
    key: "db_preallocation",
    parse: bool,
    default: "false",
    doc: "Preallocate database files as they grow; swiftd lets SQLite grow them and ignores it.",
    sampleIn: "section",
  }),
  option({
    key: "db_query_logging",
    parse: bool,
    default: "false",
    doc: "Log every SQL query at debug level in Swift; swiftd accepts the key and logs none.",
    sampleIn: "section",
  }),
] as const;

/** BaseStorageServer's access line: its template and how {FIELD.anonymized} fields are hashed. */
export const ACCESS_LINE_OPTIONS = [
  option({
    key: "log_format",
    parse: text,
    default: LOG_LINE_DEFAULT_FORMAT,
    doc: "Template of the access line (Python str.format fields such as {method} {path}).",
    sampleIn: "section",
  }),
  option({
    key: "log_anonymization_method",
    parse: oneOf("md5", "sha1", "sha224", "sha256", "sha384", "sha512"),
    default: "md5",
    doc: "Hash of the {FIELD.anonymized} fields of log_format.",
    sampleIn: "section",
  }),
  option({
    key: "log_anonymization_salt",
    parse: text,
    default: "",
    doc: "Salt hashed before the {FIELD.anonymized} fields of log_format.",
    sampleIn: "section",
  }),
] as const;
