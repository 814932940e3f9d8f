/**
 * loadServerConfig(): a config file or conf.d directory -> a frozen, typed ServerConfig,
 * read the way `swift-SERVER CONF` reads it (swift/common/wsgi.py _initrp + loadapp).
 */
import { ConfigError, type ConfigLocation, type ConfigWarning, configWarning } from "./errors.ts";
import type { ConfValue } from "./ini.ts";
import {
  type ConfigSource,
  type KnownEntryPoints,
  mergedConf,
  type PasteContext,
  PasteLoader,
  type PastePipeline,
} from "./paste.ts";
import { APP_TABLES } from "./options/apps.ts";
import { FILTER_TABLES } from "./options/filters.ts";
import type { OptionTable, TypedConfig } from "./options/option.ts";
import type { RUNTIME_OPTIONS } from "./options/runtime.ts";
import { type ServerName, SERVERS, type ServerSpec } from "./options/servers.ts";
import { InvalidValue } from "./values.ts";

/** One app or filter of the pipeline, with the conf its factory receives. */
export interface StageConfig {
  readonly kind: "app" | "filter";
  /** The name the pipeline uses for it (its section's suffix). */
  readonly name: string;
  /** Its section, e.g. `filter:proxy-logging`. */
  readonly section?: string;
  /** Swift's entry point name, e.g. `proxy_logging`. */
  readonly entryPoint: string;
  /** Global conf updated with local conf: exactly what Swift's factory gets. */
  readonly conf: ReadonlyMap<string, ConfValue>;
  /** The conf parsed through the entry point's option table. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Where the entry point was named. */
  readonly origin: ConfigLocation;
}

/** Everything a server needs from its config, validated. */
export interface ServerConfig {
  readonly server: ServerName;
  readonly source: ConfigSource;
  /** The server's own settings: [DEFAULT] + [app:SERVER], as run_wsgi() reads them. */
  readonly settings: TypedConfig<typeof RUNTIME_OPTIONS>;
  /** The name in every log line (log_name, or the server name). */
  readonly logName: string;
  /** [app:SERVER] itself. */
  readonly app: StageConfig;
  /** [pipeline:main]: filters outermost first, then the app. */
  readonly pipeline: {
    readonly filters: readonly StageConfig[];
    readonly app: StageConfig;
    /** What the app changed in the pipeline (required filters it added), to be logged. */
    readonly changes: readonly string[];
  };
  /** Doubtful values and unknown keys, each with file:line; the server still starts. */
  readonly warnings: readonly ConfigWarning[];
}

/** Entry point names that exist in Swift 2.30 (its setup.cfg), to tell "not yet" from "unknown". */
const SWIFT_FILTERS = [
  "account_quotas",
  "bulk",
  "catch_errors",
  "cname_lookup",
  "container_quotas",
  "container_sync",
  "copy",
  "crossdomain",
  "dlo",
  "domain_remap",
  "encryption",
  "etag_quoter",
  "formpost",
  "gatekeeper",
  "healthcheck",
  "keymaster",
  "keystoneauth",
  "kmip_keymaster",
  "kms_keymaster",
  "list_endpoints",
  "listing_formats",
  "memcache",
  "name_check",
  "proxy_logging",
  "ratelimit",
  "read_only",
  "recon",
  "s3api",
  "s3token",
  "slo",
  "staticweb",
  "symlink",
  "tempauth",
  "tempurl",
  "versioned_writes",
  "xprofile",
]; // deno-fmt-ignore
const SWIFT_APPS = ["account", "container", "mem_object", "object", "proxy"];

const KNOWN: KnownEntryPoints = {
  app: Object.keys(APP_TABLES),
  filter: Object.keys(FILTER_TABLES),
};

/**
 * Loads and validates the config of `server` from a file or conf.d directory, or from the
 * snapshot of one that a parent process read (so a worker loads exactly what it validated).
 */
export function loadServerConfig(
  path: string,
  server: ServerName,
  snapshot?: ConfigSource,
): ServerConfig {
  const spec = SERVERS[server];
  const warnings = new Map<string, ConfigWarning>();
  const warn = (w: ConfigWarning) => warnings.set(w.message, w);
  const loader = PasteLoader.open(path, KNOWN, snapshot);
  const appContext = loader.loadApp(spec.name);
  if (!isContext(appContext)) {
    throw new ConfigError(`must be an [app:${spec.name}] section, not a pipeline`, {
      ...appContext.location,
    });
  }
  const app = stage(appContext, warn);
  if (!(spec.apps as readonly string[]).includes(app.entryPoint)) {
    throw new ConfigError(
      `names egg:swift#${app.entryPoint}, which is not a ${spec.name} app (use ${
        spec.apps.map((a) => `egg:swift#${a}`).join(" or ")
      })`,
      appContext.origin,
    );
  }
  const settings = app.options as TypedConfig<typeof RUNTIME_OPTIONS>;
  const logName = settings.log_name ?? spec.name;
  // run_wsgi() hands every stage the server's log_name as a global setting.
  const main = loader.loadApp(undefined, new Map([["log_name", { value: logName }]]));
  const filters = isContext(main) ? [] : main.filters.map((f) => stage(f, warn));
  const pipeline = {
    filters,
    app: stage(isContext(main) ? main : main.app, warn),
    changes: [] as string[],
  };
  pipeline.changes = insertRequiredFilters(
    filters,
    spec,
    isContext(main) ? new Map() : main.conf,
    warn,
  );
  if (pipeline.changes.some((line) => line.startsWith("Adding"))) {
    pipeline.changes.push(
      `Pipeline was modified. New pipeline is "${
        [...filters.map((f) => f.name), pipeline.app.name].join(" ")
      }".`,
    );
  }
  return deepFreeze({
    server,
    source: loader.source,
    settings,
    logName,
    app,
    pipeline,
    warnings: [...warnings.values()],
  });
}

/**
 * The proxy's modify_wsgi_pipeline(): adds each required filter the pipeline lacks, right
 * after the last filter it must follow (Swift's order and positions), with the pipeline's
 * global conf. Returns Swift's log lines about it. A required filter swiftd does not provide
 * yet is left out (listed in the returned lines), since it cannot be built.
 */
function insertRequiredFilters(
  filters: StageConfig[],
  spec: ServerSpec,
  globalConf: ReadonlyMap<string, ConfValue>,
  warn: (w: ConfigWarning) => void,
): string[] {
  const changes: string[] = [];
  const indexOf = (name: string) => filters.findIndex((f) => f.entryPoint === name);
  for (const required of [...(spec.requiredFilters ?? [])].reverse()) {
    if (indexOf(required.name) >= 0) continue;
    const table = FILTER_TABLES[required.name];
    if (!table) {
      changes.push(`Required filter ${required.name} is not provided by swiftd yet; not added`);
      continue;
    }
    let insertAt = 0;
    for (const after of required.after) {
      const name = after.replace(/\?$/, "");
      if (after.endsWith("?") && filters[0]?.entryPoint !== name) continue;
      const at = indexOf(name);
      if (at >= 0) insertAt = Math.max(insertAt, at + 1);
    }
    const conf = new Map([...globalConf, ["__name__", { value: required.name }]]);
    filters.splice(insertAt, 0, {
      kind: "filter",
      name: required.name,
      entryPoint: required.name,
      conf,
      options: parseOptions(table, conf, { section: `filter:${required.name}` }, warn),
      origin: {},
    });
    changes.push(`Adding required filter ${required.name} to pipeline at position ${insertAt}`);
  }
  return changes;
}

function isContext(ctx: PasteContext | PastePipeline): ctx is PasteContext {
  return "entryPoint" in ctx;
}

/** Resolves a context's entry point and parses its conf through the entry point's table. */
function stage(ctx: PasteContext, warn: (w: ConfigWarning) => void): StageConfig {
  const tables = ctx.kind === "app" ? APP_TABLES : FILTER_TABLES;
  const table = tables[ctx.entryPoint];
  if (!table) {
    const inSwift = (ctx.kind === "app" ? SWIFT_APPS : SWIFT_FILTERS).includes(ctx.entryPoint);
    throw new ConfigError(
      inSwift
        ? `names egg:swift#${ctx.entryPoint}, a Swift ${ctx.kind} that swiftd does not provide ` +
          `yet; remove it from the pipeline to run without it (swiftd provides: ${
            KNOWN[ctx.kind].join(", ")
          })`
        : `names egg:swift#${ctx.entryPoint}, which is not a Swift ${ctx.kind} entry point ` +
          `(swiftd provides: ${KNOWN[ctx.kind].join(", ")})`,
      { ...ctx.origin, section: ctx.origin.section ?? ctx.section },
    );
  }
  const conf = mergedConf(ctx);
  const section = ctx.section ?? ctx.name;
  for (const [key, value] of ctx.shadowed) {
    if (conf.get(key)?.value === value.value) continue;
    warn(configWarning(
      `has no effect: [DEFAULT] sets it too, and paste.deploy lets [DEFAULT] win over a plain ` +
        `key (Swift ignores this line as well); write "set ${key} = ${value.value}" to override`,
      { file: value.file, line: value.line, section, key },
    ));
  }
  if (table.complete) {
    const known = new Set(table.options.map((o) => o.key));
    for (const [key, value] of ctx.localConf) {
      if (key === "__name__" || known.has(key)) continue;
      const guess = closest(key, [...known]);
      warn(configWarning(
        `is not a setting of egg:swift#${table.name}, so it has no effect (Swift ignores it ` +
          `too)${guess ? `; did you mean '${guess}'?` : ""}`,
        { file: value.file, line: value.line, section: value.section ?? section, key },
      ));
    }
  }
  return {
    kind: ctx.kind,
    name: ctx.name,
    section: ctx.section,
    entryPoint: ctx.entryPoint,
    conf,
    options: parseOptions(table, conf, { file: ctx.origin.file, section }, warn),
    origin: ctx.origin,
  };
}

/** Runs every option of `table` through its parser; missing keys take the table's default. */
export function parseOptions(
  table: OptionTable,
  conf: ReadonlyMap<string, ConfValue>,
  where: ConfigLocation,
  warn: (w: ConfigWarning) => void,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of table.options) {
    const entry = conf.get(spec.key);
    const raw = entry?.value ?? spec.default;
    const location = {
      file: entry?.file ?? where.file,
      line: entry?.line,
      section: entry?.section ?? where.section,
      key: spec.key,
    };
    try {
      out[spec.key] = spec.parse(raw, (reason) => warn(configWarning(reason, location)));
    } catch (err) {
      if (!(err instanceof InvalidValue)) throw err;
      throw new ConfigError(
        entry || raw !== "" ? `${err.expected}: current value is "${raw}"` : missingText(spec.key),
        location,
      );
    }
  }
  return out;
}

function missingText(key: string): string {
  return key === "bind_port"
    ? "wasn't properly set in the config file. It must be explicitly set to a valid port number."
    : "must be set";
}

/** The known key nearest to a typo (edit distance <= 2), if any. */
function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value) && !(value instanceof Map)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The typed options of a stage, checked to come from `table`. */
export function optionsOf<T extends OptionTable>(
  stageConfig: StageConfig,
  table: T,
): TypedConfig<T["options"]> {
  if (stageConfig.entryPoint !== table.name) {
    throw new Error(
      `Stage [${stageConfig.section}] is egg:swift#${stageConfig.entryPoint}, not ${table.name}`,
    );
  }
  return stageConfig.options as TypedConfig<T["options"]>;
}
