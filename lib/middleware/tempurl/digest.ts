/**
 * swift/common/digest.py as tempurl and formpost use it: the HMAC of a temporary URL
 * (get_hmac), the signature a client sent, split into algorithm and hex digest
 * (extract_digest_and_algorithm), and streq_const_time().
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { encodeUtf8 } from "../../common/python_codecs.ts";

const encoder = new TextEncoder();

/** What get_hmac() signs. */
export interface HmacInput {
  readonly method: string;
  /** str(expires): the canonical decimal text of the integer. */
  readonly expires: string;
  /** The signed path (`/v1/a/c/o` or `prefix:/v1/a/c/p`), as text. */
  readonly path: string;
  readonly key: string;
  readonly digest: string;
  /** temp_url_ip_range as given; signed first so a newline in the path cannot forge it. */
  readonly ipRange?: string;
}

/**
 * get_hmac(): hex HMAC of `[ip=RANGE\n]METHOD\nEXPIRES\nPATH`, every part UTF-8. A path with
 * lone surrogates (undecodable bytes in the URL) throws, as Python's strict encode does.
 */
export function getHmac(input: HmacInput): string {
  const parts = [input.method, input.expires, input.path];
  if (input.ipRange) parts.unshift(`ip=${input.ipRange}`);
  const message = encodeUtf8(parts.join("\n"), "strict");
  return createHmac(input.digest, encodeUtf8(input.key, "strict")).update(message).digest("hex");
}

/** The digest each hex signature length means. */
const HEX_LENGTHS: Readonly<Record<number, string>> = { 40: "sha1", 64: "sha256", 128: "sha512" };

const BASE64_VALUES = new Map(
  [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]),
);

/** Python's str.strip(chars) for one char. */
function stripChar(text: string, char: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === char) start++;
  while (end > start && text[end - 1] === char) end--;
  return text.slice(start, end);
}

/**
 * strict_b64decode(value + "=="): only the base64 alphabet between any `=` at either end,
 * then binascii's lenient decoding (pads before the third char of a quad are skipped, a pad
 * completing the quad ends the data, leftover bits are dropped).
 */
function strictB64Decode(value: string): Uint8Array {
  for (const c of stripChar(value, "=")) {
    if (!BASE64_VALUES.has(c)) throw new RangeError("Invalid base64 character");
  }
  const out: number[] = [];
  let quad = 0;
  let left = 0;
  let pads = 0;
  for (const c of value + "==") {
    if (c === "=") {
      if (quad >= 2 && quad + ++pads >= 4) return Uint8Array.from(out);
      continue;
    }
    const v = BASE64_VALUES.get(c)!;
    if (quad === 0) left = v;
    else if (quad === 1) out.push(((left << 2) | (v >> 4)) & 0xff), left = v & 0x0f;
    else if (quad === 2) out.push(((left << 4) | (v >> 2)) & 0xff), left = v & 0x03;
    else out.push(((left << 6) | v) & 0xff);
    quad = (quad + 1) % 4;
  }
  if (quad === 1) throw new RangeError("Base64 data is 1 more than a multiple of 4");
  if (quad !== 0) throw new RangeError("Incorrect base64 padding");
  return Uint8Array.from(out);
}

/**
 * extract_digest_and_algorithm(): `[algo, hex]` of a hex signature (its length names the
 * digest) or of `algo:base64` (standard or URL-safe alphabet); throws RangeError where Swift
 * raises ValueError.
 */
export function extractDigestAndAlgorithm(value: string): [string, string] {
  const colon = value.indexOf(":");
  if (colon >= 0) {
    const algo = value.slice(0, colon);
    let b64 = value.slice(colon + 1);
    if (/[-_]/.test(b64) && !/[+/]/.test(b64)) b64 = b64.replaceAll("-", "+").replaceAll("_", "/");
    const hex = [...strictB64Decode(b64)].map((b) => b.toString(16).padStart(2, "0")).join("");
    return [algo, hex];
  }
  // binascii.unhexlify(): ASCII hex digits in pairs.
  if (value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) {
    throw new RangeError("Non-hexadecimal digit found");
  }
  const algo = HEX_LENGTHS[value.length];
  if (!algo) throw new RangeError("Bad digest length");
  return [algo, value];
}

/** streq_const_time(): equal strings, compared in time independent of where they differ. */
export function streqConstTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  // Same length in UTF-16 units but different byte lengths: they differ somewhere.
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}

/**
 * get_tempurl_keys_from_metadata(): the values of `temp-url-key` and `temp-url-key-2` in an
 * account's or container's user metadata, in the metadata's order.
 */
export function tempurlKeysFromMetadata(meta: unknown): string[] {
  if (!meta || typeof meta !== "object") return [];
  return Object.entries(meta as Record<string, unknown>)
    .filter(([k]) => k.toLowerCase() === "temp-url-key" || k.toLowerCase() === "temp-url-key-2")
    .map(([, v]) => String(v));
}
