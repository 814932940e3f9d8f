/**
 * The metadata a PUT or POST stores from its headers (ObjectController._get_request_metadata
 * and POST): X-Object-Meta-*, X-Object-Sysmeta-* (PUT only), X-Object-Transient-Sysmeta-*,
 * the allowed_headers and X-Backend-Replication-Headers, under swob's header names.
 */
import type { Metadata } from "./backend.ts";
import type { HeaderDict } from "./container_update.ts";
import { setHeader } from "./container_update.ts";
import { isSysOrUserMeta, isTransientSysmeta, isUserMeta } from "./meta_keys.ts";
import type { SwobHeaders } from "./swob_headers.ts";
import { pyTitle } from "./wsgi_text.ts";

/** Copies the request's metadata headers into `metadata`; sysmeta only when `withSysmeta`. */
export function copyRequestMetadata(
  metadata: Metadata,
  headers: SwobHeaders,
  allowedHeaders: ReadonlySet<string>,
  withSysmeta: boolean,
): void {
  for (const [key, value] of headers.entries()) {
    const isMeta = withSysmeta ? isSysOrUserMeta(key) : isUserMeta(key);
    if (isMeta || isTransientSysmeta(key)) metadata[key] = value;
  }
  const extra = (headers.get("X-Backend-Replication-Headers") ?? "").split(/\s+/).filter(Boolean);
  for (const name of [...extra, ...allowedHeaders]) {
    const value = headers.get(name);
    if (value !== undefined) metadata[pyTitle(name)] = value;
  }
}

const OVERRIDE_PREFIXES = [
  "x-backend-container-update-override-",
  "x-object-sysmeta-container-update-override-",
];

/**
 * _check_container_override(): X-Backend-Container-Update-Override-* and then
 * X-Object-Sysmeta-Container-Update-Override-* values replace the container update's X-*.
 */
export function applyContainerOverrides(
  update: HeaderDict,
  source: Iterable<[string, string]>,
): void {
  const entries = [...source];
  for (const prefix of OVERRIDE_PREFIXES) {
    for (const [key, value] of entries) {
      const lower = key.toLowerCase();
      if (lower.startsWith(prefix)) setHeader(update, lower.replaceAll(prefix, "x-"), value);
    }
  }
}
