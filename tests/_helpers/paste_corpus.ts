/**
 * A seeded generator of paste.deploy configs as Swift deployments write them: [DEFAULT],
 * [pipeline:main] with 1-5 filters, [filter:x] with `use = egg:swift#...` or
 * `use = other-section` chains, local keys colliding with [DEFAULT] keys, `set` and `get`
 * lines, [app:x]; a third of them split into a conf.d directory of 2-4 files. A few carry a
 * deliberate mistake paste.deploy rejects (or resolves in a way that is easy to get wrong).
 */
import { SeededRandom } from "./random.ts";

/** One generated config: a single file, or the files of a conf.d directory. */
export interface PasteCase {
  readonly id: number;
  readonly files: readonly { readonly name: string; readonly text: string }[];
  readonly isDirectory: boolean;
  readonly flaws: readonly PasteFlaw[];
}

/** The deliberate mistakes a paste config can carry. */
export const PASTE_FLAWS = [
  "missing-filter-section",
  "get-missing-global",
  "pipeline-extra-key",
  "app-without-use",
  "unnamed-main-section",
  "app-and-application",
] as const;

/** One kind of deliberate mistake. */
export type PasteFlaw = typeof PASTE_FLAWS[number];

/** Filter section names (as a pipeline names them) and Swift's entry point for each. */
const FILTERS: readonly (readonly [string, string])[] = [
  ["catch_errors", "catch_errors"],
  ["gatekeeper", "gatekeeper"],
  ["healthcheck", "healthcheck"],
  ["proxy-logging", "proxy_logging"],
  ["cache", "memcache"],
  ["listing_formats", "listing_formats"],
  ["bulk", "bulk"],
  ["tempurl", "tempurl"],
  ["ratelimit", "ratelimit"],
  ["tempauth", "tempauth"],
  ["copy", "copy"],
  ["container-quotas", "container_quotas"],
  ["account-quotas", "account_quotas"],
  ["slo", "slo"],
  ["dlo", "dlo"],
  ["versioned_writes", "versioned_writes"],
  ["symlink", "symlink"],
  ["recon", "recon"],
  ["crossdomain", "crossdomain"],
  ["name_check", "name_check"],
  ["staticweb", "staticweb"],
  ["formpost", "formpost"],
  ["etag-quoter", "etag_quoter"],
  ["read_only", "read_only"],
  ["container_sync", "container_sync"],
];

const APPS: readonly (readonly [string, string])[] = [
  ["proxy-server", "proxy"],
  ["object-server", "object"],
  ["account-server", "account"],
  ["container-server", "container"],
];

const DEFAULT_KEYS: readonly (readonly [string, string])[] = [
  ["bind_ip", "127.0.0.1"],
  ["bind_port", "8080"],
  ["workers", "auto"],
  ["user", "swift"],
  ["log_name", "swift"],
  ["log_level", "INFO"],
  ["log_facility", "LOG_LOCAL0"],
  ["swift_dir", "%(here)s"],
  ["expose_info", "true"],
  ["conn_timeout", "0.5"],
  ["Mixed_Key", "Value"],
  ["fallocate_reserve", "1%"],
  ["devices", "/srv/node"],
  ["log_statsd_host", ""],
];

const LOCAL_KEYS: readonly (readonly [string, string])[] = [
  ["access_log_name", "%(log_name)s-access"],
  ["disable_path", "%(here)s/disabled"],
  ["memcache_servers", "127.0.0.1:11211"],
  ["max_get_time", "86400"],
  ["reseller_prefix", "AUTH_"],
  ["Some_Key", "Some Value"],
  ["path", "%(__file__)s"],
  ["log_headers", "false"],
  ["percent", "50%"],
  ["multi", "line one\n  line two"],
  ["empty", ""],
];

const SET_KEYS = ["log_name", "log_level", "extra_global", "bind_port", "Mixed_Key"];

/** What every section of one case may refer to. */
interface CaseContext {
  readonly rng: SeededRandom;
  /** Keys in the global conf: predefined, [DEFAULT], and `set` in [pipeline:main]. */
  readonly globals: string[];
  /** Keys of [DEFAULT], the only ones %(name)s can reach besides the section's own. */
  readonly defaults: ReadonlySet<string>;
}

interface SectionModel {
  readonly name: string;
  readonly lines: string[];
}

/** Generates `count` cases from `seed`; the same arguments give the same corpus. */
export function generatePasteCorpus(seed: number, count: number): PasteCase[] {
  const rng = new SeededRandom(seed);
  const cases: PasteCase[] = [];
  for (let id = 0; id < count; id++) cases.push(generateCase(rng, id));
  return cases;
}

function generateCase(rng: SeededRandom, id: number): PasteCase {
  const flaws: PasteFlaw[] = rng.chance(0.12) ? [rng.pick(PASTE_FLAWS)] : [];
  const sections: SectionModel[] = [];
  const defaults = rng.shuffle(DEFAULT_KEYS).slice(0, rng.int(0, 6));
  sections.push({ name: "DEFAULT", lines: defaults.map(([k, v]) => `${k} = ${v}`) });
  const globals = ["here", "__file__", ...defaults.map(([k]) => k)];
  const ctx: CaseContext = { rng, globals, defaults: new Set(defaults.map(([k]) => k)) };

  const [appName, appEntry] = rng.pick(APPS);
  const appPrefix = rng.chance(0.2) ? "application" : "app";
  const unnamedMain = flaws.includes("unnamed-main-section");
  if ((rng.chance(0.1) && !flaws.length) || (unnamedMain && rng.chance(0.5))) {
    // No pipeline: the main app itself. paste.deploy looks for [app:main], never for [app].
    const name = unnamedMain ? appPrefix : `${appPrefix}:main`;
    sections.push(appSection(ctx, name, `egg:swift#${appEntry}`));
    return render(rng, id, sections, flaws);
  }

  const chosen = rng.shuffle(FILTERS).slice(0, rng.int(1, 5));
  const pipeline = chosen.map(([name]) => name);
  if (rng.chance(0.15)) pipeline.splice(rng.int(0, pipeline.length), 0, rng.pick(pipeline));
  if (rng.chance(0.1)) pipeline.splice(rng.int(0, pipeline.length), 0, "egg:swift#healthcheck");
  if (flaws.includes("missing-filter-section")) pipeline.unshift("no-such-filter");
  const pipelineLines = [`pipeline = ${[...pipeline, appName].join(" ")}`];
  if (rng.chance(0.25)) {
    const key = rng.pick(SET_KEYS);
    pipelineLines.push(`set ${key} = from-pipeline`);
    globals.push(key);
  }
  if (flaws.includes("pipeline-extra-key")) pipelineLines.push("extra = 1");
  const main = unnamedMain ? "pipeline" : "pipeline:main";
  sections.push({ name: main, lines: pipelineLines });

  let bases = 0;
  for (const [name, entry] of chosen) {
    let use = `egg:swift#${entry}`;
    // `use = other-section` chains, one or two sections deep.
    for (let depth = rng.chance(0.25) ? rng.int(1, 2) : 0; depth > 0; depth--) {
      const base = `base-${bases++}`;
      sections.push(filterSection(ctx, `filter:${base}`, use, []));
      use = base;
    }
    const sectionName = rng.chance(0.1) ? `filter: ${name} ` : `filter:${name}`;
    sections.push(filterSection(ctx, sectionName, use, flaws));
  }
  if (rng.chance(0.3)) {
    const [unused, entry] = rng.pick(FILTERS);
    if (!chosen.some(([name]) => name === unused)) {
      sections.push(filterSection(ctx, `filter:${unused}`, `egg:swift#${entry}`, []));
    }
  }

  let appUse = `egg:swift#${appEntry}`;
  if (rng.chance(0.2)) {
    sections.push(appSection(ctx, "app:app-base", appUse));
    appUse = "app-base";
  }
  const app = appSection(ctx, `${appPrefix}:${appName}`, appUse);
  if (flaws.includes("app-without-use")) app.lines.splice(0, 1);
  sections.push(app);
  if (flaws.includes("app-and-application")) {
    const other = appPrefix === "app" ? "application" : "app";
    sections.push({
      name: `${other}:${appName}`,
      lines: [`use = egg:swift#${appEntry}`, `which = ${other}`],
    });
  }
  return render(rng, id, rng.chance(0.5) ? sections : shuffleAfterDefault(rng, sections), flaws);
}

function shuffleAfterDefault(rng: SeededRandom, sections: SectionModel[]): SectionModel[] {
  return [sections[0], ...rng.shuffle(sections.slice(1))];
}

function localLines(ctx: CaseContext): string[] {
  const { rng } = ctx;
  let globals = ctx.globals;
  const lines: string[] = [];
  const keys = new Set<string>();
  for (let i = rng.int(0, 4); i > 0; i--) {
    // Keys [DEFAULT] also sets are dropped from the local conf: [DEFAULT] wins.
    const [key, value] = rng.chance(0.3) ? rng.pick(DEFAULT_KEYS) : rng.pick(LOCAL_KEYS);
    if (keys.has(key) || (value.includes("%(log_name)s") && !ctx.defaults.has("log_name"))) {
      continue;
    }
    keys.add(key);
    lines.push(`${key} = ${rng.chance(0.3) ? "local-" + value : value}`);
  }
  if (rng.chance(0.3)) {
    const key = rng.pick(SET_KEYS);
    lines.push(`set ${key} = set-in-section`);
    globals = [...globals, key];
  }
  if (rng.chance(0.2)) lines.push(`get got_${rng.int(0, 9)} = ${rng.pick(globals)}`);
  return rng.shuffle(lines);
}

function filterSection(
  ctx: CaseContext,
  name: string,
  use: string,
  flaws: readonly PasteFlaw[],
): SectionModel {
  const { rng } = ctx;
  const lines = [`use = ${use}`, ...localLines(ctx)];
  if (flaws.includes("get-missing-global") && !lines.some((l) => l.startsWith("get "))) {
    lines.push("get missing = not_a_global_key");
  }
  return { name, lines: rng.chance(0.3) ? rng.shuffle(lines) : lines };
}

function appSection(ctx: CaseContext, name: string, use: string): SectionModel {
  return { name, lines: [`use = ${use}`, ...localLines(ctx)] };
}

function render(
  rng: SeededRandom,
  id: number,
  sections: readonly SectionModel[],
  flaws: PasteFlaw[],
): PasteCase {
  const text = (list: readonly SectionModel[]) =>
    list.map((s) => `[${s.name}]\n${s.lines.map((l) => `${l}\n`).join("")}`).join("\n");
  if (rng.chance(0.65)) {
    return {
      id,
      files: [{ name: "server.conf", text: text(sections) }],
      isDirectory: false,
      flaws,
    };
  }
  // A conf.d directory: sections spread over 2-4 files read in name order, some sections
  // reopened in a later file (allowed across files) to add or override keys.
  const fileCount = rng.int(2, 4);
  const parts: SectionModel[][] = Array.from({ length: fileCount }, () => []);
  let file = 0;
  for (const section of sections) {
    file = Math.min(fileCount - 1, file + (rng.chance(0.4) ? 1 : 0));
    if (section.lines.length > 1 && file < fileCount - 1 && rng.chance(0.3)) {
      const cut = rng.int(1, section.lines.length - 1);
      parts[file].push({ name: section.name, lines: section.lines.slice(0, cut) });
      const later = section.lines.slice(cut);
      const first = section.lines[0];
      if (!/^(use|pipeline|set |get )/.test(first) && rng.chance(0.5)) {
        later.push(first.replace(/=.*$/s, "= overridden"));
      }
      parts[rng.int(file + 1, fileCount - 1)].push({ name: section.name, lines: later });
    } else {
      parts[file].push(section);
    }
  }
  const files = parts.map((list, i) => ({ name: `${i}0-part.conf`, text: text(list) }));
  // read_conf_dir() reads only `*.conf` not starting with `.`.
  files.push({ name: ".hidden.conf", text: "[DEFAULT]\nhidden = yes\n" });
  files.push({ name: "notes.txt", text: "[DEFAULT]\nnotes = yes\n" });
  return { id, files, isDirectory: true, flaws };
}
