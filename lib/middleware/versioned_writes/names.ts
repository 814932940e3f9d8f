/**
 * Names object versioning keeps its versions under (swift/common/request_helpers.py and
 * ObjectVersioningContext): reserved names start with a NUL byte, which clients cannot use, so
 * `\x00versions\x00<container>` holds `\x00<object>\x00<inverted timestamp>` versions that
 * list newest first. Inverting a timestamp (~Timestamp) maps t to 9999999999.99999 - t.
 */
import { Timestamp } from "../../common/timestamp.ts";
import { decodeLatin1, decodeUtf8, encodeLatin1, encodeUtf8 } from "../../common/python_codecs.ts";

/** RESERVED_STR: the byte reserved names start with. */
export const RESERVED = "\x00";

/** The listing content type of a delete marker (both versioning APIs). */
export const DELETE_MARKER_CONTENT_TYPE = "application/x-deleted;swift_versions_deleted=1";

/** get_reserved_name(*parts); throws RangeError (Swift's ValueError) for a part with a NUL. */
export function reservedName(...parts: string[]): string {
  if (parts.some((p) => p.includes(RESERVED))) {
    throw new RangeError("Invalid reserved part in components");
  }
  return RESERVED + parts.join(RESERVED);
}

/** split_reserved_name(); throws RangeError for a name that is not reserved. */
export function splitReservedName(name: string): string[] {
  if (!name.startsWith(RESERVED)) throw new RangeError("Invalid reserved name");
  return name.split(RESERVED).slice(1);
}

/** ~Timestamp(ts): throws RangeError for a timestamp with an offset or out of bounds. */
export function invertTimestamp(ts: Timestamp | string | number): Timestamp {
  const t = new Timestamp(ts);
  if (t.offset) throw new RangeError("Cannot invert timestamps with offsets");
  return new Timestamp((999999999999999 - t.raw) * 1e-5);
}

/** Timestamp(value), or undefined where Swift raises ValueError. */
export function timestampOrUndefined(value: string): Timestamp | undefined {
  try {
    return new Timestamp(value);
  } catch {
    return undefined;
  }
}

/** _build_versions_container_name(). */
export function versionsContainerName(container: string): string {
  return reservedName("versions", container);
}

/** _build_versions_object_prefix(). */
export function versionsObjectPrefix(obj: string): string {
  return reservedName(obj, "");
}

/** _build_versions_object_name(): the object and its inverted timestamp. */
export function versionsObjectName(obj: string, ts: Timestamp | string | number): string {
  return reservedName(obj, invertTimestamp(ts).internal);
}

/** _split_version_from_name(): [object, version], the version undefined when not one. */
export function splitVersionFromName(name: string): [string, Timestamp | undefined] {
  try {
    const parts = splitReservedName(name);
    if (parts.length !== 2) return [name, undefined];
    return [parts[0], invertTimestamp(parts[1])];
  } catch {
    return [name, undefined];
  }
}

/** _split_versions_container_name(): the versioned container of a versions container. */
export function splitVersionsContainerName(name: string): string {
  try {
    const parts = splitReservedName(name);
    if (parts.length !== 2 || parts[0] !== "versions") return name;
    return parts[1];
  } catch {
    return name;
  }
}

/** str_to_wsgi(): text as the WSGI string of its UTF-8 bytes. */
export function strToWsgi(text: string): string {
  return decodeLatin1(encodeUtf8(text, "surrogateescape"));
}

/** wsgi_to_str(): a WSGI string's bytes read as UTF-8. */
export function wsgiToStr(wsgi: string): string {
  return decodeUtf8(encodeLatin1(wsgi), "surrogateescape");
}
