/**
 * One test per rule of CPython 3.11's configparser as Swift 2.30 uses it. Every expected value
 * and error line here is what CPython gives for the same text (checked with /usr/bin/python3);
 * ini_differential_test.ts compares the two over a generated corpus.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { ConfigError } from "../../lib/config/errors.ts";
import {
  decodeConfigText,
  DEFAULT_SECTION,
  IniDocument,
  type IniOptions,
  pySplit,
  pyStrip,
} from "../../lib/config/ini.ts";

const PASTE: IniOptions = {
  predefined: { here: "/etc/swift", __file__: "/etc/swift/proxy-server.conf" },
};
const READCONF: IniOptions = { lowercaseKeys: true };

/** Reads each text as one source (a.conf, b.conf, ...), like ConfigParser.read() over conf.d. */
function parse(texts: string | string[], options: IniOptions = READCONF): IniDocument {
  const doc = new IniDocument(options);
  [texts].flat().forEach((text, i) => doc.read(text, `${"abcd"[i]}.conf`));
  return doc;
}

/** items(section) as [key, value] pairs. */
function items(doc: IniDocument, section: string): [string, string][] {
  return doc.items(section).map(([key, value]) => [key, value.value]);
}

/** The error of a failing call, reduced to where it points. */
function failure(fn: () => unknown): Pick<ConfigError, "file" | "line" | "section" | "key"> {
  const err = assertThrows(fn, ConfigError);
  return { file: err.file, line: err.line, section: err.section, key: err.key };
}

Deno.test("IniDocument splits `key = value` and `key: value` at the first delimiter", () => {
  const doc = parse("[s]\na = 1\nb: 2\nc:d = e\nf = g: h\ni=j=k\n");
  assertEquals(items(doc, "s"), [
    ["a", "1"],
    ["b", "2"],
    ["c", "d = e"],
    ["f", "g: h"],
    ["i", "j=k"],
  ]);
});

Deno.test("IniDocument keeps key case for paste.deploy and lower-cases keys for readconf()", () => {
  const text = "[s]\nBind_Port = 1\nB = %(Bind_Port)s\n";
  assertEquals(items(parse(text, {}), "s"), [["Bind_Port", "1"], ["B", "1"]]);
  assertEquals(items(parse(text, READCONF), "s"), [["bind_port", "1"], ["b", "1"]]);
  assertEquals(items(parse("[s]\nA = 1\na = 2\n", {}), "s"), [["A", "1"], ["a", "2"]]);
});

Deno.test("IniDocument skips full-line # and ; comments, indented ones too", () => {
  const doc = parse("# top\n[s]\n# c\n; c\n  # c\n\t; c\na = 1\n");
  assertEquals(items(doc, "s"), [["a", "1"]]);
});

Deno.test("IniDocument has no inline comments: `a = b # c` keeps `b # c`", () => {
  const doc = parse("[s] ; a comment after a header is ignored\na = b # c\nd = e ; f\ng = #h\n");
  assertEquals(doc.sections(), ["s"]);
  assertEquals(items(doc, "s"), [["a", "b # c"], ["d", "e ; f"], ["g", "#h"]]);
});

Deno.test("IniDocument joins lines indented deeper than the key, keeping inner blank lines", () => {
  const doc = parse("[s]\nkey = first\n  second\n\n\tthird\n\n\n");
  assertEquals(items(doc, "s"), [["key", "first\nsecond\n\nthird"]]);
});

Deno.test("IniDocument starts a new key on a line indented as much as the previous key", () => {
  const doc = parse("[s]\n  a = 1\n  b = 2\nc = 3\n  d = 4\n");
  assertEquals(items(doc, "s"), [["a", "1"], ["b", "2"], ["c", "3\nd = 4"]]);
});

Deno.test("IniDocument lets a comment line sit inside a multi-line value", () => {
  assertEquals(items(parse("[s]\na = 1\n# comment\n  2\n"), "s"), [["a", "1\n2"]]);
});

Deno.test("IniDocument keeps empty values as empty strings", () => {
  assertEquals(items(parse("[s]\na =\n  x\n  y\nb:\nc =\n"), "s"), [
    ["a", "\nx\ny"],
    ["b", ""],
    ["c", ""],
  ]);
});

Deno.test("IniDocument rejects a key set twice in one section of one file at the second line", () => {
  assertEquals(failure(() => parse("[s]\na = 1\nb = 2\na = 3\n")), {
    file: "a.conf",
    line: 4,
    section: "s",
    key: "a",
  });
  // readconf() lower-cases first, so `A` and `a` are the same key; paste.deploy keeps both.
  assertEquals(failure(() => parse("[s]\nA = 1\na = 2\n")), {
    file: "a.conf",
    line: 3,
    section: "s",
    key: "a",
  });
});

Deno.test("IniDocument rejects a section declared twice in one file at the second header", () => {
  assertEquals(failure(() => parse("[s]\na = 1\n[t]\n[s]\n")), {
    file: "a.conf",
    line: 4,
    section: "s",
    key: undefined,
  });
});

Deno.test("IniDocument merges sections across sources, the later source winning per key", () => {
  const doc = parse(["[s]\na = 1\nb = 2\n[t]\nx = 1\n", "[s]\nb = 3\nc = 4\n[u]\n"]);
  assertEquals(doc.sections(), ["s", "t", "u"]);
  assertEquals(items(doc, "s"), [["a", "1"], ["b", "3"], ["c", "4"]]);
  assertEquals(items(doc, "u"), []);
  const b = doc.get("s", "b");
  assertEquals([b.file, b.line], ["b.conf", 2]);
});

Deno.test("IniDocument allows [DEFAULT] twice in one file but not the same key in both", () => {
  const doc = parse("[DEFAULT]\na = 1\n[s]\n[DEFAULT]\nb = 2\n");
  assertEquals(items(doc, DEFAULT_SECTION), [["a", "1"], ["b", "2"]]);
  assertEquals(items(doc, "s"), [["a", "1"], ["b", "2"]]);
  assertEquals(failure(() => parse("[DEFAULT]\na = 1\n[s]\n[DEFAULT]\na = 2\n")), {
    file: "a.conf",
    line: 5,
    section: "DEFAULT",
    key: "a",
  });
});

Deno.test("IniDocument rejects an option before any section header at its line", () => {
  assertEquals(failure(() => parse("# c\n\na = 1\n[s]\n")), {
    file: "a.conf",
    line: 3,
    section: undefined,
    key: undefined,
  });
  // Each source needs its own header: a conf.d file does not continue the previous one.
  assertEquals(failure(() => parse(["[s]\na = 1\n", "b = 2\n"])).file, "b.conf");
});

Deno.test("IniDocument reports a line without delimiter at the end of the file, the first one", () => {
  assertEquals(failure(() => parse("[s]\na = 1\nbad line\nb = 2\nanother bad\n")), {
    file: "a.conf",
    line: 3,
    section: "s",
    key: undefined,
  });
  assertEquals(failure(() => parse("[s]\n= x\n")).line, 2);
  // Reported at the end: an error found right away on a later line wins.
  assertEquals(failure(() => parse("[s]\nbad\na = 1\na = 2\n")).line, 4);
});

Deno.test("IniDocument does not let a key-less line take continuation lines", () => {
  // CPython has no current option after `= x`, so `  a = 2` is an option line and a duplicate.
  assertEquals(failure(() => parse("[s]\na = 1\n= x\n  a = 2\n")), {
    file: "a.conf",
    line: 4,
    section: "s",
    key: "a",
  });
});

Deno.test("IniDocument interpolates %(name)s from the same section, then [DEFAULT]", () => {
  const doc = parse("[DEFAULT]\nname = d\nother = od\n[s]\nname = s\nv = %(name)s-%(other)s\n");
  assertEquals(items(doc, "s"), [["name", "s"], ["other", "od"], ["v", "s-od"]]);
  // A [DEFAULT] value is interpolated in the section asking for it.
  const inherited = parse("[DEFAULT]\nx = %(name)s\nname = d\n[s]\nname = s\n");
  assertEquals(items(inherited, DEFAULT_SECTION), [["x", "d"], ["name", "d"]]);
  assertEquals(items(inherited, "s"), [["x", "s"], ["name", "s"]]);
});

Deno.test("IniDocument predefines here and __file__ for paste.deploy, and [DEFAULT] overrides them", () => {
  const doc = parse("[DEFAULT]\nswift_dir = %(here)s/swift\n[s]\nf = %(__file__)s\n", PASTE);
  assertEquals(items(doc, "s"), [
    ["here", "/etc/swift"],
    ["__file__", "/etc/swift/proxy-server.conf"],
    ["swift_dir", "/etc/swift/swift"],
    ["f", "/etc/swift/proxy-server.conf"],
  ]);
  const overridden = parse("[DEFAULT]\nhere = /srv\n[s]\nd = %(here)s/x\n", PASTE);
  assertEquals(overridden.get("s", "d").value, "/srv/x");
  assertEquals(overridden.defaultKeys(), ["here", "__file__"]);
});

Deno.test("IniDocument passes `1%` and `%%` through unchanged in values without `%(`", () => {
  assertEquals(items(parse("[s]\na = 1%\nb = %%\nc = 100%% %\n"), "s"), [
    ["a", "1%"],
    ["b", "%%"],
    ["c", "100%% %"],
  ]);
});

Deno.test("IniDocument turns %% into % and rejects a lone % in values with `%(`", () => {
  assertEquals(parse("[s]\np = 5\nd = %(p)s%%\n").get("s", "d").value, "5%");
  const doc = parse("[s]\np = 5\ne = %(p)s 5%\n");
  assertEquals(failure(() => doc.items("s")), {
    file: "a.conf",
    line: 3,
    section: "s",
    key: "e",
  });
  // A referenced value holding a '%' is interpolated too, so `1%` fails there.
  assertEquals(failure(() => parse("[s]\np = 5%\nq = %(p)s\n").get("s", "q")).key, "q");
  assertEquals(failure(() => parse("[s]\nv = %(p\n").get("s", "v")).key, "v");
});

Deno.test("IniDocument rejects a reference to a missing key, naming the key and the reference", () => {
  const err = assertThrows(() => parse("[x]\n[s]\n\nv = a %(nope)s\n").items("s"), ConfigError);
  assertEquals([err.file, err.line, err.section, err.key], ["a.conf", 4, "s", "v"]);
  assertStringIncludes(err.message, "'v'");
  assertStringIncludes(err.reason, "nope");
  // readconf() has no `here`.
  assertEquals(failure(() => parse("[s]\nd = %(here)s\n").items("s")).key, "d");
});

Deno.test("IniDocument follows references 10 levels deep and rejects an 11th", () => {
  const chain = (length: number) =>
    "[s]\n" + Array.from({ length }, (_, i) => `c${i} = %(c${i + 1})s\n`).join("") +
    `c${length} = end\n`;
  assertEquals(parse(chain(10)).get("s", "c0").value, "end");
  assertEquals(failure(() => parse(chain(11)).get("s", "c0")), {
    file: "a.conf",
    line: 2,
    section: "s",
    key: "c0",
  });
  assertEquals(failure(() => parse("[s]\na = %(b)s\nb = %(a)s\n").items("s")).key, "a");
});

Deno.test("IniDocument reads CRLF and CR line endings as LF, counting lines the same", () => {
  const lf = "[s]\na = 1\n  more\nb = 2\n";
  for (const eol of ["\r\n", "\r"]) {
    const doc = parse(lf.replaceAll("\n", eol));
    assertEquals(items(doc, "s"), [["a", "1\nmore"], ["b", "2"]]);
    assertEquals(doc.get("s", "b").line, 4);
    assertEquals(failure(() => parse(`[s]${eol}a = 1${eol}a = 2${eol}`)).line, 3);
  }
});

Deno.test("decodeConfigText keeps a byte order mark, which IniDocument rejects like CPython", () => {
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("[s]\na = 1\n")]);
  const text = decodeConfigText(bytes, "a.conf");
  assertEquals(text, "\ufeff[s]\na = 1\n");
  // CPython does not strip U+FEFF, so `[s]` is not a header: MissingSectionHeaderError, line 1.
  assertEquals(failure(() => parse(text)), {
    file: "a.conf",
    line: 1,
    section: undefined,
    key: undefined,
  });
});

Deno.test("decodeConfigText rejects invalid UTF-8 naming the line with the bad byte", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  for (const eol of ["\n", "\r\n", "\r"]) {
    const bytes = new Uint8Array([...encode(`[s]${eol}a = 1${eol}b = `), 0xff, ...encode(eol)]);
    const err = assertThrows(() => decodeConfigText(bytes, "a.conf"), ConfigError);
    assertEquals([err.file, err.line], ["a.conf", 3], `line endings ${JSON.stringify(eol)}`);
  }
});

Deno.test("IniDocument strips exactly what Python's str.strip() strips", () => {
  // U+00A0, U+2003, U+0085 and U+001C are whitespace to Python; U+200B and U+FEFF are not.
  const doc = parse("[s]\n\u00a0key\u2003=\u0085value\u001c\nz = \u200bx\u200b\ny = \ufeffx\n");
  assertEquals(items(doc, "s"), [["key", "value"], ["z", "\u200bx\u200b"], ["y", "\ufeffx"]]);
  assertEquals(pyStrip("\u00a0\u2003\u0085\u001c\u3000x y\u001f\u2028\u205f"), "x y");
  assertEquals(pyStrip("\u200bx\ufeff\u180e"), "\u200bx\ufeff\u180e");
  assertEquals(pySplit(" a\u00a0b\u2003c\u0085d\u001ce\u200bf "), ["a", "b", "c", "d", "e\u200bf"]);
  // Indentation counts Unicode whitespace too: this line continues `a`.
  assertEquals(items(parse("[s]\na = 1\n\u3000b = 2\n"), "s"), [["a", "1\nb = 2"]]);
});

Deno.test("IniDocument lists DEFAULT keys first in items() and last in options()", () => {
  const doc = parse("[DEFAULT]\nd1 = 1\nshared = d\n[s]\nown = 2\nshared = s\n");
  assertEquals(items(doc, "s"), [["d1", "1"], ["shared", "s"], ["own", "2"]]);
  assertEquals(doc.options("s"), ["own", "shared", "d1"]);
});

Deno.test("IniDocument lower-cases readconf() keys with Python 3.11's Unicode 14 case table", () => {
  // U+1C89 got a lower-case form (U+1C8A) in Unicode 16; Python 3.11 leaves it unchanged.
  const doc = parse("[s]\n\u1c89 = 1\nSTRASSE = 2\n\u0130 = 3\n");
  assertEquals(doc.options("s"), ["\u1c89", "strasse", "i\u0307"]);
  assert(doc.hasSection("s"));
});
