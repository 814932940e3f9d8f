/**
 * A seeded generator of INI documents that mixes every rule of CPython's configparser as Swift
 * reads configs: both delimiters, comments, continuation lines, blank lines inside values,
 * [DEFAULT], interpolation, conf.d sets of 1-4 files, CRLF/CR endings, Unicode whitespace,
 * and the error cases (duplicates, missing header, bad lines, BOM, invalid UTF-8, bad
 * interpolation). About half the documents carry a deliberate flaw.
 */
import { SeededRandom } from "./random.ts";
import {
  BAD_UTF8,
  BLANKS,
  COMMENTS,
  CONTINUATION_TEXTS,
  DELIMITERS,
  INDENTS,
  KEYS,
  PLAIN_VALUES,
  SECTION_NAMES,
} from "./_ini_corpus_data.ts";

/** One file of a case, as bytes (some are not valid UTF-8 on purpose). */
export interface CorpusFile {
  /** A file name that sorts in reading order (`00.conf`, `10.conf`, ...). */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** One document: the files a ConfigParser reads in order, like a conf.d directory. */
export interface IniCase {
  readonly id: number;
  readonly files: readonly CorpusFile[];
  /** The flaws injected on purpose (empty for a document meant to be valid). */
  readonly flaws: readonly Flaw[];
}

/** The deliberate mistakes a document can carry. */
export const FLAWS = [
  "duplicate-key",
  "duplicate-key-other-case",
  "duplicate-section",
  "duplicate-default",
  "missing-header",
  "no-delimiter",
  "empty-key",
  "empty-key-then-indented",
  "bom",
  "invalid-utf8",
  "missing-reference",
  "lone-percent",
  "bad-reference",
  "deep-chain",
  "cycle",
  "zero-width-indent",
] as const;

/** One kind of deliberate mistake. */
export type Flaw = typeof FLAWS[number];

// A private-use character marks where invalid bytes go once the text is encoded.
const BAD_BYTES_MARK = "\ue000";
const BAD_BYTES_MARK_UTF8 = [0xee, 0x80, 0x80];

/** Generates `count` cases from `seed`; the same arguments give the same corpus. */
export function generateIniCorpus(seed: number, count: number): IniCase[] {
  const rng = new SeededRandom(seed);
  const cases: IniCase[] = [];
  for (let id = 0; id < count; id++) cases.push(generateCase(rng, id));
  return cases;
}

interface CaseState {
  readonly rng: SeededRandom;
  /** Keys defined anywhere so far, by section (DEFAULT included), for %(name)s references. */
  readonly defined: Map<string, string[]>;
  /** Section names used by earlier files, which later files reopen to merge and override. */
  readonly earlierSections: string[];
  /** Flaws still to place, each with the file that gets it. */
  readonly pending: Map<Flaw, number>;
  readonly placed: Flaw[];
}

function generateCase(rng: SeededRandom, id: number): IniCase {
  const fileCount = rng.pick([1, 1, 1, 1, 1, 1, 2, 2, 3, 4]);
  const flaws: Flaw[] = [];
  if (rng.chance(0.45)) {
    flaws.push(rng.pick(FLAWS));
    if (rng.chance(0.2)) flaws.push(rng.pick(FLAWS));
  }
  const state: CaseState = {
    rng,
    defined: new Map(),
    earlierSections: [],
    pending: new Map(flaws.map((flaw) => [flaw, rng.int(0, fileCount - 1)])),
    placed: [],
  };
  const files: CorpusFile[] = [];
  for (let index = 0; index < fileCount; index++) {
    files.push({ name: `${index}0.conf`, bytes: generateFile(state, index) });
  }
  return { id, files, flaws: state.placed };
}

function takeFlaw(state: CaseState, file: number, flaw: Flaw, p = 1): boolean {
  if (state.pending.get(flaw) !== file || !state.rng.chance(p)) return false;
  state.pending.delete(flaw);
  state.placed.push(flaw);
  return true;
}

/** Lines of one file being written, with what the parser will consider open. */
interface FileWriter {
  readonly lines: string[];
  /** Indent of the option line a deeper-indented line would continue; undefined after a header. */
  optionIndent?: number;
}

function generateFile(state: CaseState, index: number): Uint8Array {
  const { rng } = state;
  const writer: FileWriter = { lines: [] };
  for (let i = rng.int(0, 2); i > 0; i--) {
    writer.lines.push(rng.chance(0.5) ? rng.pick(COMMENTS) : rng.pick(BLANKS));
  }
  if (takeFlaw(state, index, "missing-header")) {
    writer.lines.push(rng.pick(["key = value", "no header here", "  indented = x", "=x"]));
  }
  const usedHere = new Set<string>();
  const sectionCount = rng.int(1, 4);
  for (let s = 0; s < sectionCount; s++) {
    const name = pickSectionName(state, usedHere);
    usedHere.add(name);
    writeSection(state, writer, index, name, s === sectionCount - 1);
  }
  let text = "";
  const ending = rng.pick(["\n", "\n", "\n", "\r\n", "\r", "mixed"]);
  writer.lines.forEach((line, i) => {
    const last = i === writer.lines.length - 1;
    const eol = ending === "mixed" ? rng.pick(["\n", "\r\n", "\r"]) : ending;
    text += line + (last && rng.chance(0.15) ? "" : eol);
  });
  if (takeFlaw(state, index, "bom")) text = "\ufeff" + text;
  if (takeFlaw(state, index, "invalid-utf8")) {
    // Even indexes are lines, odd ones the line endings between them.
    const parts = text.split(/(\r\n|\r|\n)/);
    const target = 2 * rng.int(0, (parts.length - 1) / 2);
    parts[target] += BAD_BYTES_MARK;
    text = parts.join("");
  }
  return encodeWithBadBytes(text, rng);
}

function encodeWithBadBytes(text: string, rng: SeededRandom): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (
      bytes[i] === BAD_BYTES_MARK_UTF8[0] && bytes[i + 1] === BAD_BYTES_MARK_UTF8[1] &&
      bytes[i + 2] === BAD_BYTES_MARK_UTF8[2]
    ) {
      out.push(...rng.pick(BAD_UTF8));
      i += 2;
    } else {
      out.push(bytes[i]);
    }
  }
  return new Uint8Array(out);
}

function pickSectionName(state: CaseState, usedHere: Set<string>): string {
  const { rng } = state;
  if (state.earlierSections.length > 0 && rng.chance(0.5)) {
    const again = rng.pick(state.earlierSections);
    if (!usedHere.has(again) || again === "DEFAULT") return again;
  }
  for (let tries = 0; tries < 10; tries++) {
    const name = rng.pick(SECTION_NAMES);
    if (!usedHere.has(name) || name === "DEFAULT") return name;
  }
  return `section-${rng.int(0, 1_000_000)}`;
}

function writeHeader(state: CaseState, writer: FileWriter, name: string): void {
  const { rng } = state;
  // An indented header after an option line would continue that option's value.
  const indent = writer.optionIndent === undefined && rng.chance(0.15) ? rng.pick(INDENTS) : "";
  const suffix = rng.chance(0.15) ? rng.pick([" ; trailing comment", "\t# note", " junk"]) : "";
  writer.lines.push(`${indent}[${name}]${suffix}`);
  writer.optionIndent = undefined;
  if (!state.earlierSections.includes(name)) state.earlierSections.push(name);
}

function writeSection(
  state: CaseState,
  writer: FileWriter,
  file: number,
  name: string,
  lastInFile: boolean,
): void {
  const { rng } = state;
  writeHeader(state, writer, name);
  const keysHere: string[] = [];
  const defined = state.defined.get(name) ?? [];
  state.defined.set(name, defined);
  const optionCount = rng.int(0, 6);
  const flawAt = rng.int(0, optionCount);
  for (let o = 0; o <= optionCount; o++) {
    if (o === flawAt) writeSectionFlaws(state, writer, file, name, keysHere);
    if (o === optionCount) break;
    if (rng.chance(0.2)) writer.lines.push(rng.chance(0.5) ? rng.pick(COMMENTS) : rng.pick(BLANKS));
    const key = pickNewKey(rng, keysHere);
    keysHere.push(key);
    writeOption(state, writer, key, plainOrReference(state, name));
    defined.push(key);
    if (rng.chance(0.25)) writeContinuation(state, writer);
  }
  if (name !== "DEFAULT" && takeFlaw(state, file, "duplicate-section", lastInFile ? 1 : 0.5)) {
    writeHeader(state, writer, name);
    writeOption(state, writer, pickNewKey(rng, []), "again");
  }
  if (name === "DEFAULT" && takeFlaw(state, file, "duplicate-default", 0.5)) {
    // Allowed: [DEFAULT] is not a section, so strict mode does not count its headers.
    writeHeader(state, writer, "DEFAULT");
    const key = pickNewKey(rng, keysHere);
    keysHere.push(key);
    writeOption(state, writer, key, "from a second [DEFAULT] header");
  }
}

function pickNewKey(rng: SeededRandom, taken: readonly string[]): string {
  for (let tries = 0; tries < 10; tries++) {
    const key = rng.pick(KEYS);
    if (!taken.includes(key)) return key;
  }
  return `k${rng.int(0, 1_000_000)}`;
}

function writeOption(state: CaseState, writer: FileWriter, key: string, value: string): void {
  const { rng } = state;
  // Indenting an option line deeper than the open option would make it a continuation line;
  // that happens on purpose now and then, and both parsers must agree on it.
  const open = writer.optionIndent;
  const indentText = rng.chance(0.1) ? rng.pick(INDENTS) : "";
  if (open !== undefined && indentText.length > open && rng.chance(0.7)) {
    writer.lines.push(`${key}${rng.pick(DELIMITERS)}${value}`);
    writer.optionIndent = 0;
    return;
  }
  writer.lines.push(`${indentText}${key}${rng.pick(DELIMITERS)}${value}`);
  if (open === undefined || indentText.length <= open) writer.optionIndent = indentText.length;
}

function writeContinuation(state: CaseState, writer: FileWriter): void {
  const { rng } = state;
  const base = writer.optionIndent ?? 0;
  for (let i = rng.int(1, 3); i > 0; i--) {
    const roll = rng.next();
    if (roll < 0.15) writer.lines.push(rng.pick(BLANKS));
    else if (roll < 0.25) writer.lines.push(rng.pick(INDENTS) + rng.pick(COMMENTS));
    else writer.lines.push(" ".repeat(base) + rng.pick(INDENTS) + rng.pick(CONTINUATION_TEXTS));
  }
  // Trailing blank lines are dropped from the value.
  if (rng.chance(0.3)) writer.lines.push(rng.pick(BLANKS));
}

function plainOrReference(state: CaseState, section: string): string {
  const { rng } = state;
  if (rng.chance(0.7)) return rng.pick(PLAIN_VALUES);
  const refs = [
    ...(state.defined.get(section) ?? []),
    ...(state.defined.get("DEFAULT") ?? []),
  ];
  const ref =
    () => (refs.length && rng.chance(0.85) ? rng.pick(refs) : rng.pick(["here", "__file__"]));
  switch (rng.int(0, 5)) {
    case 0:
      return `%(${ref()})s`;
    case 1:
      return `prefix %(${ref()})s suffix`;
    case 2:
      return `%(${ref()})s and 100%%`;
    case 3:
      return `%(${ref()})s/%(${ref()})s`;
    case 4:
      return `%(${ref().toUpperCase()})s`;
    default:
      return `  %(${ref()})s\u00a0`;
  }
}

function writeSectionFlaws(
  state: CaseState,
  writer: FileWriter,
  file: number,
  section: string,
  keysHere: string[],
): void {
  const { rng } = state;
  const known = keysHere.length ? keysHere : ["bind_port"];
  if (takeFlaw(state, file, "duplicate-key", 0.5)) {
    const key = rng.pick(known);
    if (!keysHere.includes(key)) writeOption(state, writer, key, "first");
    writeOption(state, writer, key, "second");
  }
  if (takeFlaw(state, file, "duplicate-key-other-case", 0.5)) {
    const key = rng.pick([...known, "Workers"]);
    const other = key === key.toUpperCase() ? key.toLowerCase() : key.toUpperCase();
    if (!keysHere.includes(key)) writeOption(state, writer, key, "first");
    if (!keysHere.includes(other)) writeOption(state, writer, other, "second");
  }
  if (takeFlaw(state, file, "no-delimiter", 0.5)) {
    writer.lines.push(rng.pick(["just some words", "novalue", "  indented words", "[unclosed"]));
  }
  if (takeFlaw(state, file, "empty-key", 0.5)) {
    writer.lines.push(rng.pick(["= value", " : value", "=", "\u00a0= x"]));
  }
  if (takeFlaw(state, file, "empty-key-then-indented", 0.5)) {
    // With an empty key ConfigParser has no option to continue, so the indented line is
    // read as a line of its own.
    writer.lines.push("= orphan");
    writer.lines.push(
      "  " + rng.pick([`${rng.pick(known)} = again`, `[${section}]`, "words", "fresh_key = 1"]),
    );
    writer.optionIndent = 0;
  }
  if (takeFlaw(state, file, "zero-width-indent", 0.5)) {
    writer.lines.push(`\u200b${rng.pick(["indented = no", "words"])}`);
  }
  if (takeFlaw(state, file, "missing-reference", 0.5)) {
    writeOption(state, writer, pickNewKey(rng, keysHere), `%(${rng.pick(["nope", "Missing"])})s`);
  }
  if (takeFlaw(state, file, "lone-percent", 0.5)) {
    writeOption(state, writer, pickNewKey(rng, keysHere), "%(here)s is 100% sure");
  }
  if (takeFlaw(state, file, "bad-reference", 0.5)) {
    writeOption(
      state,
      writer,
      pickNewKey(rng, keysHere),
      rng.pick(["%(unclosed", "%(here)", "%()s"]),
    );
  }
  if (takeFlaw(state, file, "deep-chain", 0.5)) {
    // Each nested %(name)s whose value holds a '%' goes one level deeper; CPython allows 10.
    const length = rng.int(8, 12);
    for (let i = 0; i < length; i++) {
      writeOption(state, writer, `chain${i}`, `%(chain${i + 1})s`);
    }
    writeOption(state, writer, `chain${length}`, "end");
  }
  if (takeFlaw(state, file, "cycle", 0.5)) {
    writeOption(state, writer, "loop_a", "%(loop_b)s");
    writeOption(state, writer, "loop_b", "x%(loop_a)s");
  }
}
