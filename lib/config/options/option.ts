/**
 * The shape of an option table (gunicorn's config.py idea): every key swiftd reads is declared
 * once, with its parser, default and doc line. Samples, `--help` and typed configs come from here.
 */
import type { Parser } from "../values.ts";

/** One config key. */
export interface OptionSpec<K extends string = string, T = unknown> {
  readonly key: K;
  readonly parse: Parser<T>;
  /** The value used when the key is absent, as it would be written in the file. */
  readonly default: string;
  /** One line for the sample config and `--help`. */
  readonly doc: string;
  /** Where the sample config shows the key: [DEFAULT] (shared settings) or the app/filter section. */
  readonly sampleIn?: "DEFAULT" | "section";
}

/** A named set of options: the settings of one app or filter entry point. */
export interface OptionTable<O extends readonly OptionSpec[] = readonly OptionSpec[]> {
  /** Swift's entry point name (`egg:swift#NAME`), or a label for shared groups. */
  readonly name: string;
  readonly doc: string;
  readonly options: O;
  /**
   * True when swiftd declares every key Swift reads in this section, so an unknown key is
   * likely a typo and gets a warning; false while the table is partial.
   */
  readonly complete: boolean;
}

/** Declares one option, keeping its key as a literal type for TypedConfig. */
export function option<const K extends string, T>(spec: OptionSpec<K, T>): OptionSpec<K, T> {
  return spec;
}

/** The typed, parsed values of a list of options. */
export type TypedConfig<O extends readonly OptionSpec[]> = {
  readonly [S in O[number] as S["key"]]: S extends OptionSpec<string, infer T> ? T : never;
};
