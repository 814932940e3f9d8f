/**
 * Encodes an HTTP/1.1 request head the way Swift's bufferedhttp (http.client) writes it:
 *
 *     PUT /sda1/123/a/c/o HTTP/1.1\r\nHost: 127.0.0.1:6200\r\nAccept-Encoding: identity\r\n...
 *
 * The path is sent verbatim (it is already quoted; normalising it would change which object
 * is addressed), headers keep their case and order, strings are written as latin-1 because
 * header values are byte strings (WSGI and Deno's Headers both carry bytes as U+0000-U+00FF).
 *
 * @module
 */
import { type Endpoint, endpointLabel, hostHeaderValue } from "./endpoint.ts";

/** Request headers: name/value pairs in wire order, or a record (insertion order). */
export type HeaderInput =
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, string | number>>;

/** What to send: method, already-quoted path (with any `?query`), and headers. */
export interface RequestHead {
  readonly method: string;
  readonly path: string;
  readonly headers?: HeaderInput;
}

/** How the request body is framed, read off the headers that were sent. */
export type RequestBodyMode = "none" | "length" | "chunked";

/** What encodeRequestHead() learned from the headers while writing them. */
export interface HeadFacts {
  /** Framing of the body that follows the head. */
  readonly bodyMode: RequestBodyMode;
  /** Declared Content-Length, or 0 when the body is not length-framed. */
  readonly contentLength: number;
  /** The request says `Connection: close`: the connection ends with this exchange. */
  readonly closeRequested: boolean;
}

/** A growable byte buffer the head is written into, reused across requests of a connection. */
export class HeadBuffer {
  /** Backing store; only `bytes[0, length)` is meaningful. */
  bytes: Uint8Array<ArrayBuffer>;
  /** Bytes written so far. */
  length = 0;
  /** Starts with `capacity` bytes; grows by doubling. */
  constructor(capacity = 4096) {
    this.bytes = new Uint8Array(capacity);
  }
  /** Makes room for `extra` more bytes. */
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
  /** Appends raw bytes. */
  append(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }
  /** The written bytes (a view, valid until the next write). */
  view(): Uint8Array<ArrayBuffer> {
    return this.bytes.subarray(0, this.length);
  }
}

/** Names the request in error messages; stringified only when one is thrown. */
type Where = { toString(): string };

// RFC 9110 tchar, the only bytes allowed in a method or header name.
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = TCHAR[c + 0x20] = 1;

/**
 * Writes the head of `head` for `endpoint` into `out` (cleared first). Adds `Host` and
 * `Accept-Encoding: identity` first, as http.client's putrequest() does, unless the caller
 * gives them. Throws TypeError for a method, path or header that cannot go on the wire.
 */
export function encodeRequestHead(
  endpoint: Endpoint,
  head: RequestHead,
  out: HeadBuffer,
): HeadFacts {
  out.length = 0;
  // Built only when something is refused: this runs once per backend request.
  const where = { toString: () => `${head.method} to "${endpointLabel(endpoint)}"` };
  writeToken(out, head.method, where, "method");
  writeByte(out, 0x20);
  writePath(out, head.path, where);
  writeAscii(out, " HTTP/1.1\r\n");
  const names: string[] = [];
  const values: string[] = [];
  collectHeaders(head.headers, names, values);
  let hasHost = false;
  let hasAcceptEncoding = false;
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  let closeRequested = false;
  for (let i = 0; i < names.length; i++) {
    const lower = names[i].toLowerCase();
    if (lower === "host") hasHost = true;
    else if (lower === "accept-encoding") hasAcceptEncoding = true;
    else if (lower === "content-length") contentLength = values[i];
    else if (lower === "transfer-encoding") transferEncoding = values[i];
    else if (lower === "connection") closeRequested ||= /(^|,)\s*close\s*(,|$)/i.test(values[i]);
  }
  if (!hasHost) writeHeader(out, "Host", hostHeaderValue(endpoint), where);
  if (!hasAcceptEncoding) writeHeader(out, "Accept-Encoding", "identity", where);
  for (let i = 0; i < names.length; i++) writeHeader(out, names[i], values[i], where);
  writeAscii(out, "\r\n");
  return { ...bodyFacts(contentLength, transferEncoding, where), closeRequested };
}

function bodyFacts(
  contentLength: string | undefined,
  transferEncoding: string | undefined,
  where: Where,
): Omit<HeadFacts, "closeRequested"> {
  if (transferEncoding !== undefined) {
    const codings = transferEncoding.toLowerCase().split(",");
    if (codings[codings.length - 1].trim() !== "chunked") {
      throw new TypeError(
        `Cannot send ${where}: Transfer-Encoding "${transferEncoding}" does not end in chunked`,
      );
    }
    if (contentLength !== undefined) {
      // A server may honour either one; sending both invites request smuggling.
      throw new TypeError(
        `Cannot send ${where}: both Content-Length "${contentLength}" and Transfer-Encoding "${transferEncoding}" are set`,
      );
    }
    return { bodyMode: "chunked", contentLength: 0 };
  }
  if (contentLength === undefined) return { bodyMode: "none", contentLength: 0 };
  if (!/^[0-9]{1,16}$/.test(contentLength)) {
    throw new TypeError(`Cannot send ${where}: Content-Length "${contentLength}" is not a number`);
  }
  const length = Number(contentLength);
  return { bodyMode: length > 0 ? "length" : "none", contentLength: length };
}

/** `input` as a fresh list of `[name, value]` pairs, values stringified. */
export function headerPairs(input: HeaderInput | undefined): [string, string][] {
  const names: string[] = [];
  const values: string[] = [];
  collectHeaders(input, names, values);
  return names.map((name, i) => [name, values[i]]);
}

function collectHeaders(input: HeaderInput | undefined, names: string[], values: string[]): void {
  if (input === undefined) return;
  if (Symbol.iterator in input) {
    for (const [name, value] of input as Iterable<readonly [string, string]>) {
      names.push(name);
      values.push(String(value));
    }
    return;
  }
  const record = input as Readonly<Record<string, string | number>>;
  for (const name in record) {
    names.push(name);
    values.push(String(record[name]));
  }
}

function writeHeader(out: HeadBuffer, name: string, value: string, where: Where): void {
  writeToken(out, name, where, "header name");
  out.reserve(value.length + 4);
  const bytes = out.bytes;
  let n = out.length;
  bytes[n++] = 0x3a;
  bytes[n++] = 0x20;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // CR and LF would end the header early (header injection); NUL is refused by servers.
    if (c > 0xff || c === 0x0a || c === 0x0d || c === 0) {
      throw new TypeError(
        `Cannot send ${where}: header "${name}" value ${JSON.stringify(value)} has character ` +
          `U+${c.toString(16).padStart(4, "0").toUpperCase()} at index ${i}`,
      );
    }
    bytes[n++] = c;
  }
  bytes[n++] = 0x0d;
  bytes[n++] = 0x0a;
  out.length = n;
}

function writeToken(out: HeadBuffer, token: string, where: Where, what: string): void {
  if (token.length === 0) throw new TypeError(`Cannot send ${where}: ${what} is empty`);
  out.reserve(token.length);
  const bytes = out.bytes;
  let n = out.length;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) {
      throw new TypeError(
        `${what} ${JSON.stringify(token)} has a non-token character at index ${i}`,
      );
    }
    bytes[n++] = c;
  }
  out.length = n;
}

function writePath(out: HeadBuffer, path: string, where: Where): void {
  if (path.length === 0) throw new TypeError(`Cannot send ${where}: path is empty`);
  out.reserve(path.length);
  const bytes = out.bytes;
  let n = out.length;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    // http.client refuses controls, space and DEL, and encodes the request line as ASCII.
    if (c <= 0x20 || c >= 0x7f) {
      throw new TypeError(
        `Cannot send ${where}: path ${JSON.stringify(path)} has character ` +
          `U+${c.toString(16).padStart(4, "0").toUpperCase()} at index ${i}; quote it first`,
      );
    }
    bytes[n++] = c;
  }
  out.length = n;
}

function writeAscii(out: HeadBuffer, text: string): void {
  out.reserve(text.length);
  const bytes = out.bytes;
  let n = out.length;
  for (let i = 0; i < text.length; i++) bytes[n++] = text.charCodeAt(i);
  out.length = n;
}

function writeByte(out: HeadBuffer, byte: number): void {
  out.reserve(1);
  out.bytes[out.length++] = byte;
}
