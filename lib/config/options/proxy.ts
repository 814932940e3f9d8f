/**
 * Options of Swift's proxy server app (egg:swift#proxy): every key swift/proxy/server.py's
 * Application and ProxyOverrideOptions read, with Swift 2.30's defaults. The runtime keys
 * (bind_*, workers, client_timeout, swift_dir...) come from RUNTIME_OPTIONS.
 */
import { pyStrip } from "../ini.ts";
import {
  bool,
  csv,
  float,
  int,
  InvalidValue,
  oneOf,
  optionalText,
  type Parser,
  seconds,
  text,
} from "../values.ts";
import { option, type OptionTable } from "./option.ts";

/** A node count written as "N" or "N * replicas" (config_request_node_count_value()). */
export interface NodeCount {
  readonly count: number;
  /** True for "N * replicas": the count is multiplied by the ring's replica count. */
  readonly timesReplicas: boolean;
}

/** One piece of read_affinity ("r1z2=3"): nodes in region (and zone) get this priority. */
export interface AffinityPriority {
  readonly region: number;
  readonly zone?: number;
  readonly priority: number;
}

/** One piece of write_affinity ("r1" or "r1z2"): nodes there are local. */
export interface AffinityLocality {
  readonly region: number;
  readonly zone?: number;
}

/** "N" or "N * replicas", as Swift's request_node_count and write_affinity_node_count. */
export const nodeCount: Parser<NodeCount> = (raw) => {
  const parts = pyStrip(raw).toLowerCase().split(/\s+/);
  const count = /^[+-]?\d+$/.test(parts[0] ?? "") ? Number(parts[0]) : NaN;
  if (Number.isInteger(count)) {
    if (parts.length === 1) return { count, timesReplicas: false };
    if (parts.length === 3 && parts[1] === "*" && parts[2] === "replicas") {
      return { count, timesReplicas: true };
    }
  }
  throw new InvalidValue('must be an integer "N" or "N * replicas"');
};

/** affinity_key_function()'s input: "r1=1, r2z7=2"; empty leaves the order alone. */
export const readAffinity: Parser<AffinityPriority[]> = (raw) => {
  const value = pyStrip(raw);
  if (!value) return [];
  return value.split(",").map((piece) => {
    const match = /^r(\d+)(?:z(\d+))?=(\d+)$/.exec(pyStrip(piece));
    if (!match) throw new InvalidValue('must be a list of "rN=P" or "rNzM=P" items');
    const zone = match[2] === undefined ? {} : { zone: Number(match[2]) };
    return { region: Number(match[1]), ...zone, priority: Number(match[3]) };
  }).sort((a, b) => a.priority - b.priority);
};

/** affinity_locality_predicate()'s input: "r1, r2z2"; empty means no write affinity. */
export const writeAffinity: Parser<AffinityLocality[]> = (raw) => {
  const value = pyStrip(raw);
  if (!value) return [];
  return value.split(",").map((piece) => {
    const match = /^r(\d+)(?:z(\d+))?$/.exec(pyStrip(piece));
    if (!match) throw new InvalidValue('must be a list of "rN" or "rNzM" items');
    return match[2] === undefined
      ? { region: Number(match[1]) }
      : { region: Number(match[1]), zone: Number(match[2]) };
  });
};

/** config_auto_int_value(value, None): an integer, or undefined for "auto". */
const autoInt: Parser<number | undefined> = (raw) => {
  if (pyStrip(raw).toLowerCase() === "auto") return undefined;
  if (!/^[+-]?\d+$/.test(pyStrip(raw))) throw new InvalidValue('must be an integer or "auto"');
  return Number(pyStrip(raw));
};

/** A float that may be left empty, to fall back to another option (Swift's conf.get(k, other)). */
const optionalSeconds: Parser<number | undefined> = (raw, warn) =>
  raw === "" ? undefined : seconds(raw, warn);

/** swift_owner_headers: names stripped and title-cased, as Application.__init__ keeps them. */
const titledCsv: Parser<string[]> = (raw, warn) =>
  csv(raw, warn).map((name) =>
    name.toLowerCase().replace(/(^|[^a-z])([a-z])/g, (m) => m.toUpperCase())
  );

/** Every option of the proxy server app beyond the runtime ones. */
export const PROXY_SERVER_OPTIONS = [
  option({
    key: "node_timeout",
    parse: seconds,
    default: "10",
    doc:
      "Seconds to wait for a storage server's response head, and for each read or write of a body.",
    sampleIn: "section",
  }),
  option({
    key: "recoverable_node_timeout",
    parse: optionalSeconds,
    default: "",
    doc: "node_timeout for object GETs that can resume from another node; empty uses node_timeout.",
    sampleIn: "section",
  }),
  option({
    key: "conn_timeout",
    parse: seconds,
    default: "0.5",
    doc: "Seconds to wait for a connection to a storage server.",
    sampleIn: "section",
  }),
  option({
    key: "post_quorum_timeout",
    parse: seconds,
    default: "0.5",
    doc: "Seconds to let the remaining backend requests finish once a quorum has answered.",
    sampleIn: "section",
  }),
  option({
    key: "error_suppression_interval",
    parse: seconds,
    default: "60",
    doc: "Seconds without an error after which a node's error count is forgotten.",
    sampleIn: "section",
  }),
  option({
    key: "error_suppression_limit",
    parse: int(),
    default: "10",
    doc: "Errors within error_suppression_interval after which a node is skipped (error limited).",
    sampleIn: "section",
  }),
  option({
    key: "allow_account_management",
    parse: bool,
    default: "false",
    doc: "Allow account PUT and DELETE through this proxy (reseller requests).",
    sampleIn: "section",
  }),
  option({
    key: "account_autocreate",
    parse: bool,
    default: "false",
    doc: "Create an account on its first container PUT or account POST; missing ones list empty.",
    sampleIn: "section",
  }),
  option({
    key: "auto_create_account_prefix",
    parse: optionalText,
    default: "",
    doc: "Deprecated: set auto_create_account_prefix in swift.conf [swift-constraints] instead.",
  }),
  option({
    key: "expiring_objects_account_name",
    parse: text,
    default: "expiring_objects",
    doc: "Account (after auto_create_account_prefix) holding the object expirer's queue.",
  }),
  option({
    key: "expiring_objects_container_divisor",
    parse: int({ min: 1 }),
    default: "86400",
    doc: "Seconds of X-Delete-At each expirer queue container covers.",
  }),
  option({
    key: "max_containers_per_account",
    parse: int({ min: 0 }),
    default: "0",
    doc: "Containers an account may hold (403 beyond); 0 is unlimited.",
    sampleIn: "section",
  }),
  option({
    key: "max_containers_whitelist",
    parse: csv,
    default: "",
    doc: "Accounts exempt from max_containers_per_account, comma-separated.",
    sampleIn: "section",
  }),
  option({
    key: "deny_host_headers",
    parse: csv,
    default: "",
    doc: "Host header values (without port) answered 403, comma-separated.",
    sampleIn: "section",
  }),
  option({
    key: "put_queue_depth",
    parse: int({ min: 1 }),
    default: "10",
    doc: "Chunks of an upload buffered per object server before the client is slowed down.",
    sampleIn: "section",
  }),
  option({
    key: "object_chunk_size",
    parse: int({ min: 1 }),
    default: "65536",
    doc: "Bytes read from an object server at a time.",
    sampleIn: "section",
  }),
  option({
    key: "client_chunk_size",
    parse: int({ min: 1 }),
    default: "65536",
    doc: "Bytes read from or written to the client at a time.",
    sampleIn: "section",
  }),
  option({
    key: "trans_id_suffix",
    parse: text,
    default: "",
    doc: "Appended to every transaction id this proxy generates (e.g. a cluster name).",
    sampleIn: "section",
  }),
  option({
    key: "sorting_method",
    parse: oneOf("shuffle", "timing", "affinity"),
    default: "shuffle",
    doc: 'Order in which primaries are tried: "shuffle", "timing" (fastest first) or "affinity".',
    sampleIn: "section",
  }),
  option({
    key: "timing_expiry",
    parse: int({ min: 0 }),
    default: "300",
    doc: "Seconds a node's connect timing counts for sorting_method = timing.",
    sampleIn: "section",
  }),
  option({
    key: "request_node_count",
    parse: nodeCount,
    default: "2 * replicas",
    doc: 'Nodes (primaries then handoffs) tried per request: "N" or "N * replicas".',
    sampleIn: "section",
  }),
  option({
    key: "read_affinity",
    parse: readAffinity,
    default: "",
    doc: 'With sorting_method = affinity, read order by location, e.g. "r1z1=100, r1=200".',
    sampleIn: "section",
  }),
  option({
    key: "write_affinity",
    parse: writeAffinity,
    default: "",
    doc: 'Locations object PUTs prefer (local handoffs before remote primaries), e.g. "r1".',
    sampleIn: "section",
  }),
  option({
    key: "write_affinity_node_count",
    parse: nodeCount,
    default: "2 * replicas",
    doc: 'Local nodes tried first with write_affinity: "N" or "N * replicas".',
    sampleIn: "section",
  }),
  option({
    key: "write_affinity_handoff_delete_count",
    parse: autoInt,
    default: "auto",
    doc:
      "Local handoffs an object DELETE also goes to with write_affinity; auto as Swift computes.",
    sampleIn: "section",
  }),
  option({
    key: "rebalance_missing_suppression_count",
    parse: int(),
    default: "1",
    doc:
      "404s from primaries without a timestamp ignored during a GET (a rebalance may explain them).",
  }),
  option({
    key: "concurrent_gets",
    parse: bool,
    default: "false",
    doc: "Ask the next node while waiting for one that is slow to answer a GET.",
    sampleIn: "section",
  }),
  option({
    key: "concurrency_timeout",
    parse: optionalSeconds,
    default: "",
    doc: "Seconds before concurrent_gets asks the next node; empty uses conn_timeout.",
    sampleIn: "section",
  }),
  option({
    key: "concurrent_ec_extra_requests",
    parse: int({ min: 0 }),
    default: "0",
    doc: "Extra fragment requests of erasure-coded GETs (no effect: swiftd has no EC).",
  }),
  option({
    key: "swift_owner_headers",
    parse: titledCsv,
    default: "x-container-read, x-container-write, x-container-sync-key, " +
      "x-container-sync-to, x-account-meta-temp-url-key, x-account-meta-temp-url-key-2, " +
      "x-container-meta-temp-url-key, x-container-meta-temp-url-key-2, " +
      "x-account-access-control",
    doc: "Headers shown to and accepted from account owners (swift_owner) only.",
    sampleIn: "section",
  }),
  option({
    key: "cors_allow_origin",
    parse: csv,
    default: "",
    doc: "Origins allowed for CORS on every container, in addition to each container's own.",
    sampleIn: "section",
  }),
  option({
    key: "strict_cors_mode",
    parse: bool,
    default: "true",
    doc: "Only answer CORS headers to origins the container (or cors_allow_origin) allows.",
    sampleIn: "section",
  }),
  option({
    key: "cors_expose_headers",
    parse: csv,
    default: "",
    doc: "Headers added to Access-Control-Expose-Headers of every CORS response.",
    sampleIn: "section",
  }),
  option({
    key: "expose_info",
    parse: bool,
    default: "true",
    doc: "Answer GET /info with the cluster's capabilities.",
    sampleIn: "section",
  }),
  option({
    key: "disallowed_sections",
    parse: csv,
    default: "swift.auto_create_account_prefix, swift.valid_api_versions",
    doc: "Sections (or dotted keys) left out of /info unless the request is HMAC-signed.",
    sampleIn: "section",
  }),
  option({
    key: "admin_key",
    parse: optionalText,
    default: "",
    doc: "Key of HMAC-signed /info requests, which show everything; empty disables them.",
    sampleIn: "section",
  }),
  option({
    key: "log_handoffs",
    parse: bool,
    default: "true",
    doc: "Log a warning when a request needs more handoffs than expected.",
    sampleIn: "section",
  }),
  option({
    key: "recheck_account_existence",
    parse: int({ min: 0 }),
    default: "60",
    doc: "Seconds account info (existence, counts) is cached in memcached.",
    sampleIn: "section",
  }),
  option({
    key: "recheck_container_existence",
    parse: int({ min: 0 }),
    default: "60",
    doc: "Seconds container info (existence, policy, ACLs) is cached in memcached.",
    sampleIn: "section",
  }),
  option({
    key: "recheck_updating_shard_ranges",
    parse: int({ min: 0 }),
    default: "3600",
    doc: "Seconds the shard ranges object updates go to are cached (sharded containers).",
  }),
  option({
    key: "recheck_listing_shard_ranges",
    parse: int({ min: 0 }),
    default: "600",
    doc: "Seconds the shard ranges of listings are cached (sharded containers).",
  }),
  option({
    key: "container_updating_shard_ranges_skip_cache_pct",
    parse: float({ min: 0, max: 100 }),
    default: "0",
    doc: "Percent of object updates that refresh cached shard ranges from the backend.",
  }),
  option({
    key: "container_listing_shard_ranges_skip_cache_pct",
    parse: float({ min: 0, max: 100 }),
    default: "0",
    doc: "Percent of listings that refresh cached shard ranges from the backend.",
  }),
  option({
    key: "write_legacy_ec_crc",
    parse: optionalText,
    default: "",
    doc: "Erasure coding CRC format while upgrading liberasurecode (no effect: swiftd has no EC).",
  }),
] as const;

/** The proxy's own options as one table (PROXY_APP adds RUNTIME_OPTIONS around them). */
export const PROXY_SERVER_TABLE = {
  name: "proxy",
  doc: "Proxy server: the Swift API, routed through the rings to the storage servers.",
  options: PROXY_SERVER_OPTIONS,
  complete: false,
} as const satisfies OptionTable;
