/**
 * Options of `egg:swift#gatekeeper` (swift/common/middleware/gatekeeper.py, Swift 2.30): the
 * keys GatekeeperMiddleware.__init__ reads, plus get_logger()'s.
 */
import { bool } from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";

/** `egg:swift#gatekeeper`: keeps clients from sending or seeing internal headers. */
export const GATEKEEPER_FILTER = {
  name: "gatekeeper",
  doc: "Removes backend and system metadata headers from client requests and from responses.",
  options: [
    option({
      key: "shunt_inbound_x_timestamp",
      parse: bool,
      default: "true",
      doc: "Move a client's X-Timestamp to X-Backend-Inbound-X-Timestamp, so clients cannot " +
        "choose the timestamp objects are stored with (container sync sets it back).",
    }),
    option({
      key: "allow_reserved_names_header",
      parse: bool,
      default: "false",
      doc: "Let clients send X-Allow-Reserved-Names (passed on as " +
        "X-Backend-Allow-Reserved-Names) to see and create names with the reserved null byte.",
    }),
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
