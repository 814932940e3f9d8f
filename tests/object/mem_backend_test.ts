import { assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { Timestamp } from "../../lib/common/timestamp.ts";
import type { ObjectLocation } from "../../lib/object/backend.ts";
import {
  DiskFileDeleted,
  DiskFileNoSpace,
  DiskFileNotExist,
  DiskFileQuarantined,
} from "../../lib/object/diskfile_errors.ts";
import { MemBackend } from "../../lib/object/mem_backend.ts";
import { bytes, putText, testServer } from "./_server.ts";

const WHERE: ObjectLocation = {
  device: "sda1",
  partition: "0",
  account: "a",
  container: "c",
  object: "o",
  policyIndex: 0,
};

async function store(backend: MemBackend, chunks: string[], extra: Record<string, string> = {}) {
  const file = await backend.diskFile(WHERE);
  const writer = await file.writer();
  for (const chunk of chunks) await writer.write(bytes(chunk));
  const { uploadSize, etag } = writer.chunksFinished();
  await writer.put({
    "X-Timestamp": "1700000000.00000",
    "Content-Length": String(uploadSize),
    "ETag": etag,
    "Content-Type": "text/plain",
    ...extra,
  });
  await writer.close();
  return file;
}

async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  let out = "";
  for await (const chunk of chunks) out += new TextDecoder().decode(chunk);
  return out;
}

Deno.test("MemBackend stores the chunks written and reads any range across them", async () => {
  const backend = new MemBackend();
  const file = await store(backend, ["abc", "def", "", "ghij"]);
  const { state, reader } = await file.open();
  assertEquals(state.metadata["ETag"], "a925576942e94b2ef57a066101b48876");
  assertEquals(state.metadata.name, "/a/c/o");
  assertEquals(reader.size, 10);
  assertEquals(await text(reader.range(0, 10)), "abcdefghij");
  assertEquals(await text(reader.range(2, 7)), "cdefg");
  assertEquals(await text(reader.range(9, 10)), "j");
  assertEquals(await text(reader.range(3, 3)), "");
  await reader.close();
  assertEquals(backend.storedBytes, 10);
});

Deno.test("MemBackend has no tombstones: a missing object is DiskFileDeleted at time 0", async () => {
  const file = await new MemBackend().diskFile(WHERE);
  const err = await assertRejects(() => file.readMetadata(), DiskFileDeleted);
  assertEquals(err.timestamp.internal, "0000000000.00000");
});

Deno.test("MemBackend sees one object from every device and policy, as mem_diskfile does", async () => {
  const backend = new MemBackend();
  await store(backend, ["x"]);
  const other = await backend.diskFile({ ...WHERE, device: "sdz", policyIndex: 3 });
  assertEquals((await other.readMetadata()).metadata["Content-Length"], "1");
});

Deno.test("MemBackend says an object past its X-Delete-At does not exist", async () => {
  const backend = new MemBackend();
  const file = await store(backend, ["x"], { "X-Delete-At": "1700000100" });
  const before = await file.readMetadata({ currentTime: new Timestamp("1700000099.99999") });
  assertEquals(before.metadata["X-Delete-At"], "1700000100");
  const err = await assertRejects(
    () => file.readMetadata({ currentTime: new Timestamp(1700000100) }),
    DiskFileNotExist,
  );
  assertEquals(err instanceof DiskFileDeleted, false);
});

Deno.test("MemBackend quarantines (drops) an object whose metadata is inconsistent", async () => {
  const backend = new MemBackend();
  const file = await store(backend, ["abc"], { "Content-Length": "4" });
  await assertRejects(() => file.readMetadata(), DiskFileQuarantined);
  await assertRejects(() => file.readMetadata(), DiskFileDeleted);
});

Deno.test("MemBackend's writeMetadata keeps size, ETag and sysmeta and replaces the rest", async () => {
  const backend = new MemBackend();
  const file = await store(backend, ["abc"], {
    "X-Object-Meta-Old": "1",
    "X-Object-Sysmeta-S": "s",
    "X-Static-Large-Object": "True",
  });
  await file.writeMetadata({
    "X-Timestamp": "1700000001.00000",
    "X-Object-Meta-New": "2",
    "ETag": "forged",
  });
  const { metadata, timestamp, dataTimestamp } = await file.readMetadata();
  assertEquals(metadata, {
    "X-Timestamp": "1700000001.00000",
    "X-Object-Meta-New": "2",
    "ETag": "900150983cd24fb0d6963f7d28e17f72",
    "Content-Length": "3",
    "X-Object-Sysmeta-S": "s",
    "X-Static-Large-Object": "True",
    name: "/a/c/o",
  });
  // mem_diskfile reads every timestamp from X-Timestamp, the POST's after a POST.
  assertEquals([timestamp.internal, dataTimestamp.internal], [
    "1700000001.00000",
    "1700000001.00000",
  ]);
});

Deno.test("MemBackend deletes only for a newer timestamp", async () => {
  const backend = new MemBackend();
  const file = await store(backend, ["x"]);
  await file.delete(new Timestamp("1700000000.00000"));
  assertEquals((await file.readMetadata()).metadata["Content-Length"], "1");
  await file.delete(new Timestamp("1700000000.00000_0000000000000001"));
  await assertRejects(() => file.readMetadata(), DiskFileDeleted);
  assertEquals(backend.storedBytes, 0);
});

Deno.test("MemBackend discards a write that is closed before put()", async () => {
  const backend = new MemBackend();
  const file = await backend.diskFile(WHERE);
  const writer = await file.writer();
  await writer.write(bytes("lost"));
  await writer.close();
  await assertRejects(() => file.readMetadata(), DiskFileDeleted);
});

Deno.test("MemBackend with maxBytes refuses writes beyond it, and the server answers 507", async () => {
  const backend = new MemBackend({ maxBytes: 8 });
  const file = await backend.diskFile(WHERE);
  const writer = await file.writer();
  await writer.write(bytes("12345678"));
  const err = await assertRejects(() => writer.write(bytes("9")));
  assertInstanceOf(err, DiskFileNoSpace);
  await writer.close();

  const server = testServer({ backend: new MemBackend({ maxBytes: 4 }) });
  const res = await putText(server, "/sdb/0/a/c/o", "too big");
  assertEquals(res.status, 507);
  assertEquals(
    await res.text(),
    "<html><h1>Insufficient Storage</h1><p>There was not enough space to save the resource. " +
      "Drive: sdb</p></html>",
  );
});

Deno.test("MemBackend keeps its own copy of the chunks it is given", async () => {
  const backend = new MemBackend();
  const file = await backend.diskFile(WHERE);
  const writer = await file.writer();
  const chunk = bytes("abc");
  await writer.write(chunk);
  chunk.fill(0);
  const { uploadSize, etag } = writer.chunksFinished();
  await writer.put({
    "X-Timestamp": "1700000000.00000",
    "Content-Length": String(uploadSize),
    ETag: etag,
  });
  const { reader } = await file.open();
  assertEquals(await text(reader.range(0, 3)), "abc");
});
