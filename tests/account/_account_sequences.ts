/**
 * Generated account-server request sequences: accounts created, updated with metadata,
 * deleted and re-created (403 while marked deleted); container rows put with counts, put and
 * delete timestamps and policies, including for system accounts created on demand; listings
 * with random formats, Accept headers, prefixes, delimiters, markers, reverse and limits;
 * and the requests Swift refuses.
 */
import { SeededRandom } from "../_helpers/random.ts";
import { quotePath, wireText } from "../container/_container_sequences.ts";
import type { WireRequest } from "../container/_harness.ts";

const PIECES = ["a", "b", "é", "-", "😀", " ", "<&>", "z", "%", "x\"y'", "/"];
const FORMATS = [undefined, "json", "xml", "plain", "XML", "nope"];
const ACCEPTS = [
  undefined,
  "application/json",
  "application/xml",
  "text/xml",
  "text/plain;q=0.1, application/json;q=0.2",
  "*/*;q=0",
  "image/png",
  "bad header",
];

function containerName(rng: SeededRandom): string {
  let name = "";
  const length = rng.int(1, 4);
  for (let i = 0; i < length; i++) name += rng.pick(PIECES);
  // A "/" would make the name an object path; keep it inside other characters only.
  return name.replaceAll("/", "-");
}

function timestamp(clock: { t: number }, rng: SeededRandom): string {
  clock.t += rng.chance(0.15) ? -rng.int(1, 3) : rng.int(1, 3);
  const value = 1700000000 + clock.t + rng.pick([0, 0.5, 0.00001]);
  return value.toFixed(5);
}

function listingQuery(rng: SeededRandom, names: string[]): string {
  const params: string[] = [];
  const pick = () =>
    rng.chance(0.7) && names.length
      ? Array.from(rng.pick(names)).slice(0, rng.int(0, 3)).join("")
      : containerName(rng);
  const format = rng.pick(FORMATS);
  if (format) params.push(`format=${format}`);
  if (rng.chance(0.3)) params.push(`prefix=${encodeURIComponent(pick())}`);
  if (rng.chance(0.35)) params.push(`delimiter=${encodeURIComponent(rng.pick(["-", "é", "a"]))}`);
  if (rng.chance(0.25)) params.push(`marker=${encodeURIComponent(pick())}`);
  if (rng.chance(0.2)) params.push(`end_marker=${encodeURIComponent(pick())}`);
  if (rng.chance(0.3)) params.push(`reverse=${rng.pick(["true", "yes", "false"])}`);
  if (rng.chance(0.3)) params.push(`limit=${rng.pick(["0", "1", "3", "40", "41", "x"])}`);
  if (rng.chance(0.03)) params.push("delimiter=%FF");
  return params.length ? `?${params.join("&")}` : "";
}

/** One sequence of requests on an account of its own (`tag` keeps names apart). */
export function accountSequence(seed: number, tag: string): WireRequest[] {
  const rng = new SeededRandom(seed);
  const clock = { t: seed * 100 };
  const account = rng.chance(0.25) ? `.auto${tag}` : `AUTH_${rng.pick(["t", "é", "x y"])}${tag}`;
  const base = `/sda/${rng.int(0, 3)}/${quotePath(account)}`;
  const names: string[] = [];
  const out: WireRequest[] = [];
  const steps = rng.int(6, 18);
  for (let step = 0; step < steps; step++) {
    const roll = rng.next();
    const headers: [string, string][] = [];
    if (roll < 0.15) {
      headers.push(["X-Timestamp", timestamp(clock, rng)]);
      if (rng.chance(0.4)) {
        headers.push(["X-Account-Meta-Color", wireText(rng.pick(["blue", "é", ""]))]);
      }
      if (rng.chance(0.2)) headers.push(["X-Account-Sysmeta-Core", "1"]);
      out.push({ method: "PUT", path: base, headers });
    } else if (roll < 0.45) {
      const name = rng.chance(0.3) && names.length ? rng.pick(names) : containerName(rng);
      names.push(name);
      const put = timestamp(clock, rng);
      const deleted = rng.chance(0.25);
      headers.push(["X-Put-Timestamp", put]);
      headers.push(["X-Delete-Timestamp", deleted ? timestamp(clock, rng) : "0"]);
      headers.push(["X-Object-Count", String(deleted && rng.chance(0.7) ? 0 : rng.int(0, 20))]);
      headers.push(["X-Bytes-Used", String(rng.int(0, 9000))]);
      if (rng.chance(0.6)) {
        headers.push(["X-Backend-Storage-Policy-Index", rng.pick(["0", "1", "2", "5"])]);
      }
      // A system account created by this row is created at X-Timestamp, else at "now".
      if (account.startsWith(".") || rng.chance(0.3)) {
        headers.push(["X-Timestamp", timestamp(clock, rng)]);
      }
      if (rng.chance(0.3)) headers.push(["X-Trans-Id", "tx1"]);
      if (rng.chance(0.1)) headers.push(["X-Account-Override-Deleted", "yes"]);
      out.push({ method: "PUT", path: `${base}/${quotePath(name)}`, headers });
    } else if (roll < 0.72) {
      const accept = rng.pick(ACCEPTS);
      if (accept) headers.push(["Accept", accept]);
      out.push({ method: "GET", path: base + listingQuery(rng, names), headers });
    } else if (roll < 0.8) {
      out.push({ method: "HEAD", path: base, headers });
    } else if (roll < 0.88) {
      headers.push(["X-Timestamp", timestamp(clock, rng)]);
      headers.push(["X-Account-Meta-Color", wireText(rng.pick(["red", "", "grün"]))]);
      out.push({ method: "POST", path: base, headers });
    } else if (roll < 0.94) {
      headers.push(["X-Timestamp", timestamp(clock, rng)]);
      out.push({ method: "DELETE", path: base, headers });
    } else {
      out.push(rng.pick<WireRequest>([
        { method: "PUT", path: base, headers: [["X-Timestamp", "bad"]] },
        { method: "DELETE", path: base, headers: [] },
        { method: "POST", path: base, headers: [] },
        { method: "GET", path: `/sdz/1/${quotePath(account)}`, headers: [] },
        { method: "GET", path: `/sda/1`, headers: [] },
        { method: "GET", path: `${base}/c`, headers: [] },
        { method: "HEAD", path: `${base}%C3`, headers: [] },
        { method: "OPTIONS", path: base, headers: [] },
        { method: "UPDATE", path: base, headers: [] },
        { method: "PUT", path: `${base}/c`, headers: [["X-Put-Timestamp", "1"]] },
        { method: "PUT", path: `/sda/1/a%00b`, headers: [["X-Timestamp", "1"]] },
        {
          method: "POST",
          path: base,
          headers: [["X-Timestamp", "1"], ["X-Account-Meta-Bad", "\xc3"]],
        },
      ]));
    }
  }
  return out;
}
