/**
 * egg:swift#proxy: Swift 2.30's proxy server app (swift/proxy/server.py app_factory). Loads
 * swift.conf and the rings from swift_dir, registers the "swift" section of /info, and serves
 * the v1 API through the account, container, object and info controllers.
 */
import { loadSwiftConf } from "../common/swift_conf.ts";

import { optionsOf, parseOptions } from "../config/load.ts";
import { PROXY_APP } from "../config/options/apps.ts";
import { PROXY_SERVER_TABLE } from "../config/options/proxy.ts";
import type { AppFactory } from "../middleware/compose.ts";
import { SWIFT_VERSION } from "../object/settings.ts";
import { swiftInfo } from "../common/swift_conf.ts";
import { ProxyApplication } from "./application.ts";
import { proxyHandler } from "./router.ts";
import { type ProxyOptions, proxySettings } from "./settings.ts";
import { SWIFT_INFO } from "../common/swift_info.ts";

/** Builds the proxy server app of a pipeline. */
export const proxyServerApp: AppFactory = (stage, build) => {
  const runtime = optionsOf(stage, PROXY_APP);
  // Until PROXY_APP lists PROXY_SERVER_OPTIONS the loader has not parsed them; parse here.
  const own = "node_timeout" in stage.options ? stage.options : parseOptions(
    PROXY_SERVER_TABLE,
    stage.conf,
    { file: stage.origin.file, section: stage.section },
    (warning) => build.logger.warning(warning.message),
  );
  const options = { ...own, ...runtime } as unknown as ProxyOptions;
  const swiftConf = loadSwiftConf(options.swift_dir);
  if (options.auto_create_account_prefix) {
    build.logger.warning(
      "Option auto_create_account_prefix is deprecated. Configure auto_create_account_prefix " +
        "under the swift-constraints section of swift.conf. This option will be ignored in a " +
        "future release.",
    );
  }
  const settings = proxySettings(options, swiftConf.constraints.autoCreateAccountPrefix);
  if (settings.readAffinity.length > 0 && settings.sortingMethod !== "affinity") {
    build.logger.warning(
      `sorting_method is set to '${settings.sortingMethod}', not 'affinity'; (default) ` +
        "read_affinity setting will have no effect.",
    );
  }
  const app = new ProxyApplication(settings, swiftConf);
  SWIFT_INFO.register(
    "swift",
    swiftInfo(swiftConf, {
      version: SWIFT_VERSION,
      strictCorsMode: settings.strictCorsMode,
      allowAccountManagement: settings.allowAccountManagement,
      accountAutocreate: settings.accountAutocreate,
    }),
  );
  const handler = proxyHandler(app);
  app.handler = handler;
  build.onClose(() => app.close());
  return handler;
};
