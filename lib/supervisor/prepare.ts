/**
 * Everything that must hold before a generation of workers starts, checked in the parent so a
 * bad config fails fast (at startup: exit 1; at reload: keep the old workers): the config
 * parses, the pipeline builds, and the user can be switched to.
 */
import { loadServerConfig, type ServerConfig } from "../config/load.ts";
import type { ServerName } from "../config/options/servers.ts";
import type { ConfigSource } from "../config/paste.ts";
import { nullLogger, type SwiftLogger } from "../log/logger.ts";
import { buildPipeline } from "./pipeline.ts";
import { planPrivileges, type PrivilegePlan } from "./privileges.ts";

/** A validated config, ready to be served. */
export interface Prepared {
  readonly config: ServerConfig;
  readonly privileges: PrivilegePlan;
}

/** Loads `configPath` for `server` and proves it can be served; throws the first problem. */
export async function prepare(
  configPath: string,
  server: ServerName,
  options: { logger?: SwiftLogger; snapshot?: ConfigSource } = {},
): Promise<Prepared> {
  const config = loadServerConfig(configPath, server, options.snapshot);
  const privileges = planPrivileges(config.settings.user);
  // A check build: what its stages log is said again when the real pipeline is built.
  const pipeline = buildPipeline(config, nullLogger(config.logName));
  await pipeline.close();
  return { config, privileges };
}
