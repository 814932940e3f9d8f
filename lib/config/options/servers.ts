/** The servers swiftd runs: the SERVER word of `swiftd SERVER CONF`, as swift-init names them. */

/** A server type and how its config is laid out. */
export interface ServerSpec {
  /** The [app:NAME] section run_wsgi() reads its settings from, and the SERVER word. */
  readonly name: string;
  /** App entry points that may serve as this server's app. */
  readonly apps: readonly string[];
  /** The pipeline the sample config shows, filters then the app section name. */
  readonly samplePipeline: readonly string[];
  /** bind_port of Swift's sample config (SAIO and Debian use the same). */
  readonly samplePort: string;
}

/** Every server type, keyed by SERVER word. */
export const SERVERS = {
  "proxy-server": {
    name: "proxy-server",
    apps: ["proxy"],
    samplePipeline: ["catch_errors", "healthcheck", "proxy-server"],
    samplePort: "8080",
  },
  "account-server": {
    name: "account-server",
    apps: ["account"],
    samplePipeline: ["healthcheck", "account-server"],
    samplePort: "6202",
  },
  "container-server": {
    name: "container-server",
    apps: ["container"],
    samplePipeline: ["healthcheck", "container-server"],
    samplePort: "6201",
  },
  "object-server": {
    name: "object-server",
    apps: ["object", "mem_object"],
    samplePipeline: ["healthcheck", "object-server"],
    samplePort: "6200",
  },
} as const satisfies Record<string, ServerSpec>;

/** A SERVER word. */
export type ServerName = keyof typeof SERVERS;

/** Whether `name` is a SERVER word swiftd knows. */
export function isServerName(name: string): name is ServerName {
  return Object.hasOwn(SERVERS, name);
}
