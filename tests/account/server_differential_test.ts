/**
 * swiftd's account server against Swift 2.30's AccountController, request for request:
 * generated sequences (see _account_sequences.ts) must get the same status, headers and body,
 * and leave the same databases. Then each half of a sequence is served by the other
 * implementation over the same devices directory.
 */
import { assertEquals } from "@std/assert";
import { accountSequence } from "./_account_sequences.ts";
import { comparable, comparableDump, describeRequest } from "../container/_compare.ts";
import {
  askSwift,
  askSwiftd,
  makeCluster,
  swiftdAccountServer,
  type WireAnswer,
  type WireRequest,
} from "../container/_harness.ts";

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
  return Array.from({ length: count }, (_, i) => accountSequence(seed + i, `-${i}`));
}

Deno.test("accountServer() answers 200 generated sequences as Swift 2.30 does and writes the same databases", async () => {
  await using cluster = await makeCluster();
  const mine = cluster.devices("swiftd");
  const theirs = cluster.devices("swift");
  const requests = sequences(200, 2000).flat();
  const swiftd = await askSwiftd(swiftdAccountServer(cluster, mine), requests);
  const swift = await askSwift({
    server: "account",
    swiftDir: cluster.swiftDir,
    runs: [{ devices: theirs, requests }],
    dump: [mine, theirs],
  });
  assertSameAnswers(requests, swiftd, swift.runs[0]);
  assertEquals(comparableDump(swift.dumps[0]), comparableDump(swift.dumps[1]));
});

Deno.test("accountServer() and Swift's account server serve each other's databases", async () => {
  await using cluster = await makeCluster();
  const swiftFirst = cluster.devices("swift-first");
  const swiftdFirst = cluster.devices("swiftd-first");
  const reference = cluster.devices("reference");
  const all = sequences(60, 7000);
  const first = all.flatMap((s) => s.slice(0, s.length >> 1));
  const second = all.flatMap((s) => s.slice(s.length >> 1));
  await askSwiftd(swiftdAccountServer(cluster, swiftdFirst), first);
  const swift = await askSwift({
    server: "account",
    swiftDir: cluster.swiftDir,
    runs: [
      { devices: swiftFirst, requests: first },
      { devices: swiftdFirst, requests: second },
      { devices: reference, requests: [...first, ...second] },
    ],
    dump: [swiftdFirst, reference],
  });
  const expected = swift.runs[2].slice(first.length);
  assertSameAnswers(second, swift.runs[1], expected);
  assertEquals(comparableDump(swift.dumps[0]), comparableDump(swift.dumps[1]));
  const swiftd = await askSwiftd(swiftdAccountServer(cluster, swiftFirst), second);
  assertSameAnswers(second, swiftd, expected);
});
