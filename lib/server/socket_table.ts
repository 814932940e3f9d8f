/**
 * This process's TCP sockets, found through /proc: Deno.serve owns its listening and accepted
 * sockets and exposes no file descriptors, but Swift's behaviour needs them (TCP keepalive on
 * the listener, closing idle connections). /proc/self/fd maps descriptors to socket inodes and
 * /proc/net/tcp{,6} maps inodes to addresses and states.
 */

/** One TCP socket of this process. */
export interface TcpSocket {
  readonly fd: number;
  readonly inode: string;
  /** Canonical address text (dotted IPv4, or IPv6 as a URL would write it). */
  readonly localIp: string;
  readonly localPort: number;
  readonly remoteIp: string;
  readonly remotePort: number;
  /** Kernel TCP state, e.g. "0A" (LISTEN) or "01" (ESTABLISHED). */
  readonly state: string;
  /** Bytes received that the process has not read yet (for a listener: queued connections). */
  readonly unread: number;
}

/** TCP states of include/net/tcp_states.h. */
export const TcpState = { ESTABLISHED: "01", CLOSE_WAIT: "08", LISTEN: "0A" } as const;

const SOCKET_LINK = /^socket:\[(\d+)\]$/;

/** Socket inode -> descriptor, for the descriptors this process holds now. */
function socketDescriptors(): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    try {
      const match = SOCKET_LINK.exec(Deno.readLinkSync(`/proc/self/fd/${entry.name}`));
      if (match) out.set(match[1], Number(entry.name));
    } catch {
      // The descriptor closed while we listed the directory.
    }
  }
  return out;
}

/** Decodes /proc/net/tcp's hex address: 32-bit words in host (little-endian) byte order. */
function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    for (let i = 6; i >= 0; i -= 2) bytes.push(parseInt(hex.slice(word + i, word + i + 2), 16));
  }
  if (bytes.length === 4) return bytes.join(".");
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return canonicalIp(groups.join(":"));
}

/** The address as both /proc and Deno's remoteAddr reduce to: IPv6 compressed as a URL does. */
export function canonicalIp(ip: string): string {
  if (!ip.includes(":")) return ip;
  return new URL(`http://[${ip.replace(/^\[|\]$/g, "")}]/`).hostname.slice(1, -1);
}

/**
 * TCP sockets on `port` (local side), of any state, of every process (`fd` is -1) or ours
 * (`descriptors` gives them, read only when a line is on the port).
 *
 * The tables list every socket of the network namespace, often hundreds of lines, and the
 * idle reaper reads them every few seconds under load: a line is only split once its local
 * address (the second field, `HEXIP:HEXPORT`) ends with the port.
 */
function socketsOnPort(port: number, descriptors?: () => Map<string, number>): TcpSocket[] {
  const out: TcpSocket[] = [];
  const portSuffix = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  let fds: Map<string, number> | undefined;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = Deno.readTextFileSync(table);
    } catch {
      continue; // no IPv6 in this kernel or namespace
    }
    for (let start = text.indexOf("\n") + 1; start > 0 && start < text.length;) {
      const end = text.indexOf("\n", start);
      const line = text.slice(start, end < 0 ? text.length : end);
      start = end < 0 ? text.length : end + 1;
      // "   N: LOCAL REMOTE ...": the local address follows the slot number and one space.
      const localEnd = line.indexOf(" ", line.indexOf(":") + 2);
      if (line.slice(localEnd - 5, localEnd) !== portSuffix) continue;
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const [local, remote, state, queues, inode] = [
        fields[1],
        fields[2],
        fields[3],
        fields[4],
        fields[9],
      ];
      let fd = -1;
      if (descriptors) {
        fds ??= descriptors();
        const mine = fds.get(inode);
        if (mine === undefined) continue;
        fd = mine;
      }
      const [localHex, localPortHex] = local.split(":");
      if (parseInt(localPortHex, 16) !== port) continue;
      const [remoteHex, remotePortHex] = remote.split(":");
      out.push({
        fd,
        inode,
        localIp: decodeAddress(localHex),
        localPort: port,
        remoteIp: decodeAddress(remoteHex),
        remotePort: parseInt(remotePortHex, 16),
        state,
        unread: parseInt(queues.split(":")[1], 16),
      });
    }
  }
  return out;
}

/** The inodes of the sockets this process holds now (cheap: no socket table is read). */
export function socketInodes(): Set<string> {
  return new Set(socketDescriptors().keys());
}

/** This process's TCP sockets on `port` (local side), of any state. */
export function tcpSocketsOnPort(port: number): TcpSocket[] {
  return socketsOnPort(port, socketDescriptors);
}

/** Listening sockets of any process on `port` whose address overlaps `ip` (wildcards overlap all). */
export function listenersOverlapping(ip: string, port: number): TcpSocket[] {
  const wildcard = (address: string) => address === "0.0.0.0" || address === "::";
  const wanted = canonicalIp(ip.replace(/^\[|\]$/g, ""));
  return socketsOnPort(port).filter((s) =>
    s.state === TcpState.LISTEN &&
    (wildcard(wanted) || wildcard(s.localIp) || s.localIp === wanted ||
      s.localIp === `::ffff:${wanted}`)
  );
}
