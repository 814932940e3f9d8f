/**
 * The container controller's settings: its app section's parsed options (Swift's
 * ContainerController.__init__) plus what swift.conf holds.
 */
import { join } from "@std/path";
import type { CONTAINER_APP } from "../config/options/apps.ts";
import type { TypedConfig } from "../config/options/option.ts";
import type { DbCluster } from "../common/db_cluster.ts";
import type { DbServerSettings } from "../common/db_server.ts";

/** The parsed options of an egg:swift#container section. */
export type ContainerOptions = TypedConfig<typeof CONTAINER_APP["options"]>;

/** Everything the container controller reads from its configuration. */
export interface ContainerServerSettings extends DbServerSettings {
  readonly nodeTimeout: number;
  readonly connTimeout: number;
  /** Hosts an X-Container-Sync-To URL may name. */
  readonly allowedSyncHosts: readonly string[];
  /** container-sync-realms.conf in swift_dir. */
  readonly realmsConf: string;
  /** Lower-case headers stored as metadata besides X-Container-Meta-* and -Sysmeta-*. */
  readonly saveHeaders: readonly string[];
  /** Accounts the object updater must never create (the sharder's shard accounts). */
  readonly shardsAccountPrefix: string;
}

/** ContainerController.__init__ for these options and cluster. */
export function containerServerSettings(
  options: ContainerOptions,
  cluster: DbCluster,
): ContainerServerSettings {
  const prefix = options.auto_create_account_prefix ??
    cluster.constraints.autoCreateAccountPrefix;
  const saveHeaders = [
    "x-container-read",
    "x-container-write",
    "x-container-sync-key",
    "x-container-sync-to",
  ];
  if (options.allow_versions) saveHeaders.push("x-versions-location");
  return {
    devices: options.devices,
    mountCheck: options.mount_check,
    fallocateReserve: options.fallocate_reserve,
    replicationServer: options.replication_server,
    logRequests: options.log_requests,
    logFormat: options.log_format,
    logAnonymizationMethod: options.log_anonymization_method,
    logAnonymizationSalt: options.log_anonymization_salt,
    autoCreateAccountPrefix: prefix,
    cluster,
    nodeTimeout: options.node_timeout,
    connTimeout: options.conn_timeout,
    allowedSyncHosts: options.allowed_sync_hosts,
    realmsConf: join(options.swift_dir, "container-sync-realms.conf"),
    saveHeaders,
    shardsAccountPrefix: `${prefix}shards_`,
  };
}
