/**
 * Ports and listening sockets: a free port for each server, the check that a stopped server
 * left its port free, and which workers hold a listening socket on it (read from /proc, so it
 * works alike for Swift's inherited socket and swiftd's SO_REUSEPORT socket per worker).
 */
import { childrenOf } from "./procfs.ts";

/** A port nothing listens on now: bind :0, read it, close it. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function canListen(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** Waits until `port` can be bound again; throws naming the port after `timeoutMs`. */
export async function waitPortFree(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!canListen(port)) {
    if (Date.now() > deadline) {
      throw new Error(`Port ${port} is still in use ${timeoutMs} ms after its server stopped`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const TCP_LISTEN = "0A";

/** Inodes of the sockets listening on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = Deno.readTextFileSync(table);
    } catch {
      continue; // No IPv6 in this kernel or namespace.
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      if (fields[1].endsWith(`:${hexPort}`) && fields[3] === TCP_LISTEN) inodes.add(fields[9]);
    }
  }
  return inodes;
}

function holdsAny(pid: number, inodes: Set<string>): boolean {
  try {
    for (const entry of Deno.readDirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`));
        if (match && inodes.has(match[1])) return true;
      } catch {
        // The fd closed while we looked.
      }
    }
  } catch {
    // The process exited.
  }
  return false;
}

/** How many children of `parentPid` hold a socket listening on `port`. */
export function listeningWorkers(parentPid: number, port: number): number {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return 0;
  return childrenOf(parentPid).filter((child) => holdsAny(child.pid, inodes)).length;
}
