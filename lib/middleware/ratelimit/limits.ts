/**
 * The settings of egg:swift#ratelimit: the table's options plus the size tiers whose key names
 * are data (`container_ratelimit_<size> = <rate>`), read as interpret_conf_limits() and
 * get_maxrate() read them: tiers sorted by size, the rate interpolated linearly between two
 * tiers and flat after the last one, no limit below the first.
 */
import { ConfigError } from "../../config/errors.ts";
import type { ConfValue } from "../../config/ini.ts";
import { optionsOf, type StageConfig } from "../../config/load.ts";
import { RATELIMIT_FILTER } from "../../config/options/ratelimit.ts";

/** One tier: from `size` objects on, `rate(size)` requests per second. */
export interface RateTier {
  readonly size: number;
  /** The configured rate at `size`. */
  readonly rate: number;
  /** The rate for a container of `x` objects (x >= size, below the next tier). */
  readonly at: (x: number) => number;
}

/** Everything the filter reads from its section. */
export interface RateLimitSettings {
  readonly accountRatelimit: number;
  readonly maxSleepTimeSeconds: number;
  readonly logSleepTimeSeconds: number;
  readonly clockAccuracy: number;
  readonly rateBufferSeconds: number;
  readonly accountWhitelist: readonly string[];
  readonly accountBlacklist: readonly string[];
  /** container_ratelimit_<size>: object writes per container. */
  readonly containerRatelimits: readonly RateTier[];
  /** container_listing_ratelimit_<size>: container GETs. */
  readonly containerListingRatelimits: readonly RateTier[];
}

/** Python's int() of a string, or undefined where it raises ValueError. */
function pyInt(text: string): number | undefined {
  const t = text.trim();
  return /^[+-]?\d+(_\d+)*$/.test(t) ? Number(t.replaceAll("_", "")) : undefined;
}

/** Python's float() of a string, or undefined where it raises ValueError. */
export function pyFloat(text: string): number | undefined {
  const t = text.trim();
  if (/^[+-]?(inf|infinity|nan)$/i.test(t)) {
    return /nan/i.test(t) ? NaN : t.startsWith("-") ? -Infinity : Infinity;
  }
  const number = /^[+-]?((\d+(_\d+)*)(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+(_\d+)*)?$/;
  return number.test(t) ? Number(t.replaceAll("_", "")) : undefined;
}

/**
 * interpret_conf_limits(): the tiers of every `<prefix><size>` key, sorted by size then rate.
 * A size or rate Python cannot parse, or two tiers of one size (a zero-width slope), stop the
 * server as they stop Swift's proxy.
 */
export function interpretConfLimits(
  conf: ReadonlyMap<string, ConfValue>,
  prefix: string,
  where: { readonly section?: string } = {},
): RateTier[] {
  const limits: [number, number][] = [];
  for (const [key, entry] of conf) {
    if (!key.startsWith(prefix)) continue;
    const location = {
      file: entry.file,
      line: entry.line,
      section: entry.section ?? where.section,
      key,
    };
    const size = pyInt(key.slice(prefix.length));
    if (size === undefined) {
      throw new ConfigError(
        `must end with a container size (an integer), as ${prefix}100`,
        location,
      );
    }
    const rate = pyFloat(entry.value);
    if (rate === undefined) {
      throw new ConfigError(`must be a number: current value is "${entry.value}"`, location);
    }
    limits.push([size, rate]);
  }
  limits.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return limits.map(([size, rate], i): RateTier => {
    const next = limits[i + 1];
    if (!next) return { size, rate, at: () => rate };
    if (next[0] === size) {
      throw new ConfigError(
        `sets two rates for containers of ${size} objects (Swift fails with ZeroDivisionError)`,
        { section: where.section, key: `${prefix}${size}` },
      );
    }
    const slope = (next[1] - rate) / (next[0] - size);
    return { size, rate, at: (x) => (x - size) * slope + rate };
  });
}

/** get_maxrate(): the rate for a container of `size` objects, undefined when unlimited. */
export function getMaxrate(tiers: readonly RateTier[], size: number): number | undefined {
  if (!size) return undefined;
  let last: RateTier | undefined;
  for (const tier of tiers) {
    if (size < tier.size) break;
    last = tier;
  }
  return last?.at(size);
}

/** The settings of a [filter:ratelimit] stage. */
export function ratelimitSettings(stage: StageConfig): RateLimitSettings {
  const o = optionsOf(stage, RATELIMIT_FILTER);
  const where = { section: stage.section };
  return {
    accountRatelimit: o.account_ratelimit,
    maxSleepTimeSeconds: o.max_sleep_time_seconds,
    logSleepTimeSeconds: o.log_sleep_time_seconds,
    clockAccuracy: o.clock_accuracy,
    rateBufferSeconds: o.rate_buffer_seconds,
    accountWhitelist: o.account_whitelist,
    accountBlacklist: o.account_blacklist,
    containerRatelimits: interpretConfLimits(stage.conf, "container_ratelimit_", where),
    containerListingRatelimits: interpretConfLimits(
      stage.conf,
      "container_listing_ratelimit_",
      where,
    ),
  };
}
