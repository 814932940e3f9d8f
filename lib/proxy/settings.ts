/**
 * The proxy's settings, typed: the runtime and proxy option tables, plus the values Swift's
 * Application derives from them (node counts as functions of the replica count, affinity).
 */
import type { TypedConfig } from "../config/options/option.ts";
import type {
  AffinityLocality,
  AffinityPriority,
  NodeCount,
  PROXY_SERVER_OPTIONS,
} from "../config/options/proxy.ts";
import type { RingDevice } from "../ring/ring_data.ts";

/** The options of PROXY_SERVER_OPTIONS plus the runtime keys the proxy reads. */
export type ProxyOptions = TypedConfig<typeof PROXY_SERVER_OPTIONS> & {
  readonly swift_dir: string;
  readonly client_timeout: number;
};

/** What the proxy's controllers read, resolved once per worker. */
export interface ProxySettings {
  readonly swiftDir: string;
  readonly nodeTimeout: number;
  readonly recoverableNodeTimeout: number;
  readonly connTimeout: number;
  readonly clientTimeout: number;
  readonly postQuorumTimeout: number;
  readonly errorSuppressionInterval: number;
  readonly errorSuppressionLimit: number;
  readonly allowAccountManagement: boolean;
  readonly accountAutocreate: boolean;
  readonly autoCreateAccountPrefix: string;
  readonly expiringObjectsAccount: string;
  readonly expiringObjectsContainerDivisor: number;
  readonly maxContainersPerAccount: number;
  readonly maxContainersWhitelist: readonly string[];
  readonly denyHostHeaders: readonly string[];
  readonly objectChunkSize: number;
  readonly clientChunkSize: number;
  readonly transIdSuffix: string;
  readonly sortingMethod: "shuffle" | "timing" | "affinity";
  readonly timingExpiry: number;
  readonly requestNodeCount: (replicas: number) => number;
  readonly readAffinity: readonly AffinityPriority[];
  readonly writeAffinity: readonly AffinityLocality[];
  readonly writeAffinityNodeCount: (replicas: number) => number;
  readonly writeAffinityHandoffDeleteCount: number | undefined;
  readonly rebalanceMissingSuppressionCount: number;
  readonly swiftOwnerHeaders: readonly string[];
  readonly corsAllowOrigin: readonly string[];
  readonly strictCorsMode: boolean;
  readonly corsExposeHeaders: readonly string[];
  readonly exposeInfo: boolean;
  readonly disallowedSections: readonly string[];
  readonly adminKey: string | undefined;
  readonly logHandoffs: boolean;
  readonly recheckAccountExistence: number;
  readonly recheckContainerExistence: number;
}

function counter(spec: NodeCount): (replicas: number) => number {
  return (replicas) => spec.timesReplicas ? spec.count * replicas : spec.count;
}

/** Swift's Application.__init__ over the parsed options; `prefix` is swift.conf's. */
export function proxySettings(options: ProxyOptions, constraintsPrefix: string): ProxySettings {
  const autoCreateAccountPrefix = options.auto_create_account_prefix ?? constraintsPrefix;
  return Object.freeze({
    swiftDir: options.swift_dir,
    nodeTimeout: options.node_timeout,
    recoverableNodeTimeout: options.recoverable_node_timeout ?? options.node_timeout,
    connTimeout: options.conn_timeout,
    clientTimeout: options.client_timeout,
    postQuorumTimeout: options.post_quorum_timeout,
    errorSuppressionInterval: options.error_suppression_interval,
    errorSuppressionLimit: options.error_suppression_limit,
    allowAccountManagement: options.allow_account_management,
    accountAutocreate: options.account_autocreate,
    autoCreateAccountPrefix,
    expiringObjectsAccount: autoCreateAccountPrefix +
      (options.expiring_objects_account_name || "expiring_objects"),
    expiringObjectsContainerDivisor: options.expiring_objects_container_divisor,
    maxContainersPerAccount: options.max_containers_per_account,
    maxContainersWhitelist: options.max_containers_whitelist,
    denyHostHeaders: options.deny_host_headers,
    objectChunkSize: options.object_chunk_size,
    clientChunkSize: options.client_chunk_size,
    transIdSuffix: options.trans_id_suffix,
    sortingMethod: options.sorting_method,
    timingExpiry: options.timing_expiry,
    requestNodeCount: counter(options.request_node_count),
    readAffinity: options.read_affinity,
    writeAffinity: options.write_affinity,
    writeAffinityNodeCount: counter(options.write_affinity_node_count),
    writeAffinityHandoffDeleteCount: options.write_affinity_handoff_delete_count,
    rebalanceMissingSuppressionCount: options.rebalance_missing_suppression_count,
    swiftOwnerHeaders: options.swift_owner_headers,
    corsAllowOrigin: options.cors_allow_origin,
    strictCorsMode: options.strict_cors_mode,
    corsExposeHeaders: options.cors_expose_headers,
    exposeInfo: options.expose_info,
    disallowedSections: options.disallowed_sections,
    adminKey: options.admin_key,
    logHandoffs: options.log_handoffs,
    recheckAccountExistence: options.recheck_account_existence,
    recheckContainerExistence: options.recheck_container_existence,
  });
}

/** affinity_key_function(): the priority of the first matching piece, else last. */
export function readAffinityKey(
  affinity: readonly AffinityPriority[],
  node: RingDevice,
): number {
  for (const piece of affinity) {
    if (piece.region === node.region && (piece.zone === undefined || piece.zone === node.zone)) {
      return piece.priority;
    }
  }
  return 4294967296;
}

/** affinity_locality_predicate(): whether `node` is local; undefined without write_affinity. */
export function isLocal(
  affinity: readonly AffinityLocality[],
  node: RingDevice,
): boolean {
  return affinity.some((piece) =>
    piece.region === node.region && (piece.zone === undefined || piece.zone === node.zone)
  );
}
