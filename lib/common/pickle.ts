/**
 * Python pickles as Swift 2.30 keeps them on disk: a safe reader for protocols 0-5 (Python 2
 * and 3 writers) and a writer matching CPython 3.11 byte for byte. See pickle_value.ts for how
 * Python values map to TypeScript.
 *
 * @module
 */

export { loadPickle, UnpicklingError } from "./pickle_loads.ts";
export type { LoadPickleOptions, Py2StringEncoding } from "./pickle_loads.ts";
export { dumpPickle, PicklingError } from "./pickle_dumps.ts";
export type { DumpPickleOptions, PickleProtocol } from "./pickle_dumps.ts";
export { PyFloat, PyHeaderKeyDict, pythonTypeName, PyTuple } from "./pickle_value.ts";
export type { PickleValue } from "./pickle_value.ts";
