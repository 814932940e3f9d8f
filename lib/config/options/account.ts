/** Options of Swift's account server app (swift/account/server.py AccountController.__init__). */
import { option } from "./option.ts";

/** Account-server settings beyond the runtime ones. */
export const ACCOUNT_SERVER_OPTIONS = [
  option({
    key: "mount_check",
    parse: (raw) => raw.toLowerCase() === "true",
    default: "true",
    doc: "Refuse requests for devices that are not mount points.",
  }),
] as const;
