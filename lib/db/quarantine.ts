/**
 * Moving a damaged database out of the way, as Swift's quarantine() does:
 * <device>/quarantined/<type>s/<hash>, with a uuid suffix when that exists.
 */
import { basename, dirname, join } from "@std/path";
import { DatabaseQuarantinedError } from "./errors.ts";

/** SQLite messages that mean the file itself is damaged, with Swift's reason text (possibly_quarantine). */
export const QUARANTINE_HINTS: readonly [string, string][] = [
  ["database disk image is malformed", "malformed database"],
  ["malformed database schema", "malformed database"],
  [" is not a database", "corrupted database"],
  ["disk I/O error", "disk error while accessing database"],
];

/** Swift's reason for quarantining after `err`, or null when `err` is not about a damaged file. */
export function quarantineReason(err: unknown): string | null {
  const message = String((err as Error)?.message ?? err);
  for (const [needle, hint] of QUARANTINE_HINTS) if (message.includes(needle)) return hint;
  return null;
}

/** Renames `dbDir` into the quarantine and returns the error to throw. */
export function quarantineDbDir(
  dbDir: string,
  devicePath: string,
  dbType: string,
  reason: string,
  cause?: unknown,
): DatabaseQuarantinedError {
  const base = join(devicePath, "quarantined", `${dbType}s`, basename(dbDir));
  let target = base;
  Deno.mkdirSync(dirname(base), { recursive: true });
  try {
    Deno.renameSync(dbDir, target);
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists) && !String(err).includes("not empty")) {
      throw err;
    }
    target = `${base}-${crypto.randomUUID().replaceAll("-", "")}`;
    Deno.renameSync(dbDir, target);
  }
  return new DatabaseQuarantinedError(dbDir, target, reason, { cause });
}
