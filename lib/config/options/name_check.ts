/**
 * Options of `egg:swift#name_check` (swift/common/middleware/name_check.py, Swift 2.30): the
 * keys NameCheckMiddleware.__init__ reads, plus get_logger()'s.
 */
import { int, InvalidValue, type Parser, text } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** A compiled forbidden_regexp, with the text /info and the 400 body show. */
export interface PythonRegexp {
  readonly source: string;
  readonly regexp: RegExp;
}

/**
 * A Python `re` pattern as a JavaScript RegExp with the same matches for the constructs whose
 * meaning differs: `$` also matches before a final newline, `\A` and `\Z` are the ends of the
 * text, and named groups are spelled `(?P<name>...)` and `(?P=name)`. Empty disables the check.
 * Like Python's str patterns \w and \d stay ASCII here only for non-ASCII bytes of a path.
 */
export const pythonRegexp: Parser<PythonRegexp | undefined> = (raw) => {
  if (raw === "") return undefined;
  let out = "";
  let inClass = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\") {
      const next = raw[i + 1] ?? "";
      i++;
      if (!inClass && next === "A") out += "^";
      else if (!inClass && next === "Z") out += "$";
      else out += c + next;
    } else if (inClass) {
      if (c === "]") inClass = false;
      out += c;
    } else if (c === "[") {
      inClass = true;
      out += c;
      // A "]" (after an optional "^") first in a class is a literal in both dialects.
      if (raw[i + 1] === "^") out += raw[++i];
      if (raw[i + 1] === "]") out += "\\" + raw[++i];
    } else if (c === "$") {
      out += "(?=\\n?$)";
    } else if (raw.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
    } else if (raw.startsWith("(?P=", i)) {
      const end = raw.indexOf(")", i);
      out += `\\k<${raw.slice(i + 4, end)}>`;
      i = end;
    } else {
      out += c;
    }
  }
  try {
    return { source: raw, regexp: new RegExp(out) };
  } catch (err) {
    throw new InvalidValue(`must be a regular expression (${(err as Error).message})`);
  }
};

/** `egg:swift#name_check`: refuses request paths with forbidden characters or substrings. */
export const NAME_CHECK_FILTER = {
  name: "name_check",
  doc: "Refuses with 400 the paths that contain forbidden characters or substrings, or are " +
    "too long.",
  options: [
    option({
      key: "forbidden_chars",
      parse: text,
      default: "'\"`<>",
      doc: "Characters no decoded path may contain.",
    }),
    option({
      key: "maximum_length",
      parse: int(),
      default: "255",
      doc: "Longest decoded path, in bytes.",
    }),
    option({
      key: "forbidden_regexp",
      parse: pythonRegexp,
      default: "/\\./|/\\.\\./|/\\.$|/\\.\\.$",
      doc: "Python regular expression no decoded path may match anywhere (the default " +
        "refuses . and .. segments); empty disables the check.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
