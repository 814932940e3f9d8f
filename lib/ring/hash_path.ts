import { createHash } from "node:crypto";

/** A path segment: text is hashed as its UTF-8 bytes, bytes are hashed as they are. */
export type PathPart = string | Uint8Array;

/**
 * The cluster's secret salt from swift.conf [swift-hash]. Swift reads the file as latin-1 and
 * hashes the original bytes, so a string here is UTF-8 encoded, which gives the same bytes as the
 * file when the file was decoded as UTF-8.
 */
export interface HashPathConfig {
  /** `swift_hash_path_prefix`, hashed before the path. */
  readonly prefix: PathPart;
  /** `swift_hash_path_suffix`, hashed after the path. */
  readonly suffix: PathPart;
}

const encoder = new TextEncoder();

// Encodes a path part the way Swift does (`str.encode("utf8")`), refusing what Python refuses.
function pathBytes(part: PathPart, what: string): Uint8Array {
  if (typeof part !== "string") return part;
  // TextEncoder would silently turn a lone surrogate into U+FFFD, hashing a different name than
  // the one asked for; Python raises UnicodeEncodeError, so fail too.
  if (!part.isWellFormed()) {
    throw new TypeError(
      `Cannot hash ${what} ${JSON.stringify(part)}: it contains a lone UTF-16 surrogate, ` +
        "which has no UTF-8 encoding",
    );
  }
  return encoder.encode(part);
}

// Python truthiness: Swift skips an empty container or object, it does not hash "a//o".
function present(part: PathPart | undefined): part is PathPart {
  return part !== undefined && part.length > 0;
}

/**
 * md5 of `prefix + "/" + account[/container[/object]] + suffix`, raw 16 bytes, exactly as
 * swift.common.utils.hash_path(..., raw_digest=True); the ring takes its partition from it.
 */
export function hashPathRaw(
  account: PathPart,
  container: PathPart | undefined,
  object: PathPart | undefined,
  opts: HashPathConfig,
): Uint8Array {
  if (present(object) && !present(container)) {
    throw new TypeError(
      `Cannot hash path: container is required if object is provided: current container is ` +
        `${JSON.stringify(container ?? null)}, object is ${JSON.stringify(String(object))}`,
    );
  }
  const md5 = createHash("md5");
  md5.update(pathBytes(opts.prefix, "hash path prefix"));
  md5.update("/");
  md5.update(pathBytes(account, "account"));
  if (present(container)) {
    md5.update("/");
    md5.update(pathBytes(container, "container"));
  }
  if (present(object)) {
    md5.update("/");
    md5.update(pathBytes(object, "object"));
  }
  md5.update(pathBytes(opts.suffix, "hash path suffix"));
  return new Uint8Array(md5.digest());
}

/**
 * Hex md5 of the salted path, exactly as swift.common.utils.hash_path(); object servers name
 * their hash directories with it.
 */
export function hashPath(
  account: PathPart,
  container: PathPart | undefined,
  object: PathPart | undefined,
  opts: HashPathConfig,
): string {
  const raw = hashPathRaw(account, container, object, opts);
  let hex = "";
  for (const byte of raw) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
