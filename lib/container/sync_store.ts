/**
 * swift.container.sync_store.ContainerSyncStore: a symlink per container that has both
 * X-Container-Sync-To and -Key, under <device>/sync_containers/ mirroring the path under
 * containers/, so Swift's container-sync daemon finds them without walking every database.
 */
import { dirname, join, normalize } from "@std/path";
import type { ContainerBroker } from "./broker.ts";

const DATADIR = "containers";
const SYNC_DATADIR = "sync_containers";

function lstat(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** _container_to_synced_container_path(). */
function syncedPath(devices: string, dbFile: string): string {
  const root = normalize(join("/", devices)) + "/";
  const path = normalize(dbFile);
  const at = path.lastIndexOf(DATADIR);
  const device = path.slice(root.length, at);
  const rest = path.slice(at + DATADIR.length + 1);
  return join(root, device, SYNC_DATADIR, rest);
}

/** os.removedirs(): removes `dir` and its parents while they are empty. */
function removeEmptyDirs(dir: string): void {
  let current = dir;
  while (current && current !== "/") {
    try {
      Deno.removeSync(current);
    } catch {
      return;
    }
    current = dirname(current);
  }
}

/** update_sync_store(): adds or removes the container's symlink to match its metadata. */
export async function updateSyncStore(devices: string, broker: ContainerBroker): Promise<void> {
  const metadata = await broker.getMetadata();
  const syncTo = metadata.get("X-Container-Sync-To");
  const syncKey = metadata.get("X-Container-Sync-Key");
  if (!syncTo && !syncKey) return;
  const link = syncedPath(devices, broker.dbFile);
  if (!(await broker.isDeleted()) && syncTo?.[0] && syncKey?.[0]) {
    if (exists(link)) return;
    Deno.mkdirSync(dirname(link), { recursive: true });
    try {
      Deno.symlinkSync(broker.dbFile, link);
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists) || !lstat(link)?.isSymlink) throw err;
    }
    return;
  }
  try {
    Deno.removeSync(link);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  removeEmptyDirs(dirname(link));
}

/** os.stat() succeeding: the link exists and points at something. */
function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
