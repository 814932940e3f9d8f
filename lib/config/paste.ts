/**
 * paste.deploy's loadwsgi as Swift 2.30 drives it: [pipeline:main], [app:NAME], [filter:NAME],
 * `use = egg:swift#name`, [DEFAULT] values that win over plain local keys, `set key = value`
 * and `get key = name`, and conf.d directories (swift/common/wsgi.py ConfigDirLoader).
 *
 * A context's final conf is its global conf (defaults, then `set` values) updated with its
 * local conf, as `appconfig()` and every Swift factory see it.
 */
import { dirname, join, normalize, resolve } from "@std/path";
import { ConfigError, type ConfigLocation } from "./errors.ts";
import {
  type ConfValue,
  decodeConfigText,
  DEFAULT_SECTION,
  IniDocument,
  pySplit,
  pyStrip,
} from "./ini.ts";

/** The paste object types swiftd builds. */
export type ContextKind = "app" | "filter";

/** One app or filter as paste.deploy resolves it. */
export interface PasteContext {
  readonly kind: ContextKind;
  /** The name it was asked for by: a section suffix (`proxy-logging`) or an `egg:` spec. */
  readonly name: string;
  /** The section it was defined in (`filter:proxy-logging`), or undefined for a bare egg spec. */
  readonly section?: string;
  /** Swift's entry point name (`proxy_logging` for `use = egg:swift#proxy_logging`). */
  readonly entryPoint: string;
  /** Where the entry point was named (the `use` line, or the pipeline line). */
  readonly origin: ConfigLocation;
  readonly globalConf: Map<string, ConfValue>;
  readonly localConf: Map<string, ConfValue>;
  /** Keys of its section that [DEFAULT] overrides (paste.deploy drops them silently). */
  readonly shadowed: ReadonlyMap<string, ConfValue>;
}

/** A [pipeline:...] context: filters outermost first, then the app. */
export interface PastePipeline {
  readonly section: string;
  readonly location: ConfigLocation;
  readonly filters: PasteContext[];
  readonly app: PasteContext;
  readonly conf: Map<string, ConfValue>;
}

/** The only distribution swiftd provides entry points for. */
const EGG_PREFIX = /^egg:swift(?:#(.*))?$/i;
const MAX_USE_DEPTH = 20;
const ABSOLUTE_NAME = /^[a-zA-Z]+:/;
const SECTION_PREFIXES: Record<ContextKind | "pipeline", readonly string[][]> = {
  app: [["app", "application"], ["composite", "composit"], ["pipeline"], ["filter-app"]],
  filter: [["filter"]],
  pipeline: [["pipeline"]],
};
const PYTHON_PROTOCOLS = [
  "paste.app_factory",
  "paste.composite_factory",
  "paste.composit_factory",
  "paste.filter_factory",
  "paste.filter_app_factory",
];

/** The final conf an app or filter sees: global conf updated with local conf. */
export function mergedConf(ctx: PasteContext): Map<string, ConfValue> {
  return new Map([...ctx.globalConf, ...ctx.localConf]);
}

/** What was read and from where. */
export interface ConfigSource {
  /** The path as given (a file or a conf.d directory). */
  readonly path: string;
  /** The absolute path, resolved before any chdir. */
  readonly absolutePath: string;
  readonly isDirectory: boolean;
  /** The files read, in order, with their text: a snapshot workers can load identically. */
  readonly files: ReadonlyArray<readonly [file: string, text: string]>;
}

/**
 * Reads a config file or conf.d directory with paste.deploy (`paste`) or readconf() rules.
 * With `snapshot`, the texts come from it instead of the disk: every worker of a generation
 * then runs the very config its parent validated, even if the files change meanwhile.
 */
export function readConfigSource(
  path: string,
  mode: "paste" | "readconf",
  snapshot?: ConfigSource,
): { doc: IniDocument; source: ConfigSource } {
  const trimmed = mode === "paste" ? pyStrip(path) : path;
  const absolutePath = snapshot?.absolutePath ?? resolve(trimmed);
  let isDirectory: boolean;
  try {
    isDirectory = snapshot?.isDirectory ?? Deno.statSync(absolutePath).isDirectory;
  } catch (err) {
    throw new ConfigError(`cannot be read: ${errorText(err)}`, { file: trimmed });
  }
  const predefined = mode === "readconf"
    ? undefined
    : isDirectory
    ? { here: normalize(absolutePath), __file__: absolutePath }
    : { here: dirname(absolutePath), __file__: absolutePath };
  const doc = new IniDocument({ lowercaseKeys: mode === "readconf", predefined });
  const files = snapshot ? snapshot.files : readFiles(trimmed, isDirectory);
  for (const [file, text] of files) doc.read(text, file);
  if (isDirectory && files.length === 0) {
    throw new ConfigError(
      `has no readable *.conf file (a conf.d directory is read as every "*.conf" not ` +
        `starting with ".", in sorted order)`,
      { file: trimmed },
    );
  }
  return { doc, source: { path: trimmed, absolutePath, isDirectory, files } };
}

function readFiles(path: string, isDirectory: boolean): [string, string][] {
  const out: [string, string][] = [];
  for (const file of isDirectory ? confDirFiles(path) : [path]) {
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(file);
    } catch (err) {
      // ConfigParser.read() skips files it cannot open; one named directly must open.
      if (isDirectory) continue;
      throw new ConfigError(`cannot be read: ${errorText(err)}`, { file });
    }
    out.push([file, decodeConfigText(bytes, file)]);
  }
  return out;
}

/** Swift's read_conf_dir(): every `*.conf` not starting with `.`, sorted by path. */
function confDirFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.name.endsWith(".conf") && !entry.name.startsWith(".")) {
      files.push(join(dir, entry.name));
    }
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Entry point names swiftd provides, listed in errors about unknown ones. */
export type KnownEntryPoints = Readonly<Record<ContextKind, readonly string[]>>;

/** paste.deploy's ConfigLoader over one document. */
export class PasteLoader {
  readonly doc: IniDocument;
  readonly source: ConfigSource;
  readonly #known: KnownEntryPoints;

  constructor(doc: IniDocument, source: ConfigSource, known: KnownEntryPoints) {
    this.doc = doc;
    this.source = source;
    this.#known = known;
  }

  /** Reads `path` (file or conf.d directory, or its snapshot) for paste loading. */
  static open(path: string, known: KnownEntryPoints, snapshot?: ConfigSource): PasteLoader {
    const { doc, source } = readConfigSource(path, "paste", snapshot);
    return new PasteLoader(doc, source, known);
  }

  /** NicerConfigParser.defaults(): [DEFAULT] values, interpolated. */
  defaults(): Map<string, ConfValue> {
    const out = new Map<string, ConfValue>();
    for (const key of this.doc.defaultKeys()) {
      const raw = this.doc.raw(DEFAULT_SECTION, key)!;
      const value = this.doc.get(DEFAULT_SECTION, key);
      out.set(key, value.value ? value : raw);
    }
    return out;
  }

  /** The app (or pipeline) called `name` ("main" when omitted), as appconfig()/loadapp() see it. */
  loadApp(
    name?: string,
    globalConf?: ReadonlyMap<string, ConfValue>,
  ): PasteContext | PastePipeline {
    return this.#context("app", name, globalConf);
  }

  #context(
    kind: ContextKind,
    name: string | undefined,
    passedGlobal: ReadonlyMap<string, ConfValue> | undefined,
    origin?: ConfigLocation,
    depth = 0,
  ): PasteContext | PastePipeline {
    if (depth > MAX_USE_DEPTH) {
      throw new ConfigError(`starts a chain of 'use' references that never ends`, origin ?? {});
    }
    if (name !== undefined && ABSOLUTE_NAME.test(name)) {
      return this.#eggContext(kind, name, new Map(passedGlobal ?? []), origin);
    }
    const section = this.#findSection(kind, name, origin);
    const location = { ...this.doc.sectionLocation(section), section };
    const defaults = this.defaults();
    const globalConf = new Map([...defaults, ...(passedGlobal ?? [])]);
    const localConf = new Map<string, ConfValue>();
    const additions = new Map<string, ConfValue>();
    const fromGlobals = new Map<string, ConfValue>();
    const shadowed = new Map<string, ConfValue>();
    for (const option of this.doc.options(section)) {
      if (option.startsWith("set ")) {
        const value = this.doc.get(section, option);
        additions.set(pyStrip(option.slice(4)), value);
        globalConf.set(pyStrip(option.slice(4)), value);
      } else if (option.startsWith("get ")) {
        fromGlobals.set(pyStrip(option.slice(4)), this.doc.get(section, option));
      } else if (!defaults.has(option)) {
        localConf.set(option, this.doc.get(section, option));
      } else {
        const own = this.doc.own(section, option);
        if (own) shadowed.set(option, own);
      }
    }
    for (const [localKey, globalKey] of fromGlobals) {
      const value = globalConf.get(globalKey.value);
      if (!value) {
        throw new ConfigError(
          `'get ${localKey}' names '${globalKey.value}', which is not a global setting`,
          { file: globalKey.file, line: globalKey.line, section },
        );
      }
      localConf.set(localKey, value);
    }
    for (const unsupported of ["filter-with", "require"]) {
      const entry = localConf.get(unsupported);
      if (entry) {
        throw new ConfigError(
          `is a paste.deploy setting swiftd does not support (it loads Python packages)`,
          { file: entry.file, line: entry.line, section, key: unsupported },
        );
      }
    }
    if (section.startsWith("pipeline:")) {
      return this.#pipeline(section, location, globalConf, localConf);
    }
    if (/^(composite|composit|filter-app):/.test(section)) {
      throw new ConfigError(
        `is a paste.deploy section type swiftd does not support; use [pipeline:...], [app:...] ` +
          `and [filter:...]`,
        location,
      );
    }
    const use = localConf.get("use");
    if (!use) {
      const protocol = PYTHON_PROTOCOLS.find((p) => localConf.has(p));
      const entry = protocol ? localConf.get(protocol)! : undefined;
      throw new ConfigError(
        protocol
          ? `names a Python factory ("${protocol} = ${entry!.value}"); swiftd cannot load ` +
            `Python code: use one of its entry points with "use = egg:swift#NAME" (${
              this.#knownText(kind)
            })`
          : `has no "use = egg:swift#NAME" line (${this.#knownText(kind)})`,
        { ...location, file: entry?.file ?? location.file, line: entry?.line ?? location.line },
      );
    }
    localConf.delete("use");
    const inner = this.#context(kind, use.value, globalConf, {
      file: use.file,
      line: use.line,
      section,
      key: "use",
    }, depth + 1);
    if (!("entryPoint" in inner)) {
      throw new ConfigError(`names [${inner.section}], which is not an [${kind}:...] section`, {
        file: use.file,
        line: use.line,
        section,
        key: "use",
      });
    }
    for (const [key, value] of additions) inner.globalConf.set(key, value);
    // paste.deploy's NamedConfigLoader sets __name__ on the inner context first, so it
    // precedes this section's own keys; here it is renamed in place.
    inner.localConf.set("__name__", { value: name ?? "main" });
    for (const [key, value] of localConf) inner.localConf.set(key, value);
    const file = globalConf.get("__file__");
    if (file) inner.globalConf.set("__file__", file);
    return { ...inner, name: name ?? "main", section, origin: inner.origin, shadowed };
  }

  #eggContext(
    kind: ContextKind,
    spec: string,
    globalConf: Map<string, ConfValue>,
    origin: ConfigLocation | undefined,
  ): PasteContext {
    const egg = EGG_PREFIX.exec(spec);
    if (!egg) {
      throw new ConfigError(
        `names "${spec}", which swiftd cannot load: only Swift's own entry points ` +
          `"egg:swift#NAME" exist here (${this.#knownText(kind)})`,
        origin ?? {},
      );
    }
    return {
      kind,
      name: spec,
      entryPoint: egg[1] || "main",
      origin: origin ?? {},
      globalConf,
      localConf: new Map([["__name__", { value: spec }]]),
      shadowed: new Map(),
    };
  }

  #pipeline(
    section: string,
    location: ConfigLocation,
    globalConf: Map<string, ConfValue>,
    localConf: Map<string, ConfValue>,
  ): PastePipeline {
    const line = localConf.get("pipeline");
    if (!line) {
      throw new ConfigError(`is missing a 'pipeline' setting`, location);
    }
    localConf.delete("pipeline");
    if (localConf.size > 0) {
      const [key, extra] = [...localConf][0];
      throw new ConfigError(
        `is not allowed in a pipeline section, which holds only 'pipeline' (extra settings: ${
          [...localConf.keys()].join(", ")
        })`,
        { file: extra.file, line: extra.line, section, key },
      );
    }
    const names = pySplit(line.value);
    if (names.length === 0) {
      throw new ConfigError(`is empty; it must name at least the app`, {
        file: line.file,
        line: line.line,
        section,
        key: "pipeline",
      });
    }
    const origin = { file: line.file, line: line.line, section, key: "pipeline" };
    const app = this.#context("app", names[names.length - 1], globalConf, origin);
    if (!("entryPoint" in app)) {
      throw new ConfigError(`ends with [${app.section}], which is a pipeline, not an app`, origin);
    }
    const filters = names.slice(0, -1).map((name) => {
      const filter = this.#context("filter", name, globalConf, origin);
      return filter as PasteContext;
    });
    const conf = new Map(globalConf);
    conf.set("__name__", { value: section.slice(section.indexOf(":") + 1).trim() });
    return { section, location, filters, app, conf };
  }

  #findSection(kind: ContextKind, name: string | undefined, origin?: ConfigLocation): string {
    const sections = this.doc.sections();
    const wanted = name ?? "main";
    const found: string[] = [];
    for (const alternatives of SECTION_PREFIXES[kind]) {
      for (const prefix of alternatives) {
        // paste.deploy always asks for a name ("main" by default), so a bare [app] is no match.
        const matches = sections.filter((s) =>
          s.startsWith(`${prefix}:`) && pyStrip(s.slice(prefix.length + 1)) === wanted
        );
        if (matches.length) {
          found.push(...matches);
          break;
        }
      }
    }
    const prefixes = SECTION_PREFIXES[kind].flat().map((p) => `[${p}:${wanted}]`).join(" or ");
    if (found.length === 0) {
      throw new ConfigError(
        `has no section ${prefixes}${origin?.key ? ` for the '${wanted}' named here` : ""}`,
        origin?.key ? origin : { file: this.source.path },
      );
    }
    if (found.length > 1) {
      throw new ConfigError(
        `has several sections for '${wanted}' (${found.map((s) => `[${s}]`).join(", ")}); ` +
          `paste.deploy refuses ambiguous names`,
        origin?.key ? origin : { file: this.source.path },
      );
    }
    return found[0];
  }

  #knownText(kind: ContextKind): string {
    const names = this.#known[kind];
    return names.length
      ? `known ${kind}s: ${names.map((n) => `egg:swift#${n}`).join(", ")}`
      : `no ${kind}s are known`;
  }
}

/** The section name a context prints under in `swiftd config -w` (swift-config's format). */
export function contextDisplayName(ctx: PasteContext): string {
  return `${ctx.kind === "app" ? "application" : "filter"}:${ctx.name}`;
}
