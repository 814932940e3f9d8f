/**
 * Swift's on-disk object metadata (swift/obj/diskfile.py write_metadata/read_metadata, 2.30 on
 * Python 3), byte for byte: a protocol 2 pickle of a dict of bytes, split over the xattrs
 * `user.swift.metadata`, `user.swift.metadata1`, ... in 64 KiB chunks, plus
 * `user.swift.metadata_checksum`, the md5 hex of the whole pickle.
 *
 * Strings: Swift's metadata dict holds Python str values and stores each as
 * `value.encode("utf-8", "surrogateescape")`. Header values in it are WSGI strings (one char
 * per byte of the HTTP header, i.e. latin-1 decoded UTF-8), so a non-ASCII header value is
 * UTF-8 encoded a second time on disk (`bér` arrives as "bÃ©r" and is stored as
 * 62 C3 83 C2 A9 72), while `name` is a native str stored as plain UTF-8. Here metadata is a
 * Record of exactly those Python strings, so writeMetadata/readMetadata round-trip with Swift
 * in both directions; lone surrogates U+DC80..U+DCFF stand for undecodable bytes, as in Swift.
 *
 * Errors: environment failures are XattrError (code "ENOSPC"/"EDQUOT" -> 507 no space,
 * "ENOTSUP" -> xattrs unsupported, "ENOENT" -> file gone); a file whose metadata cannot be
 * trusted throws DiskFileBadMetadata, which the caller quarantines, as Swift's
 * DiskFile._failsafe_read_metadata does.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { dumpPickle } from "../common/pickle_dumps.ts";
import { loadPickle } from "../common/pickle_loads.ts";
import { PyFloat, PyTuple } from "../common/pickle_value.ts";
import type { PickleValue } from "../common/pickle_value.ts";
import { decodeUtf8, encodeUtf8 } from "../common/python_codecs.ts";
import { pythonFloatRepr } from "../common/python_float_repr.ts";
import {
  getXattr,
  getXattrUnlessMissing,
  removeXattrIfSet,
  setXattr,
  XattrError,
} from "../common/xattr.ts";
import type { XattrTarget } from "../common/xattr.ts";

/** Base name of the metadata xattrs; chunk N > 0 appends N. */
export const METADATA_KEY = "user.swift.metadata";
/** The xattr holding the md5 hex digest of the whole pickle (Swift >= 2.16 writes it). */
export const METADATA_CHECKSUM_KEY = "user.swift.metadata_checksum";
/** Swift's write_metadata() xattr_size default: bytes of pickle per xattr. */
export const METADATA_CHUNK_SIZE = 65536;
/** Swift's diskfile PICKLE_PROTOCOL. */
export const METADATA_PICKLE_PROTOCOL = 2;

/** Object metadata: Python str keys and values exactly as Swift holds them in memory. */
export type DiskFileMetadata = Record<string, string>;

/**
 * Metadata that cannot be trusted (unreadable pickle, not a dict, checksum mismatch): the file
 * must be quarantined. `reason` is the text Swift logs for the quarantine.
 */
export class DiskFileBadMetadata extends Error {
  /** Builds the error; `reason` says what is wrong, with the values involved. */
  constructor(readonly reason: string) {
    super(reason);
    this.name = new.target.name;
  }
}

/** The stored checksum differs from the md5 of the stored pickle (Swift's class name). */
export class DiskFileBadMetadataChecksum extends DiskFileBadMetadata {}

/** Options of writeMetadata(). */
export interface WriteMetadataOptions {
  /** Bytes of pickle per xattr; Swift's default, 64 KiB, is also Linux's value size limit. */
  chunkSize?: number;
}

/** Options of readMetadata(). */
export interface ReadMetadataOptions {
  /** When no checksum xattr exists (pre-2.16 files), compute and store one, as Swift can. */
  addMissingChecksum?: boolean;
}

function chunkKey(index: number): string {
  return index === 0 ? METADATA_KEY : `${METADATA_KEY}${index}`;
}

function md5Hex(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

function isCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof XattrError && codes.includes(err.code);
}

/** The pickle Swift's write_metadata() stores for `metadata` (protocol 2, str -> bytes). */
export function encodeMetadataPickle(metadata: Readonly<DiskFileMetadata>): Uint8Array {
  const dict = new Map<PickleValue, PickleValue>();
  for (const [key, value] of Object.entries(metadata)) {
    // A fresh Uint8Array per item, as each .encode() is a fresh bytes object in CPython.
    dict.set(encodeUtf8(key, "surrogateescape"), encodeUtf8(value, "surrogateescape"));
  }
  return dumpPickle(dict, { protocol: METADATA_PICKLE_PROTOCOL });
}

/** Python's `str()` of a scalar, for keys/values that very old writers stored as non-str. */
function pythonStr(value: PickleValue, what: string): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return decodeUtf8(value, "surrogateescape");
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    return Number.isSafeInteger(value) ? String(value) : pythonFloatRepr(value);
  }
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  const type = value instanceof PyTuple ? "tuple" : Array.isArray(value) ? "list" : "dict";
  throw new DiskFileBadMetadata(`Exception reading metadata: ${what} is a ${type}, not a str`);
}

/** Decodes a stored metadata pickle like read_metadata(); throws DiskFileBadMetadata. */
export function decodeMetadataPickle(pickle: Uint8Array): DiskFileMetadata {
  let loaded: PickleValue;
  try {
    // encoding="bytes": Python 2 Swift stored str, which must come back as bytes to decode.
    loaded = loadPickle(pickle, { encoding: "bytes" });
  } catch (err) {
    throw new DiskFileBadMetadata(`Exception reading metadata: ${(err as Error).message}`);
  }
  if (!(loaded instanceof Map)) {
    throw new DiskFileBadMetadata("Exception reading metadata: the pickle is not a dict");
  }
  const metadata: DiskFileMetadata = {};
  for (const [key, value] of loaded) {
    const name = pythonStr(key, "a key");
    metadata[name] = pythonStr(value, `the value of ${JSON.stringify(name)}`);
  }
  return metadata;
}

/**
 * Stores `metadata` on a file like Swift's write_metadata(): pickle chunks, then the checksum.
 * Unlike Swift it also removes chunks left over from longer metadata, which Swift would
 * otherwise append to the new pickle when reading (Swift only ever writes fresh files).
 */
export function writeMetadata(
  target: XattrTarget,
  metadata: Readonly<DiskFileMetadata>,
  options: WriteMetadataOptions = {},
): void {
  const chunkSize = options.chunkSize ?? METADATA_CHUNK_SIZE;
  const pickle = encodeMetadataPickle(metadata);
  let index = 0;
  for (let offset = 0; offset < pickle.length; offset += chunkSize, index++) {
    setXattr(target, chunkKey(index), pickle.subarray(offset, offset + chunkSize));
  }
  while (removeXattrIfSet(target, chunkKey(index))) index++;
  setXattr(target, METADATA_CHECKSUM_KEY, new TextEncoder().encode(md5Hex(pickle)));
}

/**
 * Loads metadata like Swift's read_metadata(): concatenates chunks until one is missing,
 * verifies the checksum when present, and unpickles. Throws DiskFileBadMetadata(Checksum) for
 * corrupt metadata and XattrError for ENOENT/ENOTSUP.
 */
export function readMetadata(
  target: XattrTarget,
  options: ReadMetadataOptions = {},
): DiskFileMetadata {
  const chunks: Uint8Array[] = [];
  for (let index = 0;; index++) {
    let chunk: Uint8Array | undefined;
    try {
      chunk = getXattrUnlessMissing(target, chunkKey(index));
    } catch (err) {
      // Swift stops at the first missing chunk, whatever the errno, except these two.
      if (isCode(err, "ENOTSUP", "ENOENT") || !(err instanceof XattrError)) throw err;
    }
    if (chunk === undefined) break;
    chunks.push(chunk);
  }
  const pickle = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((offset, c) => (pickle.set(c, offset), offset + c.length), 0);
  const computed = md5Hex(pickle);
  let stored: Uint8Array | undefined;
  try {
    stored = getXattr(target, METADATA_CHECKSUM_KEY);
  } catch (err) {
    if (!(err instanceof XattrError)) throw err;
    if (options.addMissingChecksum) {
      try {
        setXattr(target, METADATA_CHECKSUM_KEY, new TextEncoder().encode(computed));
      } catch (setErr) {
        // Swift only logs this: the metadata itself is fine, and the next read will retry.
        if (!(setErr instanceof XattrError)) throw setErr;
      }
    }
  }
  // An empty stored checksum counts as absent, as in Swift (`if metadata_checksum:`).
  const expected = new TextEncoder().encode(computed);
  if (stored !== undefined && stored.length > 0 && !bytesEqual(stored, expected)) {
    throw new DiskFileBadMetadataChecksum(
      `Metadata checksum mismatch for ${target}: stored checksum='${bytesRepr(stored)}', ` +
        `computed='${bytesRepr(expected)}'`,
    );
  }
  return decodeMetadataPickle(pickle);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Python's repr() of bytes, as Swift's checksum-mismatch message prints them. */
function bytesRepr(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? '"' : "'";
  let body = "";
  for (const b of bytes) {
    if (b === 0x5c) body += "\\\\";
    else if (b === quote.charCodeAt(0)) body += "\\" + quote;
    else if (b === 0x09) body += "\\t";
    else if (b === 0x0a) body += "\\n";
    else if (b === 0x0d) body += "\\r";
    else if (b < 0x20 || b >= 0x7f) body += "\\x" + b.toString(16).padStart(2, "0");
    else body += String.fromCharCode(b);
  }
  return `b${quote}${body}${quote}`;
}
