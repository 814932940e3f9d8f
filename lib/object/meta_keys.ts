/**
 * Which header names are object metadata (swift/common/request_helpers.py is_user_meta,
 * is_sys_meta, is_object_transient_sysmeta) and which metadata keys a POST cannot replace
 * (swift/obj/diskfile.py RESERVED_DATAFILE_META, DATAFILE_SYSTEM_META).
 */

/** Keys only the data file may set: a header of these names is never copied into metadata. */
export const RESERVED_DATAFILE_META: ReadonlySet<string> = new Set([
  "content-length",
  "deleted",
  "etag",
]);

/** Keys of the data file that a .meta file cannot override. */
export const DATAFILE_SYSTEM_META: ReadonlySet<string> = new Set(["x-static-large-object"]);

const USER_META = "x-object-meta-";
const SYS_META = "x-object-sysmeta-";
const TRANSIENT_SYSMETA = "x-object-transient-sysmeta-";

/** is_user_meta('object', key): X-Object-Meta- followed by at least one character. */
export function isUserMeta(key: string): boolean {
  return key.length > USER_META.length && key.toLowerCase().startsWith(USER_META);
}

/** is_sys_meta('object', key): X-Object-Sysmeta- followed by at least one character. */
export function isSysMeta(key: string): boolean {
  return key.length > SYS_META.length && key.toLowerCase().startsWith(SYS_META);
}

/** is_sys_or_user_meta('object', key). */
export function isSysOrUserMeta(key: string): boolean {
  return isUserMeta(key) || isSysMeta(key);
}

/** is_object_transient_sysmeta(key): X-Object-Transient-Sysmeta- plus a character. */
export function isTransientSysmeta(key: string): boolean {
  return key.length > TRANSIENT_SYSMETA.length &&
    key.toLowerCase().startsWith(TRANSIENT_SYSMETA);
}

/** The metadata keys a .meta file cannot replace: the data file's size, ETag and sysmeta. */
export function isImmutableMeta(key: string): boolean {
  const lower = key.toLowerCase();
  return RESERVED_DATAFILE_META.has(lower) || DATAFILE_SYSTEM_META.has(lower) || isSysMeta(key);
}
