/**
 * What the account and container servers read from swift.conf: the hash path salt, the storage
 * policies (index, name, default) and the [swift-constraints] they enforce, taken from the
 * shared swift.conf loader and narrowed to what these servers use.
 */
import type { HashPathConfig } from "../ring/hash_path.ts";
import { loadSwiftConf, type SwiftConf } from "./swift_conf.ts";

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

/** The servers' view of a loaded swift.conf. */
export function dbClusterOf(conf: SwiftConf): DbCluster {
  const c = conf.constraints;
  return {
    hashPath: conf.hashPath,
    policies: new Map(conf.policies.all.map((p) => [p.index, { index: p.index, name: p.name }])),
    defaultPolicy: conf.policies.default.index,
    constraints: {
      containerListingLimit: c.containerListingLimit,
      accountListingLimit: c.accountListingLimit,
      maxMetaCount: c.maxMetaCount,
      maxMetaOverallSize: c.maxMetaOverallSize,
      autoCreateAccountPrefix: c.autoCreateAccountPrefix,
    },
  };
}

/** Reads `<swiftDir>/swift.conf` as Swift 2.30 does (ConfigError for what Swift refuses). */
export function loadDbCluster(swiftDir: string): DbCluster {
  return dbClusterOf(loadSwiftConf(swiftDir));
}
