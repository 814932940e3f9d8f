/**
 * The effective config as Swift's `swift-config` tool shows it: readconf() sections
 * (keys lower-cased, [DEFAULT] merged in) or, with `wsgi`, the paste.deploy contexts of
 * [pipeline:main] (`swift-config -w`).
 */
import {
  type ConfigSource,
  contextDisplayName,
  mergedConf,
  PasteLoader,
  readConfigSource,
} from "./paste.ts";
import { APP_TABLES } from "./options/apps.ts";
import { FILTER_TABLES } from "./options/filters.ts";

/** Sections in order, each an ordered list of key/value pairs, plus top-level values. */
export interface EffectiveConfig {
  readonly source: ConfigSource;
  readonly sections: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, string]>]>;
  /** Values outside any section (swift-config prints them as `# key = value`). */
  readonly flat: ReadonlyArray<readonly [string, string]>;
}

/** Computes what `swift-config [-w] CONF` prints, without its Python-only quirks. */
export function effectiveConfig(path: string, options: { wsgi?: boolean } = {}): EffectiveConfig {
  return options.wsgi ? pasteView(path) : readconfView(path);
}

function readconfView(path: string): EffectiveConfig {
  const { doc, source } = readConfigSource(path, "readconf");
  const sections = doc.sections().map((name) =>
    [name, doc.items(name).map(([key, value]) => [key, value.value] as const)] as const
  );
  // readconf() adds log_name (None when not asked for one) and __file__ beside the sections.
  return { source, sections, flat: [["log_name", "None"], ["__file__", path]] };
}

function pasteView(path: string): EffectiveConfig {
  const loader = PasteLoader.open(path, {
    app: Object.keys(APP_TABLES),
    filter: Object.keys(FILTER_TABLES),
  });
  const main = loader.loadApp();
  const pairs = (conf: ReadonlyMap<string, { value: string }>) =>
    [...conf].map(([key, value]) => [key, value.value] as const);
  if ("entryPoint" in main) {
    return {
      source: loader.source,
      sections: [[contextDisplayName(main), pairs(mergedConf(main))]],
      flat: [],
    };
  }
  const pipeline = [...main.filters, main.app].map((ctx) => ctx.entryPoint).join(" ");
  // swift-config keeps contexts in a dict: a filter named twice shows once, where it first
  // appears, with the conf of its last use.
  const sections = new Map<string, ReadonlyArray<readonly [string, string]>>([
    [main.section, [...pairs(main.conf), ["pipeline", pipeline]]],
  ]);
  for (const ctx of [...main.filters, main.app]) {
    sections.set(contextDisplayName(ctx), pairs(mergedConf(ctx)));
  }
  return { source: loader.source, sections: [...sections], flat: [] };
}
