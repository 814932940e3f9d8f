/**
 * Options of Swift's container server app: what swift/container/server.py ContainerController
 * reads (with BaseStorageServer's replication and log_format settings), with Swift 2.30's
 * defaults. log_requests, swift_dir and fallocate_reserve are declared with the runtime and
 * storage options every server shares.
 */
import { bool, csv, seconds } from "../values.ts";
import {
  ACCESS_LINE_OPTIONS,
  AUTO_CREATE_PREFIX_OPTION,
  DB_SERVER_OPTIONS,
  DISK_OPTIONS,
} from "./storage_server.ts";
import { option } from "./option.ts";

/** Container-server settings beyond the runtime ones. */
export const CONTAINER_SERVER_OPTIONS = [
  ...DISK_OPTIONS,
  option({
    key: "node_timeout",
    parse: seconds,
    default: "3",
    doc: "Seconds to wait for an account server's answer to an account update.",
    sampleIn: "section",
  }),
  option({
    key: "conn_timeout",
    parse: seconds,
    default: "0.5",
    doc: "Seconds to wait for a connection to an account server.",
    sampleIn: "section",
  }),
  option({
    key: "allowed_sync_hosts",
    parse: csv,
    default: "127.0.0.1",
    doc: "Hosts X-Container-Sync-To may name when it is a URL rather than a realm " +
      "(container-sync-realms.conf in swift_dir).",
    sampleIn: "section",
  }),
  option({
    key: "allow_versions",
    parse: bool,
    default: "false",
    doc: "Deprecated: also store X-Versions-Location (use versioned_writes in the proxy).",
    sampleIn: "section",
  }),
  AUTO_CREATE_PREFIX_OPTION,
  ...DB_SERVER_OPTIONS,
  ...ACCESS_LINE_OPTIONS,
] as const;
