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
  /**
   * Filters the app inserts when the pipeline lacks them (the proxy's modify_wsgi_pipeline()):
   * each goes right after the last of `after` present in the pipeline, or first.
   */
  readonly requiredFilters?: readonly RequiredFilter[];
}

/** One of swift/proxy/server.py's required_filters. */
export interface RequiredFilter {
  readonly name: string;
  /** Filters it must follow; "catch_errors?" means catch_errors only if the pipeline starts with it. */
  readonly after: readonly string[];
}

/** swift/proxy/server.py required_filters of Swift 2.30, in its order. */
const PROXY_REQUIRED_FILTERS: readonly RequiredFilter[] = [
  { name: "catch_errors", after: [] },
  { name: "gatekeeper", after: ["catch_errors?"] },
  { name: "listing_formats", after: ["catch_errors", "gatekeeper", "proxy_logging", "memcache"] },
  {
    name: "copy",
    after: ["staticweb", "tempauth", "keystoneauth", "catch_errors", "gatekeeper", "proxy_logging"],
  },
  {
    name: "dlo",
    after: [
      "copy",
      "staticweb",
      "tempauth",
      "keystoneauth",
      "catch_errors",
      "gatekeeper",
      "proxy_logging",
    ],
  },
  {
    name: "versioned_writes",
    after: [
      "slo",
      "dlo",
      "copy",
      "staticweb",
      "tempauth",
      "keystoneauth",
      "catch_errors",
      "gatekeeper",
      "proxy_logging",
    ],
  },
];

/** Every server type, keyed by SERVER word. */
export const SERVERS = {
  "proxy-server": {
    name: "proxy-server",
    apps: ["proxy"],
    samplePipeline: ["catch_errors", "healthcheck", "proxy-server"],
    samplePort: "8080",
    requiredFilters: PROXY_REQUIRED_FILTERS,
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
