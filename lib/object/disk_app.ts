/**
 * egg:swift#object: Swift's object server (swift/obj/server.py) over the disk backend, serving
 * the devices of the section's `devices` with swift.conf read from `swift_dir`, so it can take
 * the place of Swift's object server on a node with the same config, rings and disks.
 */
import { loadSwiftConf } from "../common/swift_conf.ts";
import { optionsOf } from "../config/load.ts";
import { OBJECT_APP } from "../config/options/apps.ts";
import type { AppFactory } from "../middleware/compose.ts";
import { buildObjectApp } from "./app.ts";
import { DiskBackend } from "./disk_backend.ts";
import { diskBackendSettings } from "./disk_settings.ts";
import { objectServerSettings } from "./settings.ts";

/** Builds the object server of a pipeline. */
export const objectServerApp: AppFactory = (stage, build) => {
  const options = optionsOf(stage, OBJECT_APP);
  const conf = loadSwiftConf(options.swift_dir);
  for (const warning of conf.warnings) build.logger.warning(warning.message);
  const settings = objectServerSettings(options, {
    policies: new Set(conf.policies.all.map((policy) => policy.index)),
    constraints: conf.constraints,
    hashPath: conf.hashPath,
  });
  const backend = new DiskBackend(diskBackendSettings(options, conf), { logger: build.logger });
  return buildObjectApp(settings, backend, build);
};
