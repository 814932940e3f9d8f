/**
 * The object server's path checks, in Swift's order: check_utf8() of the whole path (412),
 * the storage policy header (get_name_and_placement(): 503), split_path() (400
 * "Invalid path"), validate_device_partition() (400; no device or partition may be empty,
 * ".", ".." or contain "/", so no name can leave the devices directory), and
 * validate_internal_obj() (400 for misuse of the reserved "\0" namespace).
 */
import type { ObjectLocation } from "./backend.ts";
import { SwobError } from "./swob_status.ts";
import { latin1Bytes, pyInt, pyQuote } from "./wsgi_text.ts";

/** swift.common.utils.RESERVED: names starting with it are Swift's internal namespace. */
export const RESERVED = "\x00";

/** The accounts whose objects may use any name (AUTO_CREATE_ACCOUNT_PREFIX, misplaced). */
const AUTO_CREATE_ACCOUNT_PREFIX = ".";
const MISPLACED_OBJECTS_ACCOUNT = ".misplaced_objects";

const NON_ASCII = /[^\p{ASCII}]/u;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of a WSGI string's bytes, or undefined when they are not UTF-8. */
export function wsgiToStr(wsgi: string): string | undefined {
  // ASCII is its own UTF-8: most names skip the byte copy and the decoder.
  if (!NON_ASCII.test(wsgi)) return wsgi;
  try {
    return strictUtf8.decode(latin1Bytes(wsgi));
  } catch {
    return undefined;
  }
}

/**
 * check_utf8(wsgi_to_str(path)): non-empty valid UTF-8 without surrogates. "\0" passes only
 * when `internal` (the storage servers pass internal=True).
 */
export function checkUtf8(wsgi: string, internal = false): boolean {
  if (!wsgi) return false;
  const text = wsgiToStr(wsgi);
  if (text === undefined) return false;
  return internal || !text.includes(RESERVED);
}

/** Python's str.split(sep, maxsplit): at most maxsplit + 1 parts, the rest kept in the last. */
function pySplit(text: string, sep: string, maxsplit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (parts.length < maxsplit) {
    const at = rest.indexOf(sep);
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + sep.length);
  }
  parts.push(rest);
  return parts;
}

/**
 * swift.common.utils.split_path(); throws RangeError("Invalid path: ...") as Swift raises
 * ValueError. Absent segments are undefined.
 */
export function splitPath(
  path: string,
  minsegs: number,
  maxsegs = minsegs,
  restWithLast = false,
): (string | undefined)[] {
  if (minsegs > maxsegs) throw new RangeError(`minsegs > maxsegs: ${minsegs} > ${maxsegs}`);
  const min = minsegs + 1;
  const max = maxsegs + 1;
  const segs = pySplit(path, "/", restWithLast ? maxsegs : max);
  const count = segs.length;
  const bad = restWithLast
    ? segs[0] !== "" || count < min || count > max || segs.slice(1, min).includes("")
    : segs[0] !== "" || count < min || count > max + 1 || segs.slice(1, min).includes("") ||
      (count === max + 1 && segs[max] !== "");
  if (bad) throw new RangeError(`Invalid path: ${pyQuote(path)}`);
  const out: (string | undefined)[] = segs.slice(1, max);
  while (out.length < max - 1) out.push(undefined);
  return out;
}

/** validate_device_partition(); throws RangeError with Swift's message. */
export function validateDevicePartition(device?: string, partition?: string): void {
  if (!device || device.includes("/") || device === "." || device === "..") {
    throw new RangeError(`Invalid device: ${pyQuote(device ?? "")}`);
  }
  if (!partition || partition.includes("/") || partition === "." || partition === "..") {
    throw new RangeError(`Invalid partition: ${pyQuote(partition ?? "")}`);
  }
}

function validateInternalName(name: string, kind: string): void {
  if (name.includes(RESERVED) && !name.startsWith(RESERVED)) {
    throw new SwobError(400, { body: `Invalid reserved-namespace ${kind}` });
  }
}

/** validate_internal_obj(account, container, obj). */
export function validateInternalObj(account: string, container: string, obj: string): void {
  validateInternalName(account, "account");
  validateInternalName(container, "container");
  if (
    obj && !(account.startsWith(AUTO_CREATE_ACCOUNT_PREFIX) ||
      account === MISPLACED_OBJECTS_ACCOUNT)
  ) {
    validateInternalName(obj, "object");
    if (container.startsWith(RESERVED) && !obj.startsWith(RESERVED)) {
      throw new SwobError(400, {
        body: "Invalid user-namespace object in reserved-namespace container",
      });
    }
    if (obj.startsWith(RESERVED) && !container.startsWith(RESERVED)) {
      throw new SwobError(400, {
        body: "Invalid reserved-namespace object in user-namespace container",
      });
    }
  }
}

/**
 * get_policy_index + POLICIES.get_by_index(): the policy index of the header (absent or
 * empty is 0); throws 503 "No policy with index N" when `policies` has no such policy.
 */
export function policyIndexOf(header: string | undefined, policies: ReadonlySet<number>): number {
  const index = header === undefined || header === "" ? 0 : pyInt(header);
  if (index === undefined || !policies.has(index)) {
    throw new SwobError(503, {
      body: `No policy with index ${header ?? "None"}`,
      contentType: "text/plain",
    });
  }
  return index;
}

/**
 * get_name_and_placement(request, minsegs, maxsegs, rest_with_last) as native strings plus
 * the policy index; 400 with Swift's text for a bad path.
 */
export function nameAndPlacement(
  pathInfo: string,
  policyHeader: string | undefined,
  policies: ReadonlySet<number>,
  segments: { min: number; max: number; restWithLast: boolean },
): { parts: (string | undefined)[]; policyIndex: number } {
  const policyIndex = policyIndexOf(policyHeader, policies);
  let segs: (string | undefined)[];
  try {
    segs = splitPath(pathInfo, segments.min, segments.max, segments.restWithLast);
    validateDevicePartition(segs[0], segs[1]);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new SwobError(400, { body: err.message, contentType: "text/plain" });
  }
  // The whole path passed check_utf8(), so every segment decodes.
  const parts = segs.map((seg) => seg === undefined ? undefined : wsgiToStr(seg) ?? seg);
  return { parts, policyIndex };
}

/** get_obj_name_and_placement(): /device/partition/account/container/object. */
export function objectLocationOf(
  pathInfo: string,
  policyHeader: string | undefined,
  policies: ReadonlySet<number>,
): ObjectLocation {
  const { parts, policyIndex } = nameAndPlacement(pathInfo, policyHeader, policies, {
    min: 5,
    max: 5,
    restWithLast: true,
  });
  const [device, partition, account, container, object] = parts as string[];
  validateInternalObj(account, container, object);
  return { device, partition, account, container, object, policyIndex };
}
