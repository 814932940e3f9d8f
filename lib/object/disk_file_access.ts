/**
 * The calls every method handler makes to reach an object, with Swift's answers to backend
 * failures: a device that cannot be used, or xattrs the filesystem lacks, are 507.
 */
import { Timestamp } from "../common/timestamp.ts";
import type { DiskFile, DiskFileOptions, DiskFileState, ObjectLocation } from "./backend.ts";
import {
  DiskFileDeleted,
  DiskFileDeviceUnavailable,
  DiskFileNotExist,
  DiskFileQuarantined,
  DiskFileXattrNotSupported,
} from "./diskfile_errors.ts";
import type { ObjectCall } from "./object_call.ts";
import { SwobError } from "./swob_status.ts";

/** HTTPInsufficientStorage(drive=device). */
export function insufficientStorage(device: string): SwobError {
  return new SwobError(507, { drive: device });
}

/** get_diskfile(), 507 when the device is unavailable. */
export async function getDiskFile(
  call: ObjectCall,
  location: ObjectLocation,
  options: DiskFileOptions = {},
): Promise<DiskFile> {
  try {
    return await call.backend.diskFile(location, options);
  } catch (err) {
    if (err instanceof DiskFileDeviceUnavailable) throw insufficientStorage(location.device);
    throw err;
  }
}

/** An object's state, or why there is none (the error read_metadata() raised). */
export type ReadOutcome =
  | { readonly state: DiskFileState; readonly missing?: undefined }
  | { readonly state?: undefined; readonly missing: DiskFileNotExist | DiskFileQuarantined };

/** read_metadata(current_time=...), keeping "not found" as a value; 507 on missing xattrs. */
export async function readState(
  diskFile: DiskFile,
  device: string,
  currentTime: Timestamp,
): Promise<ReadOutcome> {
  try {
    return { state: await diskFile.readMetadata({ currentTime }) };
  } catch (err) {
    if (err instanceof DiskFileXattrNotSupported) throw insufficientStorage(device);
    if (err instanceof DiskFileNotExist || err instanceof DiskFileQuarantined) {
      return { missing: err };
    }
    throw err;
  }
}

/** The X-Backend-Timestamp a 404 carries: the tombstone's time when there is one. */
export function missingHeaders(missing: Error): Record<string, string> {
  return missing instanceof DiskFileDeleted
    ? { "X-Backend-Timestamp": missing.timestamp.internal }
    : {};
}

/** The zero timestamp (Timestamp(0)). */
export const ZERO_TIMESTAMP: Timestamp = new Timestamp(0);
