/**
 * What tempurl changes in the headers of a request it lets through and of the answer: the
 * incoming_/outgoing_ remove and allow lists (an allow entry wins over a remove entry; a
 * trailing `*` matches a prefix), the headers a temp URL may never send on a write, and
 * Content-Disposition.
 *
 * Swift matches request headers by their WSGI environ keys (`HTTP_X_FOO_BAR`, with
 * CONTENT_TYPE and CONTENT_LENGTH unprefixed), so `X-Foo_Bar` and `x-foo-bar` are the same
 * header to it; response headers are matched by their str.title() form.
 */
import { pyQuote, pyTitle } from "../../object/wsgi_text.ts";

/** header_to_environ_key(). */
export function environKey(header: string): string {
  const key = `HTTP_${header.toUpperCase().replaceAll("-", "_")}`;
  if (key === "HTTP_CONTENT_LENGTH") return "CONTENT_LENGTH";
  if (key === "HTTP_CONTENT_TYPE") return "CONTENT_TYPE";
  return key;
}

/** One remove/allow pair of lists, split into exact names and `*` prefixes. */
export class HeaderRules {
  readonly #remove: Set<string>;
  readonly #removePrefixes: string[];
  readonly #allow: Set<string>;
  readonly #allowPrefixes: string[];

  /** `normalize` turns a configured name into the form compared (environ key or title). */
  constructor(
    remove: readonly string[],
    allow: readonly string[],
    normalize: (h: string) => string,
  ) {
    const split = (names: readonly string[]) => {
      const normalized = names.map(normalize);
      return [
        new Set(normalized.filter((h) => !h.endsWith("*"))),
        normalized.filter((h) => h.endsWith("*")).map((h) => h.slice(0, -1)),
      ] as const;
    };
    [this.#remove, this.#removePrefixes] = split(remove);
    [this.#allow, this.#allowPrefixes] = split(allow);
  }

  /** Whether a header, in compared form, goes. */
  removes(name: string): boolean {
    if (this.#allow.has(name) || this.#allowPrefixes.some((p) => name.startsWith(p))) {
      return false;
    }
    return this.#remove.has(name) || this.#removePrefixes.some((p) => name.startsWith(p));
  }
}

/** _clean_incoming_headers(): the request headers that remain. */
export function cleanIncoming(headers: Headers, rules: HeaderRules): Headers {
  const out = new Headers();
  for (const [name, value] of headers) {
    if (!rules.removes(environKey(name))) out.append(name, value);
  }
  return out;
}

/** _clean_outgoing_headers(): the response headers that remain. */
export function cleanOutgoing(headers: Headers, rules: HeaderRules): Headers {
  const out = new Headers();
  for (const [name, value] of headers) {
    if (!rules.removes(pyTitle(name))) out.append(name, value);
  }
  return out;
}

/** The headers a temp URL must not set on a write (they would reach other objects). */
const DISALLOWED_INCOMING = ["HTTP_X_OBJECT_MANIFEST", "HTTP_X_SYMLINK_TARGET", "HTTP_X_COPY_FROM"];

/**
 * _clean_disallowed_headers()'s refusal for a request with one of them: the 400 body, naming
 * the first such header as Swift spells it back from the environ key; undefined when none.
 */
export function disallowedHeaderMessage(headers: Headers): string | undefined {
  for (const [name] of headers) {
    const key = environKey(name);
    if (DISALLOWED_INCOMING.includes(key)) {
      const spelled = pyTitle(key.slice("HTTP_".length)).replaceAll("_", "-");
      return `The header '${spelled}' is not allowed in this tempurl`;
    }
  }
  return undefined;
}

/** disposition_format(): `TYPE; filename="NAME"; filename*=UTF-8''NAME`, both quoted. */
export function dispositionFormat(type: string, filename: string): string {
  return `${type}; filename="${pyQuote(filename, " /")}"; filename*=UTF-8''${pyQuote(filename)}`;
}

/**
 * The Content-Disposition of a successful GET or HEAD: inline (named when a filename is
 * given), else an attachment named by the filename parameter, else the object's own
 * Content-Disposition, else an attachment named after the last path segment. Newlines a
 * stored value may hold are escaped, so they cannot split the header.
 */
export function contentDisposition(opts: {
  readonly inline: boolean;
  readonly filename?: string;
  readonly existing?: string;
  /** The object name (wsgi_to_str(PATH_INFO)). */
  readonly path: string;
}): string {
  let value: string;
  if (opts.inline) value = opts.filename ? dispositionFormat("inline", opts.filename) : "inline";
  else if (opts.filename) value = dispositionFormat("attachment", opts.filename);
  else if (opts.existing) value = opts.existing;
  else {
    // os.path.basename(path.rstrip("/"))
    const trimmed = opts.path.replace(/\/+$/, "");
    value = dispositionFormat("attachment", trimmed.slice(trimmed.lastIndexOf("/") + 1));
  }
  return value.replaceAll("\n", "%0A");
}
