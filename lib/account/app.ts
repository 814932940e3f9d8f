/**
 * egg:swift#account: Swift's account server (swift/account/server.py), serving the account
 * databases under `devices` with swift.conf read from `swift_dir`.
 */
import { loadDbCluster } from "../common/db_cluster.ts";
import { optionsOf } from "../config/load.ts";
import { ACCOUNT_APP } from "../config/options/apps.ts";
import type { AppFactory } from "../middleware/compose.ts";
import { accountServer } from "./server.ts";
import { accountServerSettings } from "./settings.ts";

/** Builds the account server of a pipeline. */
export const accountServerApp: AppFactory = (stage, build) => {
  const options = optionsOf(stage, ACCOUNT_APP);
  if (options.auto_create_account_prefix) {
    build.logger.warning(
      "Option auto_create_account_prefix is deprecated. Configure auto_create_account_prefix " +
        "under the swift-constraints section of swift.conf. This option will be ignored in a " +
        "future release.",
    );
  }
  return accountServer(accountServerSettings(options, loadDbCluster(options.swift_dir)));
};
