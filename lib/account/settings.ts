/**
 * The account controller's settings: its app section's parsed options (Swift's
 * AccountController.__init__) plus what swift.conf holds.
 */
import type { ACCOUNT_APP } from "../config/options/apps.ts";
import type { TypedConfig } from "../config/options/option.ts";
import type { DbCluster } from "../common/db_cluster.ts";
import type { DbServerSettings } from "../common/db_server.ts";

/** The parsed options of an egg:swift#account section. */
export type AccountOptions = TypedConfig<typeof ACCOUNT_APP["options"]>;

/** Everything the account controller reads from its configuration. */
export type AccountServerSettings = DbServerSettings;

/** AccountController.__init__ for these options and cluster. */
export function accountServerSettings(
  options: AccountOptions,
  cluster: DbCluster,
): AccountServerSettings {
  return {
    devices: options.devices,
    mountCheck: options.mount_check,
    fallocateReserve: options.fallocate_reserve,
    replicationServer: options.replication_server,
    logRequests: options.log_requests,
    logFormat: options.log_format,
    logAnonymizationMethod: options.log_anonymization_method,
    logAnonymizationSalt: options.log_anonymization_salt,
    autoCreateAccountPrefix: options.auto_create_account_prefix ??
      cluster.constraints.autoCreateAccountPrefix,
    cluster,
  };
}
