/**
 * HTTP dates as swob reads and writes them: Last-Modified is written with
 * time.strftime("%a, %d %b %Y %H:%M:%S GMT"), and If-(Un)Modified-Since are read with
 * email.utils.parsedate(), which is lenient and ignores the time zone, so a date that
 * parsedate() reads differently from a strict parser must be read the same way here.
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH_NAMES = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
]; // deno-fmt-ignore
const DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function two(n: number): string {
  return String(n).padStart(2, "0");
}

/** The parts of a UTC time an HTTP date shows (%a %d %b %Y %H %M %S). */
function gmtimeParts(
  seconds: number,
): Record<"a" | "d" | "b" | "Y" | "H" | "M" | "S", string> {
  const date = new Date(Math.floor(seconds) * 1000);
  return {
    a: DAYS[date.getUTCDay()],
    d: two(date.getUTCDate()),
    b: MONTHS[date.getUTCMonth()],
    Y: String(date.getUTCFullYear()).padStart(4, "0"),
    H: two(date.getUTCHours()),
    M: two(date.getUTCMinutes()),
    S: two(date.getUTCSeconds()),
  };
}

/** time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(seconds)). */
export function formatHttpDate(seconds: number): string {
  const t = gmtimeParts(seconds);
  return `${t.a}, ${t.d} ${t.b} ${t.Y} ${t.H}:${t.M}:${t.S} GMT`;
}

const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

function pyInt(text: string | number): number | undefined {
  if (typeof text === "number") return text;
  return PY_INT.test(text) ? Number(text.trim().replaceAll("_", "")) : undefined;
}

/** email.utils.parsedate()[:6] (year, month, day, hour, minute, second), or undefined. */
function parsedate(data: string): number[] | undefined {
  let parts = data.split(/\s+/).filter(Boolean);
  if (parts.length === 0) return undefined;
  if (parts[0].endsWith(",") || DAY_NAMES.includes(parts[0].toLowerCase())) {
    parts.shift();
  } else {
    const comma = parts[0].lastIndexOf(",");
    if (comma >= 0) parts[0] = parts[0].slice(comma + 1);
  }
  if (parts.length === 3) {
    const stuff = parts[0].split("-");
    if (stuff.length === 3) parts = [...stuff, ...parts.slice(1)];
  }
  if (parts.length === 4) {
    const s = parts[3];
    let i = s.indexOf("+");
    if (i === -1) i = s.indexOf("-");
    if (i > 0) parts = [...parts.slice(0, 3), s.slice(0, i), s.slice(i)];
    else parts.push("");
  }
  if (parts.length < 5) return undefined;
  let [dd, mm, yy, tm, tz] = parts.slice(0, 5);
  if (!(dd && mm && yy)) return undefined;
  mm = mm.toLowerCase();
  if (!MONTH_NAMES.includes(mm)) {
    [dd, mm] = [mm, dd.toLowerCase()];
    if (!MONTH_NAMES.includes(mm)) return undefined;
  }
  let month = MONTH_NAMES.indexOf(mm) + 1;
  if (month > 12) month -= 12;
  if (dd.endsWith(",")) dd = dd.slice(0, -1);
  if (yy.indexOf(":") > 0) [yy, tm] = [tm, yy];
  if (yy.endsWith(",")) {
    yy = yy.slice(0, -1);
    if (!yy) return undefined;
  }
  if (!/^\d/.test(yy)) [yy, tz] = [tz, yy];
  if (tm.endsWith(",")) tm = tm.slice(0, -1);
  let clock: (string | number)[] = tm.split(":");
  if (clock.length === 2) clock = [...clock, "0"];
  else if (clock.length === 1 && String(clock[0]).includes(".")) {
    clock = String(clock[0]).split(".");
    if (clock.length === 2) clock = [...clock, 0];
    else if (clock.length !== 3) return undefined;
  } else if (clock.length !== 3) return undefined;
  void tz; // parsedate() drops the zone; swob compares the wall-clock values as UTC.
  const numbers = [yy, dd, ...clock].map(pyInt);
  if (numbers.some((n) => n === undefined)) return undefined;
  let [year, day, hour, minute, second] = numbers as number[];
  if (year < 100) year += year > 68 ? 1900 : 2000;
  return [year, month, day, hour, minute, second];
}

/**
 * swob's date header getter: seconds since the epoch of `value` read by parsedate() as UTC,
 * or undefined when Python's datetime() would refuse the parts.
 */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parts = parsedate(value);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second] = parts;
  if (year < 1 || year > 9999 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (hour < 0 || minute < 0 || second < 0 || day < 1) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1) return undefined; // e.g. 31 Feb
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime() / 1000;
}
