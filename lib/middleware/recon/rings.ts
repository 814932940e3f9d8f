/**
 * /recon/ringmd5 and /recon/swiftconfmd5: md5 sums of the ring files and of swift.conf, which
 * swift-recon compares across the cluster to find nodes with stale rings or configs.
 *
 * The object rings are those of the storage policies in swift.conf, read once when the filter
 * is built, as Swift reads them once when swift.common.storage_policy is imported.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { ConfigError } from "../../config/errors.ts";
import { decodeConfigText, IniDocument } from "../../config/ini.ts";
import { int, InvalidValue } from "../../config/values.ts";
import type { SwiftLogger } from "../../log/logger.ts";
import type { PyJson } from "../../common/python_json.ts";
import { joinPath } from "./request_path.ts";

/** swift.common.utils.SWIFT_CONF_FILE: fixed, whatever swift_dir the server has. */
export const SWIFT_CONF_FILE = "/etc/swift/swift.conf";

const POLICY_SECTION = "storage-policy:";
const policyIndex = int({ min: 0 });

/**
 * The ring names of the storage policies in `swiftConfFile`, in section order: "object" for
 * policy 0, "object-N" for policy N. A missing or unreadable file means the legacy single
 * policy 0, as ConfigParser.read() skips files it cannot open. Throws ConfigError where Swift
 * refuses to start (a bad or repeated policy index).
 */
export function objectRingNames(swiftConfFile: string): string[] {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(swiftConfFile);
  } catch {
    return ["object"];
  }
  const doc = new IniDocument();
  doc.read(decodeConfigText(bytes, swiftConfFile), swiftConfFile);
  const indexes: number[] = [];
  for (const section of doc.sections()) {
    if (!section.startsWith(POLICY_SECTION)) continue;
    const where = { file: swiftConfFile, line: doc.sectionLocation(section)?.line, section };
    let index: number;
    try {
      index = policyIndex(section.slice(POLICY_SECTION.length), () => {});
    } catch (err) {
      if (!(err instanceof InvalidValue)) throw err;
      throw new ConfigError("is not a storage policy: its index must be an integer >= 0", where);
    }
    if (indexes.includes(index)) {
      throw new ConfigError(`repeats storage policy index ${index}`, where);
    }
    indexes.push(index);
  }
  if (indexes.length === 0) return ["object"];
  return indexes.map((index) => index === 0 ? "object" : `object-${index}`);
}

/** The ring files recon sums: account, container, then one object ring per policy. */
export function ringPaths(swiftDir: string, objectRings: readonly string[]): string[] {
  return ["account", "container", ...objectRings].map((name) =>
    joinPath(swiftDir, `${name}.ring.gz`)
  );
}

/** md5_hash_for_file(): the hex md5 of a file, read in 64 KiB blocks. */
async function md5OfFile(path: string): Promise<string> {
  using file = await Deno.open(path);
  const hash = createHash("md5");
  const block = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await file.read(block);
    if (n === null) break;
    hash.update(block.subarray(0, n));
  }
  return hash.digest("hex");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** get_ring_md5(): path -> md5 of each ring that exists (null when it cannot be read). */
export async function getRingMd5(rings: readonly string[], logger: SwiftLogger): Promise<PyJson> {
  const sums = new Map<string, PyJson>();
  for (const ring of rings) {
    if (!await exists(ring)) continue;
    try {
      sums.set(ring, await md5OfFile(ring));
    } catch (err) {
      sums.set(ring, null);
      if (!(err instanceof Deno.errors.NotFound)) logger.exception("Error reading ringfile", err);
    }
  }
  return sums;
}

/** get_swift_conf_md5(): `{"/etc/swift/swift.conf": md5}`, null when it cannot be read. */
export async function getSwiftConfMd5(file: string, logger: SwiftLogger): Promise<PyJson> {
  let sum: string | null = null;
  try {
    sum = await md5OfFile(file);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) logger.exception("Error reading swift.conf", err);
  }
  return new Map([[file, sum]]);
}
