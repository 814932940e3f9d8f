/**
 * Options of Swift's object server app: what swift/obj/server.py ObjectController reads (with
 * BaseStorageServer's log_format settings), what its global_conf_callback reads, and what the
 * DiskFileManager it builds reads (swift/obj/diskfile.py), with Swift 2.30's defaults.
 */
import { bool, csv, float, int, optionalText, seconds, text } from "../values.ts";
import { option } from "./option.ts";
import { ACCESS_LINE_OPTIONS, AUTO_CREATE_PREFIX_OPTION, DISK_OPTIONS } from "./storage_server.ts";

/** Object-server settings beyond the runtime ones, shared by egg:swift#object and mem_object. */
export const OBJECT_SERVER_OPTIONS = [
  option({
    key: "servers_per_port",
    parse: int({ min: 0 }),
    default: "0",
    doc: "Workers per disk port from the ring (Swift's servers-per-port mode); 0 uses workers.",
    sampleIn: "DEFAULT",
  }),
  ...DISK_OPTIONS,
  option({
    key: "disk_chunk_size",
    parse: int({ min: 1 }),
    default: "65536",
    doc: "Bytes read from disk at a time when serving an object.",
    sampleIn: "section",
  }),
  option({
    key: "network_chunk_size",
    parse: int({ min: 1 }),
    default: "65536",
    doc: "Bytes read from the client at a time during an upload.",
    sampleIn: "section",
  }),
  option({
    key: "node_timeout",
    parse: seconds,
    default: "3",
    doc: "Seconds to wait for a container server's answer to a container update.",
    sampleIn: "section",
  }),
  option({
    key: "conn_timeout",
    parse: seconds,
    default: "0.5",
    doc: "Seconds to wait for a connection to a container server.",
    sampleIn: "section",
  }),
  option({
    key: "container_update_timeout",
    parse: seconds,
    default: "1",
    doc: "Seconds a PUT, POST or DELETE waits for its container updates before answering; " +
      "slower updates finish in the background.",
    sampleIn: "section",
  }),
  option({
    key: "max_upload_time",
    parse: int({ min: 0 }),
    default: "86400",
    doc: "Seconds an upload may last before it is refused with 408.",
    sampleIn: "section",
  }),
  option({
    key: "slow",
    parse: int({ min: 0 }),
    default: "0",
    doc: "Minimum seconds a PUT or DELETE takes (a crude rate limit); 0 disables it.",
    sampleIn: "section",
  }),
  option({
    key: "keep_cache_size",
    parse: int({ min: 0 }),
    default: "5242880",
    doc: "Objects smaller than this many bytes are left in the page cache after a GET.",
    sampleIn: "section",
  }),
  option({
    key: "keep_cache_private",
    parse: bool,
    default: "false",
    doc: "Also keep objects read with an auth token in the page cache.",
    sampleIn: "section",
  }),
  option({
    key: "allowed_headers",
    parse: csv,
    default: "Content-Disposition, Content-Encoding, X-Delete-At, X-Object-Manifest, " +
      "X-Static-Large-Object, Cache-Control, Content-Language, Expires, X-Robots-Tag",
    doc: "Headers besides X-Object-Meta-* that an object PUT or POST stores and GET returns " +
      "(Content-Length, ETag and Deleted can never be set this way).",
    sampleIn: "section",
  }),
  AUTO_CREATE_PREFIX_OPTION,
  option({
    key: "expiring_objects_account_name",
    parse: text,
    default: "expiring_objects",
    doc: "Account (after the auto-create prefix) whose containers queue objects to expire.",
    sampleIn: "section",
  }),
  option({
    key: "expiring_objects_container_divisor",
    parse: int({ min: 1 }),
    default: "86400",
    doc: "Seconds of X-Delete-At times that share one expirer queue container.",
    sampleIn: "section",
  }),
  option({
    key: "replication_server",
    parse: bool,
    default: "true",
    doc: "Serve the replication verbs (REPLICATE, SSYNC); false answers them 405.",
    sampleIn: "section",
  }),
  option({
    key: "replication_concurrency",
    parse: int({ min: 0 }),
    default: "4",
    doc: "SSYNC requests one server handles at a time, across its workers; 0 is unlimited.",
    sampleIn: "section",
  }),
  option({
    key: "replication_concurrency_per_device",
    parse: int({ min: 0 }),
    default: "1",
    doc: "SSYNC requests one disk handles at a time; 0 is unlimited.",
    sampleIn: "section",
  }),
  option({
    key: "replication_one_per_device",
    parse: bool,
    default: "true",
    doc: "Deprecated form of replication_concurrency_per_device = 1 (false means 0).",
    sampleIn: "section",
  }),
  option({
    key: "replication_lock_timeout",
    parse: int({ min: 0 }),
    default: "15",
    doc: "Seconds an SSYNC request waits for its disk's replication lock.",
    sampleIn: "section",
  }),
  option({
    key: "replication_failure_threshold",
    parse: int({ min: 0 }),
    default: "100",
    doc: "Failures an SSYNC request tolerates before the failure ratio is checked.",
    sampleIn: "section",
  }),
  option({
    key: "replication_failure_ratio",
    parse: float({ min: 0 }),
    default: "1.0",
    doc: "Failures per success above which an SSYNC request is aborted.",
    sampleIn: "section",
  }),
  option({
    key: "mb_per_sync",
    parse: int({ min: 1 }),
    default: "512",
    doc: "Megabytes written to an object's file between two fdatasync calls.",
    sampleIn: "section",
  }),
  option({
    key: "reclaim_age",
    parse: int({ min: 0 }),
    default: "604800",
    doc: "Seconds a tombstone is kept before it may be removed.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "commit_window",
    parse: float({ min: 0 }),
    default: "60",
    doc: "Seconds a non-durable erasure-coded fragment is kept before it may be reclaimed.",
    sampleIn: "section",
  }),
  option({
    key: "splice",
    parse: bool,
    default: "no",
    doc: "Use splice() for zero-copy GETs; swiftd accepts the key but never splices.",
    sampleIn: "section",
  }),
  option({
    key: "eventlet_tpool_num_threads",
    parse: optionalText,
    default: "",
    doc: "Size of Swift's disk I/O thread pool; swiftd uses Deno's async I/O and ignores it.",
    sampleIn: "section",
  }),
  ...ACCESS_LINE_OPTIONS,
] as const;
