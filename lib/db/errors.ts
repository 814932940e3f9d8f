/** Errors raised by the database layer, mirroring swift/common/db.py and exceptions.py. */

/** A database file cannot be opened or used (Swift's DatabaseConnectionError). */
export class DatabaseConnectionError extends Error {
  /** Path of the database file involved. */
  readonly path: string;
  /** Builds the error for `path` with Swift's "DB connection error" wording. */
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`DB connection error ("${path}"): ${message}`, options);
    this.name = "DatabaseConnectionError";
    this.path = path;
  }
}

/** initialize() found the database file already in place (Swift's DatabaseAlreadyExists). */
export class DatabaseAlreadyExistsError extends Error {
  /** Path of the database file that already exists. */
  readonly path: string;
  /** Builds the error for `path`. */
  constructor(path: string) {
    super(`Cannot create database "${path}": it already exists`);
    this.name = "DatabaseAlreadyExistsError";
    this.path = path;
  }
}

/** A lock could not be taken in time (Swift's LockTimeout). */
export class LockTimeoutError extends Error {
  /** Path of the lock file. */
  readonly lockPath: string;
  /** Seconds waited before giving up. */
  readonly seconds: number;
  /** Builds the error for `lockPath` after `seconds`. */
  constructor(lockPath: string, seconds: number) {
    super(`Cannot lock "${lockPath}": still held by another process after ${seconds} seconds`);
    this.name = "LockTimeoutError";
    this.lockPath = lockPath;
    this.seconds = seconds;
  }
}

/** The database was moved to the quarantine directory because it is corrupt. */
export class DatabaseQuarantinedError extends Error {
  /** Directory the database was moved to. */
  readonly quarantinePath: string;
  /** Builds the error naming both paths and the reason, as Swift logs it. */
  constructor(dbDir: string, quarantinePath: string, reason: string, options?: ErrorOptions) {
    super(`Quarantined "${dbDir}" to "${quarantinePath}" due to ${reason}`, options);
    this.name = "DatabaseQuarantinedError";
    this.quarantinePath = quarantinePath;
  }
}

/** Metadata breaks a limit or is not UTF-8; servers answer 400 with this message. */
export class InvalidMetadataError extends Error {
  /** Builds the error with Swift's HTTPBadRequest body text. */
  constructor(message: string) {
    super(message);
    this.name = "InvalidMetadataError";
  }
}
