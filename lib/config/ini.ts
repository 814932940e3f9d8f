/**
 * Python's configparser.ConfigParser, as Swift 2.30 uses it, keeping `file:line` for every value.
 *
 * The rules are CPython 3.11's `RawConfigParser._read` with Swift's NicerInterpolation:
 * full-line `#`/`;` comments only, `=` or `:` after the first key character, indented
 * continuation lines (blank lines inside a value kept, trailing ones dropped), duplicate
 * sections or keys within one source rejected, and `%(name)s` interpolation only in values
 * that contain `%(`. tests/config/ini_test.ts checks it against CPython over a corpus.
 */
import { ConfigError } from "./errors.ts";

/** A config value and, when it came from a file, where. */
export interface ConfValue {
  readonly value: string;
  readonly file?: string;
  readonly line?: number;
  /** The section the line is in ([DEFAULT] for inherited values). */
  readonly section?: string;
}

/** How keys and predefined values are treated. */
export interface IniOptions {
  /** Lower-case keys as Swift's readconf() does; paste.deploy keeps their case. */
  readonly lowercaseKeys?: boolean;
  /** Values every section sees before [DEFAULT] is read (`here`, `__file__`). */
  readonly predefined?: Readonly<Record<string, string>>;
}

/** The name ConfigParser gives the section whose keys every other section sees. */
export const DEFAULT_SECTION = "DEFAULT";

// Python's str.isspace() set, which `\s` and str.strip() use in CPython; JavaScript's
// `\s` differs (it has U+FEFF, lacks U+001C-U+001F and U+0085).
const WS =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const STRIP = new RegExp(`^[${WS}]+|[${WS}]+$`, "g");
const RSTRIP = new RegExp(`[${WS}]+$`);
const NON_SPACE = new RegExp(`[^${WS}]`);
const SECTION_HEADER = /^\[(.+)\]/s;
const OPTION_LINE = new RegExp(`^(.*?)[${WS}]*(=|:)[${WS}]*(.*)$`, "s");
const INTERPOLATION_KEY = /^%\(([^)]+)\)s/;
const MAX_INTERPOLATION_DEPTH = 10;

/**
 * Upper-case letters that gained a lower-case form after Unicode 14, the table of Python 3.11
 * (whose str.lower() leaves them alone); JavaScript's toLowerCase() follows a newer Unicode.
 */
const NEWER_CASE_PAIRS = /[\u1C89\uA7CB\uA7CC\uA7DA\uA7DC]|\uD803[\uDD50-\uDD65]/;

/** str.lower() of CPython 3.11. */
function pyLower(text: string): string {
  if (!NEWER_CASE_PAIRS.test(text)) return text.toLowerCase();
  return Array.from(text, (c) => NEWER_CASE_PAIRS.test(c) ? c : c.toLowerCase()).join("");
}

/** str.split() of CPython: runs of whitespace separate, no empty parts. */
export function pySplit(text: string): string[] {
  return text.split(new RegExp(`[${WS}]+`)).filter(Boolean);
}

/** str.strip() of CPython. */
export function pyStrip(text: string): string {
  return text.replace(STRIP, "");
}

interface Entry {
  value: string;
  parts?: string[];
  readonly file?: string;
  readonly line?: number;
  readonly section?: string;
}

interface Section {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly entries: Map<string, Entry>;
}

/** Splits text into lines the way Python's universal-newline text mode iterates a file. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** One ConfigParser: read one or more sources into it, then ask for interpolated values. */
export class IniDocument {
  readonly #lowercase: boolean;
  readonly #defaults = new Map<string, Entry>();
  readonly #sections = new Map<string, Section>();

  constructor(options: IniOptions = {}) {
    this.#lowercase = options.lowercaseKeys ?? false;
    for (const [key, value] of Object.entries(options.predefined ?? {})) {
      this.#defaults.set(this.#key(key), { value });
    }
  }

  #key(name: string): string {
    return this.#lowercase ? pyLower(name) : name;
  }

  /** Parses one source (one file); later sources override keys of earlier ones. */
  read(text: string, file: string): void {
    const added = new Set<string>(); // sections and section\0key pairs seen in this source
    let current: Map<string, Entry> | undefined;
    let sectionName: string | undefined;
    let option: string | undefined;
    let indentLevel = 0;
    let deferred: ConfigError | undefined; // CPython reports bad lines at the end of the file
    const lines = splitLines(text);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const lineNo = i + 1;
      const stripped = pyStrip(line);
      const isComment = stripped.startsWith("#") || stripped.startsWith(";");
      const value = isComment ? "" : stripped;
      if (value === "") {
        // A blank line belongs to the value being read; a comment line does not end it.
        // An empty key (an error reported later) is no option, as in CPython's `if optname`.
        if (!isComment && current && option) current.get(option)?.parts?.push("");
        continue;
      }
      const indent = line.search(NON_SPACE);
      if (current && option && indent > indentLevel) {
        current.get(option)?.parts?.push(value);
        continue;
      }
      indentLevel = indent;
      const header = SECTION_HEADER.exec(value);
      if (header) {
        sectionName = header[1];
        option = undefined;
        if (sectionName === DEFAULT_SECTION) {
          current = this.#defaults;
          continue;
        }
        const existing = this.#sections.get(sectionName);
        if (existing && added.has(sectionName)) {
          throw new ConfigError(
            `section [${sectionName}] appears twice in this file (first at line ${existing.line})`,
            { file, line: lineNo, section: sectionName },
          );
        }
        added.add(sectionName);
        if (existing) {
          current = existing.entries;
        } else {
          current = new Map();
          this.#sections.set(sectionName, {
            name: sectionName,
            file,
            line: lineNo,
            entries: current,
          });
        }
        continue;
      }
      if (!current || sectionName === undefined) {
        throw new ConfigError(
          `line "${line}" comes before any [section] header; Swift's config files start with ` +
            `a section such as [DEFAULT]${
              line.startsWith("\ufeff") ? " (the file starts with a byte order mark)" : ""
            }`,
          { file, line: lineNo },
        );
      }
      const match = OPTION_LINE.exec(value);
      if (!match || match[1] === "") {
        deferred ??= new ConfigError(
          match
            ? `line "${line}" has no key before its "${match[2]}"`
            : `line "${line}" is neither a [section] header nor a "key = value" option`,
          { file, line: lineNo, section: sectionName },
        );
        if (!match) continue;
      }
      const key = this.#key(match[1].replace(RSTRIP, ""));
      const pair = `${sectionName}\0${key}`;
      if (added.has(pair)) {
        const first = current.get(key);
        throw new ConfigError(
          `is set twice in this section of this file${
            first?.line ? ` (first at line ${first.line})` : ""
          }; ConfigParser refuses duplicate keys`,
          { file, line: lineNo, section: sectionName, key },
        );
      }
      added.add(pair);
      option = key;
      current.set(key, {
        value: "",
        parts: [pyStrip(match[3])],
        file,
        line: lineNo,
        section: sectionName,
      });
    }
    this.#joinMultilineValues();
    if (deferred) throw deferred;
  }

  #joinMultilineValues(): void {
    for (const entries of [this.#defaults, ...[...this.#sections.values()].map((s) => s.entries)]) {
      for (const entry of entries.values()) {
        if (entry.parts) {
          entry.value = entry.parts.join("\n").replace(RSTRIP, "");
          delete entry.parts;
        }
      }
    }
  }

  /** Section names in the order they first appeared ([DEFAULT] is not one). */
  sections(): string[] {
    return [...this.#sections.keys()];
  }

  /** Whether `name` is a section of the document. */
  hasSection(name: string): boolean {
    return this.#sections.has(name);
  }

  /** Where a section was first declared. */
  sectionLocation(name: string): { file: string; line: number } | undefined {
    const section = this.#sections.get(name);
    return section && { file: section.file, line: section.line };
  }

  /** ConfigParser.options(): the section's keys, then [DEFAULT]'s keys it does not set. */
  options(section: string): string[] {
    const own = [...this.#entries(section).keys()];
    return [...own, ...[...this.#defaults.keys()].filter((key) => !own.includes(key))];
  }

  /** [DEFAULT] keys, predefined ones first, in reading order. */
  defaultKeys(): string[] {
    return [...this.#defaults.keys()];
  }

  #entries(section: string): Map<string, Entry> {
    if (section === DEFAULT_SECTION) return new Map();
    const found = this.#sections.get(section);
    if (!found) throw new ConfigError(`there is no section [${section}]`);
    return found.entries;
  }

  /** The section's own uninterpolated value of `key` (no [DEFAULT] fallback). */
  own(section: string, key: string): ConfValue | undefined {
    return this.#entries(section).get(key);
  }

  /** The uninterpolated value of `key` in `section`, falling back to [DEFAULT]. */
  raw(section: string, key: string): ConfValue | undefined {
    return this.#entries(section).get(key) ?? this.#defaults.get(key);
  }

  /** The value as ConfigParser.get() returns it, interpolated when it contains `%(`. */
  get(section: string, key: string): ConfValue {
    const entry = this.raw(section, key);
    if (!entry) throw new ConfigError("is not set", { section, key });
    if (!entry.value.includes("%(")) return entry;
    const lookup = (name: string): string | undefined => this.raw(section, name)?.value;
    const parts: string[] = [];
    this.#interpolate({ section, key, entry, lookup }, parts, entry.value, 1);
    return { ...entry, value: parts.join("") };
  }

  /** ConfigParser.items(section): [DEFAULT] keys then the section's, all interpolated. */
  items(section: string): [string, ConfValue][] {
    const keys = [...this.#defaults.keys()];
    for (const key of this.#entries(section).keys()) if (!keys.includes(key)) keys.push(key);
    return keys.map((key) => [key, this.get(section, key)]);
  }

  // BasicInterpolation._interpolate_some of CPython 3.11, step for step.
  #interpolate(
    ctx: {
      section: string;
      key: string;
      entry: ConfValue;
      lookup: (name: string) => string | undefined;
    },
    accum: string[],
    rest: string,
    depth: number,
  ): void {
    const where = {
      file: ctx.entry.file,
      line: ctx.entry.line,
      section: ctx.section,
      key: ctx.key,
    };
    if (depth > MAX_INTERPOLATION_DEPTH) {
      throw new ConfigError(
        `nests %(...)s references more than ${MAX_INTERPOLATION_DEPTH} levels deep: ` +
          `current value is "${ctx.entry.value}"`,
        where,
      );
    }
    while (rest) {
      const p = rest.indexOf("%");
      if (p < 0) {
        accum.push(rest);
        return;
      }
      if (p > 0) {
        accum.push(rest.slice(0, p));
        rest = rest.slice(p);
      }
      const next = rest.slice(1, 2);
      if (next === "%") {
        accum.push("%");
        rest = rest.slice(2);
      } else if (next === "(") {
        const m = INTERPOLATION_KEY.exec(rest);
        if (!m) {
          throw new ConfigError(
            `has a bad interpolation reference "${rest}": write %(name)s, or %% for a literal %`,
            where,
          );
        }
        const name = this.#key(m[1]);
        rest = rest.slice(m[0].length);
        const value = ctx.lookup(name);
        if (value === undefined) {
          throw new ConfigError(
            `refers to %(${name})s but no '${name}' is set in [${ctx.section}] or [DEFAULT]: ` +
              `current value is "${ctx.entry.value}"`,
            where,
          );
        }
        if (value.includes("%")) this.#interpolate(ctx, accum, value, depth + 1);
        else accum.push(value);
      } else {
        throw new ConfigError(
          `uses '%' in a value that contains %(...)s; there '%' must be followed by '%' or '(', ` +
            `found "${rest}"`,
          where,
        );
      }
    }
  }
}

/** Decodes a config file as CPython's UTF-8 text mode does: strictly, keeping a BOM. */
export function decodeConfigText(bytes: Uint8Array, file: string): string {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  try {
    return decoder.decode(bytes);
  } catch {
    // Name the first line that does not decode; lines end at \n, \r\n or \r as in Python.
    let start = 0;
    for (let line = 1; start <= bytes.length; line++) {
      let end = start;
      while (end < bytes.length && bytes[end] !== 0x0a && bytes[end] !== 0x0d) end++;
      try {
        decoder.decode(bytes.subarray(start, end));
      } catch {
        throw new ConfigError("is not valid UTF-8 text", { file, line });
      }
      start = end + (bytes[end] === 0x0d && bytes[end + 1] === 0x0a ? 2 : 1);
    }
    throw new ConfigError("is not valid UTF-8 text", { file });
  }
}
