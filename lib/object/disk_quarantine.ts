/**
 * swift/obj/diskfile.py quarantine_renamer(): moves the hash directory holding a corrupt file
 * to `<device>/quarantined/objects[-N]/<hash>` (a uuid is appended when that exists already),
 * after invalidating its suffix so replication restores a good copy from another node.
 *
 * @module
 */
import { basename, dirname, join } from "@std/path";
import { errorCode, renamer } from "./disk_fs.ts";
import { invalidateHash } from "./disk_hashes_pkl.ts";

/**
 * Quarantines the directory of `corruptedFile` (a hash directory, or a suffix directory when
 * its name has three characters) of policy data dir `dataDir`; returns where it went.
 */
export async function quarantineRenamer(
  devicePath: string,
  dataDir: string,
  corruptedFile: string,
): Promise<string> {
  const fromDir = dirname(corruptedFile);
  let toDir = join(devicePath, "quarantined", dataDir, basename(fromDir));
  await invalidateHash(basename(fromDir).length === 3 ? fromDir : dirname(fromDir));
  try {
    await renamer(fromDir, toDir, false);
  } catch (err) {
    const code = errorCode(err);
    if (code !== "EEXIST" && code !== "ENOTEMPTY") throw err;
    toDir = `${toDir}-${crypto.randomUUID().replaceAll("-", "")}`;
    await renamer(fromDir, toDir, false);
  }
  return toDir;
}
