/**
 * What the disk backend reads from its configuration (Swift's BaseDiskFileManager.__init__ and
 * the fallocate settings run_wsgi applies) and from swift.conf (hash path salt, policies).
 */
import type { StoragePolicies } from "../common/storage_policy.ts";
import type { SwiftConf } from "../common/swift_conf.ts";
import type { OBJECT_APP } from "../config/options/apps.ts";
import type { TypedConfig } from "../config/options/option.ts";
import type { FallocateReserve } from "../config/values.ts";
import type { SwiftLogger } from "../log/logger.ts";
import type { HashPathConfig } from "../ring/hash_path.ts";

/** The parsed options of an egg:swift#object section that the disk backend reads. */
export type DiskOptions = Pick<
  TypedConfig<typeof OBJECT_APP["options"]>,
  | "devices"
  | "mount_check"
  | "disk_chunk_size"
  | "keep_cache_size"
  | "mb_per_sync"
  | "reclaim_age"
  | "fallocate_reserve"
  | "disable_fallocate"
>;

/** The disk backend's settings. */
export interface DiskBackendSettings {
  /** The directory holding one directory (mount point) per device. */
  readonly devices: string;
  readonly mountCheck: boolean;
  /** Bytes read from a data file at a time. */
  readonly diskChunkSize: number;
  /** Objects below this size stay in the page cache after a GET (keep_cache_size). */
  readonly keepCacheSize: number;
  /** Bytes written between two fdatasync() calls (mb_per_sync MiB). */
  readonly bytesPerSync: number;
  /** Seconds after which tombstones and orphaned .meta files are removed. */
  readonly reclaimAge: number;
  /** Space fallocate() keeps free: writes that would go below are refused (507). */
  readonly fallocateReserve: FallocateReserve;
  /** No preallocation, hence no fallocate_reserve check either (as in Swift). */
  readonly disableFallocate: boolean;
  readonly hashPath: HashPathConfig;
  readonly policies: StoragePolicies;
}

/** The settings for an object server section and its cluster's swift.conf. */
export function diskBackendSettings(options: DiskOptions, conf: SwiftConf): DiskBackendSettings {
  return {
    devices: options.devices,
    mountCheck: options.mount_check,
    diskChunkSize: options.disk_chunk_size,
    keepCacheSize: options.keep_cache_size,
    bytesPerSync: options.mb_per_sync * 1024 * 1024,
    reclaimAge: options.reclaim_age,
    fallocateReserve: options.fallocate_reserve,
    disableFallocate: options.disable_fallocate,
    hashPath: conf.hashPath,
    policies: conf.policies,
  };
}

/** What every part of the backend shares: settings, logger, and what was learnt at run time. */
export interface DiskEnv {
  readonly settings: DiskBackendSettings;
  readonly logger?: SwiftLogger;
  /**
   * Whether files are written as O_TMPFILE inodes linked into place (Swift's use_linkat);
   * cleared for good the first time a filesystem refuses O_TMPFILE, then temp files go to
   * the device's tmp directory and are renamed, as in Swift.
   */
  useLinkat: boolean;
}
