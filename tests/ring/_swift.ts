// Talks to real Swift 2.30 for the differential ring tests: one /usr/bin/python3 process per
// batch of questions (see _swift_oracle.py), since importing swift costs over a second.

import { fromFileUrl } from "@std/path";

/** The Debian python that has swift installed (the one on PATH may not). */
export const SWIFT_PYTHON = "/usr/bin/python3";

const ORACLE = fromFileUrl(new URL("./_swift_oracle.py", import.meta.url));

/** An account, container or object name triple as Swift's get_nodes() takes it. */
export type NameTriple = [string, string | null, string | null];

/** Runs oracle operations in one Swift process and returns their results in order. */
export async function askSwift(
  ops: readonly Record<string, unknown>[],
  opts: { cwd?: string } = {},
): Promise<unknown[]> {
  const child = new Deno.Command(SWIFT_PYTHON, {
    args: [ORACLE],
    cwd: opts.cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(ops)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) {
    throw new Error(
      `Swift oracle failed with exit code ${code}: ${new TextDecoder().decode(stderr)}`,
    );
  }
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** Hex of the UTF-8 bytes of `text`, the way the oracle takes hash prefixes and suffixes. */
export function hex(text: string | Uint8Array): string {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A ring to build with swift-ring-builder. */
export interface SwiftRingSpec {
  /** Partition power for `create`. */
  readonly partPower: number;
  /** Replica count for `create`; may be fractional. */
  readonly replicas: number;
  /** `add` arguments: "r1z1-10.0.0.1:6200/sda" and a weight. */
  readonly devices: readonly (readonly [string, number])[];
  /** Search values (e.g. "d3") removed after the first rebalance, leaving holes in `devs`. */
  readonly remove?: readonly string[];
}

/** swift-ring-builder commands that build `<dir>/<name>.ring.gz` from a spec. */
export function ringBuilderOps(dir: string, name: string, spec: SwiftRingSpec) {
  const builder = `${dir}/${name}.builder`;
  const argv = [
    [builder, "create", String(spec.partPower), String(spec.replicas), "0"],
    [builder, "add", ...spec.devices.flatMap(([dev, weight]) => [dev, String(weight)])],
    [builder, "rebalance", "--seed", "7"],
  ];
  if (spec.remove?.length) {
    argv.push([builder, "remove", ...spec.remove]);
    argv.push([builder, "rebalance", "--seed", "11"]);
  }
  return argv.map((args) => ({ op: "ringbuilder", argv: args }));
}

/** Builds rings with the real swift-ring-builder code and fails on any error exit. */
export async function buildSwiftRings(
  dir: string,
  specs: Record<string, SwiftRingSpec>,
): Promise<Record<string, string>> {
  const ops = Object.entries(specs).flatMap(([name, spec]) => ringBuilderOps(dir, name, spec));
  const results = await askSwift(ops) as { code: number; output: string }[];
  results.forEach((result, i) => {
    // Exit code 1 is swift-ring-builder's "done, with warnings" (e.g. imperfect balance).
    if (result.code > 1) {
      throw new Error(
        `swift-ring-builder ${JSON.stringify(ops[i].argv)} exited ${result.code}: ${result.output}`,
      );
    }
  });
  return Object.fromEntries(Object.keys(specs).map((name) => [name, `${dir}/${name}.ring.gz`]));
}

// Characters that stress hashing: separators, escapes, controls, accents, CJK, RTL, combining
// marks, the last BMP code points and characters outside the BMP (surrogate pairs in JS).
const ALPHABET = [
  ..."abcXYZ019-_.~ /%?#&+=;:,'\"\\\t\n",
  ..."\u0000\u007f\u0080\u00e9\u00fc\u00df\u0301\u05d0\u0627\u4e2d\u6587\u30ab\ufb01\ufffd\uffff",
  ..."\u{1f600}\u{1f4a9}\u{10348}\u{20000}\u{10ffff}",
];

/** Deterministic pseudo-random names (mulberry32), about a third each of a, a/c and a/c/o. */
export function randomNames(seed: number, count: number): NameTriple[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const word = () => {
    const length = 1 + Math.floor(next() * 24);
    let text = "";
    for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(next() * ALPHABET.length)];
    return text;
  };
  return Array.from({ length: count }, (): NameTriple => {
    const kind = Math.floor(next() * 3);
    const account = `AUTH_${word()}`;
    if (kind === 0) return [account, null, null];
    if (kind === 1) return [account, word(), null];
    return [account, word(), word()];
  });
}
