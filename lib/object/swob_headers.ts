/**
 * Request headers as swob sees them through the WSGI environ (HeaderEnvironProxy): a name is
 * looked up by its environ key (upper case, `-` as `_`), so `X-Object-Meta-A_b` and
 * `x-object-meta-a-b` are one header, and listing the headers yields the names Swift stores
 * as metadata keys: `_` turned into `-` and title-cased (`X-Object-Meta-A-B`).
 */
import { pyTitle } from "./wsgi_text.ts";

/**
 * Keys already computed: every request looks up the same few dozen names, and the regex
 * replace in computeEnvironKey() was the costliest step of a small GET.
 */
const ENVIRON_KEYS = new Map<string, string>();
const ENVIRON_KEYS_MAX = 1024;

/** The WSGI environ key of a header name (header_to_environ_key()). */
export function environKey(name: string): string {
  let key = ENVIRON_KEYS.get(name);
  if (key !== undefined) return key;
  key = computeEnvironKey(name);
  // Bounded: clients choose header names, and a request path must not grow memory for good.
  if (ENVIRON_KEYS.size >= ENVIRON_KEYS_MAX) ENVIRON_KEYS.clear();
  ENVIRON_KEYS.set(name, key);
  return key;
}

function computeEnvironKey(name: string): string {
  const key = "HTTP_" + name.replace(/[a-z]/g, (c) => c.toUpperCase()).replaceAll("-", "_");
  if (key === "HTTP_CONTENT_LENGTH") return "CONTENT_LENGTH";
  if (key === "HTTP_CONTENT_TYPE") return "CONTENT_TYPE";
  return key;
}

/** The header name swob lists for an environ key (HeaderEnvironProxy.keys()). */
function swobName(key: string): string {
  if (key === "CONTENT_LENGTH") return "Content-Length";
  if (key === "CONTENT_TYPE") return "Content-Type";
  return pyTitle(key.slice(5).replaceAll("_", "-"));
}

/** A request's headers keyed like swob's `request.headers`. */
export class SwobHeaders {
  readonly #values = new Map<string, string>();

  /** Reads a Fetch Headers object; repeated names join with ",", as eventlet joins them. */
  constructor(headers?: Headers | Iterable<[string, string]>) {
    for (const [name, value] of headers ?? []) {
      const key = environKey(name);
      const previous = this.#values.get(key);
      this.#values.set(key, previous === undefined ? value : `${previous},${value}`);
    }
  }

  /** The value of `name`, any case and `-`/`_` spelling. */
  get(name: string): string | undefined {
    return this.#values.get(environKey(name));
  }

  /** Whether `name` was sent. */
  has(name: string): boolean {
    return this.#values.has(environKey(name));
  }

  /** Sets `name` (handlers rewrite X-Delete-After into X-Delete-At, as Swift does). */
  set(name: string, value: string): void {
    this.#values.set(environKey(name), value);
  }

  /** Removes `name`. */
  delete(name: string): void {
    this.#values.delete(environKey(name));
  }

  /** Every header as [swob name, value], in arrival order. */
  *entries(): IterableIterator<[string, string]> {
    for (const [key, value] of this.#values) {
      if (key.startsWith("HTTP_")) yield [swobName(key), value];
    }
    // HeaderEnvironProxy.keys() lists the two CGI variables after the HTTP_ ones.
    for (const key of ["CONTENT_LENGTH", "CONTENT_TYPE"]) {
      const value = this.#values.get(key);
      if (value !== undefined) yield [swobName(key), value];
    }
  }
}
