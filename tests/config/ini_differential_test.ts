/**
 * IniDocument against CPython 3.11's configparser as Swift 2.30 builds it, over a seeded corpus
 * of a few thousand documents (tests/_helpers/ini_corpus.ts): the same sections, keys, values
 * and order, and for a document CPython rejects, a rejection at the same file and line.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import { ConfigError } from "../../lib/config/errors.ts";
import { decodeConfigText, DEFAULT_SECTION, IniDocument } from "../../lib/config/ini.ts";
import { generateIniCorpus, type IniCase } from "../_helpers/ini_corpus.ts";
import { runPythonJson } from "../_helpers/python.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";

const SEED = 2030;
const CASE_COUNT = 3000;
const ORACLE = new URL("./_configparser_oracle.py", import.meta.url);

type Flavor = "paste" | "readconf";

/** Where reading failed; `kind` is CPython's exception class (absent on our side). */
interface ReadFailure {
  readonly kind?: string;
  /** Index of the failing file in reading order. */
  readonly file: number;
  readonly line: number | null;
  readonly section?: string;
  readonly key?: string;
}

/** items(section) as pairs, or the key whose interpolation failed. */
type Items = [string, string][] | { readonly kind?: string; readonly key: string | null };

interface Parsed {
  readonly error?: ReadFailure;
  readonly defaults?: Items;
  readonly sections?: [string, Items][];
}

type OracleResult = Record<Flavor, Parsed>;

interface WrittenCase {
  readonly corpusCase: IniCase;
  readonly paths: string[];
  readonly predefined: Record<string, string>;
}

/** Writes the corpus as one manifest; see _configparser_oracle.py for why not as files. */
async function writeCorpus(root: string, cases: readonly IniCase[]): Promise<WrittenCase[]> {
  const written = cases.map((corpusCase) => {
    const dir = join(root, `case-${corpusCase.id}`);
    const paths = corpusCase.files.map((file) => join(dir, file.name));
    // What paste.deploy predefines: for a conf.d directory __file__ is the directory.
    const predefined = { here: dir, __file__: paths.length === 1 ? paths[0] : dir };
    return { corpusCase, paths, predefined };
  });
  const manifest = written.map(({ corpusCase, paths, predefined }) => ({
    files: corpusCase.files.map((file, i) => [paths[i], base64(file.bytes)]),
    predefined,
  }));
  await Deno.writeTextFile(join(root, "manifest.json"), JSON.stringify(manifest));
  return written;
}

function base64(bytes: Uint8Array): string {
  return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""));
}

function parseWithIniDocument(written: WrittenCase, flavor: Flavor): Parsed {
  const doc = new IniDocument(
    flavor === "paste" ? { predefined: written.predefined } : { lowercaseKeys: true },
  );
  for (const [index, file] of written.corpusCase.files.entries()) {
    const path = written.paths[index];
    try {
      doc.read(decodeConfigText(file.bytes, path), path);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return {
        error: {
          file: written.paths.indexOf(err.file ?? ""),
          line: err.line ?? null,
          section: err.section,
          key: err.key,
        },
      };
    }
  }
  return {
    defaults: itemsOf(doc, DEFAULT_SECTION),
    sections: doc.sections().map((name) => [name, itemsOf(doc, name)]),
  };
}

function itemsOf(doc: IniDocument, section: string): Items {
  try {
    return doc.items(section).map(([key, value]) => [key, value.value]);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { key: err.key ?? null };
  }
}

/** Keeps, of a read failure, what CPython's exception of that kind reports. */
function failureFields(failure: ReadFailure, kind: string | undefined): ReadFailure {
  const { file, line, section, key } = failure;
  if (kind === "DuplicateOptionError") return { file, line, section, key };
  if (kind === "DuplicateSectionError") return { file, line, section };
  return { file, line };
}

function comparable(expected: Parsed, actual: Parsed): [Parsed, Parsed] {
  if (expected.error || actual.error) {
    const kind = expected.error?.kind;
    return [
      { error: expected.error && failureFields(expected.error, kind) },
      { error: actual.error && failureFields(actual.error, kind) },
    ];
  }
  const strip = (items: Items | undefined): Items | undefined =>
    items && !Array.isArray(items) ? { key: items.key } : items;
  return [
    {
      defaults: strip(expected.defaults),
      sections: expected.sections?.map(([name, items]) => [name, strip(items)!]),
    },
    actual,
  ];
}

function describeCase(written: WrittenCase): string {
  const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  const files = written.corpusCase.files.map((file) =>
    `  ${file.name}: ${JSON.stringify(decoder.decode(file.bytes))}`
  );
  return `case ${written.corpusCase.id} (flaws: ${
    written.corpusCase.flaws.join(", ") || "none"
  })\n${files.join("\n")}`;
}

function errorKinds(results: readonly OracleResult[], flavor: Flavor): Map<string, number> {
  const kinds = new Map<string, number>();
  const count = (kind: string) => kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  for (const result of results) {
    const parsed = result[flavor];
    if (parsed.error) {
      count(parsed.error.kind!);
      continue;
    }
    count("valid");
    for (const [, items] of [["", parsed.defaults!], ...parsed.sections!] as [string, Items][]) {
      if (!Array.isArray(items)) count(items.kind!);
    }
  }
  return kinds;
}

Deno.test("IniDocument reads a generated corpus exactly as CPython's ConfigParser does", async (t) => {
  await using root = await makeTempDir("ini-corpus");
  const written = await writeCorpus(root.path, generateIniCorpus(SEED, CASE_COUNT));
  const oracle = await runPythonJson(ORACLE, [join(root.path, "manifest.json")]) as OracleResult[];
  assertEquals(oracle.length, written.length);

  await t.step("the corpus holds valid documents and every kind of failure", () => {
    for (const flavor of ["paste", "readconf"] as const) {
      const kinds = errorKinds(oracle, flavor);
      assert((kinds.get("valid") ?? 0) > CASE_COUNT / 2, `${flavor}: ${[...kinds]}`);
      for (
        const kind of [
          "DuplicateOptionError",
          "DuplicateSectionError",
          "MissingSectionHeaderError",
          "ParsingError",
          "UnicodeDecodeError",
          "InterpolationMissingOptionError",
          "InterpolationSyntaxError",
          "InterpolationDepthError",
        ]
      ) {
        assert((kinds.get(kind) ?? 0) >= 10, `${flavor} corpus has few ${kind}: ${[...kinds]}`);
      }
    }
    const fileCounts = new Set(written.map((w) => w.corpusCase.files.length));
    assertEquals([...fileCounts].sort(), [1, 2, 3, 4]);
  });

  for (const flavor of ["paste", "readconf"] as const) {
    const label = flavor === "paste"
      ? "with case kept and here/__file__ predefined, as paste.deploy reads"
      : "with keys lower-cased, as readconf() reads";
    await t.step(`sections, items and failures match ${label}`, () => {
      const mismatches: string[] = [];
      for (const [i, w] of written.entries()) {
        const [expected, actual] = comparable(oracle[i][flavor], parseWithIniDocument(w, flavor));
        if (JSON.stringify(expected) !== JSON.stringify(actual)) {
          mismatches.push(
            `${describeCase(w)}\n  CPython:    ${JSON.stringify(oracle[i][flavor])}\n` +
              `  IniDocument: ${JSON.stringify(actual)}`,
          );
        }
      }
      assertEquals(
        mismatches.length,
        0,
        `${mismatches.length} of ${written.length} documents differ; the first ones:\n\n` +
          mismatches.slice(0, 6).join("\n\n"),
      );
    });
  }
});
