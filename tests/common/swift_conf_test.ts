import { assert, assertEquals, assertInstanceOf, assertStringIncludes } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { ConfigError } from "../../lib/config/errors.ts";
import { IniDocument } from "../../lib/config/ini.ts";
import {
  clusterConstraints,
  loadSwiftConf,
  type SwiftConf,
  swiftInfo,
} from "../../lib/common/swift_conf.ts";
import { DEFAULT_SWIFT_CONSTRAINTS, pythonInt } from "../../lib/common/constraints.ts";
import { policyConfigInfo, unservableReason } from "../../lib/common/storage_policy.ts";
import { SWIFT_PYTHON } from "../_helpers/python.ts";
import { SeededRandom } from "../_helpers/random.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";

const ORACLE = fromFileUrl(new URL("./_swift_conf_oracle.py", import.meta.url));
const PROBES = {
  index_probes: ["", null, "0", "1", " 2 ", "+3", "x", "1.5", "01", "\u0661", "-1"],
  name_probes: ["gold", "GOLD", "Policy-0", "policy-0", "yellow", "Silver", "nope", "ec-deep"],
  split_probes: ["objects", "objects-1", "objects-01", "objects-x", "async_pending-2", "tmp-3"]
    .concat(["objects-", "a-b-1", "objects-+1"]),
};
const PROXY = {
  version: "2.30.1",
  strictCorsMode: true,
  allowAccountManagement: false,
  accountAutocreate: true,
};

interface Case {
  readonly name: string;
  /** swift.conf's content; undefined leaves the file out. */
  readonly text?: string | Uint8Array;
  /** Makes swift.conf a directory. */
  readonly directory?: boolean;
  /** For a refused file: what swiftd's ConfigError must name. */
  readonly error?: { line?: number; key?: string; section?: string; includes?: string };
  /** A warning swiftd must give (Swift accepts silently). */
  readonly warning?: { line: number; key?: string };
}

type Verdict = { ok: true; [k: string]: unknown } | { ok: false; error: string };
interface SwiftResult {
  hash: Verdict & { prefix?: string; suffix?: string };
  constraints: Verdict & {
    effective?: Record<string, unknown>;
    overridden?: string[];
    max_header_count?: number;
  };
  policies: Verdict & Record<string, unknown>;
  info: string | null;
}

/** Asks Swift about every case in one python process (importing swift takes a second). */
async function askSwift(paths: string[]) {
  const child = new Deno.Command(SWIFT_PYTHON, {
    args: [ORACLE],
    // Strict UTF-8 whatever the CI locale, the encoding swiftd reads swift.conf in.
    env: { PYTHONUTF8: "1", PYTHONDONTWRITEBYTECODE: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({ paths, ...PROBES })));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assertEquals(code, 0, `oracle failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout)) as {
    valid_ec_types: string[];
    results: SwiftResult[];
  };
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const lines = (...l: string[]) => l.join("\n") + "\n";
const HASH = "[swift-hash]\nswift_hash_path_suffix = salt\n";
const policy = (index: string | number, ...body: string[]) =>
  `[storage-policy:${index}]\n${body.map((b) => b + "\n").join("")}`;

/**
 * Runs swiftd and Swift on every case and checks that both accept or both refuse, and that
 * what they accept reads the same. Returns how many files Swift accepted.
 */
async function compareWithSwift(cases: readonly Case[]): Promise<number> {
  await using tmp = await makeTempDir("swift-conf");
  const dirs: string[] = [];
  for (const [i, c] of cases.entries()) {
    const dir = join(tmp.path, `case-${i}`);
    await Deno.mkdir(dir);
    if (c.directory) await Deno.mkdir(join(dir, "swift.conf"));
    else if (typeof c.text === "string") await Deno.writeTextFile(join(dir, "swift.conf"), c.text);
    else if (c.text) await Deno.writeFile(join(dir, "swift.conf"), c.text);
    dirs.push(dir);
  }
  const swift = await askSwift(dirs.map((d) => join(d, "swift.conf")));
  let accepted = 0;
  for (const [i, c] of cases.entries()) {
    const r = swift.results[i];
    const label = `${c.name}:\n${typeof c.text === "string" ? c.text : "(bytes or no file)"}`;
    const swiftOk = r.hash.ok && r.constraints.ok && r.policies.ok;
    // Known divergence 1: swiftd takes every ec_type PyECLib knows, as it serves none of
    // them; Swift takes those whose library is installed (here: valid_ec_types).
    const unavailableEcType = !r.policies.ok &&
      /Wrong ec_type (jerasure|isa_l|shss|libphazr)/.test(r.policies.error);
    let conf: SwiftConf;
    try {
      conf = loadSwiftConf(dirs[i]);
    } catch (err) {
      assertInstanceOf(err, ConfigError, label);
      assertStringIncludes(err.message, "swift.conf", label);
      // Known divergence 2: integers a double cannot hold, which Swift's ints can.
      if (err.reason.includes("too large for swiftd")) continue;
      assert(!swiftOk, `${label}\nswiftd refuses what Swift accepts: ${err.message}`);
      checkBlame(c, err, r, label);
      if (c.error) checkLocation(c, err, label);
      continue;
    }
    assert(
      swiftOk || unavailableEcType,
      `${label}\nswiftd accepts what Swift refuses: ${
        JSON.stringify([r.hash, r.constraints, r.policies].filter((v) => !v.ok))
      }`,
    );
    assert(!c.error, `${label}\nswiftd accepts a file it should refuse`);
    if (c.warning) {
      assert(
        conf.warnings.some((w) => w.line === c.warning!.line && w.key === c.warning!.key),
        `${label}\nno warning for line ${c.warning.line}: ${JSON.stringify(conf.warnings)}`,
      );
    }
    assertEquals(hex(conf.hashPath.prefix), r.hash.prefix, label);
    assertEquals(hex(conf.hashPath.suffix), r.hash.suffix, label);
    const { maxHeaderCount, overridden, ...rest } = conf.constraints;
    assertEquals(rest, camelConstraints(r.constraints.effective!), label);
    assertEquals(overridden, r.constraints.overridden, label);
    assertEquals(maxHeaderCount, r.constraints.max_header_count, label);
    if (unavailableEcType) continue;
    accepted++;
    comparePolicies(conf, r.policies, label);
    assertEquals(JSON.stringify(swiftInfo(conf, PROXY)), r.info, label);
  }
  return accepted;
}

function camelConstraints(effective: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(effective).map(([k, v]) => [k.replace(/_(.)/g, (_, c) => c.toUpperCase()), v]),
  );
}

function comparePolicies(conf: SwiftConf, swift: Record<string, unknown>, label: string): void {
  const ours = conf.policies.all.map((p) => ({
    index: p.index,
    name: p.name,
    names: p.names,
    default: p.isDefault,
    deprecated: p.isDeprecated,
    type: p.policyType,
    diskfile_module: p.diskfileModule,
    ring_name: p.ringName,
    data_dir: p.dataDir,
    async_dir: p.asyncDir,
    tmp_dir: p.tmpDir,
    config_info: policyConfigInfo(p),
    ...(p.ec
      ? {
        ec: {
          ec_type: p.ec.ecType,
          data: p.ec.ecNumDataFragments,
          parity: p.ec.ecNumParityFragments,
          segment_size: p.ec.ecObjectSegmentSize,
          duplication_factor: p.ec.ecDuplicationFactor,
          scheme: p.ec.ecSchemeDescription,
        },
      }
      : {}),
  }));
  assertEquals(ours, swift.policies, label);
  assertEquals(conf.policies.default.index, swift.default, label);
  assertEquals(conf.policies.legacy.index, swift.legacy, label);
  assertEquals(conf.policies.info(), swift.info, label);
  const p = conf.policies;
  assertEquals(PROBES.index_probes.map((x) => p.get(x)?.index ?? null), swift.by_index, label);
  assertEquals(PROBES.name_probes.map((x) => p.byName(x)?.index ?? null), swift.by_name, label);
  const split = PROBES.split_probes.map((x) => {
    try {
      const { base, policy } = p.splitPolicyString(x);
      return [base, policy.index];
    } catch {
      return null;
    }
  });
  assertEquals(split, swift.split, label);
}

// The part of swift.conf swiftd blames must be one Swift's own reader of it refuses, unless
// the file breaks ConfigParser's strict rules (then Swift's hash reader refuses the file).
function checkBlame(c: Case, err: ConfigError, r: SwiftResult, label: string): void {
  if (typeof c.text !== "string") return;
  try {
    new IniDocument({ lowercaseKeys: true }).read(c.text, "swift.conf");
  } catch {
    assert(!r.hash.ok, `${label}\nSwift's strict hash reader accepts the file`);
    return;
  }
  const part = err.section === "swift-hash"
    ? r.hash
    : err.section === "swift-constraints"
    ? r.constraints
    : err.section?.startsWith("storage-policy:")
    ? r.policies
    : undefined;
  if (part) assert(!part.ok, `${label}\nswiftd blames [${err.section}]: ${err.message}`);
}

function checkLocation(c: Case, err: ConfigError, label: string): void {
  const e = c.error!;
  if (e.line !== undefined) assertEquals(err.line, e.line, `${label}\n${err.message}`);
  if (e.key !== undefined) assertEquals(err.key, e.key, `${label}\n${err.message}`);
  if (e.section !== undefined) assertEquals(err.section, e.section, `${label}\n${err.message}`);
  if (e.includes !== undefined) assertStringIncludes(err.message, e.includes, label);
}

const ISA_L_4_5 = ["policy_type = erasure_coding", "ec_type = isa_l_rs_vand"]
  .concat(["ec_num_data_fragments = 4", "ec_num_parity_fragments = 5"]);
const VALID_CASES: Case[] = [
  { name: "suffix only: the implicit Policy-0", text: HASH },
  { name: "prefix only", text: "[swift-hash]\nswift_hash_path_prefix = pre\n" },
  { name: "keys are case-insensitive", text: "[swift-hash]\nSWIFT_HASH_PATH_PREFIX = P\n" },
  { name: "hash from [DEFAULT]", text: "[DEFAULT]\nswift_hash_path_suffix = d\n[swift-hash]\n" },
  { name: "%% and %(name)s", text: "[swift-hash]\na = 1\nswift_hash_path_suffix = x%%%(a)s\n" },
  // validate_hash_conf() decodes latin-1 and strips, eating the A0 byte of a final "à".
  { name: "latin-1 strip quirk", text: "[swift-hash]\nswift_hash_path_suffix = voilà\n" },
  {
    name: "CRLF lines",
    text: HASH.replaceAll("\n", "\r\n") + "[storage-policy:0]\r\nname = a\r\n",
  },
  { name: "policy 0 becomes the default", text: HASH + policy(0, "name = gold") },
  {
    name: "several policies, sections out of order",
    text: HASH + policy(2, "name = ec-deep", "deprecated = yes") +
      policy(0, "name = Policy-0", "aliases = yellow, orange, ,Policy-0") +
      policy(1, "name = silver", "default = True", "aliases = Silver2"),
  },
  {
    name: "'Policy-0' as an alias of 0",
    text: HASH + policy(0, "name = gold", "aliases = policy-0"),
  },
  {
    name: "index with spaces and sign",
    text: HASH + policy(0, "name = a") + policy(" 1", "name = b", "default = on") +
      policy("+2", "name = c"),
  },
  {
    name: "a typo in a boolean is false",
    text: HASH + policy(0, "name = a", "default = treu"),
    warning: { line: 5, key: "default" },
  },
  {
    name: "erasure coding",
    text: HASH + policy(0, "name = a", "default = y") + policy(
      1,
      "name = ec-deep",
      "policy_type = erasure_coding",
      "ec_type = liberasurecode_rs_vand",
      "ec_num_data_fragments = 10",
      "ec_num_parity_fragments = 4",
      "ec_object_segment_size = 65536",
      "ec_duplication_factor = 2",
    ) + policy(2, "name = xor", "policy_type = erasure_coding", "ec_type = flat_xor_hd_3")
      .concat("ec_num_data_fragments = 10\nec_num_parity_fragments = 5\n"),
  },
  {
    name: "every constraint overridden",
    text: HASH + lines(
      "[swift-constraints]",
      "max_file_size = 1_000",
      "max_meta_name_length = \u0661\u0662",
      "max_meta_value_length = +7",
      "max_meta_count = -5",
      "max_meta_overall_size = 10",
      "max_header_size = 65536",
      "max_object_name_length = 2048",
      "container_listing_limit = 1",
      "account_listing_limit = 2",
      "max_account_name_length = 3",
      "max_container_name_length = 4",
      "valid_api_versions = v1, v2,,v3 ",
      "extra_header_count = -3",
      "auto_create_account_prefix = _",
      "unknown_constraint = 1",
    ),
    warning: { line: 18, key: "unknown_constraint" },
  },
  {
    name: "empty list and prefix",
    text: HASH + "[swift-constraints]\nvalid_api_versions =\nauto_create_account_prefix =\n",
  },
  {
    name: "constraint from [DEFAULT]",
    text: "[DEFAULT]\nmax_file_size = 12\n" + HASH + "[swift-constraints]\n",
  },
  { name: "[DEFAULT] without [swift-constraints]", text: "[DEFAULT]\nmax_file_size = 12\n" + HASH },
  {
    name: "[DEFAULT] policy option",
    text: "[DEFAULT]\ndeprecated = no\n" + HASH + policy(0, "name = a"),
  },
  {
    name: "other sections are ignored",
    text: HASH + "[storage-policy]\nname = x\n[Storage-Policy:1]\n",
    warning: { line: 3 },
  },
  {
    name: "constraint interpolation",
    text: HASH + "[swift-constraints]\nn = 5\nmax_meta_count = %(n)s0\n",
  },
  {
    name: "custom diskfile module",
    text: HASH +
      policy(0, "name = a", "diskfile_module = egg:swift#x.fs", "policy_type = replication"),
  },
  // Divergence 1 (see compareWithSwift): Swift here lacks the jerasure library.
  {
    name: "ec_type from a missing library",
    text: HASH +
      policy(
        0,
        "name = a",
        "policy_type = erasure_coding",
        "ec_type = jerasure_rs_vand",
        "ec_num_data_fragments = 4",
        "ec_num_parity_fragments = 2",
      ),
  },
  // Divergence 1 too; Swift reads 'deprecated' raw here, so "no" lets isa_l 4+5 through.
  {
    name: "isa_l_rs_vand 4+5 'deprecated' by any text",
    text: HASH + policy(0, "name = a", "default = y") +
      policy(1, "name = b", "deprecated = no", ...ISA_L_4_5),
  },
  // Divergence 2: Swift accepts, swiftd refuses (checked in compareWithSwift).
  {
    name: "huge integer",
    text: HASH + "[swift-constraints]\nmax_file_size = 99999999999999999999\n",
  },
];

const BAD = (name: string, text: string | Uint8Array, error: Case["error"] = {}): Case => ({
  name,
  text,
  error,
});
const EC = ["policy_type = erasure_coding", "ec_type = liberasurecode_rs_vand"];
const INVALID_CASES: Case[] = [
  { name: "no swift.conf", error: { includes: "cannot be read" } },
  { name: "swift.conf is a directory", directory: true, error: { includes: "cannot be read" } },
  BAD("empty file", "", { section: "swift-hash", includes: "both swift_hash_path_suffix" }),
  BAD("empty values", "[swift-hash]\nswift_hash_path_suffix =\nswift_hash_path_prefix =\n", {
    line: 1,
  }),
  BAD("hash only in [DEFAULT]", "[DEFAULT]\nswift_hash_path_suffix = x\n", {
    section: "swift-hash",
  }),
  BAD("lone % in the hash", "[swift-hash]\nswift_hash_path_suffix = 50%\n", { line: 2 }),
  BAD("bad reference", "[swift-hash]\nswift_hash_path_suffix = %(nope)s\n", { line: 2 }),
  BAD("lone % in a constraint", HASH + "[swift-constraints]\nauto_create_account_prefix = %\n", {
    line: 4,
  }),
  BAD(
    "duplicate names",
    HASH + policy(0, "name = gold") + policy(1, "name = GOLD", "default = y"),
    { line: 6, key: "name" },
  ),
  BAD(
    "alias taken",
    HASH + policy(0, "name = gold", "default = y") + policy(1, "name = b", "aliases = Gold"),
    { line: 8, key: "aliases" },
  ),
  BAD("alias repeats the name", HASH + policy(0, "name = gold", "aliases = Gold"), {
    line: 5,
    key: "aliases",
  }),
  BAD(
    "two defaults",
    HASH + policy(0, "name = a", "default = yes") + policy(1, "name = b", "default = 1"),
    { line: 8, key: "default" },
  ),
  BAD("deprecated default", HASH + policy(0, "name = a", "default = yes", "deprecated = t"), {
    key: "default",
  }),
  BAD("bad name characters", HASH + policy(0, "name = gold!"), { line: 4, key: "name" }),
  BAD("underscore in a name", HASH + policy(0, "name = a", "aliases = b_c"), { key: "aliases" }),
  BAD("non-ASCII name", HASH + policy(0, "name = göld")),
  BAD(
    "'Policy-0' on index 1",
    HASH + policy(0, "name = a", "default = y") + policy(1, "name = Policy-0"),
    { line: 7 },
  ),
  BAD(
    "'policy-0' alias on index 2",
    HASH + policy(0, "name = a", "default = y") + policy(2, "name = b", "aliases = POLICY-0"),
  ),
  BAD("empty name", HASH + policy(0, "name ="), { line: 4, key: "name" }),
  BAD("no name", HASH + policy(0, "default = yes"), { key: "name" }),
  BAD("no policy 0", HASH + policy(1, "name = a"), { includes: "storage-policy:0" }),
  BAD("every policy deprecated", HASH + policy(0, "name = a", "deprecated = yes")),
  BAD("no default among several", HASH + policy(0, "name = a") + policy(1, "name = b")),
  BAD(
    "duplicate index",
    HASH + policy(0, "name = a", "default = y") + policy(1, "name = b") + policy("01", "name = c"),
    { line: 8, section: "storage-policy:01" },
  ),
  BAD("index not an integer", HASH + policy("x", "name = a"), { line: 3 }),
  BAD("negative index", HASH + policy(-1, "name = a")),
  BAD("float index", HASH + policy("1.0", "name = a")),
  BAD("empty index", HASH + policy("", "name = a")),
  BAD("unknown option", HASH + policy(0, "name = a", "color = red"), { line: 5, key: "color" }),
  BAD(
    "EC option on replication",
    HASH + policy(0, "name = a", "ec_type = liberasurecode_rs_vand"),
    { key: "ec_type" },
  ),
  BAD("unknown policy_type", HASH + policy(0, "name = a", "policy_type = mirror"), {
    key: "policy_type",
  }),
  BAD("[DEFAULT] key in policies", "[DEFAULT]\ncolor = x\n" + HASH + policy(0, "name = a"), {
    line: 2,
    key: "color",
  }),
  BAD("EC without ec_type", HASH + policy(0, "name = a", "policy_type = erasure_coding"), {
    key: "ec_type",
  }),
  BAD(
    "EC empty ec_type",
    HASH + policy(0, "name = a", "policy_type = erasure_coding", "ec_type ="),
  ),
  BAD(
    "EC unknown ec_type",
    HASH + policy(0, "name = a", "policy_type = erasure_coding", "ec_type = rs"),
  ),
  BAD("EC no fragments", HASH + policy(0, "name = a", ...EC), { key: "ec_num_data_fragments" }),
  BAD(
    "EC zero data",
    HASH + policy(0, "name = a", ...EC, "ec_num_data_fragments = 0", "ec_num_parity_fragments = 2"),
  ),
  BAD(
    "EC words",
    HASH +
      policy(0, "name = a", ...EC, "ec_num_data_fragments = ten", "ec_num_parity_fragments = 2"),
  ),
  BAD(
    "EC negative parity",
    HASH +
      policy(0, "name = a", ...EC, "ec_num_data_fragments = 4", "ec_num_parity_fragments = -1"),
    { key: "ec_num_parity_fragments" },
  ),
  BAD(
    "EC zero segment",
    HASH +
      policy(
        0,
        "name = a",
        ...EC,
        "ec_num_data_fragments = 4",
        "ec_num_parity_fragments = 2",
        "ec_object_segment_size = 0",
      ),
  ),
  BAD(
    "EC float segment",
    HASH +
      policy(
        0,
        "name = a",
        ...EC,
        "ec_num_data_fragments = 4",
        "ec_num_parity_fragments = 2",
        "ec_object_segment_size = 1.5",
      ),
  ),
  BAD(
    "EC zero duplication",
    HASH +
      policy(
        0,
        "name = a",
        ...EC,
        "ec_num_data_fragments = 4",
        "ec_num_parity_fragments = 2",
        "ec_duplication_factor = 0",
      ),
    { key: "ec_duplication_factor" },
  ),
  BAD(
    "EC too many fragments",
    HASH +
      policy(0, "name = a", ...EC, "ec_num_data_fragments = 30", "ec_num_parity_fragments = 3"),
  ),
  BAD(
    "EC xor combination",
    HASH +
      policy(
        0,
        "name = a",
        "policy_type = erasure_coding",
        "ec_type = flat_xor_hd_3",
        "ec_num_data_fragments = 10",
        "ec_num_parity_fragments = 4",
      ),
  ),
  BAD("isa_l_rs_vand 4+5 not deprecated", HASH + policy(0, "name = a", ...ISA_L_4_5), {
    includes: "must be deprecated",
  }),
  BAD("constraint not an integer", HASH + "[swift-constraints]\nmax_file_size = abc\n", {
    line: 4,
    key: "max_file_size",
  }),
  BAD("constraint float", HASH + "[swift-constraints]\ncontainer_listing_limit = 1.5\n"),
  BAD("constraint empty", HASH + "[swift-constraints]\nmax_meta_count =\n"),
  BAD("constraint hex", HASH + "[swift-constraints]\nmax_meta_count = 0x10\n"),
  BAD("constraint double underscore", HASH + "[swift-constraints]\nmax_meta_count = 1__0\n"),
  BAD(
    "bad constraint in [DEFAULT]",
    "[DEFAULT]\nmax_meta_count = x\n" + HASH + "[swift-constraints]\n",
    { line: 2, section: "swift-constraints" },
  ),
  BAD("duplicate section", HASH + HASH, { line: 3 }),
  BAD("duplicate key in a policy", HASH + policy(0, "name = a", "name = b"), { line: 5 }),
  BAD("not UTF-8", new Uint8Array([...new TextEncoder().encode(HASH + "# caf"), 0xe9, 0x0a]), {
    line: 3,
  }),
  BAD("byte order mark", "\ufeff" + HASH, { line: 1 }),
  BAD("line before a section", "x = 1\n" + HASH, { line: 1 }),
];

Deno.test("loadSwiftConf() reads Debian's /etc/swift/swift.conf as Swift does", async () => {
  const text = await Deno.readFile("/etc/swift/swift.conf");
  assertEquals(await compareWithSwift([{ name: "/etc/swift/swift.conf", text }]), 1);
  const conf = loadSwiftConf("/etc/swift");
  assertEquals(conf.policies.byName("ORANGE")?.index, 0);
});

Deno.test("loadSwiftConf() agrees with Swift 2.30 on hand-written valid files", async () => {
  // All but the three known divergences are accepted and compared field by field.
  assertEquals(await compareWithSwift(VALID_CASES), VALID_CASES.length - 3);
});

Deno.test("loadSwiftConf() refuses what Swift 2.30 refuses, naming file and line", async () => {
  assertEquals(await compareWithSwift(INVALID_CASES), 0);
});

// Pieces the generator draws from: mostly valid, with the mistakes operators make.
const GOOD_NAMES = ["gold", "silver", "bronze", "ec-deep", "yellow"];
const NAMES = ["gold", "Gold", "Policy-0", "policy-0", "bad!", "", "a_b", "Silver"];
const TRUE = ["yes", "true", "1", "On", "t"];
const FLAGS = ["no", "false", "0", "", "treu", ...TRUE];
const INDEXES = ["0", "1", "2", "01", " 2", "+3", "x", "-1", "1.0"];
const FRAGMENTS = ["4", "2", "6", "10", "5"];
const INTS = ["0", "-1", "abc", "1_0", " 3 ", "1.5", "", "40"];
const EC_TYPES = ["liberasurecode_rs_vand", "flat_xor_hd_4", "flat_xor_hd_3"];
const BAD_EC_TYPES = ["bogus", "", "isa_l_rs_vand"];
const CONSTRAINT_VALUES = ["0", "-2", "1_024", "abc", "", "7.0", "%(x)s", "50%", "v1,v2"];
const CONSTRAINT_KEYS = ["max_file_size", "max_meta_count", "extra_header_count"]
  .concat(["valid_api_versions", "auto_create_account_prefix", "container_listing_limit"]);

/** Either a likely good value or, with probability `p`, one drawn from the mistakes. */
function mostly<T>(rand: SeededRandom, good: T, bad: readonly T[], p = 0.1): T {
  return rand.chance(p) ? rand.pick(bad) : good;
}

function generate(rand: SeededRandom): string {
  let text = "";
  if (rand.chance(0.05)) text += `[DEFAULT]\n${rand.pick(["deprecated", "x", "default"])} = no\n`;
  if (rand.chance(0.97)) {
    text += "[swift-hash]\n";
    if (rand.chance(0.4)) text += `swift_hash_path_prefix = ${mostly(rand, "pre", ["", "a%%b"])}\n`;
    if (rand.chance(0.9)) {
      text += `swift_hash_path_suffix = ${mostly(rand, "s3cr3t", ["", "5%", "é", "%(x)s"])}\n`;
    }
  }
  const count = rand.pick([0, 1, 1, 2, 2, 3, 4]);
  const order = rand.chance(0.2)
    ? rand.shuffle([...Array(count).keys()])
    : [...Array(count).keys()];
  const defaultAt = rand.chance(0.9) ? rand.int(0, Math.max(0, count - 1)) : -1;
  for (const i of order) {
    text += `[storage-policy:${mostly(rand, String(i), INDEXES, 0.08)}]\n`;
    if (rand.chance(0.97)) text += `name = ${mostly(rand, GOOD_NAMES[i], NAMES, 0.08)}\n`;
    if (rand.chance(0.25)) text += `aliases = ${mostly(rand, `alt${i}`, NAMES, 0.2)}, x${i}\n`;
    if (i === defaultAt) text += `default = ${rand.pick(TRUE)}\n`;
    else if (rand.chance(0.15)) text += `default = ${mostly(rand, "no", FLAGS, 0.3)}\n`;
    if (rand.chance(0.15)) text += `deprecated = ${rand.pick(FLAGS)}\n`;
    if (rand.chance(0.02)) text += "color = red\n";
    if (rand.chance(0.25)) {
      text += "policy_type = erasure_coding\n";
      if (rand.chance(0.95)) {
        text += `ec_type = ${mostly(rand, rand.pick(EC_TYPES), BAD_EC_TYPES)}\n`;
      }
      for (const key of ["ec_num_data_fragments", "ec_num_parity_fragments"]) {
        if (rand.chance(0.95)) text += `${key} = ${mostly(rand, rand.pick(FRAGMENTS), INTS)}\n`;
      }
      if (rand.chance(0.3)) text += `ec_object_segment_size = ${mostly(rand, "4096", INTS, 0.3)}\n`;
      if (rand.chance(0.2)) text += `ec_duplication_factor = ${mostly(rand, "2", INTS, 0.3)}\n`;
    }
  }
  if (rand.chance(0.5)) {
    text += "[swift-constraints]\nx = 3\n";
    for (const key of rand.shuffle(CONSTRAINT_KEYS).slice(0, rand.int(0, 3))) {
      text += `${key} = ${mostly(rand, String(rand.int(1, 99)), CONSTRAINT_VALUES, 0.2)}\n`;
    }
  }
  return text;
}

Deno.test("loadSwiftConf() agrees with Swift 2.30 on 400 generated files", async () => {
  const rand = new SeededRandom(2302);
  const cases = Array.from(
    { length: 400 },
    (_, i) => ({ name: `generated #${i}`, text: generate(rand) }),
  );
  const accepted = await compareWithSwift(cases);
  // The corpus must exercise both sides; a generator that only makes broken files tests little.
  assert(accepted >= 80 && accepted <= 320, `Swift accepted ${accepted} of 400`);
});

Deno.test("pythonInt() reads integers as Python's int() does", () => {
  assertEquals(pythonInt(" +1_000\t"), 1000n);
  assertEquals(pythonInt("\u0661\u0662"), 12n);
  assertEquals(pythonInt("\uff19"), 9n);
  assertEquals(pythonInt("-0"), 0n);
  for (const bad of ["", "1.0", "0x1", "_1", "1_", "1__0", "- 1", "١.٢"]) {
    assertEquals(pythonInt(bad), undefined, bad);
  }
});

Deno.test("an erasure_coding policy is kept with a reason swiftd cannot serve it", async () => {
  await using tmp = await makeTempDir("swift-conf");
  await Deno.writeTextFile(
    join(tmp.path, "swift.conf"),
    HASH + policy(0, "name = a", "default = yes") +
      policy(
        1,
        "name = ec-deep",
        ...EC,
        "ec_num_data_fragments = 10",
        "ec_num_parity_fragments = 4",
      ),
  );
  const conf = loadSwiftConf(tmp.path);
  const ec = conf.policies.get(1)!;
  assertEquals(
    unservableReason(ec),
    "Storage policy 1 (ec-deep) is an erasure_coding policy (liberasurecode_rs_vand 10+4); " +
      "swiftd does not implement erasure coding",
  );
  assertEquals(unservableReason(conf.policies.legacy), undefined);
  assert(Object.isFrozen(conf) && Object.isFrozen(conf.policies) && Object.isFrozen(ec));
  assertEquals(conf.constraints.maxFileSize, DEFAULT_SWIFT_CONSTRAINTS.maxFileSize);
});

Deno.test("clusterConstraints() reads swift_dir's swift.conf, Swift's defaults without one", async () => {
  await using dir = await makeTempDir("cluster-constraints");
  const none = clusterConstraints(dir.path);
  assertEquals(none.constraints, DEFAULT_SWIFT_CONSTRAINTS);
  assertEquals([...none.policies].map((p) => [p.index, p.name]), [[0, "Policy-0"]]);
  await Deno.writeTextFile(
    join(dir.path, "swift.conf"),
    "[swift-hash]\nswift_hash_path_suffix = s\n[swift-constraints]\nmax_file_size = 1000\n" +
      "[storage-policy:0]\nname = gold\n[storage-policy:3]\nname = silver\ndefault = yes\n",
  );
  const read = clusterConstraints(dir.path);
  assertEquals(read.constraints.maxFileSize, 1000);
  assertEquals([...read.policies].map((p) => p.index), [0, 3]);
  await Deno.writeTextFile(
    join(dir.path, "swift.conf"),
    "[swift-constraints]\nmax_file_size = x\n",
  );
  try {
    clusterConstraints(dir.path);
    throw new Error("an invalid swift.conf was accepted");
  } catch (err) {
    assertInstanceOf(err, ConfigError);
  }
});
