/**
 * Swift's NodeIter: the nodes a request tries, primaries first (sorted by sort_nodes) then
 * handoffs, skipping error-limited ones, at most request_node_count of them; a node that gets
 * error-limited after it was handed out does not count, so another takes its place.
 */
import type { SwiftLogger } from "../log/logger.ts";
import type { Ring } from "../ring/ring.ts";
import type { RingDevice } from "../ring/ring_data.ts";
import type { ProxyApplication } from "./application.ts";

/** A ring device as a request target: `index` for primaries, `handoff_index` for handoffs. */
export type Node = RingDevice & { readonly index?: number; readonly handoff_index?: number };

/** The nodes of one partition to try, in order. */
export class NodeIter implements Iterator<Node>, Iterable<Node> {
  readonly numPrimaryNodes: number;
  readonly #app: ProxyApplication;
  readonly #logger: SwiftLogger;
  readonly #primaries: Node[];
  readonly #handoffs: Iterator<Node>;
  readonly #expectedHandoffs: number;
  #nodesLeft: number;
  #handoffCount = 0;
  #pending: Node | undefined;
  #inHandoffs = false;
  #done = false;

  /**
   * `nodes` replaces the ring's order (write affinity); its first numPrimaryNodes entries are
   * taken as the primaries.
   */
  constructor(
    app: ProxyApplication,
    ring: Ring,
    partition: number,
    options: { logger: SwiftLogger; nodes?: Iterator<Node> },
  ) {
    this.#app = app;
    this.#logger = options.logger;
    const partNodes = ring.getPartNodes(partition);
    const source: Iterator<Node> = options.nodes ??
      chain<Node>(partNodes, ring.getMoreNodes(partition));
    this.numPrimaryNodes = partNodes.length;
    this.#nodesLeft = app.settings.requestNodeCount(partNodes.length);
    this.#expectedHandoffs = this.#nodesLeft - partNodes.length;
    const primaries: Node[] = [];
    for (let i = 0; i < partNodes.length; i++) {
      const next = source.next();
      if (next.done) break;
      primaries.push(next.value);
    }
    this.#primaries = app.sortNodes(primaries);
    this.#handoffs = source;
  }

  /** Primaries not yet handed out. */
  get primariesLeft(): number {
    return this.#primaries.length;
  }

  [Symbol.iterator](): Iterator<Node> {
    return this;
  }

  /** The next node to try; done once nodes_left reaches 0 or nodes run out. */
  next(): IteratorResult<Node> {
    if (this.#done) return { done: true, value: undefined };
    // Swift counts a node against nodes_left when the caller comes back for the next one,
    // and only if it is still not error-limited then.
    if (this.#pending !== undefined) {
      const last = this.#pending;
      this.#pending = undefined;
      if (!this.#app.errors.isLimited(last)) {
        this.#nodesLeft -= 1;
        if (this.#nodesLeft <= 0) return this.#finish();
      }
    }
    while (!this.#inHandoffs && this.#primaries.length > 0) {
      const node = this.#primaries.shift()!;
      if (this.#app.errors.isLimited(node, this.#logger)) continue;
      this.#pending = node;
      return { done: false, value: node };
    }
    this.#inHandoffs = true;
    for (let next = this.#handoffs.next(); !next.done; next = this.#handoffs.next()) {
      const node = next.value;
      if (this.#app.errors.isLimited(node, this.#logger)) continue;
      this.#handoffCount += 1;
      this.#logHandoffs(this.#handoffCount);
      this.#pending = node;
      return { done: false, value: node };
    }
    return this.#finish();
  }

  #finish(): IteratorResult<Node> {
    this.#done = true;
    return { done: true, value: undefined };
  }

  // Only handoffs beyond what request_node_count planned for mean primaries were skipped.
  #logHandoffs(handoffs: number): void {
    if (!this.#app.settings.logHandoffs) return;
    if (handoffs - this.#expectedHandoffs > 0) {
      this.#logger.warning(`Handoff requested (${handoffs})`);
    }
  }
}

function* chain<T>(first: Iterable<T>, second: Iterable<T>): Generator<T> {
  yield* first;
  yield* second;
}
