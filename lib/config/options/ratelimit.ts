/**
 * Options of `egg:swift#ratelimit` (swift/common/middleware/ratelimit.py, Swift 2.30): the keys
 * RateLimitMiddleware.__init__ and filter_factory() read, plus get_logger()'s.
 *
 * Not in the table, because their names are data: the size tiers `container_ratelimit_<size>`
 * and `container_listing_ratelimit_<size>` (requests per second for containers of at least
 * <size> objects). lib/middleware/ratelimit/limits.ts reads them from the stage's conf. For
 * the same reason the table is not `complete`: an unknown-key warning would fire on every tier.
 */
import { csv, float, int } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** `egg:swift#ratelimit`: memcached-shared request rates per account and container. */
export const RATELIMIT_FILTER = {
  name: "ratelimit",
  doc: "Slows down (then answers 498 to) writes and listings past the configured rates, " +
    "counted in memcached so that every proxy sharing it limits together; per-account " +
    "white/blacklists.",
  options: [
    option({
      key: "account_ratelimit",
      parse: float(),
      default: "0",
      doc: "Container PUTs and DELETEs per second per account; 0 disables the limit.",
    }),
    option({
      key: "max_sleep_time_seconds",
      parse: float(),
      default: "60",
      doc: "A request that would have to wait this long or longer gets 498 instead.",
    }),
    option({
      key: "log_sleep_time_seconds",
      parse: float(),
      default: "0",
      doc: "Log a warning for each wait longer than this; 0 logs none.",
    }),
    option({
      key: "clock_accuracy",
      parse: int(),
      default: "1000",
      doc: "Ticks per second the proxies' clocks agree to (1000: within a millisecond); no " +
        "rate should exceed it.",
    }),
    option({
      key: "rate_buffer_seconds",
      parse: int(),
      default: "5",
      doc: "How far behind a slow key may fall and still catch up with a burst.",
    }),
    option({
      key: "account_whitelist",
      parse: csv,
      default: "",
      doc: "Accounts never limited (deprecated: POST X-Account-Sysmeta-Global-Write-Ratelimit: " +
        "WHITELIST instead).",
    }),
    option({
      key: "account_blacklist",
      parse: csv,
      default: "",
      doc: "Accounts always answered 497 (deprecated: X-Account-Sysmeta-Global-Write-Ratelimit: " +
        "BLACKLIST instead).",
    }),
    ...LOG_OPTIONS,
  ],
  complete: false,
} as const satisfies OptionTable;
