/**
 * egg:swift#domain_remap (swift/common/middleware/domain_remap.py, Swift 2.30): for a Host
 * under one of the storage domains, takes the account (and container) from the subdomains
 * and puts them in the path, so `c.AUTH-a.example.com/o` is served as `/v1/AUTH_a/c/o`; the
 * Host header itself is left as it is. Account names get the configured reseller prefix's
 * case back (browsers lower-case hosts) and their first "-" becomes "_" (DNS names have no
 * "_"); a host whose prefix is not configured passes unchanged unless default_reseller_prefix
 * is set, and more than two subdomains answer 400 "Bad domain in host header". Location and
 * Content-Location headers of the response that point at the rewritten path are turned back
 * into the path the client asked for.
 *
 * The rewritten path goes on in the request URL; the URL parser resolves "." and ".."
 * segments there (Swift would pass /v1/AUTH_a/c/../o on as it is). Without a Host header the
 * URL's host stands for eventlet's SERVER_NAME.
 */
import { optionsOf, type StageConfig } from "../config/load.ts";
import { DOMAIN_REMAP_FILTER } from "../config/options/domain_remap.ts";
import type { TypedConfig } from "../config/options/option.ts";
import { HttpError } from "../server/http_error.ts";
import type { Filter } from "./compose.ts";
import { pathInfo } from "./_info_lookup.ts";
import { wsgiQuote } from "./recon/request_path.ts";

type Options = TypedConfig<typeof DOMAIN_REMAP_FILTER["options"]>;

/** The /info section Swift registers. */
export function domainRemapInfo(options: Options): Record<string, unknown> {
  return { default_reseller_prefix: options.default_reseller_prefix ?? null };
}

/** What the filter decided for one Host and path: the new PATH_INFO, or why it passes. */
export type Remap =
  | { readonly kind: "pass" }
  | { readonly kind: "bad-domain" }
  | { readonly kind: "remap"; readonly path: string };

/** Python's str.strip(chars). */
function strip(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text[start])) start++;
  while (end > start && chars.includes(text[end - 1])) end--;
  return text.slice(start, end);
}

/** The remapping of DomainRemapMiddleware.__call__, as a pure function of Host and path. */
export function remapper(options: Options): (host: string, path: string) => Remap {
  // Dotted names are listed after the others, as Swift builds the list; the first match wins.
  const domains = [
    ...options.storage_domain.filter((d) => !d.startsWith(".")).map((d) => `.${d}`),
    ...options.storage_domain.filter((d) => d.startsWith(".")),
  ];
  const root = `${strip(options.path_root, "/")}/`;
  const prefixes = options.reseller_prefixes;
  const lowerPrefixes = prefixes.map((p) => p.toLowerCase());
  const defaultPrefix = options.default_reseller_prefix;

  return function remap(host, requested) {
    if (domains.length === 0) return { kind: "pass" };
    const colon = host.lastIndexOf(":");
    const domain = colon < 0 ? host : host.slice(0, colon);
    const storageDomain = domains.find((d) => domain.endsWith(d));
    if (!storageDomain) return { kind: "pass" };
    const parts = strip(domain.slice(0, domain.length - storageDomain.length), ".").split(".");
    if (parts.length > 2) return { kind: "bad-domain" };
    const container = parts.length === 2 ? parts[0] : undefined;
    let account = parts[parts.length - 1];
    if (prefixes.length > 0) {
      if (!account.includes("_") && account.includes("-")) account = account.replace("-", "_");
      const index = lowerPrefixes.indexOf(account.split("_")[0].toLowerCase());
      if (index >= 0) {
        const real = prefixes[index];
        if (!account.startsWith(real)) account = real + account.slice(real.length);
      } else if (defaultPrefix) {
        account = `${defaultPrefix}_${account}`;
      } else {
        return { kind: "pass" };
      }
    }
    let path = requested.slice(1);
    const newParts = ["", root.slice(0, -1), account];
    if (container) newParts.push(container);
    if (options.mangle_client_paths && `${path}/`.startsWith(root)) path = path.slice(root.length);
    newParts.push(path);
    return { kind: "remap", path: newParts.join("/") };
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\\/-]/g, "\\$&");
}

/** Builds the domain_remap filter. */
export function domainRemapFilter(stage: StageConfig): Filter {
  const remap = remapper(optionsOf(stage, DOMAIN_REMAP_FILTER));
  return (next) =>
    async function domainRemap(req, ctx) {
      const url = new URL(req.url);
      const requested = pathInfo(req);
      const decision = remap(req.headers.get("Host") ?? url.hostname, requested);
      if (decision.kind === "pass") return await next(req, ctx);
      if (decision.kind === "bad-domain") {
        throw new HttpError(400, "Bad domain in host header", { "Content-Type": "text/plain" });
      }
      const quotedNew = wsgiQuote(decision.path);
      const rewritten = new Request(`${url.origin}${quotedNew}${url.search}`, req);
      const response = await next(rewritten, ctx);
      return locationsBack(response, quotedNew, wsgiQuote(requested));
    };
}

/** RewriteContext: Location headers pointing at the rewritten path point at the requested one. */
function locationsBack(response: Response, rewritten: string, requested: string): Response {
  const pattern = new RegExp(`^(https?://[^/]+)${escapeRegExp(rewritten)}(.*)$`);
  let headers: Headers | undefined;
  for (const name of ["location", "content-location"]) {
    const value = response.headers.get(name);
    if (value === null || !pattern.test(value)) continue;
    headers ??= new Headers(response.headers);
    headers.set(name, value.replace(pattern, (_, origin, rest) => origin + requested + rest));
  }
  if (!headers) return response;
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
