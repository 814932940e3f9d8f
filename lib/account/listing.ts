/**
 * What the account server answers HEAD and GET with (swift/account/utils.py
 * get_response_headers and account_listing_response): the account's counts, per-policy
 * counts for the policies swift.conf names, metadata, and the container listing.
 */
import { strToWsgi } from "../common/db_server.ts";
import type { DbCluster } from "../common/db_cluster.ts";
import { accountToXml, type ListingRecord, listingToText } from "../common/listing_formats.ts";
import { Timestamp } from "../common/timestamp.ts";
import { type PyJson, pythonJsonDumps } from "../common/python_json.ts";
import { swobResponse } from "../object/swob_response.ts";
import type { SwobRequest } from "../object/swob_request.ts";
import type { AccountBroker, ContainerListingEntry } from "./broker.ts";

/** get_response_headers(). */
export async function accountHeaders(
  broker: AccountBroker,
  cluster: DbCluster,
): Promise<[string, string][]> {
  const info = await broker.getInfo();
  const headers: [string, string][] = [
    ["X-Account-Container-Count", String(info.container_count)],
    ["X-Account-Object-Count", String(info.object_count)],
    ["X-Account-Bytes-Used", String(info.bytes_used)],
    ["X-Timestamp", new Timestamp(info.created_at).normal],
    ["X-PUT-Timestamp", new Timestamp(info.put_timestamp).normal],
  ];
  for (const [index, stats] of Object.entries(await broker.getPolicyStats())) {
    const policy = cluster.policies.get(Number(index));
    if (!policy) continue;
    for (const [key, value] of Object.entries(stats)) {
      headers.push([
        `X-Account-Storage-Policy-${policy.name}-${key.replaceAll("_", "-")}`,
        String(value),
      ]);
    }
  }
  for (const [key, [value]] of await broker.getMetadata()) {
    if (value !== "") headers.push([strToWsgi(key), strToWsgi(value)]);
  }
  return headers;
}

/** The listing dicts: {name, count, bytes, last_modified} or {subdir}. */
function records(entries: readonly ContainerListingEntry[]): ListingRecord[] {
  return entries.map(([name, count, bytes, putTimestamp, isSubdir]) =>
    isSubdir ? { subdir: name } : {
      name,
      fields: [
        ["name", name],
        ["count", String(count)],
        ["bytes", String(bytes)],
        ["last_modified", new Timestamp(putTimestamp).isoformat],
      ],
    }
  );
}

function json(listing: readonly ListingRecord[]): string {
  return pythonJsonDumps(listing.map((record): PyJson => {
    if ("subdir" in record) return new Map([["subdir", record.subdir]]);
    const f = Object.fromEntries(record.fields);
    return new Map<string, PyJson>([
      ["name", f.name],
      ["count", Number(f.count)],
      ["bytes", Number(f.bytes)],
      ["last_modified", f.last_modified],
    ]);
  }));
}

/** account_listing_response(): 200 with the listing, 204 for an empty plain-text one. */
export function accountListingResponse(
  req: SwobRequest,
  listing: { type: string; account: string; entries: readonly ContainerListingEntry[] },
  headers: [string, string][],
): Response {
  const data = records(listing.entries);
  const type = listing.type;
  const body = type.endsWith("/xml")
    ? accountToXml(data, listing.account)
    : type.endsWith("/json")
    ? json(data)
    : data.length
    ? listingToText(data)
    : undefined;
  return swobResponse(req, {
    status: body === undefined ? 204 : 200,
    headers: [...headers, ["Content-Type", `${type}; charset=utf-8`]],
    body,
  });
}
