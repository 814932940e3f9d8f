/**
 * The WSGI view of requests bulk works with: PATH_INFO and QUERY_STRING as one char per byte
 * (from the raw request target, so `.` and `..` segments survive), swob's status lines, and
 * Swift's check_utf8() of a path.
 */
import { RESPONSE_REASONS } from "../../common/response_reasons.ts";
import { latin1Bytes } from "../../object/wsgi_text.ts";
import { rawPath, rawQuery } from "../../server/request_path.ts";

/** A request target keeps non-ASCII as the UTF-8 bytes the client sent; WSGI holds bytes. */
function wsgiOf(text: string): string {
  if (![...text].some((c) => c.charCodeAt(0) > 0x7f)) return text;
  return String.fromCharCode(...new TextEncoder().encode(text));
}

/** PATH_INFO: the raw path with its %XX escapes decoded, one char per byte. */
export function pathInfo(req: Request): string {
  return wsgiOf(rawPath(req)).replace(
    /%([0-9a-fA-F]{2})/g,
    (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
  );
}

/** QUERY_STRING, one char per byte. */
export function queryString(req: Request): string {
  return wsgiOf(rawQuery(req));
}

/** swob's `resp.status` of a status code: "404 Not Found". */
export function statusLine(status: number, text = ""): string {
  return `${status} ${RESPONSE_REASONS[status]?.[0] ?? text}`;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** constraints.check_utf8(wsgi_to_str(path)): non-empty UTF-8 without NUL (Swift's reserved byte). */
export function checkUtf8(wsgi: string): boolean {
  if (!wsgi || wsgi.includes("\0")) return false;
  try {
    strictUtf8.decode(latin1Bytes(wsgi));
    return true;
  } catch {
    return false;
  }
}
