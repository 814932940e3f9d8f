/**
 * What a differential test compares: answers with what legitimately differs between two
 * servers masked (the database's created_at shows as X-Timestamp and X-Backend-Timestamp; a
 * 500's body is a stack trace), and database descriptions without created_at and id.
 */
import type { WireAnswer, WireRequest } from "./_harness.ts";

const CREATED_AT_HEADERS = new Set(["x-timestamp", "x-backend-timestamp"]);

/** The answer as compared: status, headers (created_at masked), body as latin-1 text. */
export function comparable(
  answer: WireAnswer,
): { status: number; headers: string[][]; body: string } {
  return {
    status: answer.status,
    headers: answer.headers.map(([k, v]) => {
      if (CREATED_AT_HEADERS.has(k)) return [k, "<created_at>"];
      if (k === "content-length" && answer.status === 500) return [k, "<trace length>"];
      return [k, v];
    }),
    body: answer.status === 500 ? "<trace>" : atob(answer.body),
  };
}

/** A database description without what each side picks for itself. */
export function comparableDump(dump: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(dump)) {
    const db = value as { stat?: Record<string, unknown>; incoming_sync?: object[] };
    if (db.stat) {
      const { created_at: _created, id: _id, ...stat } = db.stat;
      // A trigger stamps sync rows with the time they were written.
      const syncs = db.incoming_sync?.map((row) => ({ ...row, updated_at: "<now>" }));
      out[path] = { ...db, stat, incoming_sync: syncs };
    } else {
      out[path] = value;
    }
  }
  return out;
}

/** A readable name for request `i`. */
export function describeRequest(request: WireRequest, i: number): string {
  return `#${i} ${request.method} ${request.path} ${JSON.stringify(request.headers)}`;
}
