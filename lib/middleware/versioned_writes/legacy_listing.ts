/**
 * The archive listing legacy stack mode walks, newest version first (_listing_iter() and
 * _listing_pages_iter() in Swift 2.30's legacy.py): pre-authorized GETs of the archive
 * container with `prefix`, `marker` and `reverse=on`, page after page. A container server
 * older than 2.6 ignores `reverse`; such a listing is read whole and reversed in the proxy.
 */
import { SwobError } from "../../object/swob_status.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import { type PyJson, pythonJsonLoadsExact } from "../../common/python_json.ts";
import { drain, isSuccess, subrequest, type WsgiRequest } from "../symlink/wsgi.ts";
import { comparePy, type Versioning } from "./common.ts";
import { strToWsgi } from "./names.ts";

type Item = Map<string, PyJson>;

/** The archive container is gone: nothing to restore. */
class ListingNotFound extends Error {}

/** One page of the listing; undefined at the end. */
async function page(
  req: WsgiRequest,
  v: Versioning,
  path: string,
  query: { prefix: string; marker: string; endMarker: string; reverse: boolean },
): Promise<Item[] | undefined> {
  let qs = `prefix=${wsgiQuote(query.prefix)}&marker=${wsgiQuote(query.marker)}`;
  if (query.endMarker) qs += `&end_marker=${wsgiQuote(query.endMarker)}`;
  if (query.reverse) qs += "&reverse=on";
  const list = subrequest(req, {
    method: "GET",
    path: `${wsgiQuote(path)}?${qs}`,
    swiftSource: "VW",
    preAuthed: true,
  });
  const resp = await list.send(v.next);
  if (!isSuccess(resp.status)) {
    await drain(resp);
    if (resp.status === 404) throw new ListingNotFound();
    if (resp.status >= 400 && resp.status < 500) throw new SwobError(412);
    throw new SwobError(500);
  }
  const body = new Uint8Array(await resp.arrayBuffer());
  if (!body.length) return undefined;
  const listing = pythonJsonLoadsExact(new TextDecoder().decode(body)) as Item[];
  return listing.length ? listing : undefined;
}

function nameOf(item: Item): string {
  return strToWsgi(String(item.get("name")));
}

/** _in_proxy_reverse_listing(): everything up to `failedMarker`, reversed. */
async function reversedInProxy(
  req: WsgiRequest,
  v: Versioning,
  path: string,
  prefix: string,
  failedMarker: string,
  failedListing: Item[],
): Promise<Item[]> {
  const all: Item[] = [];
  let marker = "";
  if (!failedMarker) {
    // No reversed page came back yet: the failed one is the first page already.
    all.push(...failedListing);
    marker = nameOf(all[all.length - 1]);
  }
  try {
    for (;;) {
      const items = await page(req, v, path, {
        prefix,
        marker,
        endMarker: failedMarker,
        reverse: false,
      });
      if (!items) break;
      all.push(...items);
      marker = nameOf(items[items.length - 1]);
    }
  } catch (err) {
    if (!(err instanceof ListingNotFound)) throw err;
  }
  return all.reverse();
}

/** _listing_iter(): the archived versions of one object, newest first. */
export async function* listingPages(
  req: WsgiRequest,
  v: Versioning,
  account: string,
  container: string,
  prefix: string,
): AsyncGenerator<Item, void, undefined> {
  const path = `/v1/${account}/${container}`;
  let marker = "";
  try {
    for (;;) {
      const items = await page(req, v, path, { prefix, marker, endMarker: "", reverse: true });
      if (!items) return;
      const first = nameOf(items[0]);
      const last = nameOf(items[items.length - 1]);
      const afterMarker = marker && comparePy(first, marker) > 0;
      if (comparePy(first, last) < 0 || afterMarker) {
        yield* await reversedInProxy(req, v, path, prefix, marker, items);
        return;
      }
      marker = last;
      yield* items;
    }
  } catch (err) {
    if (!(err instanceof ListingNotFound)) throw err;
  }
}
