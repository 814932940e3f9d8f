/**
 * Storage policies as swift/common/storage_policy.py builds them from swift.conf: one
 * [storage-policy:N] section per policy, validated by BaseStoragePolicy/ECStoragePolicy
 * __init__ and then by StoragePolicyCollection, in Swift's order, so a file refused by Swift is
 * refused here (tests/common/swift_conf_test.ts compares both over a corpus).
 *
 * swiftd has no PyECLib: an erasure_coding policy is parsed and validated as far as Swift does
 * without it (ec_type must be a PyECLib backend name, the fragment counts valid for the backends
 * liberasurecode builds in), then kept so the object server can answer its requests with a 503
 * naming the policy.
 */
import {
  ConfigError,
  type ConfigLocation,
  type ConfigWarning,
  configWarning,
} from "../config/errors.ts";
import type { ConfValue } from "../config/ini.ts";
import { bool } from "../config/values.ts";
import { listFromCsv, pythonInt, safeNumber } from "./constraints.ts";

/** The name of the policy Swift creates when swift.conf defines none; reserved for index 0. */
export const LEGACY_POLICY_NAME = "Policy-0";
/** The section prefix of a storage policy; the rest of the name is its index. */
export const POLICY_SECTION_PREFIX = "storage-policy:";
/** policy_type values Swift registers. */
export type PolicyType = "replication" | "erasure_coding";
/** Every ec_type PyECLib 1.6 knows (ALL_EC_TYPES); which of them work depends on libraries. */
export const EC_TYPES: readonly string[] = Object.freeze([
  "jerasure_rs_vand",
  "jerasure_rs_cauchy",
  "flat_xor_hd_3",
  "flat_xor_hd_4",
  "isa_l_rs_vand",
  "shss",
  "liberasurecode_rs_vand",
  "isa_l_rs_cauchy",
  "libphazr",
]);
const DEFAULT_EC_OBJECT_SEGMENT_SIZE = 1048576;
// Names travel in HTTP headers; Swift allows '-' + string.ascii_letters + string.digits.
const VALID_NAME = /^[-A-Za-z0-9]+$/;

// The (data, parity) counts liberasurecode's built-in backends accept; pyeclib_c_init refuses
// others ("Invalid arguments"). Backends in external libraries cannot be checked without them.
const BUILTIN_EC_BACKENDS: Readonly<Record<string, (k: number, m: number) => boolean>> = {
  liberasurecode_rs_vand: (k, m) => k + m <= 32,
  flat_xor_hd_3: (k, m) =>
    (m === 3 && k === 3) || (m === 5 && k >= 5 && k <= 10) || (m === 6 && k >= 6 && k <= 15),
  flat_xor_hd_4: (k, m) => (m === 5 && k >= 5 && k <= 10) || (m === 6 && k >= 6 && k <= 20),
};

// _config_options_map() of each policy class: the options a section may set, in Swift's order.
const BASE_OPTIONS = ["name", "aliases", "policy_type", "default", "deprecated", "diskfile_module"];
const EC_OPTIONS = [
  "ec_type",
  "ec_object_segment_size",
  "ec_num_data_fragments",
  "ec_num_parity_fragments",
  "ec_duplication_factor",
];
const OPTIONS: Record<PolicyType, readonly string[]> = {
  replication: BASE_OPTIONS,
  erasure_coding: [...BASE_OPTIONS, ...EC_OPTIONS],
};
const DEFAULT_DISKFILE_MODULE: Record<PolicyType, string> = {
  replication: "egg:swift#replication.fs",
  erasure_coding: "egg:swift#erasure_coding.fs",
};

/** The erasure coding settings of an erasure_coding policy. */
export interface ErasureCoding {
  readonly ecType: string;
  readonly ecNumDataFragments: number;
  readonly ecNumParityFragments: number;
  readonly ecObjectSegmentSize: number;
  readonly ecDuplicationFactor: number;
  /** "ec_type data+parity", as Swift stores it in fragment archives' metadata. */
  readonly ecSchemeDescription: string;
}

/** One storage policy. */
export interface StoragePolicy {
  readonly index: number;
  /** The primary name (alias_list[0]). */
  readonly name: string;
  /** Every name, the primary one first (Swift's alias_list). */
  readonly names: readonly string[];
  readonly isDefault: boolean;
  readonly isDeprecated: boolean;
  readonly policyType: PolicyType;
  readonly diskfileModule: string;
  /** "object" or "object-N"; the ring file is `${ringName}.ring.gz`. */
  readonly ringName: string;
  /** "objects" or "objects-N" on each device. */
  readonly dataDir: string;
  /** "async_pending" or "async_pending-N" on each device. */
  readonly asyncDir: string;
  /** "tmp" or "tmp-N" on each device. */
  readonly tmpDir: string;
  /** Set for erasure_coding policies. */
  readonly ec?: ErasureCoding;
  /** The section header, or undefined for the implicit Policy-0. */
  readonly location?: ConfigLocation;
}

/** An entry of /info's "policies" list (get_policy_info()). */
export interface PolicyInfo {
  readonly name: string;
  /** Every name, comma-separated, the primary one first. */
  readonly aliases: string;
  readonly default?: true;
}

/** One [storage-policy:N] section as ConfigParser gives it. */
export interface PolicySection {
  /** The section name, "storage-policy:N". */
  readonly section: string;
  readonly file?: string;
  readonly line?: number;
  /** dict(conf.items(section)): [DEFAULT] keys, then the section's own, interpolated. */
  readonly options: ReadonlyMap<string, ConfValue>;
}

/** A storage policy lookup that fails at run time (Swift's PolicyError). */
export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyError";
  }
}

/** get_zero_indexed_base_string(): `base` for index 0, else `base-N`. */
export function policyString(base: string, index: number): string {
  return index === 0 ? base : `${base}-${index}`;
}

/** The policies of a cluster (Swift's StoragePolicyCollection), frozen. */
export class StoragePolicies implements Iterable<StoragePolicy> {
  /** The policy new containers get when a request names none. */
  readonly default: StoragePolicy;
  /** Policy 0, which containers created before storage policies belong to. */
  readonly legacy: StoragePolicy;
  /** Every policy in Swift's iteration order: sections as read, the implicit Policy-0 last. */
  readonly all: readonly StoragePolicy[];
  readonly #byIndex: ReadonlyMap<number, StoragePolicy>;
  readonly #byName: ReadonlyMap<string, StoragePolicy>;

  /** Takes policies already validated by buildStoragePolicies(). */
  constructor(policies: readonly StoragePolicy[]) {
    this.all = Object.freeze([...policies]);
    this.#byIndex = new Map(policies.map((p) => [p.index, p]));
    this.#byName = new Map(policies.flatMap((p) => p.names.map((n) => [n.toUpperCase(), p])));
    this.legacy = this.#byIndex.get(0)!;
    this.default = policies.find((p) => p.isDefault)!;
    Object.freeze(this);
  }

  /** The number of policies. */
  get size(): number {
    return this.all.length;
  }

  [Symbol.iterator](): Iterator<StoragePolicy> {
    return this.all[Symbol.iterator]();
  }

  /**
   * get_by_index(): an index or a header value parsed as Python's int(); absent or "" is 0
   * (legacy containers); undefined when no policy has it or it is not an integer.
   */
  get(index: number | string | null | undefined): StoragePolicy | undefined {
    if (index === undefined || index === null || index === "") return this.#byIndex.get(0);
    if (typeof index === "number") {
      return Number.isFinite(index) ? this.#byIndex.get(Math.trunc(index)) : undefined;
    }
    const parsed = pythonInt(index);
    return parsed === undefined ? undefined : this.#byIndex.get(Number(parsed));
  }

  /** get_by_name(): by name or alias, case-insensitively (Swift compares str.upper()). */
  byName(name: string): StoragePolicy | undefined {
    return this.#byName.get(name.toUpperCase());
  }

  /** get_policy_info(): what the proxy publishes in /info; deprecated policies are left out. */
  info(): PolicyInfo[] {
    return this.all.filter((p) => !p.isDeprecated).map((p) => ({
      name: p.name,
      aliases: p.names.join(", "),
      ...(p.isDefault ? { default: true as const } : {}),
    }));
  }

  /** get_policy_string(): `base` or `base-N` for a policy of this cluster. */
  policyString(base: string, index: number | string | null | undefined): string {
    const policy = this.get(index);
    if (!policy) throw new PolicyError(`Unknown policy, for index ${JSON.stringify(index)}`);
    return policyString(base, policy.index);
  }

  /** split_policy_string(): "objects-2" into "objects" and policy 2, refusing unknown ones. */
  splitPolicyString(text: string): { base: string; policy: StoragePolicy } {
    const dash = text.lastIndexOf("-");
    const [base, index] = dash < 0
      ? [text, undefined]
      : [text.slice(0, dash), text.slice(dash + 1)];
    const policy = this.get(index);
    if (!policy || policyString(base, policy.index) !== text) {
      throw new PolicyError(`Unknown policy, for index ${JSON.stringify(index ?? null)}`);
    }
    return { base, policy };
  }
}

/** get_info(config=True): every option of a policy as swift.conf would set it. */
export function policyConfigInfo(policy: StoragePolicy): Record<string, unknown> {
  const info: Record<string, unknown> = {
    name: policy.name,
    aliases: policy.names.join(", "),
    policy_type: policy.policyType,
    default: policy.isDefault,
    deprecated: policy.isDeprecated,
    diskfile_module: policy.diskfileModule,
  };
  if (policy.ec) {
    info.ec_type = policy.ec.ecType;
    info.ec_object_segment_size = policy.ec.ecObjectSegmentSize;
    info.ec_num_data_fragments = policy.ec.ecNumDataFragments;
    info.ec_num_parity_fragments = policy.ec.ecNumParityFragments;
    info.ec_duplication_factor = policy.ec.ecDuplicationFactor;
  }
  return info;
}

/** Why swiftd cannot serve objects of this policy, for a 503; undefined when it can. */
export function unservableReason(policy: StoragePolicy): string | undefined {
  if (!policy.ec) return undefined;
  return `Storage policy ${policy.index} (${policy.name}) is an erasure_coding policy ` +
    `(${policy.ec.ecSchemeDescription}); swiftd does not implement erasure coding`;
}

/**
 * parse_storage_policies() + StoragePolicyCollection: builds and validates the policies of
 * the [storage-policy:N] sections, in file order; with none, Swift's implicit Policy-0.
 */
export function buildStoragePolicies(
  sections: readonly PolicySection[],
  warnings: ConfigWarning[] = [],
): StoragePolicies {
  const policies = sections.map((section) => buildPolicy(section, warnings));
  const byIndex = new Map<number, StoragePolicy>();
  const byName = new Map<string, StoragePolicy>();
  let defaultPolicy: StoragePolicy | undefined;
  for (const [i, policy] of policies.entries()) {
    const { options } = sections[i];
    const other = byIndex.get(policy.index);
    if (other) {
      throw new ConfigError(
        `has policy index ${policy.index}, which ${describe(other)} already has`,
        policy.location,
      );
    }
    for (const name of policy.names) {
      const owner = byName.get(name.toUpperCase());
      if (owner) {
        const key = name === policy.name ? "name" : "aliases";
        throw new ConfigError(
          `gives the name "${name}", which is already a name of ${describe(owner)}; ` +
            `policy names are case-insensitive and must be unique`,
          at(policy.location, key, options.get(key)),
        );
      }
    }
    if (policy.isDefault) {
      if (defaultPolicy) {
        throw new ConfigError(
          `marks a second default policy: ${describe(defaultPolicy)} is already the default, ` +
            `and exactly one may be`,
          at(policy.location, "default", options.get("default")),
        );
      }
      defaultPolicy = policy;
    }
    byIndex.set(policy.index, policy);
    for (const name of policy.names) byName.set(name.toUpperCase(), policy);
  }
  if (!byIndex.has(0)) {
    if (policies.length > 0) {
      throw new ConfigError(
        `defines storage policies but no [storage-policy:0]; Swift needs a section for ` +
          `policy index 0 in order to define multiple policies`,
        { file: policies[0].location?.file },
      );
    }
    policies.push(makePolicy({ index: 0, names: [LEGACY_POLICY_NAME], type: "replication" }));
  }
  if (policies.every((p) => p.isDeprecated)) {
    throw new ConfigError(
      `deprecates every storage policy; at least one must not be deprecated`,
      { file: policies[0].location?.file },
    );
  }
  if (!defaultPolicy) {
    if (policies.length > 1) {
      throw new ConfigError(
        `marks no storage policy as the default; with several policies exactly one needs ` +
          `'default = yes'`,
        { file: policies[0].location?.file },
      );
    }
    // Swift flips is_default on the one policy, which is then policy 0.
    policies[0] = Object.freeze({ ...policies[0], isDefault: true });
  }
  return new StoragePolicies(policies);
}

function describe(policy: StoragePolicy): string {
  const where = policy.location?.line ? ` (line ${policy.location.line})` : "";
  return `policy ${policy.index} "${policy.name}" [${policy.location?.section}]${where}`;
}

function at(section: ConfigLocation | undefined, key: string, value?: ConfValue): ConfigLocation {
  return {
    file: value?.file ?? section?.file,
    line: value?.line ?? section?.line,
    section: section?.section,
    key,
  };
}

// BaseStoragePolicy.from_config() then __init__ (and ECStoragePolicy's), check for check.
function buildPolicy(sec: PolicySection, warnings: ConfigWarning[]): StoragePolicy {
  const location = { file: sec.file, line: sec.line, section: sec.section };
  const where = (key: string) => at(location, key, sec.options.get(key));
  const type = sec.options.get("policy_type")?.value ?? "replication";
  if (type !== "replication" && type !== "erasure_coding") {
    throw new ConfigError(
      `must be "replication" or "erasure_coding": current value is "${type}"`,
      where("policy_type"),
    );
  }
  const known = OPTIONS[type];
  for (const key of sec.options.keys()) {
    if (!known.includes(key)) {
      throw new ConfigError(
        `is not an option of a ${type} storage policy (known: ${known.join(", ")})`,
        where(key),
      );
    }
  }
  const indexText = sec.section.slice(POLICY_SECTION_PREFIX.length);
  const parsedIndex = pythonInt(indexText);
  if (parsedIndex === undefined || parsedIndex < 0n) {
    throw new ConfigError(
      `has an invalid policy index "${indexText}": what follows "${POLICY_SECTION_PREFIX}" ` +
        `must be an integer >= 0`,
      location,
    );
  }
  const index = safeNumber(parsedIndex, indexText, location);
  const name = sec.options.get("name")?.value ?? "";
  const names: string[] = [];
  addName(names, name, index, where("name"));
  for (const alias of listFromCsv(sec.options.get("aliases")?.value ?? "")) {
    if (alias !== name) addName(names, alias, index, where("aliases"));
  }
  const flag = (key: string) => {
    const value = sec.options.get(key);
    if (value === undefined) return false;
    return bool(value.value, (reason) => warnings.push(configWarning(reason, where(key))));
  };
  const isDeprecated = flag("deprecated");
  const isDefault = flag("default");
  if (isDeprecated && isDefault) {
    throw new ConfigError(
      `is set with 'deprecated' too; a deprecated policy can not be the default`,
      where("default"),
    );
  }
  const ec = type === "erasure_coding" ? erasureCoding(sec, names[0], where, warnings) : undefined;
  return makePolicy({
    index,
    names,
    type,
    isDefault,
    isDeprecated,
    diskfileModule: sec.options.get("diskfile_module")?.value,
    ec,
    location,
  });
}

// _validate_policy_name() + add_name().
function addName(names: string[], name: string, index: number, where: ConfigLocation): void {
  if (name === "") {
    throw new ConfigError(`must be set: every storage policy needs a name`, where);
  }
  if (!VALID_NAME.test(name)) {
    throw new ConfigError(
      `has the name "${name}", but names are sent as HTTP headers and may only contain ` +
        `ASCII letters, digits and "-"`,
      where,
    );
  }
  if (name.toUpperCase() === LEGACY_POLICY_NAME.toUpperCase() && index !== 0) {
    throw new ConfigError(
      `has the name "${name}", which is reserved for policy index 0`,
      where,
    );
  }
  if (names.some((existing) => existing.toUpperCase() === name.toUpperCase())) {
    throw new ConfigError(
      `gives "${name}" twice (names are case-insensitive, and the name counts as an alias)`,
      where,
    );
  }
  names.push(name);
}

// ECStoragePolicy.__init__ after the base checks, in Swift's order.
function erasureCoding(
  sec: PolicySection,
  name: string,
  where: (key: string) => ConfigLocation,
  warnings: ConfigWarning[],
): ErasureCoding {
  const ecType = sec.options.get("ec_type")?.value;
  if (ecType === undefined) {
    throw new ConfigError(`must be set for an erasure_coding policy`, where("ec_type"));
  }
  if (!EC_TYPES.includes(ecType)) {
    throw new ConfigError(
      `must be one of ${EC_TYPES.join(", ")}: current value is "${ecType}"`,
      where("ec_type"),
    );
  }
  const positive = (key: string, fallback?: number): number => {
    const value = sec.options.get(key);
    if (value === undefined && fallback !== undefined) return fallback;
    const parsed = value === undefined ? undefined : pythonInt(value.value);
    if (parsed === undefined || parsed <= 0n) {
      throw new ConfigError(
        value === undefined
          ? `must be set for an erasure_coding policy (an integer > 0)`
          : `must be an integer > 0: current value is "${value.value}"`,
        where(key),
      );
    }
    return safeNumber(parsed, value!.value, where(key));
  };
  const data = positive("ec_num_data_fragments");
  const parity = positive("ec_num_parity_fragments");
  const segmentSize = positive("ec_object_segment_size", DEFAULT_EC_OBJECT_SEGMENT_SIZE);
  if (ecType === "isa_l_rs_vand" && parity >= 5) {
    const durability = `Storage policy ${name} uses an EC configuration known to harm data ` +
      `durability (isa_l_rs_vand with 5 or more parity fragments, Swift bug 1639691)`;
    warnings.push(configWarning(durability, where("ec_num_parity_fragments")));
    // Swift tests the raw text, not config_true_value(): any non-empty 'deprecated' passes.
    if (!sec.options.get("deprecated")?.value) {
      throw new ConfigError(`${durability}; this policy must be deprecated`, where("ec_type"));
    }
  }
  const supports = BUILTIN_EC_BACKENDS[ecType];
  if (supports && !supports(data, parity)) {
    throw new ConfigError(
      `${ecType} cannot encode ${data} data + ${parity} parity fragments (liberasurecode ` +
        `refuses the combination)`,
      where("ec_num_data_fragments"),
    );
  }
  return Object.freeze({
    ecType,
    ecNumDataFragments: data,
    ecNumParityFragments: parity,
    ecObjectSegmentSize: segmentSize,
    ecDuplicationFactor: positive("ec_duplication_factor", 1),
    ecSchemeDescription: `${ecType} ${data}+${parity}`,
  });
}

function makePolicy(p: {
  index: number;
  names: readonly string[];
  type: PolicyType;
  isDefault?: boolean;
  isDeprecated?: boolean;
  diskfileModule?: string;
  ec?: ErasureCoding;
  location?: ConfigLocation;
}): StoragePolicy {
  const policyType = p.type;
  // Swift derives every on-disk name from the index (get_policy_string()), never the name.
  return Object.freeze({
    index: p.index,
    name: p.names[0],
    names: Object.freeze([...p.names]),
    isDefault: p.isDefault ?? false,
    isDeprecated: p.isDeprecated ?? false,
    policyType,
    diskfileModule: p.diskfileModule ?? DEFAULT_DISKFILE_MODULE[policyType],
    ringName: policyString("object", p.index),
    dataDir: policyString("objects", p.index),
    asyncDir: policyString("async_pending", p.index),
    tmpDir: policyString("tmp", p.index),
    ...(p.ec ? { ec: p.ec } : {}),
    ...(p.location ? { location: Object.freeze({ ...p.location }) } : {}),
  });
}
