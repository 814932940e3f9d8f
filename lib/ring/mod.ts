/**
 * Swift rings for swiftd's proxy and storage servers: partition and node lookup compatible with
 * Swift 2.30 (`Ring`, `hashPath`), the `.ring.gz` file format, and a simple builder.
 *
 * @module
 */

export {
  DEFAULT_RELOAD_TIME,
  type HandoffNode,
  Ring,
  type RingNode,
  type RingOptions,
} from "./ring.ts";
export { hashPath, type HashPathConfig, hashPathRaw, type PathPart } from "./hash_path.ts";
export {
  decodeRingData,
  encodeRingData,
  type EncodeRingOptions,
  readRingData,
  type RingData,
  type RingDevice,
  writeRingData,
} from "./ring_data.ts";
export { buildRing, type BuildRingOptions, type DeviceSpec, writeRing } from "./builder.ts";
export { RingFileError, RingLoadError } from "./errors.ts";
