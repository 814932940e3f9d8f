/**
 * What both bulk operations end with: the report (get_response_body() in the format Accept
 * chose), the swob errors they turn into a "Response Status", and the Content-Length rule.
 */
import { SwobError } from "../../object/swob_status.ts";
import { pyInt } from "../../object/wsgi_text.ts";
import { responseBody } from "../slo/response_body.ts";

/** resp_dict and failed_files. */
export interface BulkReport {
  readonly data: Map<string, unknown>;
  readonly errors: [string, string][];
}

/** The last chunk: the separator after heartbeats, then the report. */
export function finalChunk(
  separator: string,
  format: string | undefined,
  report: BulkReport,
  rootTag: string,
): Uint8Array {
  const body = responseBody(format, report.data, report.errors, rootTag);
  const out = new Uint8Array(separator.length + body.length);
  out.set(new TextEncoder().encode(separator));
  out.set(body, separator.length);
  return out;
}

/** err.body of a swob HTTPException, as bulk reports it. */
export function swobErrorBody(err: SwobError): string {
  return err.init.body ?? "";
}

/** 411 without Content-Length or chunked Transfer-Encoding (req.content_length is None). */
export function requireLength(req: Request): void {
  const length = req.headers.get("Content-Length");
  if (length !== null) {
    // swob's int() of a bad Content-Length raises ValueError: a 500, as in Swift.
    if (pyInt(length) === undefined) throw new Error(`Invalid Content-Length: "${length}"`);
    return;
  }
  if ((req.headers.get("Transfer-Encoding") ?? "").toLowerCase() !== "chunked") {
    throw new SwobError(411, { body: "" });
  }
}
