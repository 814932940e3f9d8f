/**
 * The disk backend: Swift 2.30's DiskFileManager (replication policies) behind ObjectBackend,
 * over the same devices, rings and files as Swift's object server, so either can serve a node:
 *
 *   <devices>/<device>/objects[-N]/<partition>/<hash[-3:]>/<hash>/<timestamp>.data|.meta|.ts
 *   <devices>/<device>/objects[-N]/<partition>/hashes.pkl, hashes.invalid, .lock
 *   <devices>/<device>/async_pending[-N]/<hash[-3:]>/<hash>-<timestamp>
 *   <devices>/<device>/tmp[-N]/ and quarantined/objects[-N]/<hash>/
 *
 * A device must be a plain name (never "", ".", ".." or anything with "/"), and with
 * mount_check a mount point (check_drive()); otherwise it is unavailable (507). Erasure-coded
 * policies are refused with a 503 that names the policy: swiftd has no EC engine.
 *
 * @module
 */
import { join } from "@std/path";
import { checkDrive } from "../common/drive_check.ts";
import { type PickleValue, PyHeaderKeyDict } from "../common/pickle.ts";
import { type StoragePolicy, unservableReason } from "../common/storage_policy.ts";
import { Timestamp } from "../common/timestamp.ts";
import type { SwiftLogger } from "../log/logger.ts";
import { hashPath } from "../ring/hash_path.ts";
import type {
  AsyncUpdate,
  DiskFile,
  DiskFileOptions,
  ObjectBackend,
  ObjectLocation,
} from "./backend.ts";
import { DiskFileDeviceUnavailable } from "./diskfile_errors.ts";
import { DiskObject } from "./disk_file.ts";
import { mkdirs, writePickle } from "./disk_fs.ts";
import { getPartitionHashes } from "./disk_hashes.ts";
import type { DiskBackendSettings, DiskEnv } from "./disk_settings.ts";
import { SwobError } from "./swob_status.ts";

/** What a disk backend is built with besides its settings. */
export interface DiskBackendOptions {
  /** Where quarantines and other disk trouble are logged. */
  readonly logger?: SwiftLogger;
  /**
   * False writes through a named file in tmp[-N] renamed into place, as happens on
   * filesystems without O_TMPFILE; true (the default) tries O_TMPFILE and linkat() first.
   */
  readonly useLinkat?: boolean;
}

/** A device or partition name that cannot leave its parent directory. */
function isPlainName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !name.includes("/") &&
    !name.includes("\0");
}

/** Swift's DiskFileManager over the settings' devices. */
export class DiskBackend implements ObjectBackend {
  readonly #env: DiskEnv;

  constructor(settings: DiskBackendSettings, options: DiskBackendOptions = {}) {
    this.#env = { settings, logger: options.logger, useLinkat: options.useLinkat ?? true };
  }

  /** The settings the backend runs with. */
  get settings(): DiskBackendSettings {
    return this.#env.settings;
  }

  /**
   * get_dev_path(): the device's path when it may be used (a plain name; with mount_check a
   * mount point, otherwise a directory), else undefined.
   */
  devicePath(device: string, mountCheck = this.#env.settings.mountCheck): string | undefined {
    if (!isPlainName(device)) return undefined;
    try {
      return checkDrive(this.#env.settings.devices, device, mountCheck);
    } catch (err) {
      if (err instanceof RangeError) return undefined;
      throw err;
    }
  }

  /** get_diskfile(): a handle on the object; DiskFileDeviceUnavailable for a bad device. */
  // deno-lint-ignore require-await
  async diskFile(location: ObjectLocation, options: DiskFileOptions = {}): Promise<DiskFile> {
    const policy = this.#policy(location.policyIndex);
    const devicePath = this.#usableDevice(location.device);
    checkPartition(location.partition);
    return new DiskObject(this.#env, devicePath, { ...location, policy }, options);
  }

  /**
   * pickle_async_update(): `<device>/async_pending[-N]/<suffix>/<hash>-<timestamp>`, the
   * protocol-0 pickle Swift's object-updater reads. Like Swift, this does not check that the
   * device is mounted: the update must not be lost.
   */
  async saveAsyncUpdate(update: AsyncUpdate): Promise<void> {
    const policy = this.#policy(update.policyIndex);
    if (!isPlainName(update.device)) throw new DiskFileDeviceUnavailable(update.device);
    const devicePath = join(this.#env.settings.devices, update.device);
    const tmpDir = join(devicePath, policy.tmpDir);
    await mkdirs(tmpDir);
    const hash = hashPath(
      update.account,
      update.container,
      update.object,
      this.#env.settings.hashPath,
    );
    const data = new Map<PickleValue, PickleValue>([
      ["op", update.op],
      ["account", update.account],
      ["container", update.container],
      ["obj", update.object],
      ["headers", new PyHeaderKeyDict(Object.entries(update.headers))],
    ]);
    if (update.containerPath) data.set("container_path", update.containerPath);
    const name = `${hash}-${new Timestamp(update.timestamp).internal}`;
    await writePickle(data, join(devicePath, policy.asyncDir, hash.slice(-3), name), tmpDir, 0);
  }

  /**
   * get_hashes() as REPLICATE calls it (skip_rehash when suffixes are given): the partition's
   * suffix hashes in hashes.pkl's order, or null after invalidating the given suffixes.
   */
  async getHashes(
    device: string,
    partition: string,
    suffixes: readonly string[],
    policyIndex: number,
  ): Promise<Map<string, string | null> | null> {
    const policy = this.#policy(policyIndex);
    const devicePath = this.#usableDevice(device);
    checkPartition(partition);
    return await getPartitionHashes(
      {
        devicePath,
        dataDir: policy.dataDir,
        partition,
        reclaimAge: this.#env.settings.reclaimAge,
        logger: this.#env.logger,
      },
      suffixes,
      suffixes.length > 0,
    );
  }

  #usableDevice(device: string): string {
    const path = this.devicePath(device);
    if (path === undefined) {
      throw new DiskFileDeviceUnavailable(
        `Device "${device}" of "${this.#env.settings.devices}" cannot be used: ` +
          (this.#env.settings.mountCheck ? "not a mount point" : "not a directory"),
      );
    }
    return path;
  }

  /** The policy of an index, refusing with 503 those swiftd cannot serve. */
  #policy(index: number): StoragePolicy {
    const policy = this.#env.settings.policies.get(index);
    if (!policy) {
      throw new SwobError(503, {
        body: `No policy with index ${index}`,
        contentType: "text/plain",
      });
    }
    const reason = unservableReason(policy);
    if (reason) throw new SwobError(503, { body: reason, contentType: "text/plain" });
    return policy;
  }
}

/** A partition name the controller validated; anything else is a caller's bug. */
function checkPartition(partition: string): void {
  if (!isPlainName(partition)) {
    throw new RangeError(`Cannot use partition "${partition}": it must be a plain name`);
  }
}
