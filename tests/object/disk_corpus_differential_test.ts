/**
 * The object server over DiskBackend against real Swift 2.30's ObjectController over generated
 * request sequences (see _request_corpus.ts: PUTs with metadata, older and newer overwrites,
 * POSTs with Content-Type timestamps, DELETEs, conditional and ranged reads, malformed
 * requests) on three devices: every answer and the final device trees must be the same.
 * The corpus's timestamps are from 2023, older than reclaim_age, so tombstones and orphaned
 * .meta files are reclaimed as soon as cleanup sees them, in both.
 */
import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { requestCorpus } from "./_request_corpus.ts";
import {
  askSwift,
  askSwiftd,
  assertSameTree,
  diskServer,
  normalized,
  shmTempDir,
  writeSwiftConf,
} from "./_disk_harness.ts";

Deno.test("generated request sequences get Swift's answers and leave Swift's device trees", async () => {
  await using scratch = await shmTempDir("disk-corpus");
  const conf = await writeSwiftConf(scratch.path);
  const sequences = await requestCorpus(Number(Deno.env.get("SEED") ?? 20250202), 100);
  const requests = sequences.flat();
  const swiftTree = join(scratch.path, "swift");
  const swiftdTree = join(scratch.path, "swiftd");
  for (const tree of [swiftTree, swiftdTree]) {
    for (const device of ["sda1", "sda2", "sda3"]) {
      await Deno.mkdir(join(tree, device), { recursive: true });
    }
  }
  const swift = await askSwift(scratch.path, [{ devices: swiftTree, requests }]);
  const swiftd = await askSwiftd(diskServer(swiftdTree, conf), requests);
  const statuses = new Set<number>();
  for (const [i, answer] of swift.jobs[0].entries()) {
    const where = `request ${i}: ${requests[i].method} ${requests[i].path} ` +
      JSON.stringify(requests[i].headers);
    const expected = normalized(answer);
    if (requests[i].method === "HEAD") expected.body = "";
    assertEquals(normalized(swiftd[i]), expected, where);
    statuses.add(answer.status);
  }
  for (const status of [200, 201, 202, 204, 206, 304, 400, 404, 409, 412]) {
    assertEquals(statuses.has(status), true, `no request was answered ${status}`);
  }
  // X-Delete-After becomes X-Delete-At: Swift appends it to the request's headers, swiftd's
  // Headers keep names sorted, so the two pickles list the same items in another order.
  await assertSameTree(swiftdTree, swiftTree, { metadataAsDict: true });
});
