/**
 * Swift's log line and syslog datagram formats (swift.common.utils.SwiftLogFormatter and
 * Python's logging.handlers.SysLogHandler), byte for byte.
 */
import { LOG_LEVELS } from "../config/values.ts";

/** Swift's levels, NOTICE included. */
export const Level = {
  DEBUG: LOG_LEVELS.DEBUG,
  INFO: LOG_LEVELS.INFO,
  NOTICE: LOG_LEVELS.NOTICE,
  WARNING: LOG_LEVELS.WARNING,
  ERROR: LOG_LEVELS.ERROR,
  CRITICAL: LOG_LEVELS.CRITICAL,
} as const;

/** A Swift level number. */
export type LevelNumber = typeof Level[keyof typeof Level];

/** What one log call carries besides its message. */
export interface SwiftRecord {
  readonly level: LevelNumber;
  readonly message: string;
  /** The transaction id of the request being served, appended as ` (txn: ID)`. */
  readonly txnId?: string;
  /** The client address, appended to lines above INFO as ` (client_ip: IP)`. */
  readonly clientIp?: string;
  /** An error whose stack follows the message, as logger.exception() does. */
  readonly error?: unknown;
}

/** The text of an error as Swift appends a traceback: the stack, or the message. */
function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * SwiftLogFormatter.format() with the "%(server)s: %(message)s" format: newlines become
 * `#012` (syslog would split the line), then the traceback, txn id and client ip, then the
 * log_max_line_length cut, which keeps both ends around " ... ".
 */
export function formatLine(name: string, record: SwiftRecord, maxLineLength = 0): string {
  let msg = `${name}: ${record.message}`.replaceAll("\n", "#012");
  if (record.error !== undefined) {
    if (!msg.endsWith("#012")) msg += "#012";
    msg += errorText(record.error).replaceAll("\n", "#012");
  }
  if (record.txnId && !msg.includes(record.txnId)) msg = `${msg} (txn: ${record.txnId})`;
  if (record.clientIp && record.level !== Level.INFO && !msg.includes(record.clientIp)) {
    msg = `${msg} (client_ip: ${record.clientIp})`;
  }
  return truncate(msg, maxLineLength);
}

/** Swift's log_max_line_length rule, counted in characters (code points) as Python does. */
export function truncate(msg: string, maxLineLength: number): string {
  if (maxLineLength <= 0) return msg;
  const chars = Array.from(msg);
  if (chars.length <= maxLineLength) return msg;
  if (maxLineLength < 7) return chars.slice(0, maxLineLength).join("");
  const half = Math.floor((maxLineLength - 5) / 2);
  return `${chars.slice(0, half).join("")} ... ${chars.slice(chars.length - half).join("")}`;
}

/** Syslog severities of Python's SysLogHandler.priority_map, with Swift's NOTICE. */
const SEVERITY: Record<LevelNumber, number> = {
  [Level.DEBUG]: 7,
  [Level.INFO]: 6,
  [Level.NOTICE]: 5,
  [Level.WARNING]: 4,
  [Level.ERROR]: 3,
  [Level.CRITICAL]: 2,
};

/** The datagram SysLogHandler sends: `<PRI>line` and a NUL, UTF-8 encoded. */
export function syslogPacket(
  facility: number,
  level: LevelNumber,
  line: string,
): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`<${facility * 8 + SEVERITY[level]}>${line}\0`);
}
