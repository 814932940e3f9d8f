/**
 * TempAuth.__init__: the typed options of TEMPAUTH_FILTER plus the keys whose names are data,
 * which no option table can list: the users (`user_<account>_<user>`,
 * `user64_<b64 account>_<b64 user>`) and `<PREFIX>require_group` (config_read_reseller_options).
 * They are read from `stage.conf` here and nowhere else.
 */
import { ConfigError } from "../../config/errors.ts";
import { type ConfValue, pyStrip } from "../../config/ini.ts";
import { optionsOf, type StageConfig } from "../../config/load.ts";
import { TEMPAUTH_FILTER } from "../../config/options/tempauth.ts";
import { decodeUtf8 } from "../../common/python_codecs.ts";
import { pyQuote } from "./swob.ts";

/** One user of the conf. */
export interface TempAuthUser {
  /** The key (password), compared in constant time. */
  readonly key: string;
  /** The storage URL; `$HOST` stands for the request's scheme://host. */
  readonly url: string;
  /** Groups from the conf (`.admin`, `.reseller_admin`, `.service`...). */
  readonly groups: readonly string[];
}

/** Everything TempAuth reads from its conf, validated. */
export interface TempAuthSettings {
  /** reseller_prefix as a list (`AUTH_`, `SERVICE_`, or "" for none); tokens use the first. */
  readonly resellerPrefixes: readonly string[];
  /** require_group per reseller prefix ("" when none is required). */
  readonly requireGroups: ReadonlyMap<string, string>;
  /** auth_prefix, normalized to `/x/`. */
  readonly authPrefix: string;
  readonly tokenLife: number;
  readonly allowOverrides: boolean;
  readonly storageUrlScheme: string;
  /** Users by `account:user`. */
  readonly users: ReadonlyMap<string, TempAuthUser>;
}

// str.isspace() chars: what str.split() with no argument splits on.
// deno-lint-ignore no-control-regex -- \x1c-\x1f are whitespace to Python
const PY_SPACE = new RegExp(
  "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+",
);

/** str.split(): the words between runs of whitespace. */
function pySplit(text: string): string[] {
  return pyStrip(text).split(PY_SPACE).filter(Boolean);
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * base64.b64decode() without validate (binascii.a2b_base64 non-strict): chars outside the
 * alphabet are skipped, input stops at a complete pad, and leftover data bits are an error.
 */
function pyB64decode(text: string): Uint8Array {
  if ([...text].some((c) => c.charCodeAt(0) > 0x7f)) {
    throw new Error("string argument should contain only ASCII");
  }
  const out: number[] = [];
  let quad = 0;
  let pads = 0;
  let left = 0;
  for (const char of text) {
    if (char === "=") {
      if (quad >= 2 && quad + ++pads >= 4) return Uint8Array.from(out);
      continue;
    }
    const v = B64.indexOf(char);
    if (v < 0) continue;
    if (quad === 1) out.push(((left << 2) | (v >> 4)) & 0xff);
    else if (quad === 2) out.push(((left << 4) | (v >> 2)) & 0xff);
    else if (quad === 3) out.push(((left << 6) | v) & 0xff);
    left = v;
    quad = (quad + 1) % 4;
  }
  if (quad !== 0) {
    throw new Error(quad === 1 ? "Invalid base64-encoded string" : "Incorrect padding");
  }
  return Uint8Array.from(out);
}

/** A user64_ name: padded the way Swift pads it (len % 4 `=`), base64- then UTF-8-decoded. */
function b64Name(name: string): string {
  return decodeUtf8(pyB64decode(name + "=".repeat(name.length % 4)));
}

function userOf(
  confKey: string,
  entry: ConfValue,
  defaultPrefix: string,
  where: (key: string) => { section?: string; file?: string; line?: number; key: string },
): [string, TempAuthUser] {
  const names = confKey.slice(confKey.indexOf("_") + 1).split("_");
  if (names.length !== 2) {
    throw new ConfigError(
      `must be user_<account>_<user> or user64_<account>_<user>, with no other "_": the name ` +
        `has ${names.length} part(s)`,
      where(confKey),
    );
  }
  let [account, user] = names;
  if (confKey.startsWith("user64_")) {
    try {
      account = b64Name(account);
      user = b64Name(user);
    } catch (err) {
      throw new ConfigError(
        `must name the account and user in base64 of UTF-8: ${(err as Error).message}`,
        where(confKey),
      );
    }
  }
  const values = pySplit(entry.value);
  if (values.length === 0) {
    throw new ConfigError("has no key set: write 'key [group...] [storage_url]'", where(confKey));
  }
  const key = values.shift()!;
  const last = values.at(-1);
  const url = last !== undefined && (last.includes("://") || last.includes("$HOST"))
    ? values.pop()!
    : `$HOST/v1/${defaultPrefix}${pyQuote(account)}`;
  return [`${account}:${user}`, { key, url, groups: values }];
}

/**
 * Reads a [filter:tempauth] stage. `warn` gets what Swift logs as a warning (an auth_prefix
 * it rewrites); a malformed user line throws ConfigError, as Swift refuses to start.
 */
export function tempauthSettings(
  stage: StageConfig,
  warn: (message: string) => void = () => {},
): TempAuthSettings {
  const options = optionsOf(stage, TEMPAUTH_FILTER);
  const where = (key: string) => {
    const entry = stage.conf.get(key);
    return { section: entry?.section ?? stage.section, file: entry?.file, line: entry?.line, key };
  };

  let authPrefix = options.auth_prefix;
  if (!authPrefix || !authPrefix.replace(/^\/+|\/+$/g, "")) {
    warn(
      `Rewriting invalid auth prefix "${authPrefix}" to "/auth/" (Non-empty auth prefix path ` +
        `is required)`,
    );
    authPrefix = "/auth/";
  }
  if (!authPrefix.startsWith("/")) authPrefix = `/${authPrefix}`;
  if (!authPrefix.endsWith("/")) authPrefix += "/";

  // config_read_reseller_options(): `<PREFIX>require_group` wins over `require_group`; both
  // count only when not empty.
  const prefixes = options.reseller_prefix;
  const requireGroups = new Map<string, string>();
  for (const prefix of prefixes) {
    let group = "";
    for (const key of ["require_group", `${prefix || "''"}require_group`]) {
      const value = stage.conf.get(key)?.value;
      if (value) group = pyStrip(value);
    }
    requireGroups.set(prefix, group);
  }

  const users = new Map<string, TempAuthUser>();
  for (const [confKey, entry] of stage.conf) {
    if (!confKey.startsWith("user_") && !confKey.startsWith("user64_")) continue;
    const [name, user] = userOf(confKey, entry, prefixes[0], where);
    users.set(name, user);
  }

  return {
    resellerPrefixes: prefixes,
    requireGroups,
    authPrefix,
    tokenLife: options.token_life,
    allowOverrides: options.allow_overrides,
    storageUrlScheme: options.storage_url_scheme,
    users,
  };
}
