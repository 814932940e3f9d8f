/**
 * The bits of swob and request_helpers that copy, dlo and slo share: WSGI quoting, split_path()
 * as a test, check_path_header(), swob's req.params (latin-1, last value wins) and its
 * re-encoding, the metadata-name predicates, and HTTPException responses.
 */
import { errorResponse } from "../../object/swob_response.ts";
import { SwobRequest } from "../../object/swob_request.ts";
import { SwobError } from "../../object/swob_status.ts";
import { splitPath } from "../../object/request_path.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";

import { wsgiUnquote } from "../swob_params.ts";

export { wsgiQuote };
export { encodeParams, queryStringOf, swobParams, wsgiUnquote } from "../swob_params.ts";

/** split_path(), or undefined where Swift raises ValueError. */
export function splitPathOrUndefined(
  path: string,
  minsegs: number,
  maxsegs: number,
  restWithLast = false,
): (string | undefined)[] | undefined {
  try {
    return splitPath(path, minsegs, maxsegs, restWithLast);
  } catch {
    return undefined;
  }
}

/** check_path_header(req, name, 2, msg): [container, object] of a path header, else 412. */
export function pathHeader(headers: Headers, name: string, message: string): [string, string] {
  let value = wsgiUnquote(headers.get(name) ?? "");
  if (!value.startsWith("/")) value = "/" + value;
  const parts = splitPathOrUndefined(value, 2, 2, true);
  if (!parts) throw new SwobError(412, { body: message });
  return parts as [string, string];
}

/** is_sys_meta('object', name). */
export function isObjectSysmeta(name: string): boolean {
  return name.length > 17 && name.toLowerCase().startsWith("x-object-sysmeta-");
}

/** is_sys_or_user_meta('object', name). */
export function isObjectMeta(name: string): boolean {
  const lower = name.toLowerCase();
  return (name.length > 14 && lower.startsWith("x-object-meta-")) || isObjectSysmeta(name);
}

/** is_object_transient_sysmeta(name). */
export function isTransientSysmeta(name: string): boolean {
  return name.length > 27 && name.toLowerCase().startsWith("x-object-transient-sysmeta-");
}

/** HTTPException(request=req)(env, start_response): swob's error response for `req`. */
export function errorResponseFor(req: Request, error: SwobError): Response {
  const swobReq = new SwobRequest(
    new Request(req.url, { method: req.method, headers: req.headers }),
  );
  return errorResponse(swobReq, error);
}

/**
 * update_ignore_range_header(): asks the object server to answer in full, not the Range, when
 * the object has header `name` (the Range is for the large object, not for its manifest).
 */
export function ignoreRangeIfPresent(headers: Headers, name: string): void {
  const header = "X-Backend-Ignore-Range-If-Metadata-Present";
  const existing = headers.get(header);
  headers.set(header, existing ? `${existing},${name}` : name);
}
