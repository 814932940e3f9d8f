/**
 * Options of Swift's account server app: what swift/account/server.py AccountController reads
 * (with BaseStorageServer's replication and log_format settings), with Swift 2.30's defaults.
 * log_requests, swift_dir and fallocate_reserve are declared with the runtime and storage
 * options every server shares.
 */
import {
  ACCESS_LINE_OPTIONS,
  AUTO_CREATE_PREFIX_OPTION,
  DB_SERVER_OPTIONS,
  DISK_OPTIONS,
} from "./storage_server.ts";

/** Account-server settings beyond the runtime ones. */
export const ACCOUNT_SERVER_OPTIONS = [
  ...DISK_OPTIONS,
  AUTO_CREATE_PREFIX_OPTION,
  ...DB_SERVER_OPTIONS,
  ...ACCESS_LINE_OPTIONS,
] as const;
