/**
 * Controller.make_requests(): one backend request per header set, all at once, each walking
 * the shared node iterator until a node answers with neither 1xx nor 5xx; the outcome is
 * decided as soon as a quorum agrees, the rest get post_quorum_timeout more seconds, and
 * nodes that never answered count as 503.
 */
import type { Ring } from "../ring/ring.ts";
import type { ProxyCall } from "./call.ts";
import { readSmallBody, sendToNode } from "./backend.ts";
import { NodeIter } from "./node_iter.ts";
import type { Node } from "./node_iter.ts";
import { type BackendAnswer, bestResponse, haveQuorum } from "./quorum.ts";

/** What one make_requests() call sends. */
export interface FanOut {
  readonly ring: Ring;
  readonly partition: number;
  readonly method: string;
  /** The entity path (WSGI string), e.g. "/AUTH_a/c". */
  readonly path: string;
  /** One header set per request to make. */
  readonly headers: readonly Headers[];
  /** "Account", "Container" or "Object". */
  readonly serverType: string;
  readonly query?: string;
  readonly body?: Uint8Array;
  readonly overrides?: Readonly<Record<number, number>>;
  /** How many answers make the set (default: the ring's primaries). */
  readonly nodeCount?: number;
  readonly nodes?: Iterator<Node>;
}

/** make_requests(): the best response of the fan-out. */
export async function makeRequests(call: ProxyCall, fanOut: FanOut): Promise<Response> {
  const answers = await collectAnswers(call, fanOut);
  return bestResponse(call.req, answers, {
    serverType: `${fanOut.serverType} ${call.req.method}`,
    logger: call.ctx.logger,
    overrides: fanOut.overrides,
  });
}

/** The answers of the fan-out, padded with 503s up to the node count. */
export async function collectAnswers(call: ProxyCall, fanOut: FanOut): Promise<BackendAnswer[]> {
  const { app } = call;
  const nodes = fanOut.nodes ??
    new NodeIter(app, fanOut.ring, fanOut.partition, { logger: call.ctx.logger });
  const nodeCount = fanOut.nodeCount ?? fanOut.ring.getPartNodes(fanOut.partition).length;
  const answers: BackendAnswer[] = [];
  const late: BackendAnswer[] = [];
  const pending = new Set<Promise<void>>();
  let quorum = false;
  const { promise: decided, resolve: decide } = Promise.withResolvers<void>();
  for (const headers of fanOut.headers) {
    const task = firstAnswer(call, fanOut, nodes, headers).then((answer) => {
      pending.delete(task);
      if (answer !== undefined && !quorum) {
        answers.push(answer);
        if (haveQuorum(answers.map((a) => a.status), nodeCount)) {
          quorum = true;
          decide();
        }
      } else if (answer !== undefined) {
        late.push(answer);
      }
      if (pending.size === 0) decide();
    });
    pending.add(task);
  }
  if (pending.size > 0) await decided;
  if (pending.size > 0) {
    // Give the stragglers *some* chance to finish, as Swift's pile.waitall() does.
    const stragglers = Promise.all([...pending]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      stragglers,
      new Promise((resolve) => timer = setTimeout(resolve, app.settings.postQuorumTimeout * 1000)),
    ]);
    clearTimeout(timer);
    app.track(stragglers);
  }
  const all = [...answers, ...late.splice(0)];
  while (all.length < nodeCount) {
    all.push({ status: 503, reason: "", headers: [], body: new Uint8Array() });
  }
  return all;
}

/** _make_request(): tries nodes in turn until one gives a final, non-5xx answer. */
async function firstAnswer(
  call: ProxyCall,
  fanOut: FanOut,
  nodes: Iterator<Node>,
  headers: Headers,
): Promise<BackendAnswer | undefined> {
  const { app } = call;
  const logger = call.ctx.logger;
  for (let next = nodes.next(); !next.done; next = nodes.next()) {
    const node = next.value;
    try {
      const response = await sendToNode(app, node, {
        partition: fanOut.partition,
        method: fanOut.method,
        path: fanOut.path,
        headers,
        query: fanOut.query,
        body: fanOut.body,
      });
      const body = await readSmallBody(response);
      if (response.status < 500) {
        return {
          status: response.status,
          reason: response.reason,
          headers: [...response.headers],
          body,
        };
      }
      if (response.status === 507) {
        app.errors.limit(node, "ERROR Insufficient Storage", logger);
      } else {
        app.errors.occurred(
          node,
          `ERROR ${response.status} Trying to ${fanOut.method} ${fanOut.path} From ` +
            `${fanOut.serverType} Server`,
          logger,
        );
      }
    } catch (err) {
      app.errors.exception(
        node,
        fanOut.serverType,
        `Trying to ${fanOut.method} ${fanOut.path}`,
        err,
        logger,
      );
    }
  }
  return undefined;
}
