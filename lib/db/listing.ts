/**
 * The marker/prefix/delimiter walk shared by list_objects_iter and
 * list_containers_iter of Swift 2.30. SQL returns names in order; when a name
 * holds the delimiter after the prefix, the walk emits one subdir entry and
 * restarts the query just past that subdir ("<dir><delimiter + 1>"), so each
 * page costs one query per subdir rather than one row per name.
 */
import { comparePython, incrementLastCodePoint } from "./python_string.ts";
import type { SqlParam } from "./sql.ts";

/** Listing parameters as the servers pass them to Swift's brokers. */
export interface ListingQuery {
  /** Most entries to return. */
  limit: number;
  /** Only names after this one ('' for none). */
  marker?: string;
  /** Only names before this one ('' for none). */
  endMarker?: string;
  /** Only names starting with this (null for none). */
  prefix?: string | null;
  /** Roll names up to the first delimiter after the prefix (null for none). */
  delimiter?: string | null;
  /** Legacy "path" listing: prefix path + '/' and delimiter '/' without subdir entries. */
  path?: string | null;
  /** Descending order. */
  reverse?: boolean;
}

/** Name bounds for one query: SQL conditions with their arguments. */
export interface NameBounds {
  /** Conditions such as "name < CAST(? AS TEXT)". */
  conditions: string[];
  /** Arguments in the order the conditions use them. */
  args: SqlParam[];
}

/** How a broker fetches rows and shapes entries. */
export interface ListingSource<Row extends unknown[], Entry> {
  /** Rows within `bounds` in name order (descending if reverse), at most `limit`. */
  fetch(bounds: NameBounds, limit: number): Row[];
  /** The entry for one row. */
  entry(row: Row): Entry;
  /** The entry for a subdir name (ends with the delimiter). */
  subdir(name: string): Entry;
}

/** Runs Swift's listing walk for `query` over `source`. */
export function delimitedListing<Row extends unknown[], Entry>(
  query: ListingQuery,
  source: ListingSource<Row, Entry>,
): Entry[] {
  const limit = query.limit;
  const reverse = query.reverse ?? false;
  let marker = query.marker ?? "";
  let endMarker = query.endMarker ?? "";
  let prefix = query.prefix ?? null;
  let delimiter = query.delimiter ?? null;
  let path = query.path ?? null;
  if (reverse) [marker, endMarker] = [endMarker, marker];
  if (path !== null) {
    prefix = path;
    if (path) prefix = path = path.replace(/\/+$/, "") + "/";
    delimiter = "/";
  } else if (delimiter && !prefix) {
    prefix = "";
  }
  const endPrefix = prefix ? incrementLastCodePoint(prefix) : "";
  const origMarker = marker;
  let forceGte = false;
  const results: Entry[] = [];
  while (results.length < limit) {
    const bounds: NameBounds = { conditions: [], args: [] };
    if (endMarker && (!prefix || comparePython(endMarker, endPrefix) < 0)) {
      bounds.conditions.push("name < CAST(? AS TEXT)");
      bounds.args.push(endMarker);
    } else if (prefix) {
      bounds.conditions.push("name < CAST(? AS TEXT)");
      bounds.args.push(endPrefix);
    }
    if (forceGte) {
      bounds.conditions.push("name >= CAST(? AS TEXT)");
      bounds.args.push(marker);
      forceGte = false;
    } else if (marker && (!prefix || comparePython(marker, prefix) >= 0)) {
      bounds.conditions.push("name > CAST(? AS TEXT)");
      bounds.args.push(marker);
    } else if (prefix) {
      bounds.conditions.push("name >= CAST(? AS TEXT)");
      bounds.args.push(prefix);
    }
    const rows = source.fetch(bounds, limit - results.length);
    // Without a delimiter the SQL bounds already apply the prefix.
    if (prefix === null || !delimiter) return rows.map((row) => source.entry(row));
    let rowCount = 0;
    for (const row of rows) {
      rowCount += 1;
      const name = String(row[0]);
      if (reverse) endMarker = name;
      else marker = name;
      if (results.length >= limit) return results;
      // SQL bounds guarantee `name` starts with `prefix`, so UTF-16 offsets line up.
      const end = name.indexOf(delimiter, prefix.length);
      if (path !== null) {
        if (name === path) continue;
        if (end >= 0 && name.length > end + delimiter.length) {
          if (reverse) endMarker = name.slice(0, end + delimiter.length);
          else marker = name.slice(0, end) + incrementLastCodePoint(delimiter);
          break;
        }
      } else if (end >= 0) {
        if (reverse) endMarker = name.slice(0, end + delimiter.length);
        else {
          marker = name.slice(0, end) + incrementLastCodePoint(delimiter);
          forceGte = true;
        }
        const dirName = name.slice(0, end + delimiter.length);
        if (dirName !== origMarker) results.push(source.subdir(dirName));
        break;
      }
      results.push(source.entry(row));
    }
    if (!rowCount) break;
  }
  return results;
}
