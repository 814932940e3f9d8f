/**
 * The replication verbs and OPTIONS. REPLICATE returns the partition's suffix hashes as a
 * protocol-2 pickle when the backend computes them; Swift's mem_server has none, so the
 * controller does not offer REPLICATE over such a backend (405), as mem_server does not.
 * SSYNC needs a backend that can stream a partition's objects; mem_server's fails with 500.
 */
import { dumpPickle } from "../../common/pickle_dumps.ts";
import { DiskFileDeviceUnavailable } from "../diskfile_errors.ts";
import type { ObjectHandler } from "../object_call.ts";
import { nameAndPlacement } from "../request_path.ts";
import { SWIFT_VERSION } from "../settings.ts";
import { swobResponse } from "../swob_response.ts";
import { SwobError } from "../swob_status.ts";

/** ObjectController.REPLICATE: /device/partition[/suffix-suffix...]. */
export const replicatePartition: ObjectHandler = async (call) => {
  const { req, backend, settings } = call;
  const { parts, policyIndex } = nameAndPlacement(
    req.pathInfo,
    req.headers.get("X-Backend-Storage-Policy-Index"),
    settings.policies,
    { min: 2, max: 3, restWithLast: true },
  );
  const [device, partition, suffixParts] = parts as [string, string, string | undefined];
  if (!backend.getHashes) throw new SwobError(405);
  let hashes: Awaited<ReturnType<NonNullable<typeof backend.getHashes>>>;
  try {
    hashes = await backend.getHashes(
      device,
      partition,
      suffixParts ? suffixParts.split("-") : [],
      policyIndex,
    );
  } catch (err) {
    if (err instanceof DiskFileDeviceUnavailable) throw new SwobError(507, { drive: device });
    throw err;
  }
  // Protocol 2 so that Python 2 replicators can read the answer, as Swift does.
  const body = dumpPickle(
    hashes === null ? null : new Map(hashes instanceof Map ? hashes : Object.entries(hashes)),
    { protocol: 2 },
  );
  return swobResponse(req, { status: 200, body });
};

/** ObjectController.SSYNC over a backend without an ssync receiver. */
export const ssyncUnsupported: ObjectHandler = () => {
  return Promise.reject(
    new Error("SSYNC needs a backend that can list and stream a partition's objects"),
  );
};

/** BaseStorageServer.OPTIONS: the methods served and the server's version. */
export function optionsHandler(allowed: readonly string[]): ObjectHandler {
  return (call) =>
    Promise.resolve(swobResponse(call.req, {
      status: 200,
      headers: {
        "Allow": allowed.join(", "),
        "Server": `object-server/${SWIFT_VERSION}`,
      },
    }));
}
