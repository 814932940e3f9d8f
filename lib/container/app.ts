/**
 * egg:swift#container: Swift's container server (swift/container/server.py), serving the
 * container databases under `devices` with swift.conf read from `swift_dir`.
 */
import { loadDbCluster } from "../common/db_cluster.ts";
import { optionsOf } from "../config/load.ts";
import { CONTAINER_APP } from "../config/options/apps.ts";
import type { AppFactory } from "../middleware/compose.ts";
import { containerServer } from "./server.ts";
import { containerServerSettings } from "./settings.ts";

/** Builds the container server of a pipeline. */
export const containerServerApp: AppFactory = (stage, build) => {
  const options = optionsOf(stage, CONTAINER_APP);
  const settings = containerServerSettings(options, loadDbCluster(options.swift_dir));
  if (options.auto_create_account_prefix) {
    build.logger.warning(
      "Option auto_create_account_prefix is deprecated. Configure auto_create_account_prefix " +
        "under the swift-constraints section of swift.conf. This option will be ignored in a " +
        "future release.",
    );
  }
  if (stage.conf.has("allow_versions")) {
    build.logger.warning(
      "Option allow_versions is deprecated. Configure the versioned_writes middleware in the " +
        "proxy-server instead. This option will be ignored in a future release.",
    );
  }
  return containerServer(settings, { logger: build.logger });
};
