/**
 * Options of `egg:swift#account_quotas` (swift/common/middleware/account_quotas.py, Swift
 * 2.30). AccountQuotaMiddleware reads no key: the quota lives in the account's metadata
 * (X-Account-Meta-Quota-Bytes, settable by resellers only). Only get_logger()'s keys are
 * accepted.
 */
import { LOG_OPTIONS } from "./logging.ts";
import type { OptionTable } from "./option.ts";

/** `egg:swift#account_quotas`: enforces a per-account byte quota. */
export const ACCOUNT_QUOTAS_FILTER = {
  name: "account_quotas",
  doc: "Refuses object uploads beyond X-Account-Meta-Quota-Bytes with 413; only resellers " +
    "may set the quota.",
  options: [...LOG_OPTIONS],
  complete: true,
} as const satisfies OptionTable;
