/**
 * The object controller's settings, from the parsed options of its app section (Swift's
 * ObjectController.__init__) plus what swift.conf holds: storage policies, constraints and
 * the hash path salt.
 */
import type { TypedConfig } from "../config/options/option.ts";
import type { OBJECT_SERVER_OPTIONS } from "../config/options/object.ts";
import type { HashPathConfig } from "../ring/hash_path.ts";
import { DEFAULT_CONSTRAINTS, type ObjectConstraints } from "./constraints.ts";
import type { ContainerUpdateSettings } from "./container_update.ts";
import { RESERVED_DATAFILE_META } from "./meta_keys.ts";

/** The Swift release whose behaviour swiftd reproduces (OPTIONS' Server header). */
export const SWIFT_VERSION = "2.30.1";

/** Swift's AUTO_CREATE_ACCOUNT_PREFIX default. */
const AUTO_CREATE_ACCOUNT_PREFIX = ".";

/** Everything the object controller reads from its configuration. */
export interface ObjectServerSettings {
  /** Lower-case names of the headers stored besides metadata (allowed_headers). */
  readonly allowedHeaders: ReadonlySet<string>;
  readonly replicationServer: boolean;
  readonly logRequests: boolean;
  readonly logFormat: string;
  readonly logAnonymizationMethod: string;
  readonly logAnonymizationSalt: string;
  /** Seconds an upload may take. */
  readonly maxUploadTime: number;
  /** Seconds a PUT or DELETE takes at least. */
  readonly slow: number;
  readonly keepCachePrivate: boolean;
  readonly constraints: ObjectConstraints;
  /** Indexes of the storage policies of swift.conf. */
  readonly policies: ReadonlySet<number>;
  readonly updates: ContainerUpdateSettings;
}

/** What comes from swift.conf rather than the server's own config file. */
export interface ClusterSettings {
  readonly policies?: ReadonlySet<number>;
  readonly constraints?: ObjectConstraints;
  readonly hashPath?: HashPathConfig;
}

/** The parsed options the object controller reads. */
export type ObjectOptions = TypedConfig<typeof OBJECT_SERVER_OPTIONS> & {
  readonly log_requests: boolean;
};

/** The settings of ObjectController.__init__ for these options. */
export function objectServerSettings(
  options: ObjectOptions,
  cluster: ClusterSettings = {},
): ObjectServerSettings {
  const allowed = new Set<string>();
  for (const header of options.allowed_headers) {
    const name = header.trim().toLowerCase();
    // Content-Length, ETag and Deleted come from the upload itself; never from a header.
    if (name && !RESERVED_DATAFILE_META.has(name)) allowed.add(name);
  }
  const prefix = options.auto_create_account_prefix ?? AUTO_CREATE_ACCOUNT_PREFIX;
  return {
    allowedHeaders: allowed,
    replicationServer: options.replication_server,
    logRequests: options.log_requests,
    logFormat: options.log_format,
    logAnonymizationMethod: options.log_anonymization_method,
    logAnonymizationSalt: options.log_anonymization_salt,
    maxUploadTime: options.max_upload_time,
    slow: options.slow,
    keepCachePrivate: options.keep_cache_private,
    constraints: cluster.constraints ?? DEFAULT_CONSTRAINTS,
    policies: cluster.policies ?? new Set([0]),
    updates: {
      connTimeout: options.conn_timeout,
      nodeTimeout: options.node_timeout,
      containerUpdateTimeout: options.container_update_timeout,
      expiringObjectsAccount: prefix +
        (options.expiring_objects_account_name || "expiring_objects"),
      expiringObjectsContainerDivisor: options.expiring_objects_container_divisor,
      hashPath: cluster.hashPath ?? { prefix: "", suffix: "" },
    },
  };
}
