/**
 * What one proxy worker holds across requests (Swift's proxy Application): settings, swift.conf,
 * the rings, error limits, node timings, the keep-alive pool to the storage servers, and the
 * backend work still finishing after a response was sent (post-quorum stragglers).
 */
import type { SwiftConf } from "../common/swift_conf.ts";
import type { StoragePolicy } from "../common/storage_policy.ts";
import { ConnectionPool } from "../http/pool.ts";
import type { Handler } from "../middleware/compose.ts";
import { Ring } from "../ring/ring.ts";
import type { RingDevice } from "../ring/ring_data.ts";
import { SwobError } from "../object/swob_status.ts";
import { ErrorLimiter } from "./error_limiter.ts";
import { MimeTypes } from "./mime_types.ts";
import { readAffinityKey } from "./settings.ts";
import type { ProxySettings } from "./settings.ts";

/** One worker's proxy state. */
export class ProxyApplication {
  readonly settings: ProxySettings;
  readonly swiftConf: SwiftConf;
  readonly accountRing: Ring;
  readonly containerRing: Ring;
  readonly errors: ErrorLimiter;
  readonly pool: ConnectionPool;
  /** Content-Type guesses for uploads without one. */
  readonly mimeTypes: MimeTypes;
  /** User-Agent of backend requests ("proxy-server PID"). */
  readonly backendUserAgent = `proxy-server ${Deno.pid}`;
  /** The proxy's own handler: info lookups go through it, as Swift's get_info() subrequests. */
  handler: Handler = () => Promise.reject(new Error("The proxy handler is not set yet"));
  readonly #objectRings = new Map<number, Ring>();
  readonly #nodeTimings = new Map<string, { timing: number; expires: number }>();
  readonly #background = new Set<Promise<unknown>>();

  /** Loads the rings of every policy from swift_dir, as Application.__init__ does. */
  constructor(settings: ProxySettings, swiftConf: SwiftConf) {
    this.settings = settings;
    this.swiftConf = swiftConf;
    const hash = {
      hashPathPrefix: swiftConf.hashPath.prefix,
      hashPathSuffix: swiftConf.hashPath.suffix,
    };
    this.accountRing = new Ring(settings.swiftDir, { ...hash, ringName: "account" });
    this.containerRing = new Ring(settings.swiftDir, { ...hash, ringName: "container" });
    for (const policy of swiftConf.policies) {
      this.#objectRings.set(
        policy.index,
        new Ring(settings.swiftDir, { ...hash, ringName: policy.ringName }),
      );
    }
    this.errors = new ErrorLimiter(
      settings.errorSuppressionInterval,
      settings.errorSuppressionLimit,
    );
    this.pool = new ConnectionPool();
    this.mimeTypes = new MimeTypes(settings.swiftDir);
  }

  /** The policy of an index (a header value or number); 503 when the cluster has none. */
  policy(index: string | number | undefined): StoragePolicy {
    const policy = this.swiftConf.policies.get(index);
    if (!policy) throw new SwobError(503, { body: "Unknown Storage Policy" });
    return policy;
  }

  /** get_object_ring(). */
  objectRing(index: string | number | undefined): Ring {
    return this.#objectRings.get(this.policy(index).index)!;
  }

  /** sort_nodes(): shuffled, then by timing or read affinity. */
  sortNodes<T extends RingDevice>(nodes: T[]): T[] {
    for (let i = nodes.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [nodes[i], nodes[j]] = [nodes[j], nodes[i]];
    }
    const { sortingMethod, readAffinity } = this.settings;
    if (sortingMethod === "timing") {
      const now = Date.now() / 1000;
      const key = (node: RingDevice) => {
        const entry = this.#nodeTimings.get(node.ip);
        return entry && entry.expires > now ? entry.timing : -1;
      };
      nodes.sort((a, b) => key(a) - key(b));
    } else if (sortingMethod === "affinity") {
      nodes.sort((a, b) => readAffinityKey(readAffinity, a) - readAffinityKey(readAffinity, b));
    }
    return nodes;
  }

  /** set_node_timing(): remembers how long connecting to `node` took (timing sort only). */
  setNodeTiming(node: RingDevice, seconds: number): void {
    if (this.settings.sortingMethod !== "timing") return;
    this.#nodeTimings.set(node.ip, {
      timing: Math.round(seconds * 1000) / 1000,
      expires: Date.now() / 1000 + this.settings.timingExpiry,
    });
  }

  /** Keeps `work` (a backend request that outlived its response) until it settles. */
  track(work: Promise<unknown>): void {
    const settled = work.then(() => {}, () => {});
    this.#background.add(settled);
    settled.then(() => this.#background.delete(settled));
  }

  /** Waits for background work, then closes pooled connections. */
  async close(): Promise<void> {
    while (this.#background.size > 0) await Promise.all([...this.#background]);
    await this.pool.close();
  }
}
