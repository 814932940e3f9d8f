/**
 * Options of `egg:swift#container_quotas` (swift/common/middleware/container_quotas.py, Swift
 * 2.30). ContainerQuotaMiddleware reads no key: the quotas live in each container's metadata
 * (X-Container-Meta-Quota-Bytes and -Count). Only get_logger()'s keys are accepted.
 */
import { LOG_OPTIONS } from "./logging.ts";
import type { OptionTable } from "./option.ts";

/** `egg:swift#container_quotas`: enforces per-container byte and object-count quotas. */
export const CONTAINER_QUOTAS_FILTER = {
  name: "container_quotas",
  doc: "Refuses object uploads beyond X-Container-Meta-Quota-Bytes or -Count with 413.",
  options: [...LOG_OPTIONS],
  complete: true,
} as const satisfies OptionTable;
