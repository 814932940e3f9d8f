/**
 * Options of `egg:swift#read_only` (swift/common/middleware/read_only.py, Swift 2.30): the keys
 * ReadOnlyMiddleware.__init__ reads, plus get_logger()'s.
 */
import { bool } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** `egg:swift#read_only`: refuses writes cluster-wide or per account. */
export const READ_ONLY_FILTER = {
  name: "read_only",
  doc: "Refuses COPY, POST, PUT (and DELETE) with 405, for the whole cluster or per account " +
    "(X-Account-Sysmeta-Read-Only overrides the cluster setting).",
  options: [
    option({
      key: "read_only",
      parse: bool,
      default: "false",
      doc: "Refuse writes to every account whose X-Account-Sysmeta-Read-Only is not false.",
    }),
    option({
      key: "allow_deletes",
      parse: bool,
      default: "false",
      doc: "Let DELETE through even where writes are refused.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
