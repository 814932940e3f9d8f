/**
 * Integer decoding for the pickle reader: Python ints become numbers when they are safe
 * integers and bigints otherwise.
 *
 * @module
 */

/** Returns a safe integer as a number, anything larger as a bigint. */
export function normalizeInt(v: bigint): number | bigint {
  const safe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
  return safe ? Number(v) : v;
}

/** Decodes LONG1/LONG4 payloads: little-endian two's complement, empty meaning zero. */
export function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return normalizeInt(v);
}
