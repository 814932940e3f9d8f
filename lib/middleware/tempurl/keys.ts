/**
 * The temp URL keys of a request's account and container, as TempURL._get_keys() and
 * FormPost._get_keys() read them: X-Account-Meta-Temp-URL-Key(-2) from get_account_info()
 * and X-Container-Meta-Temp-URL-Key(-2) from get_container_info().
 *
 * The lookups go through lib/middleware/_info_lookup.ts (its module doc has the contract):
 * swift.infocache first, then memcached (swift.cache), then a pre-authorized HEAD down the
 * rest of the pipeline tagged with the filter's swift.source ("TU" or "FP"); whatever answered
 * the HEAD (the proxy, or the lookup itself) leaves the info in swift.infocache, so the
 * request that follows does not ask again.
 */
import { accountInfo, containerInfo, type InfoSource } from "../_info_lookup.ts";
import { tempurlKeysFromMetadata } from "./digest.ts";

/** The keys by scope; a URL signed with an account key may reach any container. */
export interface ScopedKeys {
  readonly account: readonly string[];
  readonly container: readonly string[];
}

/** The account's then the container's keys for `pathInfo` (a WSGI /v1/a/c[/o] path). */
export async function tempurlKeys(from: InfoSource, pathInfo: string): Promise<ScopedKeys> {
  const account = tempurlKeysFromMetadata((await accountInfo(from, pathInfo)).meta);
  const container = tempurlKeysFromMetadata((await containerInfo(from, pathInfo)).meta);
  return { account, container };
}
