/**
 * Where Swift keeps account and container databases:
 * <devices>/<device>/<datadir>/<partition>/<hash[-3:]>/<hash>/<hash>[_<epoch>].db
 */
import { basename, dirname, extname, join } from "@std/path";
import { Timestamp } from "../common/timestamp.ts";

/** Location of one database: the hash comes from lib/ring's hash_path. */
export interface DbLocation {
  /** The devices directory, e.g. "/srv/node". */
  devices: string;
  /** The device name under `devices`, e.g. "sdb1". */
  device: string;
  /** "accounts" or "containers". */
  datadir: string;
  /** Ring partition number. */
  partition: number | string;
  /** md5 hex of the account (and container) path. */
  hash: string;
}

/** storage_directory(): "<datadir>/<partition>/<hash[-3:]>/<hash>". */
export function storageDirectory(
  datadir: string,
  partition: number | string,
  hash: string,
): string {
  return join(datadir, String(partition), hash.slice(-3), hash);
}

/** Absolute path of the database file for `location`, with an optional sharding epoch. */
export function dbFilePath(location: DbLocation, epoch?: string | null): string {
  const dir = join(
    location.devices,
    location.device,
    storageDirectory(location.datadir, location.partition, location.hash),
  );
  return makeDbFilePath(join(dir, `${location.hash}.db`), epoch ?? null);
}

/** parse_db_filename(): [hash, epoch or null, extension] of a db file name or path. */
export function parseDbFilename(path: string): [string, string | null, string] {
  const name = basename(path);
  if (!name) throw new RangeError(`Cannot parse db file name: "${path}" is not a path to a file`);
  const ext = extname(name);
  const parts = name.slice(0, name.length - ext.length).split("_");
  return [parts[0], parts.length > 1 ? parts[1] : null, ext];
}

/** make_db_file_path(): `path` with its epoch replaced by `epoch` (normalized) or dropped. */
export function makeDbFilePath(path: string, epoch: string | null): string {
  const [hash, , ext] = parseDbFilename(path);
  const dir = dirname(path);
  if (epoch === null) return join(dir, hash + ext);
  return join(dir, `${hash}_${new Timestamp(epoch).normal}${ext}`);
}

/** get_db_files(): existing "<hash>[_<epoch>].db" files beside `path`, sorted. */
export function getDbFiles(path: string): string[] {
  const dir = dirname(path);
  const [matchHash] = parseDbFilename(path);
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  const found: string[] = [];
  for (const entry of entries) {
    const [hash, , ext] = parseDbFilename(entry.name);
    if (ext === ".db" && hash === matchHash) found.push(join(dir, entry.name));
  }
  // Python sorts by code point; db file names are ASCII so JS order agrees.
  return found.sort();
}
