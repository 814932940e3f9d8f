/**
 * swift.conf, the cluster-wide settings every Swift server reads: [swift-hash] (the placement
 * salt), [storage-policy:N] (storage policies) and [swift-constraints].
 *
 * Swift reads the file three times, each with its own ConfigParser (keys lower-cased, plain
 * BasicInterpolation, unlike readconf()'s NicerInterpolation): validate_hash_conf() as latin-1
 * text, reload_constraints() and reload_storage_policies() as UTF-8 text. A file any of them
 * rejects stops Swift, so loadSwiftConf() rejects it too, naming file and line.
 */
import { join } from "@std/path";
import { ConfigError, type ConfigWarning, configWarning } from "../config/errors.ts";
import { type ConfValue, decodeConfigText, IniDocument } from "../config/ini.ts";
import {
  CONSTRAINTS,
  constraintsInfo,
  DEFAULT_SWIFT_CONSTRAINTS,
  readConstraints,
  type SwiftConstraints,
} from "./constraints.ts";
import {
  buildStoragePolicies,
  POLICY_SECTION_PREFIX,
  type PolicyInfo,
  type PolicySection,
  type StoragePolicies,
} from "./storage_policy.ts";

/** The file's name in swift_dir. */
export const SWIFT_CONF_NAME = "swift.conf";
const HASH_SECTION = "swift-hash";
const CONSTRAINTS_SECTION = "swift-constraints";
const HASH_KEYS = ["swift_hash_path_suffix", "swift_hash_path_prefix"];

/** Everything swift.conf sets, validated and frozen. */
export interface SwiftConf {
  /** The file read. */
  readonly file: string;
  /** [swift-hash]: the bytes hash_path() salts with; an unset one is empty. */
  readonly hashPath: { readonly prefix: Uint8Array; readonly suffix: Uint8Array };
  readonly policies: StoragePolicies;
  readonly constraints: SwiftConstraints;
  /** Values Swift accepts but that are likely mistakes (a typo in a boolean, unknown keys). */
  readonly warnings: readonly ConfigWarning[];
}

/**
 * Reads `swift_dir`/swift.conf. Swift refuses to start when it is missing or unreadable
 * (validate_hash_conf() opens it), so this throws ConfigError then as for any invalid value.
 */
export function loadSwiftConf(swiftDir: string): SwiftConf {
  const file = join(swiftDir, SWIFT_CONF_NAME);
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(file);
  } catch (err) {
    // Deno's message ends with the call and path ("...: readfile '/etc/swift/swift.conf'"),
    // which the location already names.
    const why = (err instanceof Error ? err.message : String(err)).replace(/: \w+ '.*'$/, "");
    throw new ConfigError(
      `cannot be read (${why}); Swift needs it for [${HASH_SECTION}] ` +
        `swift_hash_path_prefix or swift_hash_path_suffix`,
      { file },
    );
  }
  return parseSwiftConf(bytes, file);
}

/** What the proxy's filters take from swift.conf. */
export interface ClusterConstraints {
  readonly constraints: SwiftConstraints;
  readonly policies: StoragePolicies;
}

/**
 * swift.conf's constraints and storage policies in `swiftDir`, for the proxy's filters: Swift's
 * defaults (and the legacy policy 0) when there is no swift.conf there, as Swift's module-level
 * constraints are without one; an unreadable or invalid one is an error. Swift's filters read
 * /etc/swift/swift.conf whatever swift_dir says; swiftd reads the one in swift_dir everywhere.
 */
export function clusterConstraints(swiftDir: string): ClusterConstraints {
  try {
    Deno.statSync(join(swiftDir, SWIFT_CONF_NAME));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    return { constraints: DEFAULT_SWIFT_CONSTRAINTS, policies: buildStoragePolicies([]) };
  }
  const { constraints, policies } = loadSwiftConf(swiftDir);
  return { constraints, policies };
}

/** Parses the bytes of a swift.conf; `file` names it in errors and warnings. */
export function parseSwiftConf(bytes: Uint8Array, file: string): SwiftConf {
  // readConfigSource() would read the path itself (and take a directory as conf.d); the bytes
  // are needed twice here, once per encoding Swift decodes them with.
  const doc = new IniDocument({ lowercaseKeys: true });
  doc.read(decodeConfigText(bytes, file), file);
  const latin1Doc = new IniDocument({ lowercaseKeys: true });
  latin1Doc.read(latin1Text(bytes), file);
  const warnings: ConfigWarning[] = [];
  const hashPath = readHashPath(latin1Doc, file);
  const constraints = readConstraints(
    doc.hasSection(CONSTRAINTS_SECTION)
      ? (key) => basicGet(doc, CONSTRAINTS_SECTION, key)
      : undefined,
  );
  const policies = buildStoragePolicies(policySections(doc), warnings);
  warnings.push(...unusedSettings(doc));
  return Object.freeze({
    file,
    hashPath: Object.freeze(hashPath),
    policies,
    constraints,
    warnings: Object.freeze(warnings),
  });
}

/** What the proxy adds to swift.conf's values in /info's "swift" section. */
export interface ProxyInfoSettings {
  readonly version: string;
  readonly strictCorsMode: boolean;
  readonly allowAccountManagement: boolean;
  readonly accountAutocreate: boolean;
}

/**
 * /info's "swift" section, keys in the order the proxy's register_swift_info() call gives
 * them (before `disallowed_sections` takes any out).
 */
export function swiftInfo(conf: SwiftConf, proxy: ProxyInfoSettings): Record<string, unknown> {
  const policies: PolicyInfo[] = conf.policies.info();
  return {
    version: proxy.version,
    strict_cors_mode: proxy.strictCorsMode,
    policies,
    allow_account_management: proxy.allowAccountManagement,
    account_autocreate: proxy.accountAutocreate,
    ...constraintsInfo(conf.constraints),
  };
}

// validate_hash_conf(): the suffix, then the prefix, from [swift-hash] or [DEFAULT]; a missing
// section, a missing key and an empty value all count as unset.
function readHashPath(doc: IniDocument, file: string): SwiftConf["hashPath"] {
  const hasSection = doc.hasSection(HASH_SECTION);
  const [suffix, prefix] = HASH_KEYS.map((key) =>
    hasSection ? basicGet(doc, HASH_SECTION, key)?.value ?? "" : ""
  );
  if (!suffix && !prefix) {
    throw new ConfigError(
      `both swift_hash_path_suffix and swift_hash_path_prefix are missing or empty; Swift ` +
        `refuses to start without one of them (they salt the placement of everything stored)`,
      { file, line: doc.sectionLocation(HASH_SECTION)?.line, section: HASH_SECTION },
    );
  }
  return { prefix: latin1Bytes(prefix), suffix: latin1Bytes(suffix) };
}

/**
 * ConfigParser.get() with BasicInterpolation. IniDocument.get() applies readconf()'s
 * NicerInterpolation, which leaves a value without "%(" alone; Basic turns its "%%" into "%"
 * and rejects any other "%".
 */
function basicGet(doc: IniDocument, section: string, key: string): ConfValue | undefined {
  const raw = doc.raw(section, key);
  if (raw === undefined || !raw.value.includes("%")) return raw;
  if (raw.value.includes("%(")) return doc.get(section, key);
  const parts = raw.value.split("%%");
  if (parts.some((part) => part.includes("%"))) {
    throw new ConfigError(
      `has a '%' that is neither "%%" nor "%(name)s"; swift.conf values are interpolated, so ` +
        `write "%%" for a literal '%': current value is "${raw.value}"`,
      { file: raw.file, line: raw.line, section, key },
    );
  }
  return { ...raw, value: parts.join("%") };
}

// parse_storage_policies(): every section named storage-policy:*, with dict(conf.items()).
function policySections(doc: IniDocument): PolicySection[] {
  return doc.sections().filter((s) => s.startsWith(POLICY_SECTION_PREFIX)).map((section) => {
    const keys = doc.defaultKeys();
    for (const key of doc.options(section)) if (!keys.includes(key)) keys.push(key);
    const options = new Map(keys.map((key) => [key, basicGet(doc, section, key)!]));
    return { section, ...doc.sectionLocation(section), options };
  });
}

// Swift ignores other sections and keys without a word; they are most likely typos.
function unusedSettings(doc: IniDocument): ConfigWarning[] {
  const known: Record<string, readonly string[]> = {
    [HASH_SECTION]: HASH_KEYS,
    [CONSTRAINTS_SECTION]: CONSTRAINTS.map((spec) => spec.key),
  };
  const warnings: ConfigWarning[] = [];
  for (const section of doc.sections()) {
    if (section.startsWith(POLICY_SECTION_PREFIX)) continue;
    const keys = known[section];
    if (!keys) {
      warnings.push(configWarning(
        `is not a section Swift reads in swift.conf ([${HASH_SECTION}], ` +
          `[${POLICY_SECTION_PREFIX}N], [${CONSTRAINTS_SECTION}]); it is ignored`,
        { ...doc.sectionLocation(section), section },
      ));
      continue;
    }
    for (const key of doc.options(section)) {
      const own = doc.own(section, key);
      if (own && !keys.includes(key)) {
        warnings.push(configWarning(`is not a setting Swift reads here; it is ignored`, {
          file: own.file,
          line: own.line,
          section,
          key,
        }));
      }
    }
  }
  return warnings;
}

/** Bytes as latin-1 text, one character per byte (TextDecoder's "latin1" is windows-1252). */
function latin1Text(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}

function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}
