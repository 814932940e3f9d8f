/**
 * The error to throw on the request path: catch_errors (or the server's last-resort handler)
 * turns it into a response with this status, instead of a 500.
 */

/** An HTTP error response, thrown from anywhere inside a handler. */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.headers = headers;
  }

  /** The response Swift would send: the message as a text/html body (swob's default). */
  toResponse(method: string): Response {
    const body = method === "HEAD" ? null : this.message;
    return new Response(body, {
      status: this.status,
      headers: { "Content-Type": "text/html; charset=UTF-8", ...this.headers },
    });
  }
}
