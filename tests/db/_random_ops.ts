/**
 * Seeded random operation scripts for differential tests: the same script
 * runs on Swift and on swiftd, and every result must match.
 */
import type { Op } from "./_ops.ts";

/** A small deterministic PRNG (LCG), so failures replay from the seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const NAME_PARTS = [
  "a",
  "b",
  "c",
  "d/",
  "/",
  "e/f",
  "é",
  "😀",
  "z",
  "-",
  "0",
  "ü/",
  "日本",
  "\u{10ffff}",
];

/** Builds random names from parts that exercise delimiters, UTF-8 ordering and astral code points. */
export function randomName(random: () => number, reserved = false): string {
  let name = reserved && random() < 0.2 ? "\u0000" : "";
  const parts = 1 + Math.floor(random() * 4);
  for (let i = 0; i < parts; i++) name += NAME_PARTS[Math.floor(random() * NAME_PARTS.length)];
  return name;
}

/** A random normal timestamp between 1 and 101 seconds, sometimes with an offset. */
export function randomTimestamp(random: () => number): string {
  const seconds = (1 + Math.floor(random() * 100) + Math.floor(random() * 4) / 4).toFixed(5);
  const normal = seconds.padStart(16, "0");
  return random() < 0.1 ? `${normal}_${"0".repeat(15)}${Math.floor(random() * 3) + 1}` : normal;
}

/** Random listing parameters (markers, prefixes, delimiters, reverse, limits). */
export function randomListing(random: () => number, names: string[]): Record<string, unknown> {
  const pick = () =>
    random() < 0.5 && names.length
      ? names[Math.floor(random() * names.length)]
      : randomName(random);
  const params: Record<string, unknown> = { limit: 1 + Math.floor(random() * 12) };
  if (random() < 0.4) params.marker = pick();
  if (random() < 0.3) params.end_marker = pick();
  if (random() < 0.4) {
    params.prefix = Array.from(pick()).slice(0, 1 + Math.floor(random() * 2)).join("");
  }
  if (random() < 0.5) params.delimiter = random() < 0.8 ? "/" : "b";
  if (random() < 0.3) params.reverse = true;
  if (random() < 0.2) params.allow_reserved = true;
  return params;
}

/** A random container script on `db`: puts, deletes, re-puts with older/newer times, metadata, listings. */
export function randomContainerOps(seed: number, db: string, count: number): Op[] {
  const random = seededRandom(seed);
  const names: string[] = [];
  const ops: Op[] = [{
    op: "initialize",
    db,
    account: "acct",
    container: "cont",
    put_timestamp: "0000000001.00000",
    storage_policy_index: 0,
  }];
  for (let i = 0; i < count; i++) {
    const r = random();
    const name = names.length && random() < 0.5
      ? names[Math.floor(random() * names.length)]
      : randomName(random, true);
    if (!names.includes(name)) names.push(name);
    const policy = random() < 0.15 ? 1 : 0;
    if (r < 0.45) {
      const op: Op = {
        op: "put_object",
        db,
        name,
        timestamp: randomTimestamp(random),
        size: Math.floor(random() * 1000),
        content_type:
          ["text/plain", "a/b;swift_bytes=12", "x/y; charset=utf-8", "t/t ; a=b; swift_bytes=3"][
            Math.floor(random() * 4)
          ],
        etag: `etag${Math.floor(random() * 5)}`,
        storage_policy_index: policy,
      };
      if (random() < 0.25) op.ctype_timestamp = randomTimestamp(random);
      if (random() < 0.25) op.meta_timestamp = randomTimestamp(random);
      ops.push(op);
    } else if (r < 0.6) {
      ops.push({
        op: "delete_object",
        db,
        name,
        timestamp: randomTimestamp(random),
        storage_policy_index: policy,
      });
    } else if (r < 0.7) {
      const key =
        ["X-Container-Meta-A", "X-Container-Meta-Ü", "X-Container-Sysmeta-Shard-Root", "123"][
          Math.floor(random() * 4)
        ];
      ops.push({
        op: "update_metadata",
        db,
        updates: [[key, [
          random() < 0.3 ? "" : `v${Math.floor(random() * 9)}é`,
          randomTimestamp(random),
        ]]],
      });
    } else if (r < 0.95) {
      ops.push({
        op: "list_objects",
        db,
        ...randomListing(random, names),
        storage_policy_index: policy,
        ...(random() < 0.1 ? { path: random() < 0.5 ? "" : "d" } : {}),
        ...(random() < 0.1 ? { include_deleted: random() < 0.5 ? true : null } : {}),
      });
    } else {
      ops.push({ op: "info", db });
    }
  }
  ops.push(
    { op: "info", db },
    { op: "metadata", db },
    { op: "raw_metadata", db },
    { op: "policy_stats", db },
    { op: "items_since", db },
    { op: "rows", db, table: "object" },
  );
  return ops;
}

/** A random account script on `db`: container puts and deletes (counts sometimes as header text), metadata, listings. */
export function randomAccountOps(seed: number, db: string, count: number): Op[] {
  const random = seededRandom(seed);
  const names: string[] = [];
  const ops: Op[] = [{
    op: "initialize",
    db,
    kind: "account",
    account: "AUTH_test",
    put_timestamp: "0000000001.00000",
  }];
  for (let i = 0; i < count; i++) {
    const r = random();
    const name = names.length && random() < 0.5
      ? names[Math.floor(random() * names.length)]
      : randomName(random, true);
    if (!names.includes(name)) names.push(name);
    if (r < 0.55) {
      const deleted = random() < 0.3;
      const objects = deleted ? 0 : Math.floor(random() * 5);
      const asText = random() < 0.5;
      ops.push({
        op: "put_container",
        db,
        kind: "account",
        name,
        put_timestamp: randomTimestamp(random),
        delete_timestamp: deleted ? randomTimestamp(random) : "0",
        object_count: asText ? String(objects) : objects,
        bytes_used: asText ? String(objects * 10) : objects * 10,
        storage_policy_index: random() < 0.2 ? 1 : 0,
      });
    } else if (r < 0.65) {
      const key = [
        "X-Account-Meta-A",
        "X-Account-Meta-Ü",
        "X-Account-Sysmeta-B",
        "7",
      ][Math.floor(random() * 4)];
      ops.push({
        op: "update_metadata",
        db,
        kind: "account",
        updates: [[key, [
          random() < 0.3 ? "" : `v${Math.floor(random() * 9)}`,
          randomTimestamp(random),
        ]]],
      });
    } else if (r < 0.95) {
      ops.push({ op: "list_containers", db, kind: "account", ...randomListing(random, names) });
    } else {
      ops.push({ op: "info", db, kind: "account" });
    }
  }
  ops.push(
    { op: "info", db, kind: "account" },
    { op: "is_deleted", db, kind: "account" },
    { op: "empty", db, kind: "account" },
    { op: "metadata", db, kind: "account" },
    { op: "policy_stats", db, kind: "account" },
    { op: "items_since", db, kind: "account" },
    { op: "rows", db, table: "container" },
    { op: "rows", db, table: "policy_stat" },
  );
  return ops;
}
