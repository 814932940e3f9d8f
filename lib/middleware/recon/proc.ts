/**
 * The /proc readers of recon (get_mounted, get_load, get_mem, get_socket_info), parsing the
 * way recon.py does with Python's str methods. A line Swift cannot unpack raises there and
 * becomes a 500; here it throws, and catch_errors makes the same 500.
 *
 * @module
 */
import { pySplit, pyStrip } from "../../config/ini.ts";
import { pageSize } from "./libc.ts";
import { PyFloat, type PyJson } from "../../common/python_json.ts";

// Python's str.isspace() set (str.pyStrip() and str.split() without arguments use it); built
// from a string because it holds control characters.
const WS =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const RSTRIP = new RegExp(`[${WS}]+$`);

function rstrip(text: string): string {
  return text.replace(RSTRIP, "");
}

/** A text file as open(path, 'r') reads it: strict UTF-8. */
async function readText(path: string): Promise<string> {
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
    await Deno.readFile(path),
  );
}

/** The lines of a text file as Python iterates it (universal newlines, endings kept off). */
function lines(text: string): string[] {
  const out = text.split(/\r\n|\r|\n/);
  if (out[out.length - 1] === "") out.pop();
  return out;
}

/** Python's int() of a /proc field. */
function pyInt(text: string): number {
  const value = pyStrip(text);
  if (!/^[+-]?\d+$/.test(value)) throw new RangeError(`invalid literal for int(): '${text}'`);
  return Number(value);
}

/** Python's float() of a /proc field. */
function pyFloat(text: string): PyFloat {
  const value = Number(pyStrip(text));
  if (Number.isNaN(value)) throw new RangeError(`could not convert string to float: '${text}'`);
  return new PyFloat(value);
}

/** get_mounted(): device and mount point of every line of /proc/mounts. */
export async function getMounted(): Promise<PyJson> {
  return lines(await readText("/proc/mounts")).map((line) => {
    const fields = pySplit(rstrip(line));
    if (fields.length !== 6) {
      throw new RangeError(`Cannot unpack /proc/mounts line "${line}" into 6 fields`);
    }
    return new Map<string, PyJson>([["device", fields[0]], ["path", fields[1]]]);
  });
}

/** get_load(): /proc/loadavg. */
export async function getLoad(): Promise<PyJson> {
  const fields = pySplit(rstrip(await readText("/proc/loadavg")));
  if (fields.length !== 5) throw new RangeError(`Cannot unpack /proc/loadavg into 5 fields`);
  const [one, five, fifteen, tasks, procs] = fields;
  return new Map<string, PyJson>([
    ["1m", pyFloat(one)],
    ["5m", pyFloat(five)],
    ["15m", pyFloat(fifteen)],
    ["tasks", tasks],
    ["processes", pyInt(procs)],
  ]);
}

/** get_mem(): every line of /proc/meminfo as "Key" -> "value kB". */
export async function getMem(): Promise<PyJson> {
  const meminfo = new Map<string, PyJson>();
  for (const line of lines(await readText("/proc/meminfo"))) {
    const entry = rstrip(line).split(":");
    if (entry.length < 2) throw new RangeError(`/proc/meminfo line "${line}" has no ":"`);
    meminfo.set(entry[0], pyStrip(entry[1]));
  }
  return meminfo;
}

/** The lines of a /proc/net file, or none when the kernel lacks it (no IPv6). */
async function procLines(path: string): Promise<string[]> {
  try {
    return lines(await readText(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

/**
 * get_socket_info(): TCP socket counts from /proc/net/sockstat and sockstat6; the kernel
 * counts TCP memory in pages, which Swift reports in bytes.
 */
export async function getSocketInfo(): Promise<PyJson> {
  const sockstat = new Map<string, PyJson>();
  for (const entry of await procLines("/proc/net/sockstat")) {
    if (!entry.startsWith("TCP: inuse")) continue;
    // "TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1"
    const tcp = pySplit(entry);
    if (tcp.length < 11) throw new RangeError(`Cannot read /proc/net/sockstat line "${entry}"`);
    sockstat.set("tcp_in_use", pyInt(tcp[2]));
    sockstat.set("orphan", pyInt(tcp[4]));
    sockstat.set("time_wait", pyInt(tcp[6]));
    sockstat.set("tcp_mem_allocated_bytes", pyInt(tcp[10]) * pageSize());
  }
  for (const entry of await procLines("/proc/net/sockstat6")) {
    if (!entry.startsWith("TCP6: inuse")) continue;
    const tcp6 = pySplit(entry);
    if (tcp6.length < 3) throw new RangeError(`Cannot read /proc/net/sockstat6 line "${entry}"`);
    sockstat.set("tcp6_in_use", pyInt(tcp6[2]));
  }
  return sockstat;
}
