/**
 * swift/common/constraints.py checks of an object PUT: check_object_creation() (size,
 * Content-Length or chunked, name length, Content-Type), check_delete_headers() (X-Delete-At
 * and X-Delete-After, turning the latter into the former as Swift does) and check_metadata().
 */
import type { Timestamp } from "../common/timestamp.ts";
import { checkUtf8 } from "./request_path.ts";
import type { SwobRequest } from "./swob_request.ts";
import { badRequest, SwobError } from "./swob_status.ts";
import { isTrue, pyInt } from "./wsgi_text.ts";

/** The [swift-constraints] of swift.conf that the object server enforces. */
export interface ObjectConstraints {
  readonly maxFileSize: number;
  readonly maxMetaNameLength: number;
  readonly maxMetaValueLength: number;
  readonly maxMetaCount: number;
  readonly maxMetaOverallSize: number;
  readonly maxHeaderSize: number;
  readonly maxObjectNameLength: number;
}

/** Swift's defaults (swift/common/constraints.py). */
export const DEFAULT_CONSTRAINTS: ObjectConstraints = {
  maxFileSize: 5368709122,
  maxMetaNameLength: 128,
  maxMetaValueLength: 256,
  maxMetaCount: 90,
  maxMetaOverallSize: 4096,
  maxHeaderSize: 8192,
  maxObjectNameLength: 1024,
};

/** normalize_delete_at_timestamp(): "%010d" of the time clamped to [0, 9999999999.99999]. */
export function normalizeDeleteAt(seconds: number): string {
  const clamped = Math.min(Math.max(0, seconds), 9999999999.99999);
  return String(Math.trunc(clamped)).padStart(10, "0");
}

/** check_delete_headers(): validates X-Delete-At/-After, rewriting -After into -At. */
export function checkDeleteHeaders(req: SwobRequest): void {
  const now = req.timestamp.timestamp;
  const after = req.headers.get("X-Delete-After");
  if (after !== undefined) {
    const seconds = pyInt(after);
    if (seconds === undefined) throw badRequest("Non-integer X-Delete-After");
    const actual = normalizeDeleteAt(now + seconds);
    if (Number(actual) <= now) throw badRequest("X-Delete-After in past");
    req.headers.set("X-Delete-At", actual);
    req.headers.delete("X-Delete-After");
  }
  const at = req.headers.get("X-Delete-At");
  if (at !== undefined) {
    const seconds = pyInt(at);
    if (seconds === undefined) throw badRequest("Non-integer X-Delete-At");
    const deleteAt = Number(normalizeDeleteAt(seconds));
    if (deleteAt <= now && !isTrue(req.headers.get("X-Backend-Replication") ?? "f")) {
      throw badRequest("X-Delete-At in past");
    }
  }
}

/** check_metadata(req, 'object'): sizes and counts of X-Object-Meta-* headers. */
export function checkMetadata(req: SwobRequest, limits: ObjectConstraints): void {
  const prefix = "x-object-meta-";
  let count = 0;
  let size = 0;
  for (const [name, value] of req.headers.entries()) {
    if (value.length > limits.maxHeaderSize) {
      throw badRequest(`Header value too long: ${name.slice(0, limits.maxMetaNameLength)}`);
    }
    if (!name.toLowerCase().startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    if (!key) throw badRequest("Metadata name cannot be empty");
    count += 1;
    size += key.length + value.length;
    if (key.length > limits.maxMetaNameLength) {
      throw badRequest(`Metadata name too long: ${prefix}${key}`);
    }
    if (value.length > limits.maxMetaValueLength) {
      throw badRequest(`Metadata value longer than ${limits.maxMetaValueLength}: ${prefix}${key}`);
    }
    if (count > limits.maxMetaCount) {
      throw badRequest(`Too many metadata items; max ${limits.maxMetaCount}`);
    }
    if (size > limits.maxMetaOverallSize) {
      throw badRequest(`Total metadata too large; max ${limits.maxMetaOverallSize}`);
    }
  }
}

/**
 * check_object_creation(req, object_name): 413 too large, 411 without a length, 400 for a
 * long name, a missing or non-UTF-8 Content-Type, bad X-Delete-* or metadata, 501 for
 * transfer codings other than chunked.
 */
export function checkObjectCreation(
  req: SwobRequest,
  objectName: string,
  limits: ObjectConstraints,
): void {
  let length: number | undefined;
  try {
    length = req.messageLength();
  } catch (err) {
    if (err instanceof TypeError) {
      throw new SwobError(501, { body: err.message, contentType: "text/plain" });
    }
    throw badRequest((err as Error).message);
  }
  if (length !== undefined && length > limits.maxFileSize) {
    throw new SwobError(413, { body: "Your request is too large.", contentType: "text/plain" });
  }
  if (
    req.headers.get("Content-Length") === undefined &&
    req.headers.get("Transfer-Encoding") !== "chunked"
  ) {
    throw new SwobError(411, { body: "Missing Content-Length header.", contentType: "text/plain" });
  }
  const nameLength = [...objectName].length;
  if (nameLength > limits.maxObjectNameLength) {
    throw badRequest(
      `Object name length of ${nameLength} longer than ${limits.maxObjectNameLength}`,
    );
  }
  const contentType = req.headers.get("Content-Type");
  if (contentType === undefined) throw badRequest("No content type");
  checkDeleteHeaders(req);
  if (!checkUtf8(contentType)) throw badRequest("Invalid Content-Type");
  checkMetadata(req, limits);
}

/** valid_timestamp(): the request's X-Timestamp, or 400 with the reason. */
export function validTimestamp(req: SwobRequest): Timestamp {
  try {
    return req.timestamp;
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}
