/** Options of the apps (the last stage of a pipeline), by Swift entry point name. */
import { bool } from "../values.ts";
import { ACCOUNT_SERVER_OPTIONS } from "./account.ts";
import { CONTAINER_SERVER_OPTIONS } from "./container.ts";
import { OBJECT_SERVER_OPTIONS } from "./object.ts";
import { PROXY_SERVER_OPTIONS } from "./proxy.ts";
import { option, type OptionTable } from "./option.ts";
import { RUNTIME_OPTIONS } from "./runtime.ts";

/** Options every storage server (account, container, object) reads. */
const STORAGE_OPTIONS = [
  option({
    key: "log_requests",
    parse: bool,
    default: "true",
    doc: "Log one access line per request, in Swift's storage-server format.",
    sampleIn: "section",
  }),
] as const;

/** `egg:swift#mem_object`: Swift's in-memory object server (swift/obj/mem_server.py). */
export const MEM_OBJECT_APP = {
  name: "mem_object",
  doc: "Object server keeping objects in memory, for tests and benchmarks; data is lost on exit.",
  options: [...RUNTIME_OPTIONS, ...STORAGE_OPTIONS, ...OBJECT_SERVER_OPTIONS],
  complete: false,
} as const satisfies OptionTable;

/** `egg:swift#object`: the object server. */
export const OBJECT_APP = {
  name: "object",
  doc: "Object server: object data and metadata on local disks.",
  options: [
    ...RUNTIME_OPTIONS,
    ...STORAGE_OPTIONS,
    ...OBJECT_SERVER_OPTIONS,
  ],
  complete: false,
} as const satisfies OptionTable;

/** `egg:swift#container`: the container server. */
export const CONTAINER_APP = {
  name: "container",
  doc: "Container server: object listings in SQLite databases.",
  options: [...RUNTIME_OPTIONS, ...STORAGE_OPTIONS, ...CONTAINER_SERVER_OPTIONS],
  complete: false,
} as const satisfies OptionTable;

/** `egg:swift#account`: the account server. */
export const ACCOUNT_APP = {
  name: "account",
  doc: "Account server: container listings in SQLite databases.",
  options: [...RUNTIME_OPTIONS, ...STORAGE_OPTIONS, ...ACCOUNT_SERVER_OPTIONS],
  complete: false,
} as const satisfies OptionTable;

/** `egg:swift#proxy`: the proxy server, Swift's client-facing API. */
export const PROXY_APP = {
  name: "proxy",
  doc: "Proxy server: the Swift API, routed through the rings to the storage servers.",
  options: [...RUNTIME_OPTIONS, ...PROXY_SERVER_OPTIONS],
  complete: false,
} as const satisfies OptionTable;

/** Every app entry point swiftd knows, by name. */
export const APP_TABLES: Readonly<Record<string, OptionTable>> = {
  [MEM_OBJECT_APP.name]: MEM_OBJECT_APP,
  [OBJECT_APP.name]: OBJECT_APP,
  [CONTAINER_APP.name]: CONTAINER_APP,
  [ACCOUNT_APP.name]: ACCOUNT_APP,
  [PROXY_APP.name]: PROXY_APP,
};
