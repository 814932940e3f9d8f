/**
 * How Python values read from or written to a pickle look in TypeScript.
 *
 * | Python                               | TypeScript                                      |
 * | ------------------------------------ | ----------------------------------------------- |
 * | `None`, `True`/`False`               | `null`, `true`/`false`                          |
 * | `int`                                | `number` if a safe integer, else `bigint`       |
 * | `float`                              | `number` (or `PyFloat`, see below)              |
 * | `str`                                | `string` (lone surrogates kept as they are)     |
 * | `bytes` (and py2 `str` read as bytes)| `Uint8Array`                                    |
 * | `list`                               | `PickleValue[]`                                 |
 * | `tuple`                              | `PyTuple`                                       |
 * | `dict`                               | `Map` (insertion order kept, equal keys merged) |
 * | `swift...HeaderKeyDict`              | `PyHeaderKeyDict` (a `Map`)                     |
 *
 * A JS number cannot say whether it was `1` or `1.0`, so the writer pickles a safe-integer
 * number as `int` and anything else as `float`; wrap a value in `PyFloat` to force `float`
 * (Swift's `hashes.pkl` 'updated' is a float). Readers return `PyFloat` only on request.
 *
 * @module
 */

/** A Python tuple: immutable and distinct from a list, as Swift's `.pending` records need. */
export class PyTuple {
  /** The tuple's items in order. */
  readonly items: readonly PickleValue[];
  /** Wraps `items` (copied, so later changes to the array do not leak in). */
  constructor(items: readonly PickleValue[]) {
    this.items = Object.freeze([...items]);
  }
}

/** A Python float whose value may be integral, so it must not be pickled as an int. */
export class PyFloat {
  /** Wraps the float's value. */
  constructor(readonly value: number) {}
}

/**
 * A `swift.common.header_key_dict.HeaderKeyDict`, which Swift pickles into async_pending files.
 * It is a plain Map here; the class only makes the writer emit the same GLOBAL Swift does.
 */
export class PyHeaderKeyDict extends Map<PickleValue, PickleValue> {}

/** Any value this module reads or writes; see the module doc for the Python mapping. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PyTuple
  | PyFloat
  | Map<PickleValue, PickleValue>;

/** Names the Python type of `value` for error messages ("bytes", "dict", ...). */
export function pythonTypeName(value: unknown): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "bigint") return "int";
  if (typeof value === "number") return Number.isSafeInteger(value) ? "int" : "float";
  if (typeof value === "string") return "str";
  if (value instanceof Uint8Array) return "bytes";
  if (value instanceof PyFloat) return "float";
  if (value instanceof PyTuple) return "tuple";
  if (value instanceof PyHeaderKeyDict) return "HeaderKeyDict";
  if (value instanceof Map) return "dict";
  if (Array.isArray(value)) return "list";
  return typeof value;
}
