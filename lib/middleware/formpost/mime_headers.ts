/**
 * The headers of one form part, read as Swift reads them: parse_mime_headers() (lines up to
 * a blank one, each decoded as UTF-8 or else latin-1, then Python's email parser with the
 * compat32 policy, then HeaderKeyDict: names title-cased, the first of repeated names
 * winning) and parse_content_disposition().
 */
import { pyTitle } from "../../object/wsgi_text.ts";
import { pyStrip } from "../tempurl/python_text.ts";
import { MAX_HEADER_BYTES, type MimeDocument, MimeHeadersTooLong } from "./multipart.ts";

/** email.feedparser's headerRE: a header, a continuation, or a unix "From " line. */
const HEADER_LINE = /^(From |[\x21-\x39\x3b-\x7e]*:|[\t ])/;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function latin1(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** StringIO(newline="").readlines(): lines ending in "\r\n", "\r" or "\n", endings kept. */
function splitLines(text: string): string[] {
  return text.match(/[^\r\n]*(\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/** compat32's header_source_parse(): the name, and the value with continuations joined. */
function sourceParse(lines: readonly string[]): [string, string] {
  const colon = lines[0].indexOf(":");
  const name = lines[0].slice(0, colon);
  const value = lines[0].slice(colon + 1).replace(/^[ \t]+/, "") + lines.slice(1).join("");
  return [name, value.replace(/[\r\n]+$/, "")];
}

/** FeedParser's header section: (name, value) pairs in order, as Message keeps them. */
export function parseEmailHeaders(text: string): [string, string][] {
  const lines: string[] = [];
  for (const line of splitLines(text)) {
    if (!HEADER_LINE.test(line)) break;
    lines.push(line);
  }
  const headers: [string, string][] = [];
  let last: string[] = [];
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (line[0] === " " || line[0] === "\t") {
      // A continuation of nothing is a defect Python notes and skips.
      if (last.length) last.push(line);
      continue;
    }
    if (last.length) headers.push(sourceParse(last));
    last = [];
    if (line.startsWith("From ")) {
      // A unix "From " envelope line: skipped; as the last line it starts the body.
      if (n === lines.length - 1 && n !== 0) break;
      continue;
    }
    // A line starting with ":" has no name: a defect Python notes and skips.
    if (line.indexOf(":") > 0) last = [line];
  }
  if (last.length) headers.push(sourceParse(last));
  return headers;
}

/** A HeaderKeyDict: values by str.title() name. */
export type MimeHeaders = ReadonlyMap<string, string>;

/**
 * parse_mime_headers(): reads a part's header lines, leaving the part at its body. Throws
 * MimeHeadersTooLong past MAX_HEADER_BYTES of them.
 */
export async function parseMimeHeaders(doc: MimeDocument): Promise<MimeHeaders> {
  let text = "";
  for (;;) {
    const line = await doc.readline();
    if (text.length + line.length > MAX_HEADER_BYTES) throw new MimeHeadersTooLong();
    const done = line.length === 0 || (line.length === 1 && line[0] === 0x0a) ||
      (line.length === 2 && line[0] === 0x0d && line[1] === 0x0a);
    try {
      text += strictUtf8.decode(line);
    } catch {
      text += latin1(line);
    }
    if (done) break;
  }
  const headers = new Map<string, string>();
  for (const [name, value] of parseEmailHeaders(text)) {
    // Message[name] gives the first value of a repeated name to every copy of it.
    const key = pyTitle(name);
    if (!headers.has(key)) headers.set(key, value);
  }
  return headers;
}

/** utils.ATTRIBUTES_RE (Python's `\w`, `.` and `$` spelled out for JavaScript). */
const ATTRIBUTE = /^([\p{L}\p{N}_]+)=("[^\n]*?"|[^";]+)(; ?|(?=\n?$))/u;

/** Python's str.strip('"'). */
function stripQuotes(text: string): string {
  return text.replace(/^"+/, "").replace(/"+$/, "");
}

/**
 * parse_content_disposition(): `form-data; name="file"; filename="a.txt"` -> ["form-data",
 * {name: "file", filename: "a.txt"}]; attributes are read until one does not parse.
 */
export function parseContentDisposition(header: string): [string, Map<string, string>] {
  const attributes = new Map<string, string>();
  let value = header;
  let attrs = "";
  const semicolon = header.indexOf(";");
  if (semicolon >= 0) {
    value = pyStrip(header.slice(0, semicolon));
    attrs = pyStrip(header.slice(semicolon + 1));
  }
  for (let m = ATTRIBUTE.exec(attrs); m; m = ATTRIBUTE.exec(attrs)) {
    attrs = attrs.slice(m[0].length);
    attributes.set(m[1], stripQuotes(m[2]));
    if (!m[0].length) break;
  }
  return [value, attributes];
}
