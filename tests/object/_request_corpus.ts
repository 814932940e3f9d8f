/**
 * Generated request sequences for the differential test against Swift's mem_server: each
 * sequence works on its own object (PUTs with metadata, overwrites with older and newer
 * timestamps, POSTs, DELETEs, GETs and HEADs with ranges and conditions, malformed requests).
 *
 * Left out on purpose, because Swift's mem_server answers them with a 500 (it has no
 * async_pending to save expirer-queue updates in): replacing or deleting an object that has
 * an X-Delete-At. Sequences that set one only read afterwards.
 */
import { SeededRandom } from "../_helpers/random.ts";

/** One request as both implementations receive it. */
export interface CorpusRequest {
  readonly method: string;
  /** The path as on the wire (percent-encoded). */
  readonly path: string;
  readonly headers: [string, string][];
  /** Base64 of the body, or null. */
  readonly body: string | null;
}

const BASE = 1700000000;
const CONTENT_TYPES = [
  "text/plain",
  "application/octet-stream",
  "image/jpeg",
  "text/html; charset=utf-8",
  "application/x-thing;swift_bytes=12345",
  "text/plain;charset=ISO-8859-1",
];

/** Percent-encodes every byte outside A-Z a-z 0-9 - . _ ~ / so URL parsers leave it alone. */
export function wirePath(bytes: Uint8Array): string {
  return Array.from(
    bytes,
    (b) =>
      /[A-Za-z0-9\-._~/]/.test(String.fromCharCode(b)) && b < 0x80
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
  ).join("");
}

function b64(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

function randomBytes(rng: SeededRandom, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.int(0, 255);
  return out;
}

function ts(seconds: number, rng?: SeededRandom): string {
  const normal = seconds.toFixed(5).padStart(16, "0");
  return rng?.chance(0.1) ? `${normal}_000000000000000${rng.int(1, 9)}` : normal;
}

function httpDate(seconds: number): string {
  return new Date(seconds * 1000).toUTCString();
}

function md5Hex(bytes: Uint8Array): Promise<string> {
  // crypto.subtle has no MD5; node:crypto does.
  return import("node:crypto").then(({ createHash }) =>
    createHash("md5").update(bytes).digest("hex")
  );
}

interface SequenceState {
  rng: SeededRandom;
  path: string;
  clock: number;
  etags: string[];
  /** Last-Modified candidates (the seconds of PUT timestamps, rounded up). */
  times: number[];
  /** Once an X-Delete-At may be stored, only reads follow. */
  readOnly: boolean;
}

function nextTimestamp(s: SequenceState): number {
  const delta = s.rng.pick([-2, -1, 0, 1, 1, 2, 3, 10]);
  const t = s.clock + delta;
  s.clock = Math.max(s.clock, t);
  return t;
}

function metaHeaders(s: SequenceState, post: boolean): [string, string][] {
  const { rng } = s;
  const out: [string, string][] = [];
  for (let i = rng.int(0, 3); i > 0; i--) {
    const name = rng.pick(["color", "Size", "a_b", "x1y", "long-name-here"]);
    out.push([`X-Object-Meta-${name}`, rng.pick(["red", "", "v\u00e9", "1 2 3", "x".repeat(40)])]);
  }
  if (rng.chance(0.3)) out.push(["X-Object-Sysmeta-Test", rng.pick(["s1", "s2"])]);
  if (rng.chance(0.2)) out.push(["X-Object-Transient-Sysmeta-T", "t"]);
  if (rng.chance(0.3)) {
    out.push(rng.pick([
      ["Content-Disposition", "attachment; filename=x"],
      ["Content-Encoding", "gzip"],
      ["Cache-Control", "no-cache"],
      ["X-Robots-Tag", "noindex"],
      ["Content-Language", "en"],
      ["Expires", "Wed, 21 Oct 2015 07:28:00 GMT"],
      ["X-Object-Manifest", "c/seg"],
      ["X-Static-Large-Object", "True"],
    ] as [string, string][]));
  }
  if (post && rng.chance(0.3)) {
    out.push(["Content-Type", rng.pick(CONTENT_TYPES)]);
    if (rng.chance(0.3)) out.push(["Content-Type-Timestamp", ts(s.clock + rng.int(-3, 1))]);
  }
  if (rng.chance(0.1)) out.push(["X-Object-Sysmeta-Container-Update-Override-Etag", "e"]);
  return out;
}

async function putRequest(s: SequenceState, clean = false): Promise<CorpusRequest> {
  const { rng } = s;
  const t = nextTimestamp(s);
  const body = randomBytes(rng, rng.pick([0, 1, 5, 100, 1000, 5000]));
  const etag = await md5Hex(body);
  const headers: [string, string][] = [["X-Timestamp", ts(t, rng)]];
  if (clean || rng.chance(0.95)) headers.push(["Content-Type", rng.pick(CONTENT_TYPES)]);
  let sent = body;
  const lengthKind = clean ? 99 : rng.int(0, 29);
  if (lengthKind === 0) {
    headers.push(["Transfer-Encoding", "chunked"]);
  } else if (lengthKind === 1 && body.length > 0) {
    // The client announces more than it sends: a disconnect (499).
    headers.push(["Content-Length", String(body.length + 3)]);
  } else if (lengthKind === 2) {
    headers.push(["Content-Length", rng.pick(["abc", "-1", "1.5"])]);
    sent = new Uint8Array();
  } else if (lengthKind !== 3) {
    headers.push(["Content-Length", String(body.length)]);
  }
  headers.push(...metaHeaders(s, false));
  const etagKind = clean ? 99 : rng.int(0, 19);
  if (etagKind === 0) headers.push(["ETag", etag]);
  if (etagKind === 1) headers.push(["ETag", `"${etag}"`]);
  if (etagKind === 2) headers.push(["ETag", "0123456789abcdef0123456789abcdef"]);
  if (etagKind === 3) headers.push(["ETag", etag.toUpperCase()]);
  if (!clean && rng.chance(0.15)) {
    headers.push(["If-None-Match", rng.pick(["*", `"${s.etags.at(-1) ?? "x"}"`, "nope"])]);
  }
  const deleteKind = clean ? 99 : rng.int(0, 29);
  if (deleteKind === 0) headers.push(["X-Delete-At", String(t - rng.int(0, 5))]);
  if (deleteKind === 1) headers.push(["X-Delete-At", rng.pick(["soon", "1.5"])]);
  if (deleteKind === 2) headers.push(["X-Delete-After", rng.pick(["0", "-5", "x"])]);
  if (deleteKind === 3) {
    headers.push(rng.chance(0.5) ? ["X-Delete-At", String(t + 5)] : ["X-Delete-After", "5"]);
    s.readOnly = true;
  }
  s.etags.push(etag);
  s.times.push(Math.ceil(t));
  return { method: "PUT", path: s.path, headers, body: sent.length ? b64(sent) : null };
}

function postRequest(s: SequenceState): CorpusRequest {
  const { rng } = s;
  const headers: [string, string][] = [["X-Timestamp", ts(nextTimestamp(s), rng)]];
  headers.push(...metaHeaders(s, true));
  const deleteKind = rng.int(0, 9);
  if (deleteKind === 0) headers.push(["X-Delete-At", String(s.clock - 1)]);
  if (deleteKind === 1) {
    headers.push(["X-Delete-At", String(s.clock + 4)]);
    s.readOnly = true;
  }
  return { method: "POST", path: s.path, headers, body: null };
}

function deleteRequest(s: SequenceState): CorpusRequest {
  const { rng } = s;
  const headers: [string, string][] = [["X-Timestamp", ts(nextTimestamp(s), rng)]];
  if (rng.chance(0.1)) headers.push(["X-If-Delete-At", rng.pick(["0", "bad", "1700000001"])]);
  return { method: "DELETE", path: s.path, headers, body: null };
}

function readRequest(s: SequenceState, method: "GET" | "HEAD"): CorpusRequest {
  const { rng } = s;
  const headers: [string, string][] = [];
  if (rng.chance(0.4)) headers.push(["X-Timestamp", ts(s.clock + rng.int(-2, 8))]);
  if (rng.chance(0.4)) {
    headers.push([
      "Range",
      rng.pick([
        "bytes=0-0",
        "bytes=0-9",
        "bytes=-5",
        "bytes=3-",
        "bytes=0-1,3-4",
        "bytes=1-2,0-0,10-20",
        "bytes=5-2",
        "bytes=99999-",
        "bytes=-0",
        "bytes=0-1,0-2,0-3,0-4",
        "bytes=9-9,8-8,7-7,6-6,5-5,4-4,3-3,2-2,1-1",
        "bytes = 0 - 3",
        "items=0-1",
        "bytes=a-b",
        "bytes=0-0,",
      ]),
    ]);
  }
  const etag = s.etags.length ? rng.pick(s.etags) : "x";
  if (rng.chance(0.2)) headers.push(["If-Match", rng.pick(["*", `"${etag}"`, etag, "nope"])]);
  if (rng.chance(0.2)) {
    headers.push(["If-None-Match", rng.pick(["*", `"${etag}"`, `"a", "${etag}"`, "nope"])]);
  }
  const time = s.times.length ? rng.pick(s.times) : BASE;
  if (rng.chance(0.2)) headers.push(["If-Modified-Since", httpDate(time + rng.int(-1, 1))]);
  if (rng.chance(0.15)) headers.push(["If-Unmodified-Since", httpDate(time + rng.int(-1, 1))]);
  if (rng.chance(0.05)) headers.push(["If-Modified-Since", "not a date"]);
  if (rng.chance(0.1)) {
    headers.push(["X-Backend-Etag-Is-At", "X-Object-Sysmeta-Test,X-Object-Sysmeta-Other"]);
  }
  if (rng.chance(0.1)) {
    headers.push(["X-Backend-Ignore-Range-If-Metadata-Present", "X-Static-Large-Object"]);
  }
  return { method, path: s.path, headers, body: null };
}

/** Requests Swift's path, timestamp and header checks refuse. */
function malformedRequest(s: SequenceState): CorpusRequest {
  const { rng } = s;
  const t = ts(nextTimestamp(s));
  const ok: [string, string][] = [["X-Timestamp", t], ["Content-Type", "text/plain"], [
    "Content-Length",
    "0",
  ]];
  const cases: (() => CorpusRequest)[] = [
    () => ({ method: "PUT", path: "/sda1/p/a/c", headers: ok, body: null }),
    () => ({ method: "GET", path: "/sda1/p/a", headers: [], body: null }),
    () => ({ method: "PUT", path: "/sda1/p/a//o", headers: ok, body: null }),
    () => ({ method: "PUT", path: "/sda1//a/c/o", headers: ok, body: null }),
    () => ({ method: "GET", path: "/sda1/p/a/c/o%FF%FE", headers: [], body: null }),
    () => ({ method: "GET", path: "/sda1/p/a/c/%00o", headers: [], body: null }),
    () => ({ method: "GET", path: "/sda1/p/%00a/c/o", headers: [], body: null }),
    () => ({
      method: "PUT",
      path: "/sda1/p/a/c/o\u00e9".replace("\u00e9", "%C3%A9"),
      headers: ok,
      body: null,
    }),
    () => ({ method: "PUT", path: "/sda1/p/a/%00c/o", headers: ok, body: null }),
    () => ({ method: "GET", path: "/sda1/p/.misplaced_objects/c/%00o", headers: [], body: null }),
    () => ({
      method: "PUT",
      path: s.path,
      headers: [["Content-Type", "a"], ["Content-Length", "0"]],
      body: null,
    }),
    () => ({ method: "DELETE", path: s.path, headers: [["X-Timestamp", "yesterday"]], body: null }),
    () => ({ method: "POST", path: s.path, headers: [["X-Timestamp", "-1"]], body: null }),
    () => ({ method: "GET", path: s.path, headers: [["X-Timestamp", "abc"]], body: null }),
    () => ({ method: "HEAD", path: s.path, headers: [["X-Timestamp", "99999999999"]], body: null }),
    () => ({
      method: "PUT",
      path: s.path,
      headers: [["X-Timestamp", t], ["Content-Length", "0"]],
      body: null,
    }),
    () => ({
      method: "PUT",
      path: s.path,
      headers: [["X-Timestamp", t], ["Content-Type", "a\u00ffb"], ["Content-Length", "0"]],
      body: null,
    }),
    () => ({
      method: "PUT",
      path: s.path,
      headers: [...ok, ["Transfer-Encoding", "gzip"]],
      body: null,
    }),
    () => ({
      method: "PUT",
      path: s.path,
      headers: [...ok, ["Transfer-Encoding", "gzip,chunked"]],
      body: null,
    }),
    () => ({
      method: "PUT",
      path: s.path,
      headers: [...ok.slice(0, 2), ["Content-Length", "9999999999999"]],
      body: null,
    }),
    () => ({ method: "PUT", path: `${s.path}${"n".repeat(1100)}`, headers: ok, body: null }),
    () => ({ method: "PUT", path: s.path, headers: [...ok, ["X-Object-Meta-", "v"]], body: null }),
    () => ({
      method: "PUT",
      path: s.path,
      headers: [...ok, [`X-Object-Meta-${"k".repeat(129)}`, "v"]],
      body: null,
    }),
    () => ({
      method: "PUT",
      path: s.path,
      headers: [...ok, ["X-Object-Meta-Big", "v".repeat(257)]],
      body: null,
    }),
    () => ({
      method: "PUT",
      path: s.path,
      headers: [
        ...ok,
        ...Array.from({ length: 91 }, (_, i) => [`X-Object-Meta-M${i}`, "v"] as [string, string]),
      ],
      body: null,
    }),
    () => ({
      method: "PUT",
      path: s.path,
      headers: [
        ...ok,
        ...Array.from(
          { length: 20 },
          (_, i) => [`X-Object-Meta-M${i}`, "v".repeat(250)] as [string, string],
        ),
      ],
      body: null,
    }),
    () => ({
      method: "PUT",
      path: s.path,
      headers: [...ok, ["X-Backend-Storage-Policy-Index", "1"]],
      body: null,
    }),
    () => ({
      method: "GET",
      path: s.path,
      headers: [["X-Backend-Storage-Policy-Index", "x"]],
      body: null,
    }),
    () => ({
      method: "GET",
      path: s.path,
      headers: [["X-Backend-Storage-Policy-Index", "0"]],
      body: null,
    }),
    () => ({ method: "BREW", path: s.path, headers: [], body: null }),
    () => ({ method: "OPTIONS", path: s.path, headers: [], body: null }),
    () => ({ method: "REPLICATE", path: "/sda1/p", headers: [], body: null }),
  ]; // deno-fmt-ignore
  return rng.pick(cases)();
}

/** `count` sequences from `seed`; sequence i works on /sda1/p/a/c/o-i (with some UTF-8). */
export async function requestCorpus(seed: number, count: number): Promise<CorpusRequest[][]> {
  const rng = new SeededRandom(seed);
  const out: CorpusRequest[][] = [];
  for (let i = 0; i < count; i++) {
    const name = new TextEncoder().encode(rng.chance(0.2) ? `obj \u00e9 ${i}` : `o-${i}`);
    const s: SequenceState = {
      rng,
      path: `/sda${rng.int(1, 3)}/${rng.int(0, 1023)}/AUTH_t/c${rng.int(0, 2)}/${wirePath(name)}`,
      clock: BASE + rng.int(0, 1000),
      etags: [],
      times: [],
      readOnly: false,
    };
    const sequence: CorpusRequest[] = [];
    if (rng.chance(0.8)) sequence.push(await putRequest(s, true));
    for (let n = rng.int(3, 9); n > 0; n--) {
      const roll = rng.int(0, 99);
      if (s.readOnly || roll >= 66) {
        sequence.push(readRequest(s, rng.chance(0.6) ? "GET" : "HEAD"));
      } else if (roll < 35) {
        sequence.push(await putRequest(s));
      } else if (roll < 50) {
        sequence.push(postRequest(s));
      } else if (roll < 60) {
        sequence.push(deleteRequest(s));
      } else {
        sequence.push(malformedRequest(s));
      }
    }
    out.push(sequence);
  }
  return out;
}
