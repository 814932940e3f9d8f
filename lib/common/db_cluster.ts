/**
 * What the account and container servers read from swift.conf: the hash path salt, the storage
 * policies (index, name, default) and the [swift-constraints] they enforce. This is a small
 * reader of its own until the shared swift.conf loader exists; the servers only see DbCluster,
 * so swapping the reader changes nothing else.
 */
import { join } from "@std/path";
import { IniDocument } from "../config/ini.ts";
import type { HashPathConfig } from "../ring/hash_path.ts";

/** One storage policy as the servers need it. */
export interface PolicyInfo {
  readonly index: number;
  /** The policy's name as configured (headers use it as written). */
  readonly name: string;
}

/** Swift's limits (swift.common.constraints) the account and container servers apply. */
export interface DbConstraints {
  readonly containerListingLimit: number;
  readonly accountListingLimit: number;
  readonly maxMetaCount: number;
  readonly maxMetaOverallSize: number;
  /** AUTO_CREATE_ACCOUNT_PREFIX: accounts that spring into existence on first use. */
  readonly autoCreateAccountPrefix: string;
}

/** The cluster-wide settings of swift.conf. */
export interface DbCluster {
  readonly hashPath: HashPathConfig;
  /** Storage policies by index. */
  readonly policies: ReadonlyMap<number, PolicyInfo>;
  /** POLICIES.default's index. */
  readonly defaultPolicy: number;
  readonly constraints: DbConstraints;
}

/** swift.common.constraints defaults. */
export const DEFAULT_DB_CONSTRAINTS: DbConstraints = {
  containerListingLimit: 10000,
  accountListingLimit: 10000,
  maxMetaCount: 90,
  maxMetaOverallSize: 4096,
  autoCreateAccountPrefix: ".",
};

/** A cluster with one policy (Policy-0) and the default constraints, for tests. */
export function defaultDbCluster(hashPath: HashPathConfig): DbCluster {
  return {
    hashPath,
    policies: new Map([[0, { index: 0, name: "Policy-0" }]]),
    defaultPolicy: 0,
    constraints: DEFAULT_DB_CONSTRAINTS,
  };
}

function intOr(doc: IniDocument, key: string, fallback: number): number {
  const raw = doc.raw("swift-constraints", key)?.value;
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`swift.conf [swift-constraints] ${key} must be an integer: "${raw}"`);
  }
  return value;
}

/** Reads `<swiftDir>/swift.conf` as Swift 2.30 does for these settings. */
export function loadDbCluster(swiftDir: string): DbCluster {
  const file = join(swiftDir, "swift.conf");
  const doc = new IniDocument({ lowercaseKeys: true });
  doc.read(Deno.readTextFileSync(file), file);
  const hash = (key: string) =>
    doc.hasSection("swift-hash") ? doc.raw("swift-hash", key)?.value ?? "" : "";
  const prefix = hash("swift_hash_path_prefix");
  const suffix = hash("swift_hash_path_suffix");
  if (!prefix && !suffix) {
    throw new RangeError(`${file} must set swift_hash_path_suffix or swift_hash_path_prefix`);
  }
  const policies = new Map<number, PolicyInfo>();
  let defaultPolicy: number | undefined;
  for (const section of doc.sections()) {
    const match = /^storage-policy:(\d+)$/.exec(section);
    if (!match) continue;
    const index = Number(match[1]);
    const name = doc.raw(section, "name")?.value ?? (index === 0 ? "Policy-0" : "");
    policies.set(index, { index, name });
    const isDefault = (doc.raw(section, "default")?.value ?? "").toLowerCase();
    if (["true", "1", "yes", "on", "t", "y"].includes(isDefault)) defaultPolicy = index;
  }
  if (!policies.size) policies.set(0, { index: 0, name: "Policy-0" });
  if (defaultPolicy === undefined) defaultPolicy = Math.min(...policies.keys());
  const has = doc.hasSection("swift-constraints");
  const d = DEFAULT_DB_CONSTRAINTS;
  return {
    hashPath: { prefix, suffix },
    policies,
    defaultPolicy,
    constraints: has
      ? {
        containerListingLimit: intOr(doc, "container_listing_limit", d.containerListingLimit),
        accountListingLimit: intOr(doc, "account_listing_limit", d.accountListingLimit),
        maxMetaCount: intOr(doc, "max_meta_count", d.maxMetaCount),
        maxMetaOverallSize: intOr(doc, "max_meta_overall_size", d.maxMetaOverallSize),
        autoCreateAccountPrefix: doc.raw("swift-constraints", "auto_create_account_prefix")
          ?.value ?? d.autoCreateAccountPrefix,
      }
      : d,
  };
}
