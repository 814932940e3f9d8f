/**
 * A ring file that cannot be read or is not a valid Swift ring. The message names the file:
 * `Cannot load ring "/etc/swift/object.ring.gz": gzip stream is truncated or corrupt (...)`.
 */
export class RingFileError extends Error {
  /** The ring file that failed. */
  readonly path: string;
  /** The message without the file prefix. */
  readonly reason: string;

  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot load ring ${JSON.stringify(path)}: ${reason}`, options);
    this.name = "RingFileError";
    this.path = path;
    this.reason = reason;
  }
}

/**
 * Thrown by a ring validation hook (Swift's RingLoadError): fatal when the ring first loads, but
 * a reload that fails validation keeps serving the previous ring, as Swift does.
 */
export class RingLoadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RingLoadError";
  }
}
