/**
 * The part of Python's ipaddress module temp_url_ip_range needs: ip_network() (strict: no
 * host bits set; IPv4 masks as a prefix length, a netmask or a hostmask) and ip_address(),
 * with the same refusals (leading zeros in IPv4 octets, more than one "::", five-digit
 * hextets...), so a range Swift refuses is refused here too.
 */

/** An address or network: the IP version and the address as a 32- or 128-bit integer. */
interface Ip {
  readonly version: 4 | 6;
  readonly value: bigint;
}

/** A network: its address and mask. */
export interface IpNetwork extends Ip {
  readonly mask: bigint;
}

const BITS = { 4: 32n, 6: 128n } as const;
const ALL_ONES = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n } as const;

/** IPv4Address._ip_int_from_string(); undefined when invalid. */
function ipv4(text: string): bigint | undefined {
  const octets = text.split(".");
  if (octets.length !== 4) return undefined;
  let value = 0n;
  for (const octet of octets) {
    // ASCII digits only, at most three, no leading zero (it reads as octal elsewhere).
    if (!/^[0-9]{1,3}$/.test(octet) || (octet !== "0" && octet[0] === "0")) return undefined;
    const n = Number(octet);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

/** IPv6Address._ip_int_from_string() (scope id already split off); undefined when invalid. */
function ipv6(text: string): bigint | undefined {
  if (!text) return undefined;
  const parts = text.split(":");
  if (parts.length < 3) return undefined;
  if (parts[parts.length - 1].includes(".")) {
    const v4 = ipv4(parts.pop()!);
    if (v4 === undefined) return undefined;
    parts.push(((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
  }
  if (parts.length > 9) return undefined;
  let skip: number | undefined;
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i]) continue;
    if (skip !== undefined) return undefined;
    skip = i;
  }
  let hi: number;
  let lo: number;
  let skipped: number;
  if (skip !== undefined) {
    hi = skip;
    lo = parts.length - skip - 1;
    if (!parts[0] && --hi) return undefined;
    if (!parts[parts.length - 1] && --lo) return undefined;
    skipped = 8 - (hi + lo);
    if (skipped < 1) return undefined;
  } else {
    if (parts.length !== 8 || !parts[0] || !parts[7]) return undefined;
    [hi, lo, skipped] = [8, 0, 0];
  }
  const hextets = [
    ...parts.slice(0, hi),
    ...Array(skipped).fill("0"),
    ...parts.slice(parts.length - lo),
  ];
  let value = 0n;
  for (const hextet of hextets) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(hextet)) return undefined;
    value = (value << 16n) | BigInt(parseInt(hextet, 16));
  }
  return value;
}

/** IPv6Address(): a `%scope` suffix is allowed (not empty, no second "%") and ignored. */
function ipv6WithScope(text: string): bigint | undefined {
  const at = text.indexOf("%");
  if (at < 0) return ipv6(text);
  const scope = text.slice(at + 1);
  if (!scope || scope.includes("%")) return undefined;
  return ipv6(text.slice(0, at));
}

/** ip_address(): IPv4, else IPv6; undefined where Python raises ValueError. */
export function ipAddress(text: string): Ip | undefined {
  if (text.includes("/")) return undefined;
  const v4 = ipv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = ipv6WithScope(text);
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

/** _prefix_from_ip_int(): the prefix length of a contiguous mask, or undefined. */
function prefixOfMask(mask: bigint, version: 4 | 6): number | undefined {
  const bits = BITS[version];
  let zeros = 0n;
  while (zeros < bits && ((mask >> zeros) & 1n) === 0n) zeros++;
  const prefix = bits - zeros;
  return (mask >> zeros) === (1n << prefix) - 1n ? Number(prefix) : undefined;
}

/** _make_netmask(): a prefix length in ASCII digits, or (IPv4 only) a netmask or hostmask. */
function prefixOf(text: string, version: 4 | 6): number | undefined {
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    return n <= Number(BITS[version]) ? n : undefined;
  }
  if (version === 6) return undefined;
  const mask = ipv4(text);
  if (mask === undefined) return undefined;
  return prefixOfMask(mask, 4) ?? prefixOfMask(mask ^ ALL_ONES[4], 4);
}

function network(text: string, version: 4 | 6): IpNetwork | undefined {
  const parts = text.split("/");
  if (parts.length > 2) return undefined;
  const value = version === 4
    ? (parts[0].includes("/") ? undefined : ipv4(parts[0]))
    : ipv6WithScope(parts[0]);
  if (value === undefined) return undefined;
  const prefix = parts.length === 2 ? prefixOf(parts[1], version) : Number(BITS[version]);
  if (prefix === undefined) return undefined;
  const mask = ALL_ONES[version] ^ ((1n << (BITS[version] - BigInt(prefix))) - 1n);
  // strict=True: "10.0.0.1/8" names a host, not a network.
  if ((value & mask) !== value) return undefined;
  return { version, value, mask };
}

/** ip_network(text) with strict=True: IPv4, else IPv6; undefined where Python raises. */
export function ipNetwork(text: string): IpNetwork | undefined {
  return network(text, 4) ?? network(text, 6);
}

/** `address in network`: false across IP versions. */
export function networkContains(net: IpNetwork, address: Ip): boolean {
  return net.version === address.version && (address.value & net.mask) === net.value;
}
