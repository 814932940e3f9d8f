/**
 * Container semantics for the pickle reader: Python dict key rules (hashable keys, equal keys
 * merged), HeaderKeyDict's `__setitem__`, and the final check that only plain data came out.
 *
 * @module
 */

import { PyFloat, PyHeaderKeyDict, PyTuple } from "./pickle_value.ts";
import type { PickleValue } from "./pickle_value.ts";
import { decodeLatin1 } from "./python_codecs.ts";
import { pythonFloatRepr } from "./python_float_repr.ts";

/** A global named by GLOBAL/STACK_GLOBAL: only a handle, never resolved to code. */
export class PickleGlobal {
  /** Records the (import-fixed) module and qualified name. */
  constructor(readonly module: string, readonly name: string) {}
  /** "module.name", as messages print it. */
  get dotted(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Names a stack item for error messages, quoting short strings. */
export function describeItem(v: unknown): string {
  if (v instanceof PickleGlobal) return `global ${v.dotted}`;
  if (typeof v === "string") {
    return `str ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)}`;
  }
  if (v === null) return "None";
  if (Array.isArray(v)) return "list";
  if (v instanceof PyTuple) return "tuple";
  if (v instanceof PyHeaderKeyDict) return "HeaderKeyDict";
  if (v instanceof Map) return "dict";
  if (v instanceof Uint8Array) return "bytes";
  if (v instanceof PyFloat) return "float";
  return typeof v;
}

/**
 * A string equal for keys Python considers equal, for key types a JS Map compares by identity
 * (bytes, tuples, PyFloat). Throws for unhashable keys (list, dict), as Python does.
 */
function keyIdentity(key: unknown): string {
  if (typeof key === "string") return "s" + key;
  if (typeof key === "number" || typeof key === "bigint") return "n" + String(key);
  if (typeof key === "boolean") return key ? "n1" : "n0"; // True == 1 in Python
  if (key === null) return "z";
  if (key instanceof Uint8Array) return "b" + decodeLatin1(key);
  if (key instanceof PyFloat) return "n" + String(key.value);
  if (key instanceof PyTuple) return "t" + JSON.stringify(key.items.map(keyIdentity));
  throw new Error(`unhashable type: '${describeItem(key)}' used as a dict key`);
}

// For each dict being built, the first key object seen per identity, so equal bytes/tuple keys
// merge like in Python (first key kept, last value wins) instead of piling up in the Map.
const keyIndexes = new WeakMap<Map<PickleValue, PickleValue>, Map<string, PickleValue>>();

function titleCase(key: string): string {
  // HeaderKeyDict._title: key.encode('latin1').title().decode('latin1'); bytes.title() only
  // knows ASCII letters, and any other byte starts a new word.
  let out = "";
  let previousCased = false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c > 0xff) throw new Error(`HeaderKeyDict key ${JSON.stringify(key)} is not latin-1`);
    const lower = c >= 0x61 && c <= 0x7a;
    const upper = c >= 0x41 && c <= 0x5a;
    if (lower || upper) {
      out += previousCased ? key[i].toLowerCase() : key[i].toUpperCase();
      previousCased = true;
    } else {
      out += key[i];
      previousCased = false;
    }
  }
  return out;
}

function headerValue(value: PickleValue): string | null {
  // HeaderKeyDict.__setitem__ on py3: None deletes, bytes are latin-1 decoded, else str(value).
  if (value === null) return null;
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return decodeLatin1(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    return Number.isSafeInteger(value) ? String(value) : pythonFloatRepr(value);
  }
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  throw new Error(`HeaderKeyDict value ${describeItem(value)} has no plain str() form`);
}

/** Performs Python's `d[key] = value` for a dict being unpickled. */
export function setDictItem(dict: Map<PickleValue, PickleValue>, key: unknown, value: unknown) {
  if (key instanceof PickleGlobal || value instanceof PickleGlobal) {
    throw new Error(
      `refusing a Python class (${describeItem(key)}: ${describeItem(value)}) in a dict`,
    );
  }
  if (dict instanceof PyHeaderKeyDict) {
    if (typeof key !== "string") {
      throw new Error(`HeaderKeyDict key must be str, got ${describeItem(key)}`);
    }
    const title = titleCase(key);
    const header = headerValue(value as PickleValue);
    if (header === null) dict.delete(title);
    else dict.set(title, header);
    return;
  }
  const id = keyIdentity(key);
  if (key === null || typeof key !== "object") {
    dict.set(key as PickleValue, value as PickleValue);
    return;
  }
  let index = keyIndexes.get(dict);
  if (index === undefined) keyIndexes.set(dict, index = new Map());
  const existing = index.get(id);
  if (existing === undefined) index.set(id, key as PickleValue);
  dict.set(existing ?? (key as PickleValue), value as PickleValue);
}

/**
 * Checks that the unpickled value is plain acyclic data (no class handles left over, no
 * self-containing lists/dicts, which Swift never writes and callers could loop on).
 */
export function finishLoadedValue(root: unknown): PickleValue {
  const done = new Set<object>();
  const onPath = new Set<object>();
  // An explicit stack, so hostile nesting depth cannot overflow the JS call stack.
  const work: { value: unknown; leaving: boolean }[] = [{ value: root, leaving: false }];
  while (work.length > 0) {
    const { value, leaving } = work.pop()!;
    if (value instanceof PickleGlobal) {
      throw new Error(`refusing a Python class (${value.dotted}) as plain data`);
    }
    if (value === null || typeof value !== "object" || value instanceof Uint8Array) continue;
    if (value instanceof PyFloat) continue;
    if (leaving) {
      onPath.delete(value);
      done.add(value);
      continue;
    }
    if (done.has(value)) continue;
    if (onPath.has(value)) throw new Error(`refusing a recursive ${describeItem(value)}`);
    onPath.add(value);
    work.push({ value, leaving: true });
    const children: unknown[] = value instanceof PyTuple
      ? [...value.items]
      : value instanceof Map
      ? [...value.keys(), ...value.values()]
      : (value as unknown[]);
    for (const child of children) work.push({ value: child, leaving: false });
  }
  return root as PickleValue;
}
