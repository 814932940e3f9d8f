/**
 * Swift's "<db>.pending" file: records waiting to be merged, each written as
 * ":" + base64(pickle protocol 2 of a tuple). Colons never occur in base64,
 * so they delimit entries. Whoever holds the directory lock may append or
 * merge-and-truncate.
 */
import { Buffer } from "node:buffer";
import { dumpPickle, loadPickle, type PickleValue, PyTuple } from "../common/pickle.ts";

/** Swift's PENDING_CAP: past this many bytes the next put merges instead of appending. */
export const PENDING_CAP = 131072;

/** Appends one record tuple to the pending file, creating it if needed. */
export function appendPendingEntry(path: string, entry: readonly PickleValue[]): void {
  const encoded = Buffer.from(encodePendingRecord(entry)).toString("base64");
  using file = Deno.openSync(path, { append: true, create: true });
  const bytes = new TextEncoder().encode(`:${encoded}`);
  let written = 0;
  while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
}

/**
 * The protocol-2 pickle of one record tuple, as swiftd writes it. Python reads it as the tuple
 * Swift would write; the bytes are Swift's but in two cases kept from swiftd's first writer:
 * a str repeated in a record (equal ctype and meta timestamps) is fetched from the memo where
 * Swift writes it again, and a lone surrogate (a header that was not UTF-8) is written as
 * U+FFFD, which SQLite can store, where Swift writes it with surrogatepass and then fails to
 * merge the record.
 */
export function encodePendingRecord(record: readonly PickleValue[]): Uint8Array {
  return dumpPickle(new PyTuple(record.map(asWritten)), { protocol: 2, shareEqualStrs: true });
}

function asWritten(field: PickleValue): PickleValue {
  if (typeof field === "string") return field.toWellFormed();
  // An integral number past 2**53 is still an int (X-Size parsed to a float would not be).
  if (typeof field === "number" && Number.isInteger(field) && !Number.isSafeInteger(field)) {
    return BigInt(field);
  }
  return field;
}

/**
 * Reads one record pickle as Swift does (`pickle.loads(entry, encoding='utf8')`): its tuple
 * (or list) as an array; any other value is returned as it is, for the caller to refuse.
 */
export function decodePendingRecord(pickle: Uint8Array): PickleValue {
  const value = loadPickle(pickle, { encoding: "utf8" });
  return value instanceof PyTuple ? [...value.items] : value;
}

/** Size of the pending file in bytes, 0 when it does not exist. */
export function pendingFileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
}

/** One decoded entry, or the raw text and error of one that could not be decoded. */
export type PendingEntry =
  | { ok: true; value: PickleValue }
  | { ok: false; raw: string; error: Error };

/** Decodes every entry of the pending file's contents (Swift logs and skips bad ones). */
export function decodePendingEntries(contents: Uint8Array): PendingEntry[] {
  const text = new TextDecoder("latin1").decode(contents);
  const entries: PendingEntry[] = [];
  for (const raw of text.split(":")) {
    if (!raw) continue;
    try {
      entries.push({ ok: true, value: decodePendingRecord(decodeBase64(raw)) });
    } catch (err) {
      entries.push({ ok: false, raw, error: err as Error });
    }
  }
  return entries;
}

// Python's b64decode() without validate drops characters outside the
// alphabet (a stray newline, say) but still insists on correct padding.
function decodeBase64(raw: string): Uint8Array {
  const clean = raw.replace(/[^A-Za-z0-9+/=]/g, "");
  if (clean.replace(/=+$/, "").length % 4 === 1 || clean.length % 4 !== 0) {
    throw new RangeError(`Pending entry is not valid base64: "${raw.slice(0, 40)}"`);
  }
  return Uint8Array.from(atob(clean), (c) => c.charCodeAt(0));
}
