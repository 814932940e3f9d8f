/**
 * Response headers as the server sent them: wire order, original case, duplicates kept.
 * Lookups are case-insensitive and join duplicates with ", " like http.client's getheader();
 * Swift code that builds a HeaderKeyDict from getheaders() (last one wins) can iterate instead.
 *
 * @module
 */

/** Headers of one response, values as latin-1 byte strings. */
export class ResponseHeaders implements Iterable<[string, string]> {
  readonly #names: string[] = [];
  readonly #lower: string[] = [];
  readonly #values: string[] = [];

  /** Appends a header; used by the response parser. */
  append(name: string, value: string): void {
    this.#names.push(name);
    this.#lower.push(name.toLowerCase());
    this.#values.push(value);
  }

  /** Appends `text` to the last header's value (obs-fold continuation); false if none yet. */
  continueLast(text: string): boolean {
    const last = this.#values.length - 1;
    if (last < 0) return false;
    this.#values[last] = this.#values[last] === "" ? text : `${this.#values[last]} ${text}`;
    return true;
  }

  /** Number of header fields, duplicates counted. */
  get size(): number {
    return this.#names.length;
  }

  /** The value of `name` (any case), duplicates joined with ", ", or null if absent. */
  get(name: string): string | null {
    const lower = name.toLowerCase();
    let found: string | null = null;
    for (let i = 0; i < this.#lower.length; i++) {
      if (this.#lower[i] !== lower) continue;
      found = found === null ? this.#values[i] : `${found}, ${this.#values[i]}`;
    }
    return found;
  }

  /** Every value of `name` (any case), in wire order. */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const all: string[] = [];
    for (let i = 0; i < this.#lower.length; i++) {
      if (this.#lower[i] === lower) all.push(this.#values[i]);
    }
    return all;
  }

  /** Whether `name` (any case) is present. */
  has(name: string): boolean {
    return this.#lower.includes(name.toLowerCase());
  }

  /** `[name, value]` pairs in wire order with the server's spelling of each name. */
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.#names.length; i++) yield [this.#names[i], this.#values[i]];
  }

  /** Same as entries(). */
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** A WHATWG Headers copy, for building a Response to a client. */
  toHeaders(): Headers {
    const headers = new Headers();
    for (let i = 0; i < this.#names.length; i++) headers.append(this.#names[i], this.#values[i]);
    return headers;
  }
}
