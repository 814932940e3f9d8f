/**
 * Swift's multipart/form-data reader (swift.common.utils iter_multipart_mime_documents() and
 * _MultipartMimeFileLikeObject), ported step for step over the request body stream: the
 * same reads and buffer rules give the same parts for every input, including malformed ones
 * (a part never closed ends at the end of the body; what a reader leaves unread of a part
 * becomes the start of the next one; readline() only knows "\r\n").
 *
 * Memory stays bounded: a part's data is handed out in chunks of at most the size asked
 * for, plus one boundary of lookahead. The one place Swift buffers without limit is a
 * part's header block (a line with neither "\r\n" nor a boundary in it, or endless header
 * lines); here it stops past MAX_HEADER_BYTES with MimeHeadersTooLong, where Swift would
 * keep reading the whole body into memory.
 */

const CRLF = Uint8Array.of(0x0d, 0x0a);
const EMPTY: Uint8Array = new Uint8Array(0);

/** The most a part's header block may fill memory with (Swift has no limit). */
export const MAX_HEADER_BYTES = 1 << 20;

/** swift.common.exceptions.MimeInvalid: the body does not start with the boundary. */
export class MimeInvalid extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MimeInvalid";
  }
}

/** A part's header block grew past MAX_HEADER_BYTES. */
export class MimeHeadersTooLong extends Error {
  constructor() {
    super(`The headers of a form part are longer than ${MAX_HEADER_BYTES} bytes`);
    this.name = "MimeHeadersTooLong";
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b;
  if (!b.length) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** bytes.find(needle, start). */
export function indexOf(haystack: Uint8Array, needle: Uint8Array, start = 0): number {
  const last = haystack.length - needle.length;
  outer: for (let i = Math.max(0, start); i <= last; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/**
 * wsgi.input as eventlet gives it: read(n) returns n bytes, fewer only at the end of the
 * body; readline(limit) stops after "\n" or at `limit` bytes.
 */
export class BodyReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #pending: Uint8Array = EMPTY;
  #ended = false;

  constructor(body: ReadableStream<Uint8Array> | null) {
    this.#reader = body?.getReader();
    if (!this.#reader) this.#ended = true;
  }

  /** Buffers until `want` bytes are pending or the body ends. */
  async #fill(want: number): Promise<void> {
    while (this.#pending.length < want && !this.#ended) {
      const { done, value } = await this.#reader!.read();
      if (done) this.#ended = true;
      else this.#pending = concat(this.#pending, value);
    }
  }

  #take(n: number): Uint8Array {
    const out = this.#pending.subarray(0, n);
    this.#pending = this.#pending.subarray(n);
    return out;
  }

  /** read(n). */
  async read(n: number): Promise<Uint8Array> {
    await this.#fill(n);
    return this.#take(Math.min(n, this.#pending.length));
  }

  /** readline(limit). */
  async readline(limit: number): Promise<Uint8Array> {
    let end = this.#pending.indexOf(0x0a);
    while (end < 0 && this.#pending.length < limit && !this.#ended) {
      await this.#fill(this.#pending.length + 1);
      end = this.#pending.indexOf(0x0a);
    }
    const length = end < 0 ? this.#pending.length : end + 1;
    return this.#take(Math.min(length, limit));
  }

  /** Stops reading the body (what is left of it is not needed). */
  async cancel(): Promise<void> {
    this.#ended = true;
    await this.#reader?.cancel().catch(() => {});
  }
}

/** One part of the body: _MultipartMimeFileLikeObject. */
export class MimeDocument {
  noMoreDataForThisFile = false;
  noMoreFiles = false;
  inputBuffer: Uint8Array;
  readonly #input: BodyReader;
  readonly #boundary: Uint8Array;
  readonly #chunkSize: number;

  constructor(input: BodyReader, boundary: Uint8Array, inputBuffer: Uint8Array, chunkSize: number) {
    this.#input = input;
    this.#boundary = boundary;
    this.inputBuffer = inputBuffer;
    this.#chunkSize = chunkSize;
  }

  /** read(length): data up to the next boundary, at most `length` (0: the chunk size) bytes. */
  async read(length = 0): Promise<Uint8Array> {
    if (!length) length = this.#chunkSize;
    if (this.noMoreDataForThisFile) return EMPTY;
    // Read enough to know whether a boundary starts within the next `length` bytes.
    if (this.inputBuffer.length < length + this.#boundary.length + 2) {
      let toRead = length + this.#boundary.length + 2;
      while (toRead > 0) {
        const chunk = await this.#input.read(toRead);
        toRead -= chunk.length;
        this.inputBuffer = concat(this.inputBuffer, chunk);
        if (!chunk.length) {
          this.noMoreFiles = true;
          break;
        }
      }
    }
    const at = indexOf(this.inputBuffer, this.#boundary);
    if (at === -1 || at > length) {
      const out = this.inputBuffer.subarray(0, length);
      this.inputBuffer = this.inputBuffer.subarray(length);
      return out;
    }
    const out = this.inputBuffer.subarray(0, at);
    this.inputBuffer = this.inputBuffer.subarray(at + this.#boundary.length);
    this.noMoreFiles = this.inputBuffer[0] === 0x2d && this.inputBuffer[1] === 0x2d;
    this.noMoreDataForThisFile = true;
    this.inputBuffer = this.inputBuffer.subarray(2);
    return out;
  }

  /** readline(): up to and including the next "\r\n", or up to the boundary. */
  async readline(): Promise<Uint8Array> {
    if (this.noMoreDataForThisFile) return EMPTY;
    let boundaryAt = -1;
    let newlineAt = -1;
    let searched = -1;
    while (newlineAt < 0 && boundaryAt < 0) {
      const chunk = await this.#input.read(this.#chunkSize);
      this.inputBuffer = concat(this.inputBuffer, chunk);
      // After a first search of the whole buffer, only the new bytes (and a boundary's worth
      // before them) can hold a match.
      const from = searched < 0 ? 0 : Math.max(0, searched - this.#boundary.length);
      searched = this.inputBuffer.length;
      newlineAt = indexOf(this.inputBuffer, CRLF, from);
      boundaryAt = indexOf(this.inputBuffer, this.#boundary, from);
      if (!chunk.length) {
        this.noMoreFiles = true;
        break;
      }
      if (newlineAt < 0 && boundaryAt < 0 && this.inputBuffer.length > MAX_HEADER_BYTES) {
        throw new MimeHeadersTooLong();
      }
    }
    if (newlineAt >= 0 && (boundaryAt < 0 || newlineAt < boundaryAt)) {
      let line = EMPTY;
      let toRead = newlineAt + 2;
      while (toRead > 0) {
        const chunk = await this.read(toRead);
        if (!chunk.length) break;
        toRead -= chunk.length;
        line = concat(line, chunk);
      }
      return line;
    }
    return await this.read(this.inputBuffer.length);
  }
}

/** bytes.strip(): ASCII whitespace off both ends. */
function stripBytes(bytes: Uint8Array): Uint8Array {
  const space = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
  let start = 0;
  let end = bytes.length;
  while (start < end && space(bytes[start])) start++;
  while (end > start && space(bytes[end - 1])) end--;
  return bytes.subarray(start, end);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * iter_multipart_mime_documents(): the parts of the body, in turn; each must be read (as
 * far as the caller wants) before the next is asked for. Throws MimeInvalid when the body
 * does not start (after blank lines) with `--boundary`.
 */
export async function* iterMultipartMimeDocuments(
  input: BodyReader,
  boundary: Uint8Array,
  chunkSize = 4096,
): AsyncGenerator<MimeDocument> {
  const dashed = concat(Uint8Array.of(0x2d, 0x2d), boundary);
  const limit = dashed.length + 2;
  let got = await input.readline(limit);
  while (equal(got, CRLF)) got = await input.readline(limit);
  if (!equal(stripBytes(got), dashed)) {
    throw new MimeInvalid("invalid starting boundary");
  }
  const separator = concat(CRLF, dashed);
  let buffer: Uint8Array = EMPTY;
  let done = false;
  while (!done) {
    const doc = new MimeDocument(input, separator, buffer, chunkSize);
    yield doc;
    done = doc.noMoreFiles;
    buffer = doc.inputBuffer;
  }
}
