/**
 * Swift's chexor(): the rolling, order-independent hash of a database's rows
 * (container_info.hash / account_stat.hash). Replicators compare it to skip
 * syncing identical databases, so it must match Swift bit for bit.
 */
import { createHash } from "node:crypto";
import { pythonFloatRepr } from "../common/python_float_repr.ts";

/** XORs md5("<name>-<timestamp>") into the 32-hex-digit hash `old`, as Swift's chexor() does. */
export function chexor(old: string, name: unknown, timestamp: unknown): string {
  if (name === null || name === undefined) throw new TypeError("Cannot chexor a row: name is None");
  const digest = createHash("md5").update(`${pythonStr(name)}-${pythonStr(timestamp)}`, "utf8")
    .digest("hex");
  const mixed = BigInt(`0x${old}`) ^ BigInt(`0x${digest}`);
  return mixed.toString(16).padStart(32, "0");
}

// SQLite hands the function TEXT for every column Swift's triggers pass, but
// '%s' of anything else must still read as Python would print it.
function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "number") {
    return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  }
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return String(value);
}
