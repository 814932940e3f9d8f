/**
 * Which files of a hash directory make up an object, and which are obsolete: Swift 2.30's
 * BaseDiskFileManager.get_ondisk_files() with DiskFileManager's (replication policy) rules,
 * make/parse_on_disk_filename(), and cleanup_ondisk_files() that unlinks the obsolete ones.
 *
 * File names are `<timestamp.internal>.data`, `.ts`, and `.meta`; a .meta written by a POST
 * that changed Content-Type is named `<t_meta.short><+/-hex(t_ctype - t_meta)>.meta`
 * (encode_timestamps(explicit=True)), so the newest Content-Type can be found without reading
 * xattrs. Rules: the newest .ts hides every older or equal file; the newest .data hides older
 * .data and older-or-equal others; the newest .meta is kept, plus the one with the newest
 * Content-Type when that one is newer still; tombstones older than reclaim_age and .meta files
 * without .data go once old enough.
 *
 * @module
 */
import { join } from "@std/path";
import { decodeTimestamps, encodeTimestamps, Timestamp } from "../common/timestamp.ts";
import { errorCode, listdir, removeFile } from "./disk_fs.ts";

/** One parsed file name. */
export interface FileInfo {
  readonly filename: string;
  readonly timestamp: Timestamp;
  /** The extension with its dot (".data"), or "" when there is none. */
  readonly ext: string;
  /** The Content-Type's timestamp encoded in a .meta name, if any. */
  readonly ctypeTimestamp?: Timestamp;
}

/** What get_ondisk_files() decides for a list of names. */
export interface OndiskFiles {
  readonly dataInfo?: FileInfo;
  readonly metaInfo?: FileInfo;
  readonly tsInfo?: FileInfo;
  /** A second .meta whose Content-Type is newer than the data's. */
  readonly ctypeInfo?: FileInfo;
  readonly dataFile?: string;
  readonly metaFile?: string;
  readonly tsFile?: string;
  readonly ctypeFile?: string;
  readonly obsolete: readonly FileInfo[];
  readonly possibleReclaim: readonly FileInfo[];
  /** Paths of names that are not `<timestamp>.<ext>`. */
  readonly unexpected: readonly string[];
}

/** Python's os.path.splitext() of a plain name: leading dots never start the extension. */
export function splitext(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || /^\.+$/.test(name.slice(0, dot))) return [name, ""];
  return [name.slice(0, dot), name.slice(dot)];
}

/** make_on_disk_filename(): the name of a file for `timestamp` with `ext`. */
export function makeOnDiskFilename(
  timestamp: Timestamp,
  ext: string,
  ctypeTimestamp?: Timestamp,
): string {
  const stem = ext === ".meta" && ctypeTimestamp
    ? encodeTimestamps(timestamp, ctypeTimestamp, null, true)
    : timestamp.internal;
  return stem + ext;
}

/** parse_on_disk_filename(); throws RangeError for a name Swift would call unexpected. */
export function parseOnDiskFilename(filename: string): FileInfo {
  const [stem, ext] = splitext(filename);
  try {
    if (ext !== ".meta") return { filename, timestamp: new Timestamp(stem), ext };
    const [timestamp, ctype] = decodeTimestamps(stem);
    // decode_timestamps(explicit=True): no delta in the name means no Content-Type time.
    const hasDelta = stem.slice(1).search(/[+-]/) >= 0;
    return { filename, timestamp, ext, ...(hasDelta ? { ctypeTimestamp: ctype } : {}) };
  } catch (err) {
    throw new RangeError(
      `Invalid Timestamp value in filename '${filename}': ${(err as Error).message}`,
    );
  }
}

function byTimestampDesc(a: FileInfo, b: FileInfo): number {
  return b.timestamp.compare(a.timestamp);
}

const ZERO = new Timestamp(0);

function ctypeOf(info: FileInfo): Timestamp {
  return info.ctypeTimestamp ?? ZERO;
}

/** _split_list(): the leading items matching `keep`, and the rest. */
function splitWhile(list: FileInfo[], keep: (info: FileInfo) => boolean): [FileInfo[], FileInfo[]] {
  const at = list.findIndex((info) => !keep(info));
  return at < 0 ? [list, []] : [list.slice(0, at), list.slice(at)];
}

/**
 * get_ondisk_files(files, datadir) for a replication policy. `files` is in the order the
 * caller has them (cleanup passes them reverse-sorted); equal timestamps keep that order, as
 * Python's stable sort does.
 */
export function getOndiskFiles(files: readonly string[], datadir: string): OndiskFiles {
  const exts = new Map<string, FileInfo[]>();
  const unexpected: string[] = [];
  const obsolete: FileInfo[] = [];
  const possibleReclaim: FileInfo[] = [];
  for (const name of files) {
    try {
      const info = parseOnDiskFilename(name);
      exts.set(info.ext, [...exts.get(info.ext) ?? [], info]);
    } catch {
      unexpected.push(join(datadir, name));
    }
  }
  for (const [ext, list] of exts) exts.set(ext, [...list].sort(byTimestampDesc));

  const tombstones = exts.get(".ts") ?? [];
  if (tombstones.length) {
    const newest = tombstones[0].timestamp;
    for (const [ext, list] of exts) {
      if (ext === ".ts") continue;
      const [kept, older] = splitWhile(list, (info) => info.timestamp.greaterThan(newest));
      exts.set(ext, kept);
      obsolete.push(...older);
    }
    obsolete.push(...tombstones.slice(1));
    exts.set(".ts", tombstones.slice(0, 1));
  }

  let metas = exts.get(".meta") ?? [];
  if (metas.length) {
    let retain = 1;
    if (metas.length > 1) {
      // The others by newest Content-Type; the first of them is kept if its Content-Type is
      // newer than the newest .meta's, instead of it when both share a timestamp.
      metas = [metas[0], ...metas.slice(1).sort((a, b) => ctypeOf(b).compare(ctypeOf(a)))];
      if (ctypeOf(metas[1]).greaterThan(ctypeOf(metas[0]))) {
        if (metas[1].timestamp.equals(metas[0].timestamp)) {
          metas = [metas[1], metas[0], ...metas.slice(2)];
          retain = 1;
        } else {
          retain = 2;
        }
      }
    }
    obsolete.push(...metas.slice(retain));
    metas = metas.slice(0, retain);
    exts.set(".meta", metas);
  }

  // DiskFileManager._process_ondisk_files(): the newest .data wins.
  let dataInfo: FileInfo | undefined;
  const datas = exts.get(".data") ?? [];
  if (datas.length) {
    const newest = datas[0].timestamp;
    for (const [ext, list] of exts) {
      const [kept, older] = ext === ".data"
        ? splitWhile(list, (info) => info.timestamp.greaterOrEqual(newest))
        : splitWhile(list, (info) => info.timestamp.greaterThan(newest));
      exts.set(ext, kept);
      obsolete.push(...older);
    }
    dataInfo = exts.get(".data")![0];
  }
  metas = exts.get(".meta") ?? [];
  if (metas.length && !(exts.get(".data") ?? []).length) possibleReclaim.push(...metas);

  let metaInfo: FileInfo | undefined;
  let ctypeInfo: FileInfo | undefined;
  let tsInfo: FileInfo | undefined;
  if (dataInfo) {
    if (metas.length) {
      metaInfo = metas[0];
      const last = metas[metas.length - 1];
      if (last.ctypeTimestamp?.greaterThan(dataInfo.timestamp)) ctypeInfo = last;
    }
  } else if ((exts.get(".ts") ?? []).length) {
    tsInfo = exts.get(".ts")![0];
  }
  const path = (info?: FileInfo) => info && join(datadir, info.filename);
  return {
    dataInfo,
    metaInfo,
    tsInfo,
    ctypeInfo,
    dataFile: path(dataInfo),
    metaFile: path(metaInfo),
    tsFile: path(tsInfo),
    ctypeFile: path(ctypeInfo),
    obsolete,
    possibleReclaim,
    unexpected,
  };
}

/** What cleanup_ondisk_files() leaves: the decision and the names still in the directory. */
export interface CleanedFiles extends OndiskFiles {
  /** The remaining names, reverse-sorted. */
  readonly files: readonly string[];
}

/**
 * cleanup_ondisk_files(): unlinks obsolete files, a tombstone older than `reclaimAge` seconds
 * and .meta files without data once that old, then removes the hash directory if it is empty.
 * A missing directory is an empty object; other listing errors (ENOTDIR) propagate.
 */
export async function cleanupOndiskFiles(
  hashDir: string,
  reclaimAge: number,
): Promise<CleanedFiles> {
  let files: string[];
  try {
    files = await listdir(hashDir);
  } catch (err) {
    if (errorCode(err) !== "ENOENT") throw err;
    return { ...getOndiskFiles([], hashDir), files: [] };
  }
  files.sort().reverse();
  const found = getOndiskFiles(files, hashDir);
  const now = Date.now() / 1000;
  const reclaimable = (ts: Timestamp) => now - ts.timestamp > reclaimAge;
  let tsInfo = found.tsInfo;
  let tsFile = found.tsFile;
  const remove = async (info: FileInfo) => {
    await removeFile(join(hashDir, info.filename));
    const at = files.indexOf(info.filename);
    if (at >= 0) files.splice(at, 1);
  };
  if (tsInfo && reclaimable(tsInfo.timestamp)) {
    await remove(tsInfo);
    tsInfo = undefined;
    tsFile = undefined;
  }
  const obsolete = [...found.obsolete];
  for (const info of found.possibleReclaim) {
    // Replicated files are always durable, so only their age matters.
    if (reclaimable(info.timestamp)) obsolete.push(info);
  }
  for (const info of obsolete) await remove(info);
  if (!files.length) {
    try {
      await Deno.remove(hashDir);
    } catch {
      // Another request may have just written into it (ENOTEMPTY), or removed it (ENOENT).
    }
  }
  return { ...found, tsInfo, tsFile, obsolete, files };
}
