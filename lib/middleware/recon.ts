/**
 * egg:swift#recon (swift/common/middleware/recon.py, Swift 2.30): answers GET /recon/<check>
 * with JSON about this node, for swift-recon and monitoring: disks (mounted, unmounted,
 * diskusage, devices, quarantined), system (load, mem, sockstat, time), cluster files
 * (ringmd5, swiftconfmd5), the version, and what the daemons last wrote to their recon cache
 * files (async, replication, auditor, updater, expirer, reconstruction, sharding, relinker,
 * driveaudit).
 *
 * As in Swift, any method gets the same answer (HEAD without the body), an unknown check is
 * a 404 "Invalid path: <path>", an unreadable or invalid cache file yields nulls and a log
 * line, and an error reading /proc or the devices directory propagates (catch_errors: 500).
 * The version is "2.30.1": swiftd reproduces Swift 2.30.1, and swift-recon --swift-versions
 * groups nodes by this string.
 */
import { optionsOf, type StageConfig } from "../config/load.ts";
import { RECON_FILTER } from "../config/options/recon.ts";
import type { SwiftLogger } from "../log/logger.ts";
import type { BuildContext, Filter } from "./compose.ts";
import { fromReconCache } from "./recon/cache.ts";
import { getDeviceInfo, getDiskUsage, getQuarantineCount, getUnmounted } from "./recon/devices.ts";
import { getLoad, getMem, getMounted, getSocketInfo } from "./recon/proc.ts";
import { PyFloat, type PyJson, pythonJsonDumps } from "../common/python_json.ts";
import { joinPath, pathInfoOf, wsgiQuote } from "./recon/request_path.ts";
import {
  getRingMd5,
  getSwiftConfMd5,
  objectRingNames,
  ringPaths,
  SWIFT_CONF_FILE,
} from "./recon/rings.ts";

/**
 * swift.__version__ of the release swiftd reproduces (lib/object/settings.ts has the same
 * value; middleware cannot import from the storage servers).
 */
export const RECON_SWIFT_VERSION = "2.30.1";

/** What the recon handler reads; reconFilter() fills it from the stage's options. */
export interface ReconSettings {
  /** The devices directory, as configured (it is a key of /recon/devices). */
  readonly devices: string;
  readonly swiftDir: string;
  readonly reconCachePath: string;
  /** swift.conf: its md5 is reported, and its storage policies name the object rings. */
  readonly swiftConfFile: string;
}

/** One check: its JSON, or undefined when the check does not take this type (a 404). */
type Check = (rtype: string | undefined) => Promise<PyJson> | undefined;

const ALL_TYPES = ["account", "container", "object"];
const PREFIX = "/recon/";

/** Builds the recon filter of a pipeline (Swift's filter_factory). */
export function reconFilter(stage: StageConfig, build: BuildContext): Filter {
  const options = optionsOf(stage, RECON_FILTER);
  return reconFilterWith({
    devices: options.devices,
    swiftDir: options.swift_dir,
    reconCachePath: options.recon_cache_path,
    // Swift reads /etc/swift/swift.conf whatever swift_dir says; swiftd reads swift.conf from
    // swift_dir everywhere (the object server, the proxy), so recon reports that same file.
    swiftConfFile: options.swift_dir === "/etc/swift"
      ? SWIFT_CONF_FILE
      : `${options.swift_dir}/swift.conf`,
  }, build.logger);
}

/** Builds the recon filter from explicit settings (a swift.conf elsewhere, for tests). */
export function reconFilterWith(settings: ReconSettings, logger: SwiftLogger): Filter {
  const checks = reconChecks(settings, logger);
  return (next) =>
    async function recon(req, ctx) {
      const pathInfo = pathInfoOf(req.url);
      if (!pathInfo.startsWith(PREFIX)) return await next(req, ctx);
      // split_path(path, 1, 3, True): /recon/<check>[/<type, the rest included>].
      const slash = pathInfo.indexOf("/", PREFIX.length);
      const rcheck = pathInfo.slice(PREFIX.length, slash < 0 ? undefined : slash);
      const rtype = slash < 0 ? undefined : pathInfo.slice(slash + 1);
      const content = Object.hasOwn(checks, rcheck) ? checks[rcheck](rtype) : undefined;
      if (content === undefined) {
        return respond(req, 404, "text/plain", `Invalid path: ${wsgiQuote(pathInfo)}`);
      }
      return respond(req, 200, "application/json", pythonJsonDumps(await content));
    };
}

/** A swob Response: Content-Length of the body even for HEAD, which gets no body. */
function respond(req: Request, status: number, contentType: string, body: string): Response {
  const bytes = new TextEncoder().encode(body);
  return new Response(req.method === "HEAD" ? null : bytes, {
    status,
    headers: { "Content-Type": contentType, "Content-Length": String(bytes.length) },
  });
}

/** The checks of ReconMiddleware.GET, by path segment. */
function reconChecks(settings: ReconSettings, logger: SwiftLogger): Record<string, Check> {
  const { devices, reconCachePath } = settings;
  const rings = ringPaths(settings.swiftDir, objectRingNames(settings.swiftConfFile));
  const cacheFile = (type: string) => joinPath(reconCachePath, `${type}.recon`);
  const fromCache = (keys: readonly string[], type: string, ignoreMissing = false) =>
    fromReconCache(keys, cacheFile(type), { logger, ignoreMissing });
  const replication = ["replication_time", "replication_stats", "replication_last"];
  const auditorKeys: Record<string, readonly string[]> = {
    account: [
      "account_audits_passed",
      "account_auditor_pass_completed",
      "account_audits_since",
      "account_audits_failed",
    ],
    container: [
      "container_audits_passed",
      "container_auditor_pass_completed",
      "container_audits_since",
      "container_audits_failed",
    ],
    object: ["object_auditor_stats_ALL", "object_auditor_stats_ZBF"],
  };
  const updaterKeys: Record<string, readonly string[]> = {
    container: ["container_updater_sweep"],
    object: ["object_updater_sweep"],
  };
  const replicationOf = (type: string) =>
    type === "object"
      ? fromCache([...replication, "object_replication_time", "object_replication_last"], type)
      : fromCache(replication, type);
  const always = (check: () => Promise<PyJson>): Check => () => check();
  return {
    mem: always(getMem),
    load: always(getLoad),
    async: always(() => fromCache(["async_pending", "async_pending_last"], "object")),
    // A bare /recon/replication is the old spelling of /recon/replication/object.
    replication: (rtype) =>
      rtype === undefined
        ? replicationOf("object")
        : ALL_TYPES.includes(rtype)
        ? replicationOf(rtype)
        : undefined,
    devices: always(() => getDeviceInfo(devices, logger)),
    updater: (rtype) =>
      rtype !== undefined && Object.hasOwn(updaterKeys, rtype)
        ? fromCache(updaterKeys[rtype], rtype)
        : undefined,
    auditor: (rtype) =>
      rtype !== undefined && Object.hasOwn(auditorKeys, rtype)
        ? fromCache(auditorKeys[rtype], rtype)
        : undefined,
    expirer: (rtype) =>
      rtype === "object"
        ? fromCache(["object_expiration_pass", "expired_last_pass"], "object")
        : undefined,
    mounted: always(getMounted),
    unmounted: always(() => getUnmounted(devices)),
    diskusage: always(() => getDiskUsage(devices)),
    ringmd5: always(() => getRingMd5(rings, logger)),
    swiftconfmd5: always(() => getSwiftConfMd5(settings.swiftConfFile, logger)),
    quarantined: always(() => getQuarantineCount(devices)),
    sockstat: always(getSocketInfo),
    version: always(() => Promise.resolve(new Map([["version", RECON_SWIFT_VERSION]]))),
    driveaudit: always(() => fromCache(["drive_audit_errors"], "drive")),
    time: always(() => Promise.resolve(new PyFloat(Date.now() / 1000))),
    sharding: always(() =>
      fromCache(["sharding_stats", "sharding_time", "sharding_last"], "container")
    ),
    // relinker.recon exists only while a relink or cleanup runs.
    relinker: always(() => fromCache(["devices", "workers"], "relinker", true)),
    reconstruction: (rtype) =>
      rtype === "object"
        ? fromCache(["object_reconstruction_last", "object_reconstruction_time"], "object")
        : undefined,
  };
}
