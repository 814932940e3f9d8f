/**
 * The errors a storage backend raises, as swift/common/exceptions.py names them. The object
 * controller maps each to Swift's response: NotExist (and its Deleted and Expired kinds) and
 * Quarantined -> 404, Collision -> 403, NoSpace, DeviceUnavailable and XattrNotSupported -> 507.
 */
import { Timestamp } from "../common/timestamp.ts";
import type { Metadata } from "./backend.ts";

/** Base of every backend error (Swift's DiskFileError). */
export class DiskFileError extends Error {
  constructor(message = "") {
    super(message);
    this.name = new.target.name;
  }
}

/** The object's files disagree with its metadata; the backend moved them aside. */
export class DiskFileQuarantined extends DiskFileError {}

/** The stored name differs from the requested one (an md5 collision of two names). */
export class DiskFileCollision extends DiskFileError {}

/** No object is stored under this name. */
export class DiskFileNotExist extends DiskFileError {}

/** The newest file of the object is a tombstone; `timestamp` is the deletion's time. */
export class DiskFileDeleted extends DiskFileNotExist {
  /** The tombstone's metadata (X-Timestamp at least), empty when unknown. */
  readonly metadata: Metadata;
  /** Time of the deletion; Timestamp(0) when unknown, as in Swift. */
  readonly timestamp: Timestamp;

  constructor(metadata: Metadata = {}, message = "") {
    super(message);
    this.metadata = metadata;
    this.timestamp = new Timestamp(metadata["X-Timestamp"] ?? 0);
  }
}

/** The object's X-Delete-At has passed; `metadata` is the expired object's metadata. */
export class DiskFileExpired extends DiskFileDeleted {}

/** The disk is full (or below fallocate_reserve). */
export class DiskFileNoSpace extends DiskFileError {}

/** The device is not mounted, not a directory, or otherwise unusable. */
export class DiskFileDeviceUnavailable extends DiskFileError {}

/** The filesystem cannot store extended attributes. */
export class DiskFileXattrNotSupported extends DiskFileError {}
