/**
 * temp_url_expires: a Unix time, or ISO 8601 `%Y-%m-%dT%H:%M:%SZ` read with Python's
 * strptime() (one-digit fields, seconds up to 61, lower-case t/z and digits of any script
 * accepted, impossible dates refused) and timegm(); and the Expires header Swift sends,
 * strftime("%a, %d %b %Y %H:%M:%S GMT", gmtime(expires)). Integers are bigints: Python's
 * are unbounded and str(expires) is part of the signature.
 */
import { pyIntOf } from "./python_text.ts";

const D = "\\p{Nd}";
/** _strptime's regex for EXPIRES_ISO8601_FORMAT (compiled IGNORECASE). */
const ISO8601 = new RegExp(
  `^(${D}${D}${D}${D})-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]${D}|0[1-9]|[1-9]| [1-9])` +
    `T(2[0-3]|[0-1]${D}|${D}):([0-5]${D}|${D}):(6[0-1]|[0-5]${D}|${D})Z$`,
  "iu",
);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: bigint): boolean {
  return year % 4n === 0n && (year % 100n !== 0n || year % 400n === 0n);
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: bigint, month: bigint, day: bigint): bigint {
  const y = month <= 2n ? year - 1n : year;
  const era = (y >= 0n ? y : y - 399n) / 400n;
  const yoe = y - era * 400n;
  const mp = (month + 9n) % 12n;
  const doy = (153n * mp + 2n) / 5n + day - 1n;
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  return era * 146097n + doe - 719468n;
}

/** timegm(strptime(text, "%Y-%m-%dT%H:%M:%SZ")), or undefined where Python raises. */
function iso8601(text: string): bigint | undefined {
  const match = ISO8601.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((f) => pyIntOf(f)!);
  // datetime.date() refuses year 0 and days past the end of the month.
  const last = month === 2n && isLeap(year) ? 29n : BigInt(DAYS_IN_MONTH[Number(month) - 1]);
  if (year < 1n || day > last) return undefined;
  return daysFromCivil(year, month, day) * 86400n + hour * 3600n + minute * 60n + second;
}

/**
 * _get_temp_url_info()'s expires: int(text), else the ISO 8601 time, else 0; and 0 when it
 * is before `now` (seconds, fractional), so the caller refuses it.
 */
export function parseExpires(text: string, now: number): bigint {
  const expires = pyIntOf(text) ?? iso8601(text) ?? 0n;
  // An integer e is before a real t exactly when e < ceil(t).
  return expires < BigInt(Math.ceil(now)) ? 0n : expires;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** glibc's gmtime() fails (EOVERFLOW) past the year tm_year, an int, can hold. */
const MAX_YEAR = 2147483647n + 1900n;

const two = (n: bigint) => String(n).padStart(2, "0");

/**
 * The Expires header of an expiry (not before 1970): an HTTP date. Throws RangeError past
 * gmtime()'s range, where Swift's response fails with an error (a 500).
 */
export function expiresHeader(expires: bigint): string {
  const days = expires / 86400n;
  const rest = expires % 86400n;
  // civil_from_days()
  const z = days + 719468n;
  const era = z / 146097n;
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = doy - (153n * mp + 2n) / 5n + 1n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  const year = yoe + era * 400n + (month <= 2n ? 1n : 0n);
  if (year > MAX_YEAR) throw new RangeError(`Expiry ${expires} is past gmtime()'s range`);
  const weekday = WEEKDAYS[Number((days + 4n) % 7n)];
  return `${weekday}, ${two(day)} ${MONTHS[Number(month) - 1]} ${year} ` +
    `${two(rest / 3600n)}:${two((rest / 60n) % 60n)}:${two(rest % 60n)} GMT`;
}
