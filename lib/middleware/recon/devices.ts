/**
 * The device endpoints of recon: /recon/devices, /recon/unmounted, /recon/diskusage and
 * /recon/quarantined, walking the devices directory as recon.py does.
 *
 * Entries are listed in readdir order, as os.listdir() returns them, so both servers answer
 * in the same order for the same directory. Mount checks are Swift's check_mount(): always
 * made, whatever the server's mount_check says.
 *
 * @module
 */
import type { SwiftLogger } from "../../log/logger.ts";
import { statvfs } from "./libc.ts";
import type { PyJson } from "../../common/python_json.ts";
import { isQuotePlusSafe, joinPath } from "./request_path.ts";

/** os.listdir(); throws as Python raises (a 500 for the request). */
async function listdir(path: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(path)) names.push(entry.name);
  return names;
}

/** os.stat() without raising: undefined where Python's isdir()/exists() answer False. */
async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch {
    return undefined;
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await statOrUndefined(path))?.isFile ?? false;
}

async function isDir(path: string): Promise<boolean> {
  return (await statOrUndefined(path))?.isDirectory ?? false;
}

/**
 * swift.common.utils.ismount(): a different device than its parent, or the parent's inode
 * (the root), or an operator's ".ismount" stub file, which is how containers and SAIO
 * symlinked devices mark a mount point. Any error means "not mounted".
 */
export async function isMount(path: string): Promise<boolean> {
  try {
    const own = await Deno.lstat(path);
    if (own.isSymlink) return await isFile(joinPath(path, ".ismount"));
    const parent = await Deno.lstat(joinPath(path, ".."));
    if (own.dev !== parent.dev) return true;
    if (own.ino === parent.ino) return true;
    return await isFile(joinPath(path, ".ismount"));
  } catch {
    return false;
  }
}

/** check_mount(devices, device): a name that needs no quoting and a mount point. */
async function checkMount(devices: string, device: string): Promise<boolean> {
  return isQuotePlusSafe(device) && await isMount(joinPath(devices, device));
}

/** get_device_info(): `{devices: [names]}`, or `{devices: null}` when it cannot be listed. */
export async function getDeviceInfo(devices: string, logger: SwiftLogger): Promise<PyJson> {
  try {
    return new Map([[devices, await listdir(devices)]]);
  } catch (err) {
    logger.exception("Error listing devices", err);
    return new Map([[devices, null]]);
  }
}

/** get_unmounted(): the device directories that are not mount points. */
export async function getUnmounted(devices: string): Promise<PyJson> {
  const unmounted: PyJson[] = [];
  for (const entry of await listdir(devices)) {
    if (!await isDir(joinPath(devices, entry))) continue;
    if (await checkMount(devices, entry)) continue;
    unmounted.push(new Map<string, PyJson>([["device", entry], ["mounted", false]]));
  }
  return unmounted;
}

/** get_diskusage(): size, used and available bytes of each mounted device directory. */
export async function getDiskUsage(devices: string): Promise<PyJson> {
  const usage: PyJson[] = [];
  for (const entry of await listdir(devices)) {
    const path = joinPath(devices, entry);
    if (!await isDir(path)) continue;
    if (!await checkMount(devices, entry)) {
      usage.push(
        new Map<string, PyJson>([
          ["device", entry],
          ["mounted", false],
          ["size", ""],
          ["used", ""],
          ["avail", ""],
        ]),
      );
      continue;
    }
    const disk = statvfs(path);
    usage.push(
      new Map<string, PyJson>([
        ["device", entry],
        ["mounted", true],
        ["size", disk.bsize * disk.blocks],
        ["used", disk.bsize * (disk.blocks - disk.bavail)],
        ["avail", disk.bsize * disk.bavail],
      ]),
    );
  }
  return usage;
}

/** Counts of get_quarantine_count(), in the order Swift's dict has them. */
type QuarantineCounts = { objects: number; containers: number; accounts: number };

/**
 * get_quarantine_count(): quarantined items per type, from the link counts of
 * DEVICE/quarantined/TYPE (a directory's st_nlink is 2 plus its subdirectories, one per
 * quarantined item); object types also count per policy ("objects-1" is policy "1").
 */
export async function getQuarantineCount(devices: string): Promise<PyJson> {
  const counts: QuarantineCounts = { objects: 0, containers: 0, accounts: 0 };
  const policies = new Map<string, number>();
  for (const device of await listdir(devices)) {
    const qpath = joinPath(joinPath(devices, device), "quarantined");
    if (!await statOrUndefined(qpath)) continue;
    for (const qtype of await listdir(qpath)) {
      const linkcount = (await Deno.lstat(joinPath(qpath, qtype))).nlink ?? 0;
      if (linkcount <= 2) continue;
      if (qtype.startsWith("objects")) {
        const dash = qtype.indexOf("-");
        const policy = dash < 0 ? "0" : qtype.slice(dash + 1);
        policies.set(policy, (policies.get(policy) ?? 0) + linkcount - 2);
        counts.objects += linkcount - 2;
      } else if (qtype === "containers" || qtype === "accounts") {
        counts[qtype] += linkcount - 2;
      } else {
        // qcounts[qtype] raises KeyError (TypeError for "policies") in Swift: a 500.
        throw new RangeError(
          `Cannot count quarantined "${qtype}" in "${qpath}": not objects, containers or accounts`,
        );
      }
    }
  }
  return new Map<string, PyJson>([
    ["objects", counts.objects],
    ["containers", counts.containers],
    ["accounts", counts.accounts],
    [
      "policies",
      new Map([...policies].map(([key, n]) => [key, new Map([["objects", n]])])),
    ],
  ]);
}
