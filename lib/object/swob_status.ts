/**
 * swob's status table (RESPONSE_REASONS) and its error responses: with no body given, a
 * status whose explanation is not empty answers "<html><h1>TITLE</h1><p>EXPLANATION</p></html>"
 * as text/html; charset=UTF-8; handlers throw SwobError to answer with any of them.
 */
import { RESPONSE_REASONS } from "../common/response_reasons.ts";
import { HttpError } from "../server/http_error.ts";

export { RESPONSE_REASONS };

/** The body swob writes for `status` when none is given, or "" when it writes none. */
export function defaultBody(status: number, drive?: string): string {
  const reason = RESPONSE_REASONS[status];
  if (!reason || !reason[1]) return "";
  // swob fills %(name)s from the response's attributes; only 507 uses one (the drive).
  const explanation = reason[1].replace("%(drive)s", drive ?? "unknown");
  return `<html><h1>${reason[0]}</h1><p>${explanation}</p></html>`;
}

/** What a swob error response carries besides its status. */
export interface SwobErrorInit {
  /** The body; swob's default page when absent. */
  readonly body?: string;
  /** Content-Type; swob's default is "text/html; charset=UTF-8". */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The device named by a 507's default body. */
  readonly drive?: string;
  /** Whether If-Match "*" turns it into 412 (swob's conditional_response). */
  readonly conditional?: boolean;
}

/** A swob HTTPException: thrown by a handler, answered as Swift answers it. */
export class SwobError extends HttpError {
  readonly init: SwobErrorInit;

  constructor(status: number, init: SwobErrorInit = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (init.contentType) headers["Content-Type"] = init.contentType;
    super(status, init.body ?? defaultBody(status, init.drive), headers);
    this.name = "SwobError";
    this.init = init;
  }
}

/** A 400 with a text/plain message, the form Swift's validators use. */
export function badRequest(message: string): SwobError {
  return new SwobError(400, { body: message, contentType: "text/plain" });
}
