/**
 * Runs the operation scripts of tests/db/swift_ops.py against swiftd's
 * brokers, and against real Swift through one /usr/bin/python3 process per
 * script, so tests can compare the two results entry by entry.
 */
import { fromFileUrl } from "@std/path";
import { AccountBroker } from "../../lib/account/broker.ts";
import { ContainerBroker } from "../../lib/container/broker.ts";
import type { MetadataItem } from "../../lib/db/metadata.ts";
import { DatabaseSync } from "node:sqlite";

/** One broker operation; see tests/db/swift_ops.py for the fields each takes. */
export type Op =
  & { op: string; db?: string; kind?: "account" | "container" }
  & Record<string, unknown>;

/** The result of one operation: a value, or the name of the error raised. */
export type OpResult = { ok: unknown } | { error: string };

const SWIFT_OPS = fromFileUrl(new URL("./swift_ops.py", import.meta.url));

/** Runs `ops` in one Swift process and returns its results. */
export async function runSwiftOps(ops: Op[]): Promise<OpResult[]> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: [SWIFT_OPS],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({ ops })));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) {
    throw new Error(
      `swift_ops.py failed with exit code ${code}: ${new TextDecoder().decode(stderr)}`,
    );
  }
  return JSON.parse(new TextDecoder().decode(stdout));
}

const quietLogger = { error: () => {}, warning: () => {} };

function openBroker(op: Op): ContainerBroker | AccountBroker {
  const db = op.db as string;
  if ((op.kind ?? "container") === "container") {
    return new ContainerBroker(db, {
      account: (op.account as string) ?? null,
      container: (op.container as string) ?? null,
      logger: quietLogger,
    });
  }
  return new AccountBroker(db, { account: (op.account as string) ?? null, logger: quietLogger });
}

function listingQuery(op: Op) {
  return {
    limit: (op.limit as number) ?? 10000,
    marker: (op.marker as string) ?? "",
    endMarker: (op.end_marker as string) ?? "",
    prefix: (op.prefix as string | undefined) ?? null,
    delimiter: (op.delimiter as string | undefined) ?? null,
    reverse: (op.reverse as boolean) ?? false,
    allowReserved: (op.allow_reserved as boolean) ?? false,
  };
}

async function runOne(op: Op): Promise<unknown> {
  if (op.op === "rows" || op.op === "schema") return readRaw(op);
  using broker = openBroker(op);
  const c = broker as ContainerBroker;
  const a = broker as AccountBroker;
  switch (op.op) {
    case "initialize":
      await broker.initialize(
        op.put_timestamp as string | undefined,
        op.storage_policy_index as number | undefined,
      );
      return null;
    case "put_object":
      await c.putObject(op.name as string, op.timestamp as string, {
        size: op.size as number,
        contentType: op.content_type as string,
        etag: op.etag as string,
        deleted: (op.deleted as number) ?? 0,
        storagePolicyIndex: (op.storage_policy_index as number) ?? 0,
        ctypeTimestamp: (op.ctype_timestamp as string) ?? null,
        metaTimestamp: (op.meta_timestamp as string) ?? null,
      });
      return null;
    case "delete_object":
      await c.deleteObject(
        op.name as string,
        op.timestamp as string,
        (op.storage_policy_index as number) ?? 0,
      );
      return null;
    case "put_container":
      await a.putContainer(op.name as string, {
        putTimestamp: op.put_timestamp as string,
        deleteTimestamp: op.delete_timestamp as string,
        objectCount: op.object_count as number,
        bytesUsed: op.bytes_used as number,
        storagePolicyIndex: op.storage_policy_index as number,
      });
      return null;
    case "merge_items":
      // deno-lint-ignore no-explicit-any
      await broker.mergeItems(op.items as any[], (op.source as string) ?? null);
      return null;
    case "update_metadata":
      await broker.updateMetadata(
        new Map(op.updates as [string, MetadataItem][]),
        (op.validate as boolean) ?? false,
      );
      return null;
    case "delete_db":
      await broker.deleteDb(op.timestamp as string);
      return null;
    case "info":
      return await broker.getInfo();
    case "metadata":
      return [...(await broker.getMetadata()).entries()];
    case "raw_metadata":
      return await broker.getRawMetadata();
    case "is_deleted":
      return await broker.isDeleted();
    case "empty":
      return await broker.empty();
    case "policy_stats":
      return Object.entries(await broker.getPolicyStats()).map(([k, v]) => [Number(k), v])
        .sort((x, y) => x[0] as number - (y[0] as number));
    case "set_storage_policy_index":
      await c.setStoragePolicyIndex(op.policy_index as number, (op.timestamp as string) ?? null);
      return null;
    case "reported":
      await c.reported(
        op.put_timestamp as string,
        op.delete_timestamp as string,
        op.object_count as number,
        op.bytes_used as number,
      );
      return null;
    case "list_objects":
      return await c.listObjectsIter({
        ...listingQuery(op),
        path: (op.path as string | undefined) ?? null,
        storagePolicyIndex: (op.storage_policy_index as number) ?? 0,
        includeDeleted: op.include_deleted === undefined
          ? false
          : op.include_deleted as boolean | null,
      });
    case "list_containers":
      return await a.listContainersIter(listingQuery(op));
    case "items_since":
      return await broker.getItemsSince((op.start as number) ?? -1, (op.count as number) ?? 100000);
    case "reclaim": {
      const reclaimer = await broker.reclaim(
        op.age_timestamp as number,
        op.sync_timestamp as number,
      );
      return [reclaimer.reclaimed, reclaimer.getTombstoneCount()];
    }
    case "syncs":
      return await broker.getSyncs((op.incoming as boolean) ?? true);
    case "merge_syncs":
      // deno-lint-ignore no-explicit-any
      await broker.mergeSyncs(op.points as any[], (op.incoming as boolean) ?? true);
      return null;
    case "replication_info":
      return await broker.getReplicationInfo();
  }
  throw new Error(`Unknown op "${op.op}"`);
}

function readRaw(op: Op): unknown {
  const db = new DatabaseSync(op.db as string, { readOnly: true });
  try {
    if (op.op === "schema") {
      return db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").all()
        .map((row) => Object.values(row));
    }
    // node:sqlite cuts text at NUL; reading names as blobs keeps reserved names whole.
    const hasName = db.prepare(`SELECT 1 FROM pragma_table_info('${op.table}') WHERE name = 'name'`)
      .get();
    const columns = hasName ? "*, CAST(name AS BLOB) AS name" : "*";
    return db.prepare(`SELECT ${columns} FROM ${op.table} ORDER BY ROWID`).all()
      .map((row) => {
        const out: Record<string, unknown> = { ...row };
        if (out.name instanceof Uint8Array) out.name = new TextDecoder().decode(out.name);
        return out;
      });
  } finally {
    db.close();
  }
}

/** Runs `ops` against swiftd, one fresh broker per operation as a server would. */
export async function runSwiftdOps(ops: Op[]): Promise<OpResult[]> {
  const out: OpResult[] = [];
  for (const op of ops) {
    try {
      out.push({ ok: normalize(await runOne(op)) });
    } catch (err) {
      out.push({ error: (err as Error).name });
    }
  }
  return out;
}

// Results go through JSON on the Swift side; doing the same here makes
// null-prototype rows and tuples compare equal.
function normalize(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** Replaces values that legitimately differ between two runs (ids, creation times, hashes over them). */
export function maskVolatile(results: OpResult[]): OpResult[] {
  return results.map((result) => {
    if ("error" in result) return { error: "error" };
    return { ok: mask(result.ok) };
  });
}

function mask(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mask);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] =
        key === "id" || key === "created_at" && typeof item === "string" && !("name" in value)
          ? "<volatile>"
          : mask(item);
    }
    return out;
  }
  return value;
}

/** Fails when any operation raised: a script that errors everywhere would compare equal yet test nothing. */
export function assertNoErrors(results: OpResult[]): void {
  const failed = results.flatMap((result, i) =>
    "error" in result ? [`#${i}: ${result.error}`] : []
  );
  if (failed.length) throw new Error(`Operations raised errors: ${failed.join(", ")}`);
}

/**
 * Fails when more than a few operations raised. Random scripts hit a few
 * inputs Swift itself rejects (a prefix ending in U+10FFFF has no successor);
 * those must fail on both sides, which the comparison checks.
 */
export function assertFewErrors(results: OpResult[]): void {
  const failed = results.filter((result) => "error" in result).length;
  if (failed * 20 > results.length) {
    throw new Error(
      `${failed} of ${results.length} operations raised errors; the script tests too little`,
    );
  }
}
