/**
 * swiftd's container server against Swift 2.30's ContainerController, request for request:
 * generated sequences (see _container_sequences.ts) must get the same status, headers and
 * body, and leave the same databases (rows, stats, policy stats, metadata, sync links).
 * Then each half of a sequence is served by the other implementation over the same devices
 * directory: a database one wrote must be served by the other as the writer would.
 */
import { assertEquals } from "@std/assert";
import { containerSequence } from "./_container_sequences.ts";
import { comparable, comparableDump, describeRequest } from "./_compare.ts";
import {
  askSwift,
  askSwiftd,
  makeCluster,
  swiftdContainerServer,
  type WireAnswer,
  type WireRequest,
} from "./_harness.ts";

function assertSameAnswers(
  requests: readonly WireRequest[],
  swiftd: readonly WireAnswer[],
  swift: readonly WireAnswer[],
): void {
  for (let i = 0; i < requests.length; i++) {
    assertEquals(comparable(swiftd[i]), comparable(swift[i]), describeRequest(requests[i], i));
  }
}

function sequences(count: number, seed: number): WireRequest[][] {
  return Array.from({ length: count }, (_, i) => containerSequence(seed + i, `-${i}`));
}

Deno.test("containerServer() answers 200 generated sequences as Swift 2.30 does and writes the same databases", async () => {
  await using cluster = await makeCluster();
  const mine = cluster.devices("swiftd");
  const theirs = cluster.devices("swift");
  const requests = sequences(200, 1000).flat();
  const swiftd = await askSwiftd(swiftdContainerServer(cluster, mine), requests);
  const swift = await askSwift({
    server: "container",
    swiftDir: cluster.swiftDir,
    runs: [{ devices: theirs, requests }],
    dump: [mine, theirs],
  });
  assertSameAnswers(requests, swiftd, swift.runs[0]);
  assertEquals(comparableDump(swift.dumps[0]), comparableDump(swift.dumps[1]));
});

Deno.test("containerServer() serves databases Swift's container server wrote as Swift does", async () => {
  await using cluster = await makeCluster();
  const shared = cluster.devices("shared");
  const reference = cluster.devices("reference");
  const all = sequences(60, 5000);
  const first = all.flatMap((s) => s.slice(0, s.length >> 1));
  const second = all.flatMap((s) => s.slice(s.length >> 1));
  const swift = await askSwift({
    server: "container",
    swiftDir: cluster.swiftDir,
    runs: [{ devices: shared, requests: first }, {
      devices: reference,
      requests: [...first, ...second],
    }],
  });
  const swiftd = await askSwiftd(swiftdContainerServer(cluster, shared), second);
  assertSameAnswers(second, swiftd, swift.runs[1].slice(first.length));
});

Deno.test("Swift's container server serves databases containerServer() wrote as swiftd does", async () => {
  await using cluster = await makeCluster();
  const shared = cluster.devices("shared");
  const reference = cluster.devices("reference");
  const all = sequences(60, 9000);
  const first = all.flatMap((s) => s.slice(0, s.length >> 1));
  const second = all.flatMap((s) => s.slice(s.length >> 1));
  await askSwiftd(swiftdContainerServer(cluster, shared), first);
  const swift = await askSwift({
    server: "container",
    swiftDir: cluster.swiftDir,
    runs: [{ devices: shared, requests: second }, {
      devices: reference,
      requests: [...first, ...second],
    }],
    dump: [shared, reference],
  });
  assertSameAnswers(second, swift.runs[0], swift.runs[1].slice(first.length));
  assertEquals(comparableDump(swift.dumps[0]), comparableDump(swift.dumps[1]));
});
