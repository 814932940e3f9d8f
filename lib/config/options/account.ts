/**
 * Options of Swift's account server app: what swift/account/server.py AccountController reads
 * (with BaseStorageServer's replication and log_format settings), with Swift 2.30's defaults.
 * log_requests, swift_dir and fallocate_reserve are declared with the runtime and storage
 * options every server shares.
 */
import { bool, oneOf, optionalText, path, text } from "../values.ts";
import { LOG_LINE_DEFAULT_FORMAT } from "./object.ts";
import { option } from "./option.ts";

/** Account-server settings beyond the runtime ones. */
export const ACCOUNT_SERVER_OPTIONS = [
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
  option({
    key: "auto_create_account_prefix",
    parse: optionalText,
    default: "",
    doc: "Deprecated: prefix of the system accounts; set it in swift.conf [swift-constraints].",
    sampleIn: "section",
  }),
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
