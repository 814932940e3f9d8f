/**
 * swift.common.constraints.check_drive() and swift.common.utils.ismount(): the storage servers
 * refuse (507) a device whose name is not a plain word, or that is not a mount point when
 * mount_check is on (so an unmounted disk never fills the root filesystem), or not a directory.
 */
import { join } from "@std/path";

/** urllib.parse.quote_plus(name) == name: only letters, digits and "_.-~". */
const PLAIN_DRIVE = /^[A-Za-z0-9_.\-~]*$/;

function lstat(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * ismount(): true when `path` is on another device than its parent, or is its own parent, or
 * holds a ".ismount" stub (containers and symlinked SAIO devices, where st_dev cannot tell).
 * Errors count as "not mounted", as in Swift.
 */
export function isMount(path: string): boolean {
  try {
    const self = lstat(path);
    if (!self) return false;
    const stub = isFile(join(path, ".ismount"));
    if (self.isSymlink) return stub;
    const parent = Deno.lstatSync(join(path, ".."));
    if (self.dev !== parent.dev) return true;
    if (self.ino === parent.ino) return true;
    return stub;
  } catch {
    return false;
  }
}

/** check_drive(): the device's path; throws RangeError with Swift's message when unusable. */
export function checkDrive(root: string, drive: string, mountCheck: boolean): string {
  if (!PLAIN_DRIVE.test(drive)) throw new RangeError(`${drive} is not a valid drive name`);
  const path = join(root, drive);
  if (mountCheck) {
    if (!isMount(path)) throw new RangeError(`${path} is not mounted`);
  } else {
    let isDir = false;
    try {
      isDir = Deno.statSync(path).isDirectory;
    } catch {
      // A missing device is "not a directory" too.
    }
    if (!isDir) throw new RangeError(`${path} is not a directory`);
  }
  return path;
}
