/**
 * Generated container-server request sequences: containers created with policies, metadata,
 * ACLs and sync settings; object rows put and deleted with random names (unicode, "/",
 * reserved-looking characters), sizes, content types and swift_bytes; listings with random
 * formats, Accept headers, prefixes, delimiters, markers, paths, reverse and limits; and the
 * requests Swift refuses (bad timestamps, policies, paths, parameters, methods, drives).
 */
import { SeededRandom } from "../_helpers/random.ts";
import type { WireRequest } from "./_harness.ts";

const PIECES = ["a", "b", "é", "/", "-", "😀", " ", "<&>", ".", "~", "z", "%", "\u00a0", "x\"y'"];
const CONTAINERS = ["c", "cé", "sp ace", "😀", "<x>"];
const FORMATS = [undefined, "json", "xml", "plain", "JSON", "bogus"];
const ACCEPTS = [
  undefined,
  "application/json",
  "application/xml",
  "text/xml",
  "text/plain",
  "*/*",
  "application/*;q=0.5, text/plain;q=0.1",
  "text/*;q=0.2, application/xml",
  "image/png",
  "bogus",
  "application/json;q=x",
];
const CONTENT_TYPES = [
  "text/plain",
  "application/octet-stream;swift_bytes=1234",
  "x/y; charset=utf-8; swift_bytes=7",
  "a/b;swift_bytes=oops",
  'image/jpeg;q="1;2"',
  "text/é",
];

/** Percent-encodes a name for a path (keeping "/"). */
export function quotePath(name: string): string {
  return name.split("/").map(encodeURIComponent).join("/");
}

/** A UTF-8 text as a header value (one character per byte), as clients send it. */
export function wireText(text: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(text)) out += String.fromCharCode(b);
  return out;
}

function objectName(rng: SeededRandom): string {
  let name = "";
  const length = rng.int(1, 5);
  for (let i = 0; i < length; i++) name += rng.pick(PIECES);
  // URL parsers drop "." and ".." segments (even as %2E), so no HTTP server can be sent them.
  return name.split("/").map((seg) => seg === "." || seg === ".." ? "dot" : seg).join("/");
}

function timestamp(clock: { t: number }, rng: SeededRandom): string {
  // Mostly forward in time, sometimes in the past so older updates lose.
  clock.t += rng.chance(0.15) ? -rng.int(1, 3) : rng.int(1, 3);
  const value = 1700000000 + clock.t + rng.pick([0, 0.5, 0.00001]);
  return rng.chance(0.2) ? value.toFixed(5) : String(value);
}

function listingQuery(rng: SeededRandom, names: string[]): string {
  const params: string[] = [];
  const pick = () =>
    rng.chance(0.7) && names.length
      ? Array.from(rng.pick(names)).slice(0, rng.int(0, 4)).join("")
      : objectName(rng);
  const format = rng.pick(FORMATS);
  if (format) params.push(`format=${format}`);
  if (rng.chance(0.3)) params.push(`prefix=${encodeURIComponent(pick())}`);
  if (rng.chance(0.35)) {
    params.push(`delimiter=${encodeURIComponent(rng.pick(["/", "-", "é", "a"]))}`);
  }
  if (rng.chance(0.25)) params.push(`marker=${encodeURIComponent(pick())}`);
  if (rng.chance(0.2)) params.push(`end_marker=${encodeURIComponent(pick())}`);
  if (rng.chance(0.08)) params.push(`path=${encodeURIComponent(rng.pick(["", "a", "a/", "é"]))}`);
  if (rng.chance(0.3)) params.push(`reverse=${rng.pick(["true", "on", "no", "1"])}`);
  if (rng.chance(0.3)) {
    params.push(`limit=${rng.pick(["0", "1", "2", "5", "50", "51", "abc", "-1", "%D9%A3"])}`);
  }
  if (rng.chance(0.03)) params.push("prefix=%FF");
  if (rng.chance(0.03)) params.push("marker=%C3");
  return params.length ? `?${params.join("&")}` : "";
}

/** One sequence of requests on containers of its own (`tag` keeps names apart). */
export function containerSequence(seed: number, tag: string): WireRequest[] {
  const rng = new SeededRandom(seed);
  const clock = { t: seed * 100 };
  const account = rng.chance(0.2) ? `.sys${tag}` : `a${tag}`;
  const container = `${rng.pick(CONTAINERS)}${tag}`;
  const base = `/sda/${rng.int(0, 3)}/${quotePath(account)}/${quotePath(container)}`;
  const names: string[] = [];
  const out: WireRequest[] = [];
  const steps = rng.int(6, 18);
  for (let step = 0; step < steps; step++) {
    const roll = rng.next();
    const headers: [string, string][] = [];
    if (roll < 0.18) {
      headers.push(["X-Timestamp", timestamp(clock, rng)]);
      if (rng.chance(0.4)) {
        headers.push(["X-Backend-Storage-Policy-Index", rng.pick(["0", "1", "2", "7", "x"])]);
      }
      if (rng.chance(0.2)) headers.push(["X-Backend-Storage-Policy-Default", rng.pick(["1", "2"])]);
      if (rng.chance(0.4)) {
        headers.push(["X-Container-Meta-Color", wireText(rng.pick(["blue", "bleu é", ""]))]);
      }
      if (rng.chance(0.2)) headers.push(["X-Container-Read", ".r:*"]);
      if (rng.chance(0.15)) headers.push(["X-Container-Sysmeta-Thing", "1"]);
      if (rng.chance(0.1)) headers.push(["X-Versions-Location", "v"]);
      if (rng.chance(0.1)) {
        headers.push([
          "X-Container-Sync-To",
          rng.pick([
            "http://127.0.0.1/v1/a/c",
            "ftp://x/y",
            "//r/c/a/c",
            "http://evil/a",
            "http://127.0.0.1",
          ]),
        ]);
        headers.push(["X-Container-Sync-Key", "secret"]);
      }
      out.push({ method: "PUT", path: base, headers });
    } else if (roll < 0.45) {
      const name = rng.chance(0.3) && names.length ? rng.pick(names) : objectName(rng);
      names.push(name);
      headers.push(["X-Timestamp", timestamp(clock, rng)]);
      headers.push(["X-Size", String(rng.int(0, 5000))]);
      headers.push(["X-Content-Type", wireText(rng.pick(CONTENT_TYPES))]);
      headers.push(["X-Etag", rng.pick(["d41d8cd98f00b204e9800998ecf8427e", "abc", ""])]);
      if (rng.chance(0.3)) {
        headers.push(["X-Backend-Storage-Policy-Index", rng.pick(["0", "1", "2"])]);
      }
      if (rng.chance(0.1)) headers.push(["X-Meta-Timestamp", timestamp(clock, rng)]);
      out.push({ method: "PUT", path: `${base}/${quotePath(name)}`, headers });
    } else if (roll < 0.55 && names.length) {
      headers.push(["X-Timestamp", timestamp(clock, rng)]);
      if (rng.chance(0.3)) headers.push(["X-Backend-Storage-Policy-Index", rng.pick(["0", "1"])]);
      out.push({ method: "DELETE", path: `${base}/${quotePath(rng.pick(names))}`, headers });
    } else if (roll < 0.78) {
      const accept = rng.pick(ACCEPTS);
      if (accept) headers.push(["Accept", accept]);
      if (rng.chance(0.1)) {
        headers.push(["X-Backend-Storage-Policy-Index", rng.pick(["1", "2", "9"])]);
      }
      out.push({ method: "GET", path: base + listingQuery(rng, names), headers });
    } else if (roll < 0.84) {
      out.push({ method: "HEAD", path: base + (rng.chance(0.2) ? "?format=json" : ""), headers });
    } else if (roll < 0.9) {
      headers.push(["X-Timestamp", timestamp(clock, rng)]);
      headers.push(["X-Container-Meta-Color", wireText(rng.pick(["red", "", "rot ö"]))]);
      if (rng.chance(0.2)) headers.push(["X-Container-Write", "a:b"]);
      out.push({ method: "POST", path: base, headers });
    } else if (roll < 0.95) {
      headers.push(["X-Timestamp", timestamp(clock, rng)]);
      out.push({ method: "DELETE", path: base, headers });
    } else {
      out.push(rng.pick<WireRequest>([
        { method: "PUT", path: base, headers: [["X-Timestamp", "nope"]] },
        { method: "PUT", path: base, headers: [] },
        { method: "DELETE", path: `${base}/x`, headers: [["X-Timestamp", "-1"]] },
        {
          method: "GET",
          path: `/sdz/1/${quotePath(account)}/${quotePath(container)}`,
          headers: [],
        },
        { method: "GET", path: `/sda/1/${quotePath(account)}`, headers: [] },
        { method: "GET", path: `${base}%FF`, headers: [] },
        { method: "COPY", path: base, headers: [] },
        { method: "OPTIONS", path: base, headers: [] },
        { method: "POST", path: `${base}/o`, headers: [["X-Timestamp", "1"]] },
        {
          method: "PUT",
          path: `/sda/1/${quotePath(account)}/a%00b`,
          headers: [["X-Timestamp", "1"]],
        },
        {
          method: "PUT",
          path: `${base}/o`,
          headers: [["X-Timestamp", "1"], ["X-Size", "x"], ["X-Content-Type", "t"], [
            "X-Etag",
            "e",
          ]],
        },
        {
          method: "POST",
          path: base,
          headers: [["X-Timestamp", "1"], ["X-Container-Meta-Bad", "\xff"]],
        },
        {
          method: "PUT",
          path: base,
          headers: [
            ["X-Timestamp", "1"],
            ...Array.from(
              { length: 91 },
              (_, i) => [`X-Container-Meta-K${i}`, "v"] as [string, string],
            ),
          ],
        },
      ]));
    }
  }
  return out;
}
