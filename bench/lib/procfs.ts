/**
 * What the bench reads from /proc: a server's worker processes (children of its parent), their
 * resident memory (VmRSS), and an identity (pid + start time) so a pid the kernel has since
 * reused for another process is never signalled.
 */

/** A process as first seen: its pid and the kernel's start time, in clock ticks since boot. */
export interface ProcessId {
  readonly pid: number;
  readonly startTime: number;
}

/** Field 22 of /proc/PID/stat, or undefined if the process is gone or a zombie. */
function startTimeOf(pid: number): number | undefined {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z") return undefined;
  return Number(fields[19]);
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** The identity of a live process, or undefined if it is gone. */
export function identify(pid: number): ProcessId | undefined {
  const startTime = startTimeOf(pid);
  return startTime === undefined ? undefined : { pid, startTime };
}

/** Whether the process seen as `id` still runs (the same one, not a reused pid). */
export function isAlive(id: ProcessId): boolean {
  return startTimeOf(id.pid) === id.startTime;
}

/** The live children of `ppid`, sorted by pid. */
export function childrenOf(ppid: number): ProcessId[] {
  const out: ProcessId[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    if (parentOf(pid) !== ppid) continue;
    const id = identify(pid);
    if (id) out.push(id);
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** Every live descendant of `pid` (children, grandchildren...). */
export function descendantsOf(pid: number): ProcessId[] {
  const out: ProcessId[] = [];
  for (const child of childrenOf(pid)) out.push(child, ...descendantsOf(child.pid));
  return out;
}

/** VmRSS of a process in KiB, or undefined if it is gone. */
export function rssKiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Sends `signal` to the process seen as `id` if it still runs; false if it was gone. */
export function signalIfAlive(id: ProcessId, signal: Deno.Signal): boolean {
  if (!isAlive(id)) return false;
  try {
    Deno.kill(id.pid, signal);
    return true;
  } catch {
    return false;
  }
}
