/**
 * How the proxy turns several backend answers into one (Controller.have_quorum,
 * best_response, _compute_quorum_response): a status class (2xx, 3xx, 4xx) answered by a
 * quorum of the nodes wins, with the highest status of that class; without one, 503.
 */
import type { SwiftLogger } from "../log/logger.ts";
import type { SwobRequest } from "../object/swob_request.ts";
import { swobResponse } from "../object/swob_response.ts";

/** One backend's answer, or a stand-in (503 for a node that never answered). */
export interface BackendAnswer {
  readonly status: number;
  readonly reason: string;
  readonly headers: Iterable<readonly [string, string]>;
  readonly body: Uint8Array;
}

/** quorum_size(n): a simple majority, (n // 2) + 1. */
export function quorumSize(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** have_quorum(): whether `statuses` already decide the outcome for `nodeCount` nodes. */
export function haveQuorum(
  statuses: readonly number[],
  nodeCount: number,
  quorum = quorumSize(nodeCount),
): boolean {
  if (statuses.length < quorum) return false;
  for (const hundred of [100, 200, 300, 400]) {
    if (statuses.filter((s) => hundred <= s && s < hundred + 100).length >= quorum) return true;
  }
  return false;
}

/** Headers swob never takes from a backend (update_headers()). */
const NOT_COPIED = new Set([
  "date",
  "content-length",
  "content-type",
  "connection",
  "x-put-timestamp",
  "x-delete-after",
]);

/** update_headers(): copies backend headers, ETag unquoted, framing and dates left out. */
export function updateHeaders(dst: Headers, src: Iterable<readonly [string, string]>): void {
  for (const [name, value] of src) {
    const lower = name.toLowerCase();
    if (lower === "etag") dst.set(name, value.replaceAll('"', ""));
    else if (!NOT_COPIED.has(lower)) dst.set(name, value);
  }
}

/** What best_response() needs besides the answers. */
export interface BestResponseOptions {
  /** "Object PUT" and the like, for the 503 log line. */
  readonly serverType: string;
  readonly logger: SwiftLogger;
  /** The ETag to answer with (the object servers' agreed one). */
  readonly etag?: string;
  /** Statuses read as others when no quorum is found (DELETE's 404 -> 204). */
  readonly overrides?: Readonly<Record<number, number>>;
  readonly quorum?: number;
}

/** best_response(): the client's response for a set of backend answers. */
export function bestResponse(
  req: SwobRequest,
  answers: readonly BackendAnswer[],
  options: BestResponseOptions,
): Response {
  const quorum = options.quorum ?? quorumSize(answers.length);
  let chosen = quorumAnswer(answers, quorum, new Set());
  if (chosen === undefined && options.overrides) {
    const overrides = options.overrides;
    const faked = new Set<number>();
    const transformed = answers.map((answer, i) => {
      const status = overrides[answer.status];
      if (status === undefined) return answer;
      faked.add(i);
      return { status, reason: "", headers: [], body: new Uint8Array() };
    });
    chosen = quorumAnswer(transformed, quorum, faked);
  }
  if (chosen === undefined) {
    options.logger.error(
      `${options.serverType} returning 503 for [${answers.map((a) => a.status).join(", ")}]`,
    );
    return swobResponse(req, { status: 503 });
  }
  const headers = new Headers();
  updateHeaders(headers, chosen.headers);
  if (options.etag !== undefined) headers.set("ETag", options.etag.replaceAll('"', ""));
  return swobResponse(req, { status: chosen.status, headers, body: chosen.body });
}

function quorumAnswer(
  answers: readonly BackendAnswer[],
  quorum: number,
  avoid: ReadonlySet<number>,
): BackendAnswer | undefined {
  if (answers.length === 0) return undefined;
  for (const hundred of [200, 300, 400]) {
    const inClass = answers.map((answer, i) => [answer, i] as const)
      .filter(([a]) => hundred <= a.status && a.status < hundred + 100);
    if (inClass.length < quorum) continue;
    const candidates = inClass.filter(([, i]) => !avoid.has(i));
    if (candidates.length === 0) continue;
    // max() by status keeps the first of equal ones, as Python's max() does.
    let best = candidates[0][0];
    for (const [answer] of candidates) if (answer.status > best.status) best = answer;
    return best;
  }
  return undefined;
}
