/**
 * The only globals the pickle reader accepts, and what calling them means. Nothing is ever
 * imported or executed: each allowed (global, arguments) shape is interpreted here as data,
 * exactly as CPython would construct it, and everything else throws.
 *
 * @module
 */

import { describeItem, PickleGlobal } from "./_pickle_load_items.ts";
import { PyHeaderKeyDict, PyTuple } from "./pickle_value.ts";
import type { PickleValue } from "./pickle_value.ts";
import { encodeLatin1, encodeUtf8 } from "./python_codecs.ts";

// Python 3 maps these Python 2 module names when reading (fix_imports=True).
const IMPORT_FIXES: Readonly<Record<string, string>> = {
  __builtin__: "builtins",
  copy_reg: "copyreg",
};

const ALLOWED_GLOBALS = new Set([
  "_codecs.encode",
  "builtins.bytes",
  "builtins.dict",
  "copyreg._reconstructor",
  "swift.common.header_key_dict.HeaderKeyDict",
  "swift.common.swob.HeaderKeyDict",
]);

const LATIN1_NAMES = new Set(["latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1"]);
const UTF8_NAMES = new Set(["utf-8", "utf8", "utf_8"]);

/** Names a global for GLOBAL/STACK_GLOBAL, or throws if it is not on the allow list. */
export function findGlobal(module: string, name: string): PickleGlobal {
  const g = new PickleGlobal(IMPORT_FIXES[module] ?? module, name);
  if (!ALLOWED_GLOBALS.has(g.dotted)) {
    throw new Error(
      `refusing global "${module}.${name}": only ${[...ALLOWED_GLOBALS].join(", ")} are allowed`,
    );
  }
  return g;
}

function isHeaderKeyDictClass(v: unknown): boolean {
  return v instanceof PickleGlobal && v.name === "HeaderKeyDict";
}

/** REDUCE: the value CPython would get from `callable(*args)` for the allowed shapes. */
export function callGlobal(callable: unknown, args: unknown): PickleValue {
  if (!(callable instanceof PickleGlobal) || !(args instanceof PyTuple)) {
    throw new Error(
      `REDUCE needs a global and a tuple, got ${describeItem(callable)} and ${describeItem(args)}`,
    );
  }
  const a = args.items as unknown[];
  if (callable.dotted === "_codecs.encode" && typeof a[0] === "string" && a.length <= 2) {
    // Protocols 0-2 spell bytes as _codecs.encode(latin1_text, 'latin1').
    const codec = a.length === 2 ? a[1] : "utf-8";
    const name = typeof codec === "string" ? codec.toLowerCase() : "";
    if (LATIN1_NAMES.has(name)) return encodeLatin1(a[0]);
    if (UTF8_NAMES.has(name)) return encodeUtf8(a[0], "strict");
    throw new Error(
      `_codecs.encode() with codec ${describeItem(codec)}: only latin1 and utf-8 are allowed`,
    );
  }
  if (callable.dotted === "builtins.bytes" && a.length === 0) return new Uint8Array(0);
  if (
    callable.dotted === "copyreg._reconstructor" && a.length === 3 &&
    isHeaderKeyDictClass(a[0]) && a[1] instanceof PickleGlobal &&
    a[1].dotted === "builtins.dict" && a[2] instanceof Map
  ) {
    // dict.__init__(obj, state) copies the items without HeaderKeyDict's key title-casing.
    return new PyHeaderKeyDict(a[2]);
  }
  throw new Error(
    `refusing to call ${callable.dotted} with ${a.length} argument(s) (${
      a.map(describeItem).join(", ")
    })`,
  );
}

/** NEWOBJ/NEWOBJ_EX: only `HeaderKeyDict()` with no arguments. */
export function newObject(cls: unknown, args: unknown, kwargs?: unknown): PyHeaderKeyDict {
  const emptyKwargs = kwargs === undefined || (kwargs instanceof Map && kwargs.size === 0);
  if (
    !isHeaderKeyDictClass(cls) || !(args instanceof PyTuple) || args.items.length !== 0 ||
    !emptyKwargs
  ) {
    throw new Error(
      `refusing to instantiate ${describeItem(cls)}: only HeaderKeyDict() is allowed`,
    );
  }
  return new PyHeaderKeyDict();
}

/** BUILD: accepted only as the no-op a HeaderKeyDict with an empty __dict__ would get. */
export function checkBuild(target: unknown, state: unknown): void {
  const empty = state === null || (state instanceof Map && state.size === 0);
  if (!(target instanceof PyHeaderKeyDict) || !empty) {
    throw new Error(`refusing BUILD of ${describeItem(target)} with state ${describeItem(state)}`);
  }
}
