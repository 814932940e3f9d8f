/** Options of Swift's container server app (swift/container/server.py ContainerController.__init__). */
import { option } from "./option.ts";

/** Container-server settings beyond the runtime ones. */
export const CONTAINER_SERVER_OPTIONS = [
  option({
    key: "mount_check",
    parse: (raw) => raw.toLowerCase() === "true",
    default: "true",
    doc: "Refuse requests for devices that are not mount points.",
  }),
] as const;
