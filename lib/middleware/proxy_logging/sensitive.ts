/**
 * swift.common.registry's sensitive headers and query parameters: values proxy_logging cuts
 * to reveal_sensitive_prefix characters. Middleware that reads a secret from a request
 * registers its name when its filter is built (tempurl: temp_url_sig; s3api: Authorization,
 * Signature, X-Amz-Signature); proxy_logging registers X-Auth-Token and X-Storage-Token.
 * Like Swift's, the registry is one per process.
 *
 * @module
 */

const headers = new Set<string>();
const params = new Set<string>();

function isAscii(name: string): boolean {
  return [...name].every((c) => c.charCodeAt(0) < 0x80);
}

/** register_sensitive_header(): a case-insensitive ASCII header name. */
export function registerSensitiveHeader(name: string): void {
  if (!isAscii(name)) throw new TypeError(`Header name is not ASCII: "${name}"`);
  headers.add(name.toLowerCase());
}

/** register_sensitive_param(): a case-sensitive ASCII query parameter name. */
export function registerSensitiveParam(name: string): void {
  if (!isAscii(name)) throw new TypeError(`Parameter name is not ASCII: "${name}"`);
  params.add(name);
}

/** get_sensitive_headers() and get_sensitive_params(). */
export function sensitiveNames(): { headers: ReadonlySet<string>; params: ReadonlySet<string> } {
  return { headers, params };
}
